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


class DecisionRefused(ReviewError):
    """A decision that would approve by accident: each problem says which clause, fact or choice is wrong."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("decision_refused")


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
    for key in ("overrides", "evidence", "clause_decisions", "confirmations"):
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


def update_review(db, assessment: dict, claimed: dict, overrides: dict, evidence: dict, officer: str, engine,
                  confirmations: dict | None = None) -> dict:
    """Save the officer's verified values, confirmations and evidence, and recompute the verified result.

    confirmations holds "true" or "false" for each self-declared fact the officer answered; a fact left out is
    still pending. Raises schemas' ProfileError (by field path) when a verified value is invalid; nothing is
    saved then.
    """
    confirmations = confirmations or {}
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
        "confirmations": canonical(confirmations),
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
              after={"overrides": overrides, "evidence": evidence, "confirmations": confirmations,
                     "verified_total_fen": verified_zh["total_fen"],
                     "verified_profile": dump_profile(profile)})
    return get_review(db, assessment["id"])


def self_declared(result: dict | None) -> dict[str, list[str]]:
    """Return, by clause id, the profile paths of the self-declared facts its eligible items rest on."""
    found = {}
    for clause in (result or {"clauses": []})["clauses"]:
        paths = [path for item in clause["items"] for path in item.get("to_confirm", [])]
        if paths:
            found[clause["id"]] = list(dict.fromkeys(paths))
    return found


def pending_facts(claimed: dict, verified: dict | None, confirmations: dict) -> dict[str, list[str]]:
    """Return, by clause id, the self-declared facts the officer has neither confirmed nor refused yet."""
    facts = self_declared(claimed)
    for clause_id, paths in self_declared(verified).items():
        facts[clause_id] = list(dict.fromkeys(facts.get(clause_id, []) + paths))
    pending = {clause_id: [path for path in paths if path not in confirmations] for clause_id, paths in facts.items()}
    return {clause_id: paths for clause_id, paths in pending.items() if paths}


def agreeing_final(decided: dict[str, str]) -> str:
    """Return the only final decision that agrees with the clause decisions (approve/reject by clause id)."""
    approvals = sum(1 for choice in decided.values() if choice == "approve")
    if approvals == 0:
        return "rejected"
    return "approved" if approvals == len(decided) else "partly_approved"


def decision_problems(review: dict, claimed: dict, clause_decisions: dict, final: str) -> list[dict]:
    """Return what stops a decision: facts still pending under a decided clause, a clause approved that the
    verified result does not support or whose evidence is not ticked, a final decision that disagrees."""
    problems = []
    verified = {clause["id"]: clause for clause in review["verified_zh"]["clauses"]}
    pending = pending_facts(claimed, review["verified_zh"], review.get("confirmations") or {})
    decided = {clause_id: entry["decision"] for clause_id, entry in clause_decisions.items()
               if entry.get("decision") in CLAUSE_DECISIONS}
    for clause_id, choice in decided.items():
        problems += [{"code": "pending_fact", "clause": clause_id, "path": path} for path in pending.get(clause_id, [])]
        if choice == "approve" and verified[clause_id]["status"] != "eligible":
            problems.append({"code": "approve_not_eligible", "clause": clause_id,
                             "status": verified[clause_id]["status"]})
        if choice == "approve" and not review["evidence"].get(clause_id):
            problems.append({"code": "approve_without_evidence", "clause": clause_id})
    if final not in FINAL_DECISIONS:
        problems.append({"code": "final_missing"})
    elif final != agreeing_final(decided):
        problems.append({"code": "final_disagrees", "final": final, "expected": agreeing_final(decided),
                         "approved": sum(1 for c in decided.values() if c == "approve"),
                         "rejected": sum(1 for c in decided.values() if c == "reject")})
    return problems


def decide(db, assessment: dict, clause_decisions: dict, final: str, note: str, officer: str) -> dict:
    """Record a decision per clause with its note, and the final decision; refuse one that disagrees with itself
    or rests on a fact still pending (DecisionRefused lists why)."""
    if assessment["status"] not in ("submitted", "under_review"):
        raise ReviewError("not_reviewable")
    review = get_review(db, assessment["id"])
    if review is None:
        raise ReviewError("no_review")
    problems = decision_problems(review, assessment["result"]["zh"], clause_decisions, final)
    if problems:
        raise DecisionRefused(problems)
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


