"""A filing as its firm sees it: where it stands (a timeline), the officer's decision clause by clause, what to
do next, and what the revision changed. The firm's page and the API's `GET links.self` both show this.
"""

import json

from . import changes
from .assessments import load
from .messages import text

DECIDED = ("approved", "partly_approved", "rejected")
_STEPS = {"create": "saved", "edit": "revised", "submit": "submitted", "review_update": "under_review",
          "decide": "decided"}


def timeline(db, saved: dict, lang: str) -> list[dict]:
    """Return the filing's steps with their times: saved, each revision, submitted, under review, decided.

    Steps still to come are listed without a time, so the firm sees the whole way.
    """
    steps, seen = [], set()
    for row in db.query("SELECT action, at, after FROM audit_log WHERE assessment_id = ? AND action IN "
                        "('create', 'edit', 'submit', 'review_update', 'decide') ORDER BY id", [saved["id"]]):
        step = _STEPS[row["action"]]
        if step in seen and step != "revised":
            continue
        seen.add(step)
        revision = json.loads(row["after"]).get("revision") if row["after"] else None
        words = text("step_revised", lang, revision=revision) if step == "revised" else text(f"step_{step}", lang)
        entry = {"step": step, "at": row["at"], "done": True, "text": words}
        if step == "revised":
            entry["revision"] = revision
        steps.append(entry)
    for step in ("submitted", "under_review", "decided"):
        if step not in seen:
            steps.append({"step": step, "at": None, "done": False, "text": text(f"step_{step}", lang)})
    return steps


def decision(db, saved: dict, lang: str) -> dict | None:
    """Return the final decision with the estimate, verified and approved amount and note of each clause."""
    if saved["status"] not in DECIDED:
        return None
    rows = list(db.table("reviews").rows_where("assessment_id = ?", [saved["id"]], limit=1))
    if not rows or not rows[0]["final_decision"]:
        return None
    review = rows[0]
    if saved["revision"] != saved["latest_revision"]:  # the decision is on the revision submitted, the latest
        saved = load(db, saved["token"])
    decided = json.loads(review["clause_decisions"])
    verified = json.loads(review[f"verified_{lang}"])["clauses"]
    clauses, approved = [], {"exact": 0, "up_to": 0}
    for estimate, checked in zip(saved["result"][lang]["clauses"], verified, strict=True):
        choice = decided.get(estimate["id"], {})
        if estimate["status"] == "not_applicable" and checked["status"] == "not_applicable" and not choice:
            continue
        verdict = choice.get("decision") or None
        approved_fen = checked["amount_fen"] if verdict == "approve" else 0
        approved[estimate["basis"]] += approved_fen
        clauses.append({
            "id": estimate["id"], "clause": estimate["citation"]["clause"], "title": estimate["title"],
            "basis": estimate["basis"], "estimate_status": estimate["status"], "estimate_fen": estimate["amount_fen"],
            "verified_status": checked["status"], "verified_fen": checked["amount_fen"], "decision": verdict,
            "decision_text": text(f"clause_{verdict}", lang) if verdict else None,
            "approved_fen": approved_fen, "note": choice.get("note") or ""})
    final = review["final_decision"]
    return {"final": final, "final_text": text(f"decision_{final}", lang), "note": review["final_note"] or "",
            "decided_at": review["decided_at"], "clauses": clauses,
            "approved_exact_fen": approved["exact"], "approved_up_to_fen": approved["up_to"]}


def next_steps(saved: dict, lang: str) -> str:
    return text(f"next_{saved['status']}", lang, reference=saved["reference"])


def revision_changes(db, saved: dict, lang: str) -> dict | None:
    """Return what this revision changed against the one before it, or None for a first revision."""
    if saved["revision"] <= 1:
        return None
    before = load(db, saved["token"], saved["revision"] - 1)
    return changes.revision_changes(before, saved, lang) if before else None


def firm_view(db, saved: dict, lang: str) -> dict:
    """Return what the firm is told about its filing: timeline, decision, next steps and changes."""
    return {"timeline": timeline(db, saved, lang), "decision": decision(db, saved, lang),
            "next_steps": next_steps(saved, lang), "changes": revision_changes(db, saved, lang)}
