"""The officer's records: verifying a filing (by code or by the firm's PDF) and exporting the audit log."""

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user, login_required

from .. import assessments
from ..assessments import audit
from ..db import get_db
from ..exports import csv_bytes
from ..i18n import page_language
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
    """Verify a filing by reference and code, or by uploading the firm's PDF."""
    from ..pdfread import codes_in_pdf

    reference = request.values.get("reference", "").strip().upper()
    code = request.values.get("code", "").strip()
    found, problem = None, None
    upload = request.files.get("pdf")
    if upload and upload.filename:
        found = codes_in_pdf(upload.read())
        if found is None:
            problem = "pdf_unreadable"
        else:
            reference, code = found["reference"], found["code"]
    answer = None
    if reference and code:
        answer = assessments.verify(get_db(), reference, code, current_app.config["VERIFY_SECRET"], _engine())
        audit(get_db(), current_user.username, "verify", assessments.find(get_db(), reference=reference),
              after={"reference": reference, "genuine": answer["genuine"]})
        if answer.get("result") and page_language() == "en":
            answer["result"] = answer["result_en"]
    filing = assessments.find(get_db(), reference=answer["reference"]) if answer and answer["genuine"] else None
    return render_template("officer/verify.html", reference=reference, code=code, answer=answer, found=found,
                           reviewable=bool(filing and filing["status"] != "draft"),
                           problem=problem, lang=page_language(), differences=_differences(found, answer))


def _differences(found, answer):
    """Return what the uploaded PDF says that the stored filing does not."""
    if not found or not answer or not answer.get("revision"):
        return []
    differs = []
    if found.get("revision") and found["revision"] != answer["revision"]:
        differs.append(("revision", found["revision"], answer["revision"]))
    if answer["revision"] != answer["latest_revision"]:
        differs.append(("latest_revision", answer["revision"], answer["latest_revision"]))
    return differs
