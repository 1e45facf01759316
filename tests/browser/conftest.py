"""Real-browser fixtures: the app under gunicorn on a throwaway database, and Chromium driven by Playwright.

These tests are part of the normal `pytest` run and are never skipped: without Chromium or a working gunicorn they
fail with a message saying what is missing. Every test's pages are saved as full-page screenshots in
test-artifacts/browser/<test name>.png (git-ignored) for a person to look at.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
START_TIMEOUT = 30  # seconds for gunicorn to answer


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium against the app under gunicorn")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def live_db(tmp_path_factory) -> Path:
    """The path of the throwaway SQLite database the live server uses (SUBSIDY_TEST_DB)."""
    return tmp_path_factory.mktemp("browser-db") / "subsidy.sqlite3"


@pytest.fixture(scope="session")
def live_registry_dir(tmp_path_factory) -> Path:
    """The folder of registries the live server's registry pages list (SUBSIDY_TEST_REGISTRY_DIR)."""
    return tmp_path_factory.mktemp("browser-registries")


@pytest.fixture(scope="session")
def live_server(live_db, live_registry_dir):
    """Start `gunicorn -c gunicorn.conf.py tests.browser.server:app` on a free port; yield its base URL."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        pytest.fail(f"gunicorn not found next to the interpreter ({gunicorn}); install the project into the venv.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / "gunicorn.log"
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "SUBSIDY_TEST_DB": str(live_db),
        "SUBSIDY_TEST_REGISTRY_DIR": str(live_registry_dir),
        "SUBSIDY_TEST_SECRET_KEY": secrets.token_hex(16),
        "SUBSIDY_TEST_VERIFY_SECRET": secrets.token_hex(16),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "tests.browser.server:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode} before answering; log {log_path}:\n"
                            f"{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer on {base_url} within {START_TIMEOUT} s; log {log_path}:\n"
                            f"{_log_tail(log_path)}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


OFFICER = {"username": "li.officer", "password": "correct horse battery"}


@pytest.fixture(scope="session")
def officer_account(live_server, live_db) -> dict:
    """An officer account in the live server's database (made as `flask users create` would); its credentials."""
    from subsidy.db import connect
    from subsidy.users import create_user

    db = connect(str(live_db))  # the server created the tables when it started
    try:
        create_user(db, OFFICER["username"], OFFICER["password"], "officer")
    finally:
        db.close()
    return dict(OFFICER)


@pytest.fixture(scope="session")
def browser():
    """Chromium (the Debian package; Playwright cannot download its own here), driven by the sync API."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is needed for the browser tests and was not found at {CHROMIUM}. "
                    "Install it (apt-get install chromium) or set CHROMIUM=/path/to/chromium.")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


def _screenshot_name(test_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", test_name).strip("_")


@pytest.fixture
def new_context(browser, live_server, request):
    """Return a factory of fresh browser contexts (no cookies; desktop, Chinese, base URL set).

    At the end of the test every open page is saved as a full-page screenshot: the page opened last as
    <test name>.png, earlier ones as <test name>-<n>.png. A console error or an uncaught script error on any page
    (a Content-Security-Policy violation, a missing asset) fails the test at teardown.
    """
    contexts = []
    problems = []

    def on_console(page, message):
        if message.type != "error":
            return
        source = message.location.get("url") or ""
        # Expected, not problems: the browser logs the 400 of a form sent back with errors, and the 401 or 429 of
        # the login page refusing a password (that page is the answer), and the app has no /favicon.ico, which
        # Chromium asks for by itself.
        if (source == page.url and "status of 400" in message.text) or source.endswith("/favicon.ico"):
            return
        if source == page.url and urlsplit(source).path == "/login" and re.search(r"status of (401|429)\b",
                                                                                   message.text):
            return
        problems.append(f"console error on {page.url}: {message.text} ({source})")

    def watch(page):
        page.on("console", lambda message: on_console(page, message))
        page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))

    def make(**options):
        settings = {"viewport": DESKTOP, "locale": "zh-CN", "base_url": live_server, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make

    pages = [page for context in contexts for page in context.pages if not page.is_closed()]
    name = _screenshot_name(request.node.name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages, start=1):
        target = ARTIFACTS / (f"{name}.png" if number == len(pages) else f"{name}-{number}.png")
        try:
            page.screenshot(path=str(target), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own outcome
            print(f"screenshot {target} failed: {error}", file=sys.stderr)
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser reported errors:\n" + "\n".join(problems))


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop context (1280×900, Accept-Language zh-CN)."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    """A page in a fresh phone context (360×740, mobile viewport, touch)."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
