"""What the registry tools keep in the database: policy variants as drafts, and background jobs with progress."""

import json
import secrets

from ..assessments import now
from ..db import write_transaction
from .variants import Variant


def save_variant(db, variant: Variant, officer: str) -> dict:
    """Store a variant as a draft version (once per name and text) and return its row."""
    with write_transaction(db):
        found = list(db.table("policy_variants").rows_where("name = ? AND digest = ?",
                                                            [variant.name, variant.digest], limit=1))
        if found:
            return found[0]
        table = db.table("policy_variants")
        table.insert({
            "name": variant.name, "version": variant.rulebook.policy["version"], "digest": variant.digest,
            "title": json.dumps(variant.title, ensure_ascii=False), "source": variant.text,
            "created_by": officer, "created_at": now()})
        row_id = table.last_pk
    return db.table("policy_variants").get(row_id)


def variants(db) -> list[dict]:
    rows = db.query("SELECT * FROM policy_variants ORDER BY id DESC LIMIT 100")
    return [dict(row, title=json.loads(row["title"])) for row in rows]


def variant_row(db, variant_id: int) -> dict | None:
    rows = list(db.table("policy_variants").rows_where("id = ?", [variant_id], limit=1))
    return dict(rows[0], title=json.loads(rows[0]["title"])) if rows else None


def create_job(db, kind: str, officer: str, registry: str, variant_id: int | None = None) -> dict:
    token = secrets.token_urlsafe(16)
    with write_transaction(db):
        db.table("registry_jobs").insert({"token": token, "kind": kind, "officer": officer, "registry": registry,
                                          "variant_id": variant_id, "status": "queued", "progress": 0.0,
                                          "created_at": now()})
    return job(db, token)


def job(db, token: str) -> dict | None:
    rows = list(db.table("registry_jobs").rows_where("token = ?", [token], limit=1))
    if not rows:
        return None
    row = rows[0]
    return dict(row, summary=json.loads(row["summary"]) if row["summary"] else None)


def jobs(db, limit: int = 20) -> list[dict]:
    return list(db.query("SELECT token, kind, registry, status, progress, created_at, officer FROM registry_jobs "
                         "ORDER BY id DESC LIMIT ?", [limit]))


def update_job(db, token: str, **values):
    if "summary" in values and values["summary"] is not None:
        values["summary"] = json.dumps(values["summary"], ensure_ascii=False)
    if values.get("status") in ("done", "failed"):
        values["finished_at"] = now()
    with write_transaction(db):
        db.table("registry_jobs").update(job(db, token)["id"], values)
