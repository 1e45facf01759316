"""Verify a filing: by reference and code (the record exists, and what it says), or by the PDF itself.

A code proves that the service issued a document with this reference and revision, and what the stored record
says. Only the file proves what a firm handed in: an uploaded PDF is genuine when its bytes are, to the byte,
a PDF the service issued (its SHA-256 is stored) and our signature on it is intact. Each call stands alone:
nothing is carried over from an earlier verification.

Outcomes: genuine, superseded (genuine, but a later revision exists), not_issued (the code or the claims do not
match what we issued), not_genuine (a code that is not ours), unreadable (with its reason).
"""

import hmac

from . import assessments, documents, signing
from .money import format_yuan
from .pdfread import Unreadable, claims_in_pdf

GENUINE, SUPERSEDED, NOT_ISSUED, NOT_GENUINE, UNREADABLE = (
    "genuine", "superseded", "not_issued", "not_genuine", "unreadable")
MAX_PDF_BYTES = 10 * 1024 * 1024


def by_code(db, reference: str, code: str | None, secret: str, engine) -> dict:
    """Say what a reference and code prove: a revision's estimate, a decision, or nothing of ours."""
    answer = assessments.verify(db, reference, code, secret, engine)
    if answer["genuine"]:
        answer["kind"] = documents.ESTIMATE
        if answer["revision"] != answer["latest_revision"]:
            latest = assessments.load(db, reference, by_reference=True)
            answer.update(outcome=SUPERSEDED, latest_total_fen=latest["result"]["zh"]["total_fen"],
                          latest_created_at=latest["revision_created_at"])
        else:
            answer["outcome"] = GENUINE
        return answer
    decision = _decision(db, reference, code, secret)
    if decision is not None:
        return decision
    answer["outcome"] = NOT_GENUINE
    return answer


def _decision(db, reference: str, code: str | None, secret: str) -> dict | None:
    """Return the answer for a decision's code, or None if code is not the code of reference's decision."""
    from .review import get_review

    wanted = assessments.normalise_code(code)
    filing = assessments.find(db, reference=reference)
    if not wanted or filing is None:
        return None
    review = get_review(db, filing["id"])
    if review is None or not review["final_decision"]:
        return None
    if not hmac.compare_digest(documents.decision_code(secret, reference, review), wanted):
        return None
    approved = {"exact": 0, "up_to": 0}
    for clause in review["verified_zh"]["clauses"]:
        if review["clause_decisions"].get(clause["id"], {}).get("decision") == "approve":
            approved[clause["basis"]] += clause["amount_fen"]
    return {"reference": reference, "genuine": True, "outcome": GENUINE, "kind": documents.DECISION,
            "revision": review["revision"], "latest_revision": filing["latest_revision"],
            "company_name": filing["company_name"], "credit_code": filing["credit_code"],
            "final_decision": review["final_decision"], "decided_at": review["decided_at"],
            "verified_total_fen": review["verified_zh"]["total_fen"],
            "approved_total_fen": approved["exact"] + approved["up_to"], "approved_exact_fen": approved["exact"],
            "approved_up_to_fen": approved["up_to"],
            # The decision prints exact and "up to" amounts apart; its exact total is the figure compared.
            "total_fen": approved["exact"]}


def by_upload(db, data: bytes, secret: str, engine, signer) -> dict:
    """Say whether an uploaded PDF is, byte for byte, a document the service issued, and if not, what differs."""
    if len(data) > MAX_PDF_BYTES:
        return {"outcome": UNREADABLE, "genuine": False, "reason": "too_large"}
    issued = documents.issued_with_hash(db, documents.sha256(data))
    signature = signing.check(data, signer)
    if issued is not None and signature["intact"]:
        answer = by_code(db, issued["reference"], _issued_code(db, issued, secret), secret, engine)
        answer.update(document=issued, signature=signature, sha256=issued["sha256"])
        return answer
    try:
        claims = claims_in_pdf(data)
    except Unreadable as error:
        return {"outcome": UNREADABLE, "genuine": False, "reason": error.code, "signature": signature}
    answer = by_code(db, claims["reference"], claims["code"], secret, engine)
    code_valid = answer["genuine"]
    answer.update(outcome=NOT_ISSUED, genuine=False, code_valid=code_valid, claims=claims, signature=signature,
                  sha256=documents.sha256(data),
                  differences=_differences(claims, answer) if code_valid else [])
    return answer


def _issued_code(db, issued: dict, secret: str) -> str:
    if issued["kind"] == documents.DECISION:
        from .review import get_review

        return documents.decision_code(secret, issued["reference"], get_review(db, issued["assessment_id"]))
    row = db.execute("SELECT code FROM revisions WHERE assessment_id = ? AND revision = ?",
                     [issued["assessment_id"], issued["revision"]]).fetchone()
    return row[0]


def _differences(claims: dict, answer: dict) -> list[dict]:
    """Return what the PDF says that the record its code belongs to does not: company, total, revision."""
    differs = []
    if claims["company"] is not None and claims["company"] != answer["company_name"]:
        differs.append({"field": "company", "pdf": claims["company"], "record": answer["company_name"]})
    stored_total = format_yuan(answer["total_fen"])
    if claims["total"] is not None and claims["total"] != stored_total:
        differs.append({"field": "total", "pdf": claims["total"], "record": stored_total})
    if claims["revision"] is not None and claims["revision"] != answer["revision"]:
        differs.append({"field": "revision", "pdf": claims["revision"], "record": answer["revision"]})
    return differs


def public_answer(answer: dict, lang: str) -> dict:
    """Return the answer as JSON for the API: the result in one language, no stored bytes."""
    shown = {key: value for key, value in answer.items() if key not in ("result", "result_en", "document")}
    if "result" in answer:
        shown["result"] = answer["result_en"] if lang == "en" else answer["result"]
    return shown
