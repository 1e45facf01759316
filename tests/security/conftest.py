"""Fixtures of the security suite: an app with an officer account, and that officer logged in."""

import pytest

from app import create_app
from subsidy.db import connect
from subsidy.users import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "security.sqlite3"), "WTF_CSRF_ENABLED": False})
    db = connect(app.config["DATABASE"])
    create_user(db, "li.officer", PASSWORD, "officer")
    db.close()
    return app


@pytest.fixture
def officer(client):
    response = client.post("/login", data={"username": "li.officer", "password": PASSWORD})
    assert response.status_code == 303
    return client
