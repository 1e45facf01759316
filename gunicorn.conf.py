"""gunicorn settings for `make run`: `gunicorn -c gunicorn.conf.py app:app`.

Worker model: sync worker processes, app preloaded before the fork. The durable-rules C engine has no lock of its
own and its Python host crashed under threads (ENGINE-NOTES.md); the adapter (subsidy/engine.py) serialises
engine calls within a process, so each process evaluates one profile at a time anyway: processes, not threads,
are what give parallelism. Rulesets built before the fork are copied into each worker.
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
