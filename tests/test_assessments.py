"""Saved assessments through the API: references, revisions, codes, verification, and an append-only audit log."""

import json
import sqlite3
import stat
from pathlib import Path

import pytest


@pytest.fixture
def saved(client, example):
    response = client.post("/api/v1/assessments", json=example)
    assert response.status_code == 201
    return response.get_json()


def test_saving_returns_reference_revision_code_result_and_links(saved, client):
    assert saved["reference"].startswith("HZAI-2026-") and saved["revision"] == 1
    assert len(saved["code"]) == 19 and saved["code"].count("-") == 3
    assert saved["result"]["total_fen"] == 1462000000
    assert set(saved["links"]) == {"self", "page", "pdf", "verify", "verify_api", "submit"}
    again = client.get(saved["links"]["self"]).get_json()
    assert again["reference"] == saved["reference"] and again["result"] == saved["result"]


def test_the_link_is_unguessable_and_the_reference_is_not_a_key(saved, client):
    token = saved["links"]["self"].rsplit("/", 1)[1]
    assert len(token) >= 32
    assert client.get(f"/api/v1/assessments/{saved['reference']}").status_code == 404
    assert client.get(f"/a/{saved['reference']}").status_code == 404


def test_an_edit_is_a_new_revision_and_old_ones_are_kept(saved, client, example, app):
    example["rd_projects"][0]["rd_investment"] = "9800000"
    revised = client.put(saved["links"]["self"], json=example).get_json()
    assert revised["revision"] == 2 and revised["revisions"] == [1, 2]
    assert revised["result"]["clauses"][0]["amount_fen"] == 196000000
    first = client.get(saved["links"]["self"] + "?revision=1").get_json()
    assert first["result"]["clauses"][0]["amount_fen"] == 240000000 and first["code"] == saved["code"]
    with sqlite3.connect(app.config["DATABASE"]) as db:
        actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["create", "edit"]


def test_bad_input_saves_nothing(client, example, app):
    example["testing"]["fees"] = "-1"
    response = client.post("/api/v1/assessments", json=example)
    assert response.status_code == 400 and "testing.fees" in response.get_json()["errors"]
    with sqlite3.connect(app.config["DATABASE"]) as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("assessments", "revisions", "audit_log")]
    assert counts == [0, 0, 0]


def test_evaluating_stores_nothing(client, example, app):
    client.post("/api/v1/evaluate", json=example)
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0


def test_a_genuine_code_verifies_and_recomputes(saved, client):
    answer = client.get(f"/api/v1/verify/{saved['reference']}?code={saved['code']}").get_json()
    assert answer["genuine"] is True and answer["unchanged"] is True and answer["revision"] == 1
    assert answer["recomputed"] == {"available": True, "matches": True, "total_fen": 1462000000, "differs": []}
    lower = saved["code"].lower().replace("-", " ")
    assert client.get(f"/api/v1/verify/{saved['reference']}?code={lower}").get_json()["genuine"] is True


@pytest.mark.parametrize("change", [
    lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # one character off
    lambda code: "",
    lambda code: "AAAA-AAAA-AAAA-AAAA",
])
def test_a_wrong_or_altered_code_is_not_genuine(saved, client, change):
    answer = client.get(f"/api/v1/verify/{saved['reference']}?code={change(saved['code'])}").get_json()
    assert answer["genuine"] is False
    assert client.get(f"/api/v1/verify/HZAI-2026-999999?code={saved['code']}").get_json()["genuine"] is False


def test_a_stored_result_changed_behind_the_apps_back_is_not_genuine(saved, client, app):
    with sqlite3.connect(app.config["DATABASE"]) as db:
        stored = json.loads(db.execute("SELECT result_zh FROM revisions").fetchone()[0])
        stored["total_fen"] *= 2
        db.execute("UPDATE revisions SET result_zh = ?", [json.dumps(stored, ensure_ascii=False)])
    answer = client.get(f"/api/v1/verify/{saved['reference']}?code={saved['code']}").get_json()
    assert answer["genuine"] is False and answer["unchanged"] is False


def test_a_code_from_another_secret_is_not_genuine(saved, app, example, tmp_path):
    from app import create_app
    other = create_app({"TESTING": True, "DATABASE": app.config["DATABASE"], "VERIFY_SECRET": "another"})
    answer = other.test_client().get(f"/api/v1/verify/{saved['reference']}?code={saved['code']}").get_json()
    assert answer["genuine"] is False


def test_the_audit_log_refuses_update_and_delete(saved, app):
    with sqlite3.connect(app.config["DATABASE"]) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM audit_log")
        assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1


def test_references_count_up(client, example):
    first = client.post("/api/v1/assessments", json=example).get_json()["reference"]
    second = client.post("/api/v1/assessments", json=example).get_json()["reference"]
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_the_secret_is_created_on_first_run_and_kept(tmp_path):
    from subsidy.settings import ensure_instance_config
    path = Path(ensure_instance_config(str(tmp_path)))
    first = path.read_text(encoding="utf-8")
    ensure_instance_config(str(tmp_path))
    assert path.read_text(encoding="utf-8") == first and "VERIFY_SECRET" in first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
