"""An officer's review of a submitted filing: verified values, confirmations, evidence, recomputation, decisions.

The verified result comes from the same engine and the same pinned policy version as the firm's estimate: the
claimed profile with the officer's verified values laid over it, evaluated again.
"""

import json

from .assessments import audit, canonical, now
from .db import write_transaction
from .evaluation import evaluate
from .flat import flatten, unflatten
from .render import result_json
from .schemas import dump_profile, load_profile

STATUSES = ("draft", "submitted", "under_review", "approved", "partly_approved", "rejected")
FINAL_DECISIONS = ("approved", "partly_approved", "rejected")
CLAUSE_DECISIONS = ("approve", "reject")


class ReviewError(Exception):
    """A review step that the filing's state does not allow (e.g. deciding a draft)."""

    def __init__(self, code):
        self.code = code
        super().__init__(code)


def submit(db, assessment: dict, actor: str = "firm") -> dict:
    """Move a draft to submitted with the revision it has at that moment; submitting twice changes nothing.

    Status and revision are read inside the write transaction: a revision saved while the request was on its
    way is the one submitted, and a revision that comes later is refused by assessments.revise.
    """
    with write_transaction(db):
        current = db.table("assessments").get(assessment["id"])
        if current["status"] == "draft":
            db.table("assessments").update(current["id"], {"status": "submitted", "updated_at": now()})
            audit(db, actor, "submit", current, before={"status": "draft"},
                  after={"status": "submitted", "revision": current["latest_revision"]})
    return db.table("assessments").get(assessment["id"])


def get_review(db, assessment_id: int) -> dict | None:
    rows = list(db.table("reviews").rows_where("assessment_id = ?", [assessment_id], limit=1))
    if not rows:
        return None
    review = rows[0]
    for key in ("overrides", "evidence", "clause_decisions"):
        review[key] = json.loads(review[key])
    for key in ("verified_zh", "verified_en"):
        review[key] = json.loads(review[key]) if review[key] else None
    return review


def verified_profile(claimed: dict, overrides: dict) -> dict:
    """Return the claimed profile (stored form) with the officer's verified values laid over it."""
    flat = flatten(claimed)
    for path, value in overrides.items():
        if value is None or value == "":
            flat.pop(path, None)
        else:
            flat[path] = value
    return unflatten(flat)


def update_review(db, assessment: dict, claimed: dict, overrides: dict, evidence: dict, officer: str, engine) -> dict:
    """Save the officer's verified values, confirmations and evidence, and recompute the verified result.

    Raises schemas' ProfileError (by field path) when a verified value is invalid; nothing is saved then.
    """
    if assessment["status"] == "draft":
        raise ReviewError("not_submitted")
    if assessment["status"] in ("approved", "partly_approved", "rejected"):
        raise ReviewError("decided")
    _check_policy(assessment, engine)
    profile = load_profile(verified_profile(claimed, overrides))
    evaluation = evaluate(profile, engine)
    verified_zh, verified_en = result_json(evaluation, "zh"), result_json(evaluation, "en")
    before = get_review(db, assessment["id"])
    row = {
        "assessment_id": assessment["id"], "revision": assessment["latest_revision"],
        "overrides": canonical(overrides), "evidence": canonical(evidence),
        "clause_decisions": canonical(before["clause_decisions"] if before else {}),
        "verified_zh": canonical(verified_zh), "verified_en": canonical(verified_en),
        "officer": officer, "updated_at": now(),
    }
    with write_transaction(db):
        _check_status(db, assessment, ("submitted", "under_review"), "decided")
        db.table("reviews").upsert(row, pk="assessment_id")
        if assessment["status"] == "submitted":
            db.table("assessments").update(assessment["id"], {"status": "under_review", "updated_at": now()})
        audit(db, officer, "review_update", assessment,
              before={"overrides": before["overrides"], "evidence": before["evidence"],
                      "verified_total_fen": before["verified_zh"]["total_fen"]} if before else None,
              after={"overrides": overrides, "evidence": evidence, "verified_total_fen": verified_zh["total_fen"],
                     "verified_profile": dump_profile(profile)})
    return get_review(db, assessment["id"])


def decide(db, assessment: dict, clause_decisions: dict, final: str, note: str, officer: str) -> dict:
    """Record a decision per clause with its note, and the final decision."""
    if assessment["status"] not in ("submitted", "under_review"):
        raise ReviewError("not_reviewable")
    if final not in FINAL_DECISIONS:
        raise ReviewError("final_decision")
    review = get_review(db, assessment["id"])
    if review is None:
        raise ReviewError("no_review")
    with write_transaction(db):
        _check_status(db, assessment, ("submitted", "under_review"), "not_reviewable")
        db.table("reviews").update(assessment["id"], {
            "clause_decisions": canonical(clause_decisions), "final_decision": final, "final_note": note,
            "officer": officer, "updated_at": now(), "decided_at": now()})
        db.table("assessments").update(assessment["id"], {"status": final, "updated_at": now()})
        audit(db, officer, "decide", assessment, before={"status": assessment["status"],
                                                         "clause_decisions": review["clause_decisions"]},
              after={"status": final, "clause_decisions": clause_decisions, "note": note})
    return get_review(db, assessment["id"])


def comparison(claimed: dict, verified: dict | None) -> list[dict]:
    """Return, per clause, the claimed and verified status and amount with the difference."""
    rows = []
    verified_by_id = {c["id"]: c for c in verified["clauses"]} if verified else {}
    for clause in claimed["clauses"]:
        other = verified_by_id.get(clause["id"], clause)
        rows.append({"id": clause["id"], "clause": clause["citation"]["clause"], "title": clause["title"],
                     "basis": clause["basis"], "claimed_status": clause["status"], "claimed_fen": clause["amount_fen"],
                     "verified_status": other["status"], "verified_fen": other["amount_fen"],
                     "difference_fen": other["amount_fen"] - clause["amount_fen"],
                     "needs_confirmation": clause["needs_confirmation"]})
    return rows


def _check_status(db, assessment: dict, allowed: tuple, code: str):
    """Raise ReviewError(code) unless the stored status is still allowed: read inside the write transaction, so
    a decision another officer committed a moment ago is seen."""
    if db.table("assessments").get(assessment["id"])["status"] not in allowed:
        raise ReviewError(code)


def _check_policy(assessment: dict, engine):
    policy = engine.rulebook.policy
    if (assessment["policy_id"], assessment["policy_version"]) != (policy["id"], policy["version"]):
        raise ReviewError("policy_version")


