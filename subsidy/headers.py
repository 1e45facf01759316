"""HTTP headers besides the security ones: the language of each answer, who may cache it, and 401 challenges.

- Content-Language and Vary: Accept-Language on every answer but static files, since the words follow the
  language asked for (pages also remember it in a cookie, hence Vary: Cookie).
- Cache-Control: no-store on every private answer (a firm's assessment or verification, anything an officer
  sees, every answer to a POST or PUT, every API answer) unless the view chose a policy itself, as the public
  catalogue and OpenAPI document do with public_json().
- WWW-Authenticate on 401, which HTTP requires: the API's officers log in with a session cookie.
"""

import hashlib

from flask import current_app, request

from .i18n import page_language
from .requests import request_language
from .urls import public_url

PRIVATE_PREFIXES = ("/api/", "/a/", "/officer/", "/login", "/logout", "/verify/")


def public_json(body: bytes, max_age: int, language: str):
    """Return a JSON answer anyone may cache for max_age seconds, with a weak ETag; 304 if If-None-Match matches.

    The ETag is weak so that the gzip and the plain form of the same content share it (as nginx does).
    """
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Content-Language"] = language
    response.set_etag(hashlib.sha256(body).hexdigest()[:32], weak=True)
    return response.make_conditional(request)


def add_vary(response, *names: str):
    """Add names to the response's Vary header, each once.

    Werkzeug's response.vary parses the header and writes it back on every addition; this reads it once.
    """
    current = response.headers.get("Vary")
    if current is None:
        response.headers["Vary"] = ", ".join(names)
        return
    present = {token.strip().lower() for token in current.split(",")}
    added = [name for name in names if name.lower() not in present]
    if added:
        response.headers["Vary"] = ", ".join([current, *added])


def _add_headers(response):
    # One look at the names already set, then one extend: each werkzeug lookup or setdefault walks every header.
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    path = request.path
    added = []
    if not path.startswith("/static/"):
        api = path.startswith("/api/")
        if "content-language" not in present:
            added.append(("Content-Language", request_language() if api else page_language()))
        vary = ("Accept-Language",) if api else ("Cookie", "Accept-Language")
        if "vary" in present:
            add_vary(response, *vary)
        else:
            added.append(("Vary", ", ".join(vary)))
    if "cache-control" not in present and (
            request.method not in ("GET", "HEAD") or path.startswith(PRIVATE_PREFIXES)):
        added.append(("Cache-Control", "no-store"))
    if response.status_code == 401 and "www-authenticate" not in present:
        cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
        added.append(("WWW-Authenticate", f'Cookie realm="officers", cookie-name="{cookie}", '
                                          f'form-action="{public_url("officer.login")}"'))
    headers.extend(added)
    return response


def init_app(app):
    app.after_request(_add_headers)
