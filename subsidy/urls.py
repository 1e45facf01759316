"""Absolute links built from configuration (PUBLIC_URL), never from the request's Host header.

A link printed on a PDF, returned in `links` or sent in a Location header must point to this service even when
a client sends `Host: evil.example`; and a PDF rendered outside a request (a background job, the command line)
needs the same address. Unknown Host headers are refused anyway (TRUSTED_HOSTS, set from PUBLIC_URL).
"""

from urllib.parse import urlsplit

from flask import current_app

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def configure(app):
    """Check PUBLIC_URL and derive the host check and the cookie's Secure flag from it."""
    base = app.config.setdefault("PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL must be an http(s) address such as https://subsidy.example.gov.cn, not {base!r}")
    app.config["PUBLIC_URL"] = base
    # The public host, and the loopback names an operator or a health check uses on the machine itself.
    if not app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = sorted({parts.hostname, "localhost", "127.0.0.1"})
    if parts.scheme == "https":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True


def public_url(endpoint: str, **values) -> str:
    """Return the absolute address of endpoint under PUBLIC_URL, inside or outside a request."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
