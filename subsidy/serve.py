"""Run the service the way users reach it: nginx in front, gunicorn's workers behind it on a private socket.

    python -m subsidy.serve        what `make run` starts (BIND, WEB_CONCURRENCY, TLS_CERTIFICATE, TLS_KEY)

nginx listens on BIND (127.0.0.1:8000 by default) and reads every request whole before gunicorn sees it, so a
slow client holds no worker (deploy/nginx.conf.j2 says why, README "Security" has the measurements). gunicorn
listens on a unix socket in a folder only this user can enter, so nothing but nginx reaches it, and the app
trusts the one address nginx passes on (TRUSTED_PROXIES=1). Stack is also what the tests, the browser tests and
the benchmarks start, each on its own free port and folder.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.j2"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
DEFAULT_BIND = "127.0.0.1:8000"
BODY_LIMIT = "2m"  # above the app's MAX_CONTENT_LENGTH (1 MB), so the app answers a large body in its own words
CONNECTIONS_PER_ADDRESS = 256
START_TIMEOUT_S = 60
MAX_SOCKET_PATH = 100  # a unix socket path has room for 107 bytes


# The routes that take files (subsidy/uploads.py sets the app's own limit on each): nginx lets their bodies through.
UPLOAD_ROUTES = {"/officer/batch/": "officer_batch.upload_post", "/officer/verify": "officer_records.verify"}


def upload_limits() -> dict[str, str]:
    """Return, by path, the body size nginx admits on the routes that take files: the app's own limit there."""
    from subsidy.uploads import BODY_LIMITS

    return {path: f"{BODY_LIMITS[endpoint] // 1024}k" for path, endpoint in UPLOAD_ROUTES.items()}


def render_nginx_conf(*, listen: str, socket_path: str, run_dir: str, access_log: str = "/dev/stdout",
                      tls: dict | None = None, nginx_workers: int = 1) -> str:
    """Return nginx.conf for these ports and paths, from deploy/nginx.conf.j2."""
    environment = Environment(loader=FileSystemLoader(str(TEMPLATE.parent)), undefined=StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)
    return environment.get_template(TEMPLATE.name).render(
        listen=listen, socket=socket_path, run_dir=run_dir, access_log=access_log,
        access_log_buffer=not access_log.startswith("/dev/"), tls=tls, nginx_workers=nginx_workers,
        user="root" if os.geteuid() == 0 else None, body_limit=BODY_LIMIT,
        upload_limits=upload_limits(), connections_per_address=CONNECTIONS_PER_ADDRESS)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket: to ask gunicorn itself whether it answers."""

    def __init__(self, path: str, timeout: float = 2):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Stack:
    """gunicorn (app_module, e.g. "app:app") behind nginx on listen; or gunicorn alone on listen (front=False).

    Output goes to log files in run_dir (or to this process's own output with logs=None). Only the processes
    started here are ever stopped.
    """

    def __init__(self, run_dir, listen: str | None = None, app_module: str = "app:app", workers: int | None = None,
                 front: bool = True, env: dict | None = None, tls: dict | None = None, logs: str | None = "files",
                 gunicorn_args: list | None = None, nginx_workers: int = 1):
        self.run_dir = Path(run_dir).resolve()
        self.listen = listen or f"127.0.0.1:{free_port()}"
        self.app_module, self.workers, self.front, self.tls = app_module, workers, front, tls
        self.extra_env, self.logs, self.gunicorn_args = env or {}, logs, gunicorn_args or []
        self.nginx_workers = nginx_workers
        self.gunicorn: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self._socket_dir: str | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.listen}"

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    def _socket_path(self) -> str:
        path = self.run_dir / "gunicorn.sock"
        if len(str(path)) <= MAX_SOCKET_PATH:
            return str(path)
        self._socket_dir = tempfile.mkdtemp(prefix="subsidy-")  # 0700, like run_dir
        return os.path.join(self._socket_dir, "gunicorn.sock")

    def _spawn(self, name: str, command: list, **options) -> subprocess.Popen:
        """Start command with its output in run_dir/<name>.log (or on this process's own output)."""
        if self.logs != "files":
            return subprocess.Popen(command, **options)
        with open(self.run_dir / f"{name}.log", "ab") as output:
            return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options)

    def start(self) -> "Stack":
        """Start gunicorn, wait until it answers, then nginx in front; raise RuntimeError if either does not."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.run_dir, 0o700)  # the socket inside must be reachable by nobody but this user (and nginx)
        env = {**os.environ, **self.extra_env}
        host = self.listen.rpartition(":")[0]
        if host not in ("", "0.0.0.0", "[::]"):  # on every interface, only the operator knows the public name
            env.setdefault("PUBLIC_URL", self.base_url)
        env.pop("WEB_CONCURRENCY", None)  # None: gunicorn.conf.py's own default
        if self.workers is not None:
            env["WEB_CONCURRENCY"] = str(self.workers)
        if self.front:
            socket_path = self._socket_path()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(socket_path)
            env.update(BIND=f"unix:{socket_path}", TRUSTED_PROXIES="1", ACCESS_LOG="")  # nginx logs access
        else:
            env.update(BIND=self.listen, TRUSTED_PROXIES="0")
            env.setdefault("ACCESS_LOG", str(self.access_log) if self.logs == "files" else "-")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.gunicorn = self._spawn("gunicorn", [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"),
                                                 *self.gunicorn_args, self.app_module], cwd=ROOT, env=env)
        try:
            if self.front:
                self._wait(lambda: self._ask_socket(socket_path), self.gunicorn, "gunicorn")
                self._start_nginx(socket_path)
            self._wait(self._ask_front, self.nginx or self.gunicorn, "nginx" if self.front else "gunicorn")
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nginx(self, socket_path: str):
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "nginx-temp" / folder).mkdir(parents=True, exist_ok=True)
        access_log = str(self.access_log) if self.logs == "files" else "/dev/stdout"
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(listen=self.listen, socket_path=socket_path, run_dir=str(self.run_dir),
                                          access_log=access_log, tls=self.tls, nginx_workers=self.nginx_workers),
                        encoding="utf-8")
        if not shutil.which(NGINX):
            raise RuntimeError(f"nginx is not installed at {NGINX}: run `bash scripts/system-deps.sh run`")
        # -e: nginx opens its error log before reading the configuration; keep it off the system's /var/log.
        self.nginx = self._spawn("nginx", [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e", "stderr",
                                           "-g", "daemon off;"], cwd=self.run_dir)

    def _ask_socket(self, path: str) -> bool:
        connection = UnixHTTPConnection(path)
        try:
            connection.request("GET", "/api/v1/rules", headers={"Host": "localhost"})
            return connection.getresponse().status == 200
        finally:
            connection.close()

    def _ask_front(self) -> bool:
        host, _, port = self.listen.rpartition(":")
        if self.tls:
            import ssl

            context = ssl._create_unverified_context()  # only asking whether it answers, on loopback
            connection = http.client.HTTPSConnection(host.strip("[]"), int(port), timeout=2, context=context)
        else:
            connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=2)
        try:
            connection.request("GET", "/api/v1/rules", headers={"Host": f"localhost:{port}"})
            return connection.getresponse().status == 200
        finally:
            connection.close()

    def _wait(self, ready, process: subprocess.Popen, name: str):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} before answering; {self._tail(name)}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not answer within {START_TIMEOUT_S} s; {self._tail(name)}")

    def _tail(self, name: str) -> str:
        path = self.run_dir / f"{name}.log"
        if not path.exists():
            return "its output is above"
        return f"the end of {path}:\n" + path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def running(self) -> bool:
        """Return whether every process of the stack is still running."""
        processes = [self.gunicorn, self.nginx] if self.front else [self.gunicorn]
        return all(process is not None and process.poll() is None for process in processes)

    def stop(self):
        """Stop nginx, then gunicorn (which stops its workers); kill either if it has not gone within 15 s."""
        for process in (self.nginx, self.gunicorn):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.nginx, self.gunicorn):
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main() -> int:
    """Serve until interrupted or until nginx or gunicorn stops; return the exit status."""
    listen = os.environ.get("BIND", DEFAULT_BIND)
    certificate, key = os.environ.get("TLS_CERTIFICATE"), os.environ.get("TLS_KEY")
    if bool(certificate) != bool(key):
        print("TLS needs both TLS_CERTIFICATE and TLS_KEY", file=sys.stderr)
        return 2
    tls = {"certificate": os.path.abspath(certificate), "key": os.path.abspath(key)} if certificate else None
    workers = int(os.environ["WEB_CONCURRENCY"]) if os.environ.get("WEB_CONCURRENCY") else None
    stack = Stack(ROOT / "instance" / "run", listen=listen, workers=workers, logs=None, tls=tls)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        stack.start()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Serving on {stack.base_url} (nginx in front of gunicorn); Ctrl-C stops both.", flush=True)
    while not stopping and stack.running():
        time.sleep(0.5)
    stack.stop()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
