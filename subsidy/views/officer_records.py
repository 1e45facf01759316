"""The officer's records: verifying a filing (by code or by the firm's PDF) and exporting the audit log."""

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user, login_required

from .. import assessments, verification
from ..assessments import audit
from ..db import get_db
from ..exports import csv_bytes
from ..i18n import page_language
from ..signing import signer_of
from .officer import _engine, _filing

bp = Blueprint("officer_records", __name__)


@bp.get("/officer/a/<reference>/audit.csv")
@login_required
def audit_csv(reference):
    """The audit log of one filing as CSV."""
    saved = _filing(reference)
    db = get_db()
    rows = list(db.table("audit_log").rows_where("assessment_id = ?", [saved["id"]], order_by="id"))
    audit(db, current_user.username, "export_audit", saved)
    return _csv_response(rows, f"{reference}-audit.csv")


@bp.get("/officer/audit.csv")
@login_required
def audit_all_csv():
    """The whole audit log as CSV."""
    db = get_db()
    audit(db, current_user.username, "export_audit_all")
    return _csv_response(list(db.table("audit_log").rows_where(order_by="id")), "audit.csv")


AUDIT_COLUMNS = ["id", "at", "actor", "action", "assessment_id", "reference", "before", "after"]


def _csv_response(rows, name):
    return Response(csv_bytes(AUDIT_COLUMNS, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- Verify a filing ----------------------------------------------------------------------------------------


@bp.route("/officer/verify", methods=["GET", "POST"])
@login_required
def verify():
    """Verify a filing by reference and code, or by uploading the firm's PDF; each check stands alone."""
    answer, mode = None, request.form.get("mode", "code")
    if request.method == "POST" and mode == "pdf":
        # Only the file counts: any reference or code also sent is ignored, so nothing of an earlier
        # verification can mix with this one.
        upload = request.files.get("pdf")
        data = upload.read(verification.MAX_PDF_BYTES + 1) if upload and upload.filename else b""
        answer = (verification.by_upload(get_db(), data, _secret(), _engine(), signer_of(current_app)) if data
                  else {"outcome": verification.UNREADABLE, "genuine": False, "reason": "no_file"})
    elif request.method == "POST":
        reference = request.form.get("reference", "").strip().upper()[:40]
        code = request.form.get("code", "").strip()[:80]
        answer = (verification.by_code(get_db(), reference, code, _secret(), _engine()) if reference and code
                  else {"outcome": verification.UNREADABLE, "genuine": False, "reason": "no_code"})
        answer.setdefault("entered", {"reference": reference, "code": code})
    if answer is not None:
        filing = assessments.find(get_db(), reference=answer["reference"]) if answer.get("reference") else None
        audit(get_db(), current_user.username, "verify", filing,
              after={"mode": mode, "reference": answer.get("reference"), "outcome": answer["outcome"],
                     "sha256": answer.get("sha256")})
        if answer.get("result") and page_language() == "en":
            answer["result"] = answer["result_en"]
        answer["reviewable"] = bool(answer["genuine"] and filing and filing["status"] != "draft")
    return render_template("officer/verify.html", answer=answer, mode=mode, lang=page_language())


def _secret():
    return current_app.config["VERIFY_SECRET"]
