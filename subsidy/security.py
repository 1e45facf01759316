"""Security headers on every response, and rate limits on logging in and on evaluating.

The Content-Security-Policy is strict: scripts, styles and images come from this site only (the QR code and
charts are drawn inline as SVG, no script or style attribute is used anywhere), nothing may frame the pages.
"""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Per client address, per worker process (memory storage): enough to stop a script hammering one worker.
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[],
                  headers_enabled=True, strategy="moving-window")


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith(("/a/", "/officer/", "/api/v1/assessments", "/login")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app):
    app.config.setdefault("RATELIMIT_LOGIN", "10 per minute")
    app.config.setdefault("RATELIMIT_EVALUATE", "600 per minute")
    limiter.init_app(app)
    app.after_request(_add_headers)
