"""The Flask application factory; `app` is what gunicorn serves (gunicorn app:app)."""

import os

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from subsidy import cli, db
from subsidy.engine import Engine
from subsidy.messages import text
from subsidy.requests import request_language
from subsidy.rulebook import RULES_DIR, default_rulebook, load_rulebook
from subsidy.views import api

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def create_app(test_config=None):
    """Create and configure the app: settings, rulebook and engine, blueprints, error shape, commands."""
    app = Flask(__name__, instance_relative_config=True)

    # Defaults; a deployment overrides them in instance/config.py, tests through test_config.
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "subsidy.sqlite3"),
        RULES_DIR=str(RULES_DIR),
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    os.makedirs(app.instance_path, exist_ok=True)

    # The rulebook is validated here: a broken rule file stops start-up with its file, line and problem.
    shipped = str(RULES_DIR) == str(app.config["RULES_DIR"])
    rulebook = default_rulebook() if shipped else load_rulebook(app.config["RULES_DIR"])
    app.extensions["subsidy.engine"] = _shared_engine() if shipped else Engine(rulebook)

    app.register_blueprint(api.bp)
    db.init_app(app)
    cli.register(app)

    # One error shape for every error under /api/, including the ones Flask raises itself.
    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith("/api/"):
            code = _HTTP_CODES.get(error.code)
            message = text(code, request_language()) if code else error.description
            return api.error_response({"_request": [message]}, error.code)
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        body = {"errors": {"_request": [text("internal", request_language())]}}
        return jsonify(body), 500

    return app


def _shared_engine():
    from subsidy.service import default_engine
    return default_engine()


app = create_app()
