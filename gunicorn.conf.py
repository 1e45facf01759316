"""gunicorn settings: `python -m subsidy.serve` (what `make run` starts) runs gunicorn -c gunicorn.conf.py app:app
behind nginx, on a unix socket; gunicorn can also serve alone on BIND (tests of worker behaviour do).

Worker model: sync worker processes, the app preloaded before the fork, one more worker than cores.

Chosen by measurement (`python benchmarks/http_bench.py --compare-workers`: POST /api/v1/evaluate, 16
connections, wrk on the same 2-core machine):

    sync ×1 482 req/s p99 40 ms · sync ×2 924 / 21 ms · sync ×3 903 / 23 ms · sync ×4 921 / 27 ms
    sync ×5 909 / 29 ms · gthread 2 workers × 4 threads 903 / 35 ms · 0 wrong answers, 0 crashes in each

(on the Intel machine the targets were first met on). Again on this AMD machine, 2026-12-03, behind nginx, two
alternated pairs of 8 s runs: sync ×3 947 and 928 req/s, sync ×2 908 and 835: three stay.

Evaluation is CPU-bound (about 1.9 ms of CPU a request in a worker), so processes, one per core, are what
scale; threads add queueing, not throughput: the durable-rules C engine has no lock of its own (its Python host
crashed under threads, ENGINE-NOTES.md), so subsidy/engine.py serialises engine calls in a process, and the rest
of a request holds the GIL. Rulesets built before the fork are copied into each worker. cores + 1 keeps a core
busy while another worker waits on SQLite or on nginx closing its connection.

Slow clients: a sync worker reads its request itself, so a client sending its body one byte every 5 s holds it
until `timeout` (30 s) kills the worker; three such clients stalled every worker. That is why nginx is in front
(deploy/nginx.conf.j2): it reads requests whole, and workers only see complete ones. Measured with
`python benchmarks/slow_clients.py` (probe GET /api/v1/rules while slow clients trickle POST bodies; worst probe):

    slow clients (one body byte every 5 s)     none       3                      50
    gunicorn sync ×3 alone                      26 ms      every probe > 2 s      every probe > 2 s
    gunicorn gthread 3 × 8 threads alone        39 ms      16 ms                  10 of 11 probes > 2 s
    nginx → gunicorn sync ×3 (make run)         16 ms      106 ms (0 of 80 > 1 s)  13 ms (0 of 80 > 1 s)

Threads only move the cliff to workers × threads slow clients and cost throughput here; nginx removes it.

Access log: written by nginx when it is in front (ACCESS_LOG empty); by gunicorn otherwise, with firm tokens and
codes redacted either way (subsidy/accesslog.py).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
preload_app = True
timeout = 30
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logger_class = "subsidy.accesslog.RedactingLogger"
# The socket behind nginx lives in a folder only this user can enter (subsidy/serve.py), and is itself created
# for this user only (gunicorn applies umask to its unix socket).
umask = 0o077
# gunicorn ≥ 25 opens a control socket in $HOME by default, one path for every gunicorn of the user: not used
# here, and a way to resize or stop this service that nothing needs.
control_socket_disable = True


# The app, its rulebook and its libraries are loaded before the fork, about 160,000 objects that live as long as the
# worker. Left to the collector, each full collection walks them all: about 85 ms every few thousand requests
# (a pause in some request's latency, and 28 µs a request on average). Frozen before each fork, they are left out
# of every collection (and their memory pages stay shared with the master). Unfrozen when a worker or the master
# ends, so that its interpreter tears them down as usual (frozen, DuckDB's bindings report them leaked at exit).
def pre_fork(server, worker):
    gc.freeze()


def worker_exit(server, worker):
    gc.unfreeze()


def on_exit(server):
    gc.unfreeze()


# Whether the request path runs compiled (subsidy/compiled.py): a build older than its sources is not used, and the
# log says so rather than leaving the operator to wonder why the service is slower.
def when_ready(server):
    from subsidy import compiled

    log = server.log.info if compiled.in_use() else server.log.warning
    log("request path: %s", compiled.status)
