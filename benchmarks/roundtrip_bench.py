"""Time the firm's round trip through real gunicorn: load the form, post it, follow the redirect to the result.

    python benchmarks/roundtrip_bench.py [--n 200] [--workers 3]

Starts the shipped gunicorn configuration on a free loopback port with a throwaway database, runs n sequential
round trips of the CONTRACT.md example (GET / for the CSRF token, POST /, GET /a/<token>), and prints the median
and p90 of each step and of the whole trip. Only loopback traffic; it stops by itself.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from subsidy.flat import flatten  # noqa: E402

SERVER = """
import os
from app import create_app
app = create_app({"DATABASE": os.environ["BENCH_DB"], "SECRET_KEY": "bench", "VERIFY_SECRET": "bench"})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int, folder: str):
    port = free_port()
    Path(folder, "bench_server.py").write_text(SERVER, encoding="utf-8")
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), LOG_LEVEL="warning",
               BENCH_DB=str(Path(folder, "bench.sqlite3")), PYTHONPATH=f"{folder}:{ROOT}")
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                                "--access-logfile", "/dev/null", "bench_server:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/v1/rules", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def round_trip(base: str, form: dict) -> tuple[float, float, float]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    started = time.perf_counter()
    html = opener.open(base + "/").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    loaded = time.perf_counter()
    body = urllib.parse.urlencode({**form, "csrf_token": token}).encode()
    try:
        opener.open(urllib.request.Request(base + "/", data=body, headers={"Referer": base + "/"}))
        raise SystemExit("the form did not redirect")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 303:
            raise SystemExit(f"the form answered {redirect.code}") from redirect
        location = redirect.headers["Location"]
    saved = time.perf_counter()
    page = opener.open(base + location).read().decode()
    if "¥14,620,000.00" not in page:
        raise SystemExit("the result page does not show the expected total")
    done = time.perf_counter()
    return loaded - started, saved - loaded, done - saved


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    example = json.loads((ROOT / "tests/data/contract_example.json").read_text(encoding="utf-8"))
    form = {**flatten(example), "action": "save", "unit": "yuan"}
    with tempfile.TemporaryDirectory() as folder:
        process, base = start_server(args.workers, folder)
        try:
            for _ in range(5):
                round_trip(base, form)  # warm up every worker
            timings = [round_trip(base, form) for _ in range(args.n)]
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"form → result round trip through gunicorn ({args.workers} sync workers), {args.n} sequential trips")
    print(f"{'step':<24}{'median ms':>12}{'p90 ms':>10}")
    for name, column in (("GET / (form)", 0), ("POST / (save, 303)", 1), ("GET /a/<token> (result)", 2)):
        values = sorted(t[column] * 1000 for t in timings)
        print(f"{name:<24}{statistics.median(values):>12.1f}{values[int(len(values) * 0.9)]:>10.1f}")
    totals = sorted(sum(t) * 1000 for t in timings)
    print(f"{'whole round trip':<24}{statistics.median(totals):>12.1f}{totals[int(len(totals) * 0.9)]:>10.1f}")


if __name__ == "__main__":
    main()
