"""gzip for answers worth compressing, when the client accepts it and no front server does it.

`make run` puts nginx in front (subsidy/serve.py), which compresses JSON, CSS and scripts itself: behind it
(TRUSTED_PROXIES set) the app leaves that to nginx. Served alone (gunicorn without nginx, or the tests' own client),
the app compresses the same kinds. Never HTML: a page carries a CSRF token next to text a visitor chose, which
compression would leak (BREACH). Level 1, nginx's default: on the 15 KB evaluation result it keeps the answer at
about 4.2 KB, where higher levels save a tenth more for about twice the CPU.
"""

import gzip

from flask import request

from .headers import add_vary

LEVEL = 1
MIN_SIZE = 1400  # about one TCP segment: below it compressing saves no round trip
COMPRESSIBLE = {"application/json", "text/css", "text/javascript", "application/javascript"}


def _compress(response):
    if response.mimetype not in COMPRESSIBLE or response.direct_passthrough or response.is_streamed:
        return response
    add_vary(response, "Accept-Encoding")
    if (response.status_code in (204, 304) or "Content-Encoding" in response.headers
            or request.accept_encodings["gzip"] <= 0):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # a strong ETag names these exact bytes, and these bytes changed
        response.set_etag(etag, weak=True)
    return response


def init_app(app):
    if app.config.get("TRUSTED_PROXIES"):
        return  # nginx compresses (deploy/nginx.conf.j2)
    # Registered before the other after_request hooks, so it runs last, on the final body.
    app.after_request(_compress)
