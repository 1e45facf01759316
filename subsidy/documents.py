"""Issued documents: each revision's estimate and each decision, rendered and signed once, kept as the bytes served.

The first request for a document renders it (WeasyPrint), signs it (PAdES, subsidy/signing.py) and stores the
bytes with their SHA-256; every later request gets the same bytes. The SHA-256 is what /officer/verify compares
an uploaded PDF with, and its issuing is an audit row, so the hash chain covers it.
"""

import hashlib

from .assessments import audit, canonical, content_digest, now, verification_code
from .db import write_transaction
from .signing import sign

ESTIMATE, DECISION = "estimate", "decision"
REASONS = {ESTIMATE: "Subsidy estimate issued by the calculator (申报测算单)",
           DECISION: "Decision on a subsidy filing (补助申报审核决定)"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decision_digest(review: dict) -> str:
    """Return the SHA-256 of what a decision says: the verified results, the decisions, the note, who and when."""
    keys = ("revision", "verified_zh", "verified_en", "clause_decisions", "evidence", "final_decision",
            "final_note", "officer", "decided_at")
    return content_digest(canonical({key: review[key] for key in keys}))


def decision_code(secret: str, reference: str, review: dict) -> str:
    """Return the code printed on a decision: an HMAC like the estimate's, over the decision's own content.

    A review cannot change once decided, so the code is the same whenever it is computed; a changed stored
    decision gives another code, and the printed one no longer verifies.
    """
    return verification_code(secret, reference, DECISION, decision_digest(review))


def stored(db, assessment_id: int, kind: str, revision: int, lang: str) -> dict | None:
    rows = list(db.table("documents").rows_where(
        "assessment_id = ? AND kind = ? AND revision = ? AND lang = ?", [assessment_id, kind, revision, lang],
        limit=1))
    return rows[0] if rows else None


def issued_with_hash(db, digest: str) -> dict | None:
    """Return the issued document whose bytes have this SHA-256, with its filing's reference, or None."""
    rows = list(db.query(
        """SELECT d.id, d.assessment_id, d.kind, d.revision, d.lang, d.sha256, d.created_at, a.reference
           FROM documents d JOIN assessments a ON a.id = d.assessment_id WHERE d.sha256 = ? LIMIT 1""", [digest]))
    return rows[0] if rows else None


def issue(db, assessment: dict, kind: str, revision: int, lang: str, render, signer, actor: str) -> dict:
    """Return the stored document, rendering (render()), signing and storing it first if it was never issued.

    Rendering and signing run before the write lock is taken; if another worker stored the same document in
    the meantime, its bytes win and are returned, so every client gets the same file.
    """
    found = stored(db, assessment["id"], kind, revision, lang)
    if found is not None:
        return found
    pdf = sign(render(), signer, REASONS[kind])
    digest = sha256(pdf)
    with write_transaction(db):
        if stored(db, assessment["id"], kind, revision, lang) is None:
            db.table("documents").insert({"assessment_id": assessment["id"], "kind": kind, "revision": revision,
                                          "lang": lang, "sha256": digest, "pdf": pdf, "created_at": now()})
            audit(db, actor, "issue_document", assessment,
                  after={"kind": kind, "revision": revision, "lang": lang, "sha256": digest})
    return stored(db, assessment["id"], kind, revision, lang)


def estimate(db, saved: dict, lang: str, signer, verify_url: str, actor: str = "firm") -> dict:
    """Return the signed estimate of the revision in saved, in lang."""
    from .pdf import render_estimate

    document = {**saved, "created_at": saved["revision_created_at"], "result": saved["result"][lang]}
    return issue(db, saved, ESTIMATE, saved["revision"], lang,
                 lambda: render_estimate(document, lang, verify_url), signer, actor)


def decision(db, saved: dict, review: dict, rows: list[dict], lang: str, signer, code: str, verify_url: str,
             actor: str) -> dict:
    """Return the signed decision on a filing, in lang."""
    from .pdf import render_decision

    return issue(db, saved, DECISION, review["revision"], lang,
                 lambda: render_decision(saved, review, rows, lang, code=code, verify_url=verify_url),
                 signer, actor)


def decision_for(db, saved: dict, review: dict, lang: str, signer, actor: str) -> dict:
    """Return the signed decision on a filing in lang, with its code and verify address, for officer or firm."""
    from flask import current_app

    from .review import comparison
    from .urls import public_url

    rows = comparison(saved["result"][lang], review[f"verified_{lang}"])
    code = decision_code(current_app.config["VERIFY_SECRET"], saved["reference"], review)
    verify_url = public_url("firm.verify_page", reference=saved["reference"], code=code)
    return decision(db, saved, review, rows, lang, signer, code, verify_url, actor)
