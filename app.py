"""The Flask application factory; `app` is what gunicorn serves (gunicorn app:app)."""

import os
import secrets
import sqlite3

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from subsidy import cli, compression, db, headers, i18n, security, sessions, signing, throttle, uploads, urls, users
from subsidy.accesslog import redact
from subsidy.engine import Engine
from subsidy.jsonfast import FastJSONProvider
from subsidy.messages import text
from subsidy.requests import request_language
from subsidy.rulebook import RULES_DIR, default_rulebook, load_rulebook
from subsidy.settings import ensure_instance_config
from subsidy.views import api, firm, helpers, officer, officer_batch, officer_records, officer_registry

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 429: "rate_limited"}


class App(Flask):
    """Flask, with its JSON responses encoded by orjson, and each view's and hook's sync check made once."""

    json_provider_class = FastJSONProvider

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = {}

    def ensure_sync(self, func):
        # Flask asks inspect whether a function is a coroutine for every hook and view of every request, about
        # a dozen times a request; the answer for a given function never changes. Only registered functions
        # come here, so the dictionary is as small as the app.
        found = self._sync_functions.get(func)
        if found is None:
            found = self._sync_functions[func] = super().ensure_sync(func)
        return found


def create_app(test_config=None):
    """Create and configure the app: settings, rulebook and engine, blueprints, error shape, commands."""
    app = App(__name__, instance_relative_config=True)

    # Defaults; a deployment overrides them in instance/config.py, tests through test_config.
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "subsidy.sqlite3"),
        RULES_DIR=str(RULES_DIR),
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        # An officer's session ends after this long idle (sessions.py), and so does a remember cookie.
        PERMANENT_SESSION_LIFETIME=sessions.IDLE_LIFETIME,
        REMEMBER_COOKIE_DURATION=sessions.IDLE_LIFETIME,
        # 1 when nginx is in front (subsidy/serve.py sets it): the client's address is the one nginx saw.
        TRUSTED_PROXIES=int(os.environ.get("TRUSTED_PROXIES", "0")),
        BATCH_CHUNK_SECONDS=2.0,
        # Registries the officer pages can screen: folders of tables or batch-layout files (subsidy/registry/).
        REGISTRY_DIR=os.path.join(app.instance_path, "registries"),
        REGISTRY_JOBS_DIR=os.path.join(app.instance_path, "registry-jobs"),
        REGISTRY_CHECK=1000,  # rows of every registry job re-evaluated through durable-rules
        # The address the service is reached at: every absolute link is built on it (subsidy/urls.py).
        PUBLIC_URL=os.environ.get("PUBLIC_URL", urls.DEFAULT_PUBLIC_URL),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile(ensure_instance_config(app.instance_path))
    else:
        # Tests get throwaway secrets unless they bring their own.
        app.config.from_mapping(SECRET_KEY=secrets.token_hex(16), VERIFY_SECRET=secrets.token_hex(16))
        app.config.from_mapping(test_config)
    urls.configure(app)
    # The key and certificate that sign every PDF: the organisation's PKCS#12, or a self-signed one made now.
    signing.configure(app)
    if app.config["TRUSTED_PROXIES"]:
        # Exactly the proxies in front, no more: a client's own X-Forwarded-For never picks its address.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    # The rulebook is validated here: a broken rule file stops start-up with its file, line and problem.
    shipped = str(RULES_DIR) == str(app.config["RULES_DIR"])
    rulebook = default_rulebook() if shipped else load_rulebook(app.config["RULES_DIR"])
    app.extensions["subsidy.engine"] = _shared_engine() if shipped else Engine(rulebook)

    # The database is created and migrated on first run (and by `flask --app app init-db`).
    db.init_db(app.config["DATABASE"])
    db.init_app(app)
    compression.init_app(app)  # first, so that it runs last: it compresses the final body
    i18n.init_app(app)
    sessions.init_app(app)
    users.init_app(app)
    security.init_app(app)
    headers.init_app(app)
    throttle.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(firm.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(officer_batch.bp)
    app.register_blueprint(officer_records.bp)
    app.register_blueprint(officer_registry.bp)
    helpers.register(app)

    # Endpoints that take files get their larger body limit before anything parses the form, CSRF included.
    uploads.init_app(app)
    # Every form carries a CSRF token; the JSON API takes no cookies and is exempt.
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)
    cli.register(app)

    # One error shape for every error under /api/, including the ones Flask raises itself.
    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith("/api/"):
            code = _HTTP_CODES.get(error.code)
            message = text(code, request_language()) if code else error.description
            response = api.error_response({"_request": [message]}, error.code)
        elif request_ctx.url_adapter is None:
            # No page can be drawn for a request whose Host was refused: its links cannot be built.
            response = app.make_response((f"{error.code} {error.name}", error.code, {"Content-Type": "text/plain"}))
        else:
            response = app.make_response((render_template("error.html", error=error), error.code))
        for name, value in error.get_headers():
            if name in ("Retry-After", "Allow"):  # keep what tells the client when or how to try again
                response.headers[name] = value
        return response

    @app.errorhandler(sqlite3.OperationalError)
    def database_busy(error):
        # Writers queue for the busy timeout; past it, say so and when to retry, instead of a bare 500.
        if "locked" not in str(error) and "busy" not in str(error):
            return unexpected_error(error)
        app.logger.warning("database busy on %s %s: %s", request.method, redact(request.path), error)
        if request.path.startswith("/api/"):
            response = api.error_response({"_request": [text("busy", request_language())]}, 503)
        else:
            response = app.make_response((render_template("error.html", error=None, busy=True), 503))
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("unexpected error on %s %s", request.method, redact(request.path))
        if request.path.startswith("/api/"):
            return jsonify({"errors": {"_request": [text("internal", request_language())]}}), 500
        return render_template("error.html", error=None), 500

    return app


def _shared_engine():
    from subsidy.service import default_engine
    return default_engine()


app = create_app()
