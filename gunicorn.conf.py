"""gunicorn settings for `make run`: `gunicorn -c gunicorn.conf.py app:app`.

Worker model: sync worker processes, the app preloaded before the fork, one more worker than cores.

Chosen by measurement (`python benchmarks/http_bench.py --compare-workers`: POST /api/v1/evaluate, 16
connections, wrk on the same 2-core machine):

    sync ×1 482 req/s p99 40 ms · sync ×2 924 / 21 ms · sync ×3 903 / 23 ms · sync ×4 921 / 27 ms
    sync ×5 909 / 29 ms · gthread 2 workers × 4 threads 903 / 35 ms · 0 wrong answers, 0 crashes in each

Evaluation is CPU-bound (about 2 ms of CPU a request), so processes, one per core, are what scale; threads add
queueing, not throughput: the durable-rules C engine has no lock of its own (its Python host crashed under
threads, ENGINE-NOTES.md), so subsidy/engine.py serialises engine calls in a process, and the rest of a request
holds the GIL. Rulesets built before the fork are copied into each worker. cores + 1 keeps a core busy while
another worker waits on SQLite.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
preload_app = True
timeout = 30
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
