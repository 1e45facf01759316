"""The access log never holds a firm's token or a verification code: nginx's log when it is in front, gunicorn's
log when gunicorn serves alone, and the app's own error lines."""

import time
import urllib.parse

import pytest

from subsidy.accesslog import redact


@pytest.mark.parametrize("line, expected", [
    ("GET /a/AbC-_123xyz HTTP/1.1", "GET /a/[token] HTTP/1.1"),
    ("GET /a/AbC-_123xyz/estimate.pdf?revision=2&lang=en HTTP/1.1",
     "GET /a/[token]/estimate.pdf?revision=2&lang=en HTTP/1.1"),
    ("PUT /api/v1/assessments/AbC-_123xyz/submit", "PUT /api/v1/assessments/[token]/submit"),
    ("POST /api/v1/assessments HTTP/1.1", "POST /api/v1/assessments HTTP/1.1"),
    ("GET /verify/HZAI-2026-000123?code=ABCD-EFGH-JKLM-NPQR", "GET /verify/HZAI-2026-000123?code=[code]"),
    ("GET /verify/X?lang=en&CODE=abc&Code=def&postcode=310000", "GET /verify/X?lang=en&CODE=[code]&Code=[code]&postcode=310000"),
    ('"http://127.0.0.1:8000/a/AbC-_123xyz" "Mozilla"', '"http://127.0.0.1:8000/a/[token]" "Mozilla"'),
    ("GET /api/v1/rules HTTP/1.1", "GET /api/v1/rules HTTP/1.1"),
])
def test_redact(line, expected):
    assert redact(line) == expected


def _visit(live, example):
    """Make the requests whose lines must not leak: a firm's pages, PDF, API, submit, and a verify link."""
    browser = live.browser()
    created = browser.request("POST", "/api/v1/assessments", json_body=example).json()
    token = created["links"]["self"].rsplit("/", 1)[1]
    page = urllib.parse.urlsplit(created["links"]["page"]).path
    verify = urllib.parse.urlsplit(created["links"]["verify"])
    browser.request("GET", page, headers={"Referer": created["links"]["page"]})
    browser.request("GET", f"{page}/edit?lang=en")
    browser.request("GET", f"{page}/estimate.pdf?revision=1")
    browser.request("GET", f"/api/v1/assessments/{token}?revision=1")
    browser.request("GET", "/static/app.css", headers={"Referer": created["links"]["page"]})
    browser.request("GET", f"{verify.path}?{verify.query}")
    browser.request("GET", f"/api/v1/verify/{created['reference']}?lang=en&code={created['code']}&code=again")
    browser.request("POST", f"/api/v1/assessments/{token}/submit")
    return token, created["code"]


def _log_after(path, lines: int) -> str:
    """Return the log once it holds at least lines lines (nginx writes its buffer at least every second)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if text.count("\n") >= lines:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{path} has {text.count(chr(10))} lines, expected {lines}:\n{text}")


@pytest.mark.parametrize("front", [True, False], ids=["nginx", "gunicorn"])
def test_the_access_log_holds_no_token_and_no_code(serve, example_profile, front):
    live = serve(workers=2, front=front)
    token, code = _visit(live, example_profile)
    log = _log_after(live.stack.access_log, 10)
    assert token not in log and code not in log and code.replace("-", "") not in log
    assert "/a/[token]/estimate.pdf?revision=1" in log and "/api/v1/assessments/[token]/submit" in log
    assert "/api/v1/assessments/[token]?revision=1" in log
    # The query around a code stays readable where only one code was given; nginx drops a query that held two.
    assert "code=[code]" in log
    if front:
        assert "[redacted]" in log
    else:
        assert "code=[code]&code=[code]" in log
    gunicorn_log = (live.stack.run_dir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    assert token not in gunicorn_log and code not in gunicorn_log
