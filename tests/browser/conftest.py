"""Real-browser fixtures: the app as `make run` serves it (nginx in front of gunicorn) on a throwaway database, and
Chromium driven by Playwright.

These tests are part of the normal `pytest` run and are never skipped: without Chromium, nginx or a working
gunicorn they fail with a message saying what is missing. Every test's pages are saved as full-page screenshots in
test-artifacts/browser/<test name>.png (git-ignored) for a person to look at.
"""

import os
import re
import secrets
import shutil
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.axe import Auditor, describe

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium against the app under gunicorn")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_db(tmp_path_factory) -> Path:
    """The path of the throwaway SQLite database the live server uses (SUBSIDY_TEST_DB)."""
    return tmp_path_factory.mktemp("browser-db") / "subsidy.sqlite3"


class Mailbox:
    """What the tests' SMTP server was given: (recipients, message) pairs."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 10) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_registry_dir(tmp_path_factory) -> Path:
    """The folder of registries the live server's registry pages list (SUBSIDY_TEST_REGISTRY_DIR)."""
    return tmp_path_factory.mktemp("browser-registries")


@pytest.fixture(scope="session")
def mailbox():
    """A real SMTP server (aiosmtpd) on a free port, which the live server sends the firm's emails to."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def live_server(live_db, live_registry_dir, mailbox, tmp_path_factory):
    """Start the service as `make run` serves it (nginx in front of gunicorn, subsidy/serve.py) on a free port;
    yield its base URL. The browser gets what users get: nginx's buffering, limits, compression and headers."""
    from subsidy.serve import Stack

    if not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.fail(f"gunicorn not found next to the interpreter ({sys.executable}); install the project into the "
                    "venv.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        "WEB_CONCURRENCY": "2",
        "SUBSIDY_TEST_DB": str(live_db),
        "SUBSIDY_TEST_REGISTRY_DIR": str(live_registry_dir),
        "SUBSIDY_TEST_SECRET_KEY": secrets.token_hex(16),
        "SUBSIDY_TEST_VERIFY_SECRET": secrets.token_hex(16),
        "SUBSIDY_TEST_SMTP_PORT": str(mailbox.port),
    }
    stack = Stack(tmp_path_factory.mktemp("browser-run"), app_module="tests.browser.server:app", workers=2, env=env)
    try:
        stack.start()
    except RuntimeError as error:
        pytest.fail(f"the service did not start for the browser tests: {error}")
    try:
        yield stack.base_url
    finally:
        stack.stop()
        for name in ("gunicorn.log", "nginx.log", "access.log"):  # kept for a person to read after a failure
            if (stack.run_dir / name).exists():
                shutil.copyfile(stack.run_dir / name, ARTIFACTS / name)


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
def officer_state(browser, live_server, officer_account):
    """The cookies of one logged-in officer session, logged in once through the login page for all the tests
    that do not test logging in (the login form is rate limited per address)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#f-username", officer_account["username"])
        page.fill("#f-password", officer_account["password"])
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            page.get_by_role("button", name="登录").click()
        assert posted.value.status == 303, posted.value.status
        page.wait_for_url(re.compile(r"/officer/$"))
        return context.storage_state()
    finally:
        context.close()


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
    (a Content-Security-Policy violation, a missing asset) fails the test at teardown, and so does a critical or
    serious axe-core violation on any document the test opened (tests/browser/axe.py).
    """
    contexts = []
    problems = []
    unscripted = []
    auditor = Auditor()

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
        if settings.get("java_script_enabled", True):
            auditor.watch(context)
        else:
            unscripted.append(context)
        contexts.append(context)
        return context

    yield make

    pages = [page for context in contexts for page in context.pages if not page.is_closed()]
    for page in pages:
        if page.context in unscripted:
            auditor.audit_without_script(page, browser)
        else:
            auditor.audit(page, "at the end of the test")
    name = _screenshot_name(request.node.name)
    auditor.report(ARTIFACTS / "axe" / f"{name}.json")
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
    if auditor.failures():
        pytest.fail("axe-core found critical or serious accessibility violations:\n" + describe(auditor.failures()))


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop context (1280×900, Accept-Language zh-CN)."""
    return new_context().new_page()


@pytest.fixture
def no_script_phone_page(new_context):
    """A 360 px phone page without JavaScript."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False).new_page()


@pytest.fixture
def phone_page(new_context):
    """A page in a fresh phone context (360×740, mobile viewport, touch)."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
