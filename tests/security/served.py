"""The app under real gunicorn (one sync worker, CSRF on) for the upload tests, and a logged-in officer's session."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "li.officer", "correct horse battery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database: Path, log: Path):
    """Serve tests.browser.server:app with one worker; yield (base URL, master process)."""
    port = _free_port()
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "SUBSIDY_TEST_DB": str(database),
           "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "SUBSIDY_TEST_SECRET_KEY": secrets.token_hex(16), "SUBSIDY_TEST_VERIFY_SECRET": secrets.token_hex(16)}
    with open(log, "wb") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                    "tests.browser.server:app"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_officer(database: Path):
    from subsidy.db import connect
    from subsidy.users import create_user

    db = connect(str(database))
    try:
        create_user(db, USERNAME, PASSWORD, "officer")
    finally:
        db.close()


def csrf_token(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', session.get(url, timeout=10).text).group(1)


def logged_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session, base + "/login")
    response = session.post(base + "/login", data={"csrf_token": token, "username": USERNAME, "password": PASSWORD},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.status_code
    return session


def worker_peak_mb(master: subprocess.Popen) -> float:
    """Return the highest peak RSS (VmHWM) among the master's worker processes, in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks)
