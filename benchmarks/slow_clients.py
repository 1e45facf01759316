"""Measure whether slow clients delay everyone else, for the ways the service could be served.

    python benchmarks/slow_clients.py [--seconds 20] [--clients 3,50]

For each design (gunicorn's sync workers alone, gthread workers alone, nginx in front of sync workers: what
`make run` serves), start it on a free loopback port with a throwaway database, open N clients that send the
headers of POST /api/v1/evaluate and then its body one byte every 5 s, and meanwhile probe GET /api/v1/rules
every quarter of a second (2 s timeout). Prints the probe's median and worst time and how many probes took over
1 s, first with no slow client. Every server started is stopped at the end.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_bench import serving  # noqa: E402

BOUND_S = 1.0
TIMEOUT_S = 2.0
TRICKLE_EVERY_S = 5
DESIGNS = [
    ("gunicorn sync ×3 alone", {"front": False, "extra_args": ["-k", "sync", "-w", "3"]}),
    ("gunicorn gthread 3 × 8 threads alone", {"front": False, "extra_args": ["-k", "gthread", "-w", "3",
                                                                             "--threads", "8"]}),
    ("nginx → gunicorn sync ×3 (make run)", {"front": True, "extra_args": ["-k", "sync", "-w", "3"]}),
]


def trickle(base: str, count: int, stop: threading.Event) -> list[socket.socket]:
    """Open count slow clients; a thread sends each one more body byte every TRICKLE_EVERY_S until stop."""
    host, port = base.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(f"POST /api/v1/evaluate HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 1000\r\n\r\n".encode())
        sockets.append(sock)

    def run():
        while not stop.wait(TRICKLE_EVERY_S):
            for sock in sockets:
                try:
                    sock.sendall(b" ")
                except OSError:
                    pass

    threading.Thread(target=run, daemon=True).start()
    return sockets


def probe(base: str, seconds: float) -> list[float]:
    """Return the time of each GET /api/v1/rules, one every 0.25 s for seconds (a timeout counts as TIMEOUT_S)."""
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + "/api/v1/rules", timeout=TIMEOUT_S) as response:
                response.read()
            times.append(time.monotonic() - started)
        except OSError:
            times.append(TIMEOUT_S)
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    return times


def describe(times: list[float]) -> str:
    over = sum(t > BOUND_S for t in times)
    return (f"median {statistics.median(times) * 1000:6.0f} ms, worst {max(times) * 1000:6.0f} ms, "
            f"{over:>3}/{len(times)} over {BOUND_S:g} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="probing time per measurement (default 20)")
    parser.add_argument("--clients", default="3,50", help="slow-client counts (default 3,50)")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",")]
    print(f"probe GET /api/v1/rules every 0.25 s while N clients send a POST body one byte every {TRICKLE_EVERY_S} s "
          f"({args.seconds:g} s each, loopback)")
    for name, design in DESIGNS:
        with tempfile.TemporaryDirectory(prefix="slow-clients-") as folder, \
                serving(folder, design["extra_args"], access_log=False, front=design["front"]) as server:
            print(f"{name:<40} no slow client: {describe(probe(server.base, 4))}", flush=True)
            for count in counts:
                stop = threading.Event()
                sockets = trickle(server.base, count, stop)
                try:
                    times = probe(server.base, args.seconds)
                finally:
                    stop.set()
                    for sock in sockets:
                        sock.close()
                print(f"{'':<40} {count:>3} slow clients: {describe(times)}", flush=True)
                time.sleep(1)  # let the server drop the closed sockets before the next count
    return 0


if __name__ == "__main__":
    sys.exit(main())
