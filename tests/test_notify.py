"""Email to the firm at submission and at decision, through a real SMTP server on this machine (aiosmtpd)."""

import email
import email.policy
import json
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from subsidy.db import connect
from subsidy.users import create_user


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def _app(tmp_path, **config):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "mail.sqlite3"), "WTF_CSRF_ENABLED": False,
                      "PUBLIC_URL": "https://subsidy.example.gov.cn", **config})
    db = connect(app.config["DATABASE"])
    create_user(db, "li.officer", "correct horse battery", "officer")
    db.close()
    return app


def _wait_for(inbox, count, seconds=5):
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return inbox.messages


def _body(message):
    return message.get_content()


def test_the_firm_is_told_at_submission_and_at_decision(tmp_path, inbox, example):
    handler, port = inbox
    app = _app(tmp_path, MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port, MAIL_FROM="subsidy@example.gov.cn")
    firm = app.test_client()
    saved = firm.post("/api/v1/assessments", json=example).get_json()
    token = saved["links"]["self"].rsplit("/", 1)[1]
    assert firm.post(f"/a/{token}/submit", data={"email": "cfo@example.com"}).status_code == 303
    (to, message), = _wait_for(handler, 1)
    assert to == ["cfo@example.com"] and saved["reference"] in message["Subject"] and "已收到" in message["Subject"]
    assert f"https://subsidy.example.gov.cn/a/{token}" in _body(message) and "¥10,020,000.00" in _body(message)

    officer = app.test_client()
    officer.post("/login", data={"username": "li.officer", "password": "correct horse battery"})
    reference = saved["reference"]
    officer.post(f"/officer/a/{reference}/review", data={"evidence.rd_subsidy": "1", "confirm.company.is_ai_enterprise": "true"})
    assert officer.post(f"/officer/a/{reference}/decide", data={
        "decision.rd_subsidy": "approve", "decision.testing_subsidy": "reject", "note.testing_subsidy": "资质过期",
        "final": "partly_approved", "final_note": "请提交纸质材料"}).status_code == 303
    messages = _wait_for(handler, 2)
    assert len(messages) == 2
    to, decided = messages[1]
    assert to == ["cfo@example.com"] and "部分批准" in decided["Subject"]
    body = _body(decided)
    assert "同意的确定金额 ¥2,400,000.00" in body and "请提交纸质材料" in body and f"/a/{token}" in body
    with app.app_context():
        from subsidy.db import get_db
        actions = [r["action"] for r in get_db().query("SELECT action FROM audit_log WHERE reference = ?", [reference])]
    assert actions.count("notify_submitted") == 1 and actions.count("notify_decided") == 1


def test_the_api_takes_the_address_in_english(tmp_path, inbox, example):
    handler, port = inbox
    app = _app(tmp_path, MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port)
    client = app.test_client()
    saved = client.post("/api/v1/assessments", json=example).get_json()
    bad = client.post(saved["links"]["submit"], json={"email": "cfo@example.com\r\nBcc: x@evil.example"})
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"email"}
    assert client.get(saved["links"]["self"]).get_json()["status"] == "draft"
    ok = client.post(saved["links"]["submit"] + "?lang=en", json={"email": "cfo@example.com"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "submitted"
    (to, message), = _wait_for(handler, 1)
    assert to == ["cfo@example.com"] and message["Subject"].startswith("Your subsidy filing")
    assert "Bcc" not in message


def test_without_smtp_nothing_is_sent_and_nothing_fails(tmp_path, example):
    app = _app(tmp_path)
    client = app.test_client()
    saved = client.post("/api/v1/assessments", json=example).get_json()
    token = saved["links"]["self"].rsplit("/", 1)[1]
    page = client.get(f"/a/{token}").get_data(as_text=True)
    assert "本服务目前未开通邮件" in page
    assert client.post(f"/a/{token}/submit", data={"email": "cfo@example.com"}).status_code == 303
    assert "已提交" in client.get(f"/a/{token}").get_data(as_text=True)


def test_a_mail_server_that_is_down_does_not_undo_the_submission(tmp_path, example):
    app = _app(tmp_path, MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=_free_port(), MAIL_TIMEOUT=2)
    client = app.test_client()
    saved = client.post("/api/v1/assessments", json=example).get_json()
    assert client.post(saved["links"]["submit"], json={"email": "cfo@example.com"}).status_code == 200
    with app.app_context():
        from subsidy.db import get_db
        row = get_db().execute("SELECT after FROM audit_log WHERE action = 'notify_submitted'").fetchone()
    assert json.loads(row[0]) == {"sent": False, "problem": "ConnectionRefusedError"}
    assert re.search(r"submitted", client.get(saved["links"]["self"]).get_data(as_text=True))
