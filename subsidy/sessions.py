"""Officer sessions that end when they should: on logout, a password change, a disabled account, 8 hours idle.

The session cookie is signed, not stored, so ending a session on the server needs something the server keeps:
each account has a session version in the database, and it is part of the id Flask-Login puts in the session
(and in a remember cookie). Logging out, changing the password or disabling the account increments it, and the
user loader, which runs on every request, turns away any session that carries an older one.

Idle sessions end on their own: the cookie of a logged-in officer is signed again on every request, and Flask
refuses a cookie signed longer ago than PERMANENT_SESSION_LIFETIME (8 hours), whatever the browser keeps.
Session protection is "strong": a cookie replayed from another address or browser is emptied.
"""

import datetime
import hashlib

from flask import jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin

from .db import get_db
from .headers import add_vary
from .messages import text
from .requests import request_language

IDLE_LIFETIME = datetime.timedelta(hours=8)

login_manager = LoginManager()
login_manager.session_protection = "strong"


class User(UserMixin):
    def __init__(self, row: dict):
        self.id = str(row["id"])
        self.username = row["username"]
        self.role = row["role"]
        self.active = bool(row["active"])
        self.session_version = int(row["session_version"])

    def get_id(self) -> str:
        """Return "<id>:<session version>": what the session and a remember cookie hold for this officer."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == "admin"


@login_manager.user_loader
def load_user(session_id: str):
    """Return the officer of a session, or None if the account is gone, disabled, or its sessions were ended."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(session_id) > 40:
        return None
    rows = list(get_db().table("users").rows_where("id = ?", [int(user_id)], limit=1))
    if not rows or not rows[0]["active"] or rows[0]["session_version"] != int(version):
        return None
    return User(rows[0])


def end_sessions(db, user_id) -> None:
    """End every session of an account, on every browser and worker (call inside the change's transaction)."""
    db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [int(user_id)])


def _identifier() -> str:
    """Identify the browser by its address and User-Agent, for Flask-Login's strong session protection.

    Flask-Login's own identifier reads X-Forwarded-For as the client sent it, so a stolen cookie plus a forged
    header would pass. request.remote_addr is the socket's peer, or the one address nginx vouches for (ProxyFix).
    """
    base = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(base.encode("utf-8", "replace")).hexdigest()


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key instead of twice a request."""

    _made: tuple = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._made[0] != keys:
            self._made = (keys, super().get_signing_serializer(app))
        return self._made[1]

    def open_session(self, app, request):
        """Flask's, without parsing cookies and raising a KeyError inside werkzeug when the request has none."""
        if not request.environ.get("HTTP_COOKIE") and self.get_signing_serializer(app) is not None:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """Flask's, with its most common case made cheap: a session looked at, empty and unchanged (every API call
        and every visitor who is not logged in) only adds Vary: Cookie, here without parsing Vary again."""
        if not session and not session.modified:
            if session.accessed:
                add_vary(response, "Cookie")
            return
        super().save_session(app, session, response)


def _keep_alive():
    """Sign a logged-in officer's cookie again on each request, so it expires after 8 hours idle, not after login."""
    if "_user_id" in session:
        session.modified = True


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to the login page; the JSON API answers 401 in its usual error shape."""
    if request.path.startswith("/api/"):
        response = jsonify({"errors": {"_request": [text("login_required", request_language())]}})
        response.status_code = 401
        return response
    return redirect(url_for("officer.login", next=request.full_path.rstrip("?")))


def init_app(app):
    """Set up Flask-Login (app.py sets PERMANENT_SESSION_LIFETIME, the idle lifetime, to IDLE_LIFETIME)."""
    app.session_interface = SignedCookieSessions()
    login_manager.init_app(app)
    # Flask-Login has no setting for the identifier of strong protection: it reads this attribute.
    login_manager._session_identifier_generator = _identifier
    app.before_request(_keep_alive)
