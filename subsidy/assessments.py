"""Saved assessments: every evaluation a firm saves, its revisions, and the code that proves a PDF genuine.

An assessment has a readable reference (HZAI-2026-000123) printed on the estimate, and an unguessable token that
is the firm's key to come back, edit and re-evaluate. Each save is a new revision; old ones are kept. The stored
result is what pages and PDFs show: they never run the engine again.
"""

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import unicodedata

from .bounds import MAX_ACTOR, bounded
from .db import write_transaction
from .errors import SubmittedError
from .evaluation import evaluate
from .render import result_json
from .schemas import dump_profile

REFERENCE_PREFIX = "HZAI"
TOKEN_BYTES = 24


def now() -> str:
    return datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds")


def canonical(document) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def content_hash(profile: dict, result_zh: dict, result_en: dict) -> str:
    """Return the SHA-256 of the stored profile and results, in a canonical JSON form."""
    return content_digest(canonical({"profile": profile, "result_zh": result_zh, "result_en": result_en}))


def verification_code(secret: str, reference: str, revision: int | str, digest: str) -> str:
    """Return the short code printed on an estimate (revision: its number) or a decision (revision: "decision"):
    an HMAC over reference, revision and content hash."""
    mac = hmac.new(secret.encode(), f"{reference}|{revision}|{digest}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(mac[:10]).decode().rstrip("=")  # 80 bits, 16 characters
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
CODE_LENGTH = 16


def normalise_code(code: str | None) -> str:
    """Return a code as printed (ABCD-EFGH-JKLM-NPQR), or "" if it is not one: compared whole, never cut short.

    Case, spaces, hyphens and full-width letters (typed with an input method) are ignored.
    """
    letters = unicodedata.normalize("NFKC", code or "").upper().replace("-", "").replace(" ", "")
    if len(letters) != CODE_LENGTH or not set(letters) <= CODE_ALPHABET:
        return ""
    return "-".join(letters[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def _evaluate(profile: dict, engine):
    evaluation = evaluate(profile, engine)
    return result_json(evaluation, "zh"), result_json(evaluation, "en")


def _evaluated(profile: dict, engine) -> tuple[dict, dict, dict, str]:
    """Evaluate a profile for storing: (stored profile, result zh, result en, content hash). Run it before a write
    transaction starts, so the engine's time is not spent holding the database's write lock."""
    stored = dump_profile(profile)
    result_zh, result_en = _evaluate(profile, engine)
    return stored, result_zh, result_en, content_hash(stored, result_zh, result_en)


def _revision_row(assessment_id, revision, reference, evaluated, secret):
    stored, result_zh, result_en, digest = evaluated
    return {
        "assessment_id": assessment_id, "revision": revision, "profile": canonical(stored),
        "result_zh": canonical(result_zh), "result_en": canonical(result_en),
        "policy_id": result_zh["policy"]["id"], "policy_version": result_zh["policy"]["version"],
        "total_fen": result_zh["total_fen"], "total_exact_fen": result_zh["total_exact_fen"],
        "total_up_to_fen": result_zh["total_up_to_fen"], "content_hash": digest,
        "code": verification_code(secret, reference, revision, digest), "created_at": now(),
    }


def audit(db, actor: str, action: str, assessment: dict | None = None, before=None, after=None):
    """Append one row to the audit log (texts bounded, since a row can never be removed; its hash chain:
    subsidy/auditlog.py)."""
    from .auditlog import append

    actor, before, after = bounded(actor, MAX_ACTOR), bounded(before), bounded(after)
    append(db, {
        "at": now(), "actor": actor, "action": action,
        "assessment_id": assessment["id"] if assessment else None,
        "reference": assessment["reference"] if assessment else None,
        "before": canonical(before) if before is not None else None,
        "after": canonical(after) if after is not None else None,
    })


def create(db, profile: dict, engine, secret: str, actor: str = "firm") -> dict:
    """Save a new assessment with its first revision; return the assessment with that revision."""
    stamp = now()
    evaluated = _evaluated(profile, engine)
    with write_transaction(db):
        table = db.table("assessments")
        table.insert({
            "reference": f"pending-{secrets.token_hex(8)}", "token": secrets.token_urlsafe(TOKEN_BYTES),
            "status": "draft", "company_name": profile["company"]["name"],
            "credit_code": profile["company"]["credit_code"], "latest_revision": 1,
            "created_at": stamp, "updated_at": stamp,
        })
        assessment_id = table.last_pk
        reference = f"{REFERENCE_PREFIX}-{stamp[:4]}-{assessment_id:06d}"
        table.update(assessment_id, {"reference": reference})
        db.table("revisions").insert(_revision_row(assessment_id, 1, reference, evaluated, secret))
        assessment = table.get(assessment_id)
        audit(db, actor, "create", assessment, after={"revision": 1, "profile": dump_profile(profile)})
    return load(db, assessment["token"])


def revise(db, token: str, profile: dict, engine, secret: str, actor: str = "firm") -> dict | None:
    """Save an edited profile as the next revision of an assessment; return it, or None if there is none.

    Raises SubmittedError once the assessment was submitted. The status is read inside the transaction that writes
    the revision: a submit that committed while this profile was being evaluated is seen, and no revision can
    land after the submission.
    """
    evaluated = _evaluated(profile, engine)
    with write_transaction(db):
        current = find(db, token=token)
        if current is None:
            return None
        if current["status"] != "draft":
            raise SubmittedError(current)
        revision = current["latest_revision"] + 1
        previous = json.loads(_revision(db, current["id"], current["latest_revision"])["profile"])
        db.table("revisions").insert(
            _revision_row(current["id"], revision, current["reference"], evaluated, secret))
        db.table("assessments").update(current["id"], {
            "latest_revision": revision, "updated_at": now(), "company_name": profile["company"]["name"],
            "credit_code": profile["company"]["credit_code"]})
        audit(db, actor, "edit", current, before={"revision": revision - 1, "profile": previous},
              after={"revision": revision, "profile": dump_profile(profile)})
    return load(db, token)


def find(db, token: str | None = None, reference: str | None = None) -> dict | None:
    column, value = ("token", token) if token is not None else ("reference", reference)
    rows = list(db.table("assessments").rows_where(f"{column} = ?", [value], limit=1))
    return rows[0] if rows else None


def _revision(db, assessment_id: int, revision: int) -> dict | None:
    rows = list(db.table("revisions").rows_where("assessment_id = ? AND revision = ?", [assessment_id, revision]))
    return rows[0] if rows else None


def load(db, token: str, revision: int | None = None, by_reference: bool = False) -> dict | None:
    """Return an assessment with one revision (the latest by default) decoded, or None."""
    assessment = find(db, reference=token) if by_reference else find(db, token=token)
    if assessment is None:
        return None
    row = _revision(db, assessment["id"], revision or assessment["latest_revision"])
    if row is None:
        return None
    revisions = [r["revision"] for r in db.table("revisions").rows_where(
        "assessment_id = ?", [assessment["id"]], order_by="revision", select="revision")]
    return {**assessment, "revision": row["revision"], "revisions": revisions, "code": row["code"],
            "revision_created_at": row["created_at"], "content_hash": row["content_hash"],
            "policy_id": row["policy_id"], "policy_version": row["policy_version"],
            "profile": json.loads(row["profile"]),
            "result": {"zh": json.loads(row["result_zh"]), "en": json.loads(row["result_en"])}}


def verify(db, reference: str, code: str | None, secret: str, engine) -> dict:
    """Say whether a code is genuine for some revision of reference and the stored content is unchanged.

    The stored result is also recomputed from the stored profile with the pinned policy version.
    """
    assessment = find(db, reference=reference)
    wanted = normalise_code(code)
    answer = {"reference": reference, "genuine": False}
    if assessment is None or not wanted or not wanted.isascii():  # a printed code is ASCII; compare_digest needs it
        return answer
    for row in db.table("revisions").rows_where("assessment_id = ?", [assessment["id"]], order_by="revision"):
        if not hmac.compare_digest(row["code"], wanted):
            continue
        profile = json.loads(row["profile"])
        result_zh, result_en = json.loads(row["result_zh"]), json.loads(row["result_en"])
        unchanged = content_hash(profile, result_zh, result_en) == row["content_hash"]
        recomputed = _recompute(profile, row, engine)
        expected = verification_code(secret, reference, row["revision"], row["content_hash"])
        genuine = unchanged and hmac.compare_digest(expected, wanted)
        answer.update(genuine=genuine, unchanged=unchanged, revision=row["revision"],
                      latest_revision=assessment["latest_revision"], created_at=row["created_at"],
                      company_name=profile["company"]["name"], credit_code=profile["company"]["credit_code"],
                      policy_id=row["policy_id"], policy_version=row["policy_version"],
                      total_fen=row["total_fen"], total_exact_fen=row["total_exact_fen"],
                      total_up_to_fen=row["total_up_to_fen"], recomputed=recomputed,
                      result=result_zh, result_en=result_en)
        return answer
    return answer


def _recompute(profile: dict, row: dict, engine) -> dict:
    """Recompute a stored revision with the engine, if it still has the policy version the revision pinned."""
    from .schemas import load_profile

    version = engine.rulebook.policy["version"]
    if (row["policy_id"], row["policy_version"]) != (engine.rulebook.policy["id"], version):
        return {"available": False, "policy_version": version}
    result = result_json(evaluate(load_profile(profile), engine), "zh")
    # By clause id: a result stored before a clause joined the catalogue lacks it, and the profile of such a
    # result cannot hold that clause's facts, so the clause was not applicable to it.
    stored = {c["id"]: (c["status"], c["amount_fen"]) for c in json.loads(row["result_zh"])["clauses"]}
    differs = [c["id"] for c in result["clauses"]
               if (c["status"], c["amount_fen"]) != stored.get(c["id"], ("not_applicable", 0))]
    return {"available": True, "matches": not differs and result["total_fen"] == row["total_fen"],
            "total_fen": result["total_fen"], "differs": differs}
