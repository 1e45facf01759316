"""Sessions end on the server: logout, a password change or a disabled account end every session of the account,
a session idle for 8 hours ends, a cookie replayed from another address or browser is refused, and over https
the cookie is Secure.

The session cookie is signed, not stored: these tests replay copies of it, kept before the event that should end
it, against the real service with several workers (any worker must refuse it).
"""

import datetime
import subprocess

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app import create_app

OFFICER, PASSWORD = "li.officer", "correct horse battery"  # the account conftest.py creates


def _copy(browser, live, source="127.0.0.1", user_agent=None):
    """A second client holding a copy of browser's cookies (the replay an attacker would make)."""
    copy = live.browser(source, user_agent or browser.user_agent)
    copy.cookies = dict(browser.cookies)
    return copy


def _shows_login(browser) -> bool:
    """Whether the officer's queue sends this client to the login page, and the queue API answers 401."""
    page = browser.request("GET", "/officer/")
    api = browser.request("GET", "/api/v1/officer/queue")
    if page.status != 302 or not page.headers["Location"].startswith("/login"):
        return False
    login = browser.request("GET", page.headers["Location"])
    return login.status == 200 and 'name="password"' in login.text and api.status == 401


def _runner(live):
    """The real `flask users …` commands, on the live service's database."""
    return create_app({"TESTING": True, "DATABASE": str(live.database)}).test_cli_runner()


@pytest.fixture(scope="module")
def live(serve_module):
    # These tests log in more often than the login limit allows a single address (test_throttling.py tests that).
    return serve_module(workers=3, config={"RATELIMIT_LOGIN": "1000 per minute"})


def test_a_cookie_saved_before_logout_gets_the_login_page(live):
    browser = live.browser()
    assert browser.login().status == 303
    saved = _copy(browser, live)
    assert saved.request("GET", "/officer/").status == 200  # the copy works while the session lives
    assert browser.logout().status == 303
    for _ in range(6):  # whichever worker answers
        assert _shows_login(saved)


def test_logout_ends_every_session_of_the_account(live):
    office, laptop = live.browser(user_agent="office"), live.browser(user_agent="laptop")
    assert office.login().status == 303 and laptop.login().status == 303
    assert laptop.request("GET", "/officer/").status == 200
    assert office.logout().status == 303
    assert _shows_login(laptop)
    assert laptop.login().status == 303 and laptop.request("GET", "/officer/").status == 200  # and logs in again


def test_a_password_change_ends_every_session(live):
    browser = live.browser()
    assert browser.login().status == 303
    saved = _copy(browser, live)
    changed = _runner(live).invoke(args=["users", "password", OFFICER, "--password-stdin"], input="a new passphrase\n")
    assert changed.exit_code == 0 and "sessions have ended" in changed.output, changed.output
    assert _shows_login(browser) and _shows_login(saved)
    assert live.browser().login(password=PASSWORD).status == 401
    assert live.browser().login(password="a new passphrase").status == 303
    _runner(live).invoke(args=["users", "password", OFFICER, "--password-stdin"], input=PASSWORD + "\n")


def test_disabling_an_account_ends_its_sessions_and_its_logins(live):
    browser = live.browser()
    assert browser.login().status == 303
    disabled = _runner(live).invoke(args=["users", "disable", OFFICER])
    assert disabled.exit_code == 0, disabled.output
    assert _shows_login(browser)
    assert live.browser(user_agent="disabled").login().status == 401
    assert _runner(live).invoke(args=["users", "enable", OFFICER]).exit_code == 0
    assert live.browser(user_agent="enabled").login().status == 303


def test_a_cookie_replayed_from_another_address_or_browser_is_refused(live):
    browser = live.browser()
    assert browser.login().status == 303
    assert _shows_login(_copy(browser, live, source="127.0.0.2"))
    assert _shows_login(_copy(browser, live, user_agent="another browser"))
    assert browser.request("GET", "/officer/").status == 200  # the officer's own session carries on


def test_the_account_commands_refuse_what_they_cannot_do(live):
    runner = _runner(live)
    assert "no user" in runner.invoke(args=["users", "disable", "nobody"]).output
    assert "at least 8" in runner.invoke(args=["users", "password", OFFICER, "--password-stdin"], input="short\n").output
    long_name = runner.invoke(args=["users", "create", "x" * 65, "--password-stdin"], input=PASSWORD + "\n")
    assert long_name.exit_code != 0 and "1 to 64" in long_name.output


# --- Idle sessions (the cookie's own signature time; the test client is enough) --------------------------------


def _signed_at(app, cookie: str, moment: datetime.datetime) -> str:
    """Return the same session cookie, signed as if at moment (as a client that kept it since then holds it)."""
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    data = serializer.loads(cookie)

    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(moment.timestamp())

    old = URLSafeTimedSerializer(app.secret_key, salt=interface.salt, serializer=interface.serializer,
                                 signer=Then, signer_kwargs={"key_derivation": interface.key_derivation,
                                                             "digest_method": interface.digest_method})
    return old.dumps(data)


@pytest.mark.parametrize("idle, ends", [(datetime.timedelta(hours=7, minutes=59), False),
                                        (datetime.timedelta(hours=8, minutes=1), True)])
def test_a_session_idle_for_8_hours_ends(app, client, idle, ends):
    assert client.post("/login", data={"username": OFFICER, "password": PASSWORD}).status_code == 303
    cookie = client.get_cookie("session").value
    then = datetime.datetime.now(datetime.UTC) - idle
    client.set_cookie("session", _signed_at(app, cookie, then))
    page = client.get("/officer/")
    assert (page.status_code == 302 and page.headers["Location"].startswith("/login")) is ends
    assert (client.get("/api/v1/officer/queue").status_code == 401) is ends


def test_each_request_signs_the_cookie_again_so_idle_time_counts_from_the_last(app, client):
    assert client.post("/login", data={"username": OFFICER, "password": PASSWORD}).status_code == 303
    cookie = client.get_cookie("session").value
    client.set_cookie("session", _signed_at(app, cookie, datetime.datetime.now(datetime.UTC)
                                            - datetime.timedelta(hours=7)))
    response = client.get("/officer/")
    assert response.status_code == 200 and "session=" in response.headers.get("Set-Cookie", "")
    renewed = client.get_cookie("session").value
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer.loads(renewed, max_age=60)  # signed just now, not seven hours ago
    assert "Expires" not in response.headers["Set-Cookie"]  # a browser session cookie: gone with the browser


def test_a_session_lives_at_most_as_long_as_configured(app):
    assert app.permanent_session_lifetime == datetime.timedelta(hours=8)
    assert app.config["REMEMBER_COOKIE_DURATION"] == datetime.timedelta(hours=8)


# --- https ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl, Debian's), for nginx to serve https with."""
    folder = tmp_path_factory.mktemp("tls")
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    return {"certificate": str(certificate), "key": str(key)}


def test_over_https_the_cookie_is_secure_and_the_browser_is_told_to_stay_on_https(serve, certificate):
    live = serve(workers=2, tls=certificate)  # PUBLIC_URL is then https://127.0.0.1:<port>
    assert live.base_url.startswith("https://")
    browser = live.browser()
    login = browser.login()
    assert login.status == 303
    cookies = login.headers.get_all("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session and all("Secure" in c and "HttpOnly" in c for c in session), cookies
    queue = browser.request("GET", "/officer/")
    assert queue.status == 200
    assert queue.headers["Strict-Transport-Security"].startswith("max-age=")
    links = browser.request("POST", "/api/v1/assessments", json_body={"company": {}}).json()
    assert "errors" in links  # the API answers over https as well


def test_over_plain_http_the_cookie_is_not_marked_secure(app, client):
    response = client.post("/login", data={"username": OFFICER, "password": PASSWORD})
    assert app.config["PUBLIC_URL"].startswith("http://") and "Secure" not in response.headers["Set-Cookie"]
