"""Fixtures of the security suite: an app with an officer account, that officer logged in, and the real service.

`serve(...)` starts what `make run` serves (nginx in front of gunicorn's workers, subsidy/serve.py) or gunicorn
alone, on free ports, with a throwaway database and an officer account; every process it started is stopped at
the end of the test, and only those. `Browser` is one client as the server sees it: its own cookies, its own
source address (any 127.x.y.z reaches the loopback server, so "another address" is real) and User-Agent.
"""

import http.client
import json
import re
import secrets
import ssl
import time
import urllib.parse
from pathlib import Path

import pytest

from app import create_app
from subsidy.db import connect
from subsidy.serve import Stack
from subsidy.users import create_user

PASSWORD = "correct horse battery"
OFFICER = "li.officer"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "contract_example.json"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "security.sqlite3"), "WTF_CSRF_ENABLED": False})
    db = connect(app.config["DATABASE"])
    create_user(db, OFFICER, PASSWORD, "officer")
    db.close()
    return app


@pytest.fixture
def officer(client):
    response = client.post("/login", data={"username": OFFICER, "password": PASSWORD})
    assert response.status_code == 303
    return client


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Reply {self.status} {self.text[:120]!r}>"


class Browser:
    """One client: cookies kept between requests, a source address, a User-Agent, the CSRF token of its session."""

    def __init__(self, base_url: str, source: str = "127.0.0.1", user_agent: str = "security-suite",
                 cafile: str | None = None):
        parts = urllib.parse.urlsplit(base_url)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.source, self.user_agent, self.cafile = source, user_agent, cafile
        self.cookies: dict[str, str] = {}

    def connection(self, timeout: float = 60) -> http.client.HTTPConnection:
        if self.scheme == "https":
            context = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=context,
                                               source_address=(self.source, 0))
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout, source_address=(self.source, 0))

    def request(self, method: str, path: str, *, form: dict | None = None, json_body=None, data: bytes | None = None,
                headers: dict | None = None, timeout: float = 60) -> Reply:
        sent = {"User-Agent": self.user_agent, "Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # A browser posting a form of this site says so (Flask-WTF requires it over https).
            sent.setdefault("Referer", f"{self.scheme}://{self.host}:{self.port}{path}")
        elif json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode()
            sent["Content-Type"] = "application/json"
        connection = self.connection(timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in header and "Expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return Reply(response.status, response.headers, body, time.monotonic() - started)

    def csrf_token(self, path: str = "/login") -> str:
        page = self.request("GET", path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}: {page}"
        return found.group(1)

    def login(self, username: str = OFFICER, password: str = PASSWORD, token: str | None = None) -> Reply:
        token = token or self.csrf_token()
        return self.request("POST", "/login", form={"csrf_token": token, "username": username, "password": password})

    def logout(self) -> Reply:
        return self.request("POST", "/logout", form={"csrf_token": self.csrf_token("/officer/")})


class Live:
    """A running service: its address, its database, and browsers to reach it with."""

    def __init__(self, stack: Stack, database: Path, cafile: str | None = None):
        self.stack, self.database, self.cafile = stack, database, cafile
        self.base_url = stack.base_url

    def browser(self, source: str = "127.0.0.1", user_agent: str = "security-suite") -> Browser:
        return Browser(self.base_url, source, user_agent, self.cafile)

    def db(self):
        return connect(str(self.database))


def _serve(tmp_path_factory):
    """Yield start(workers=3, front=True, config=None, tls=None): the service running, as a Live."""
    stacks = []

    def start(workers: int = 3, front: bool = True, config: dict | None = None, tls: dict | None = None) -> Live:
        folder = tmp_path_factory.mktemp("live")
        database = folder / "live.sqlite3"
        env = {"SUBSIDY_TEST_DB": str(database), "SUBSIDY_TEST_SECRET_KEY": secrets.token_hex(16),
               "SUBSIDY_TEST_VERIFY_SECRET": secrets.token_hex(16), "SUBSIDY_TEST_CONFIG": json.dumps(config or {}),
               "LOG_LEVEL": "warning"}
        stack = Stack(folder / "run", app_module="tests.security.server:app", workers=workers, front=front,
                      env=env, tls=tls)
        stacks.append(stack)
        stack.start()
        db = connect(str(database))  # the server created and migrated it on start
        try:
            create_user(db, OFFICER, PASSWORD, "officer")
        finally:
            db.close()
        return Live(stack, database, tls["certificate"] if tls else None)

    yield start
    for stack in stacks:
        stack.stop()


@pytest.fixture
def serve(tmp_path_factory):
    """start(workers=3, front=True, config=None, tls=None): the service running, as a Live; stopped after the test."""
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="module")
def serve_module(tmp_path_factory):
    """The same, stopped after the module: for tests that can share one running service."""
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="session")
def example_profile() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))
