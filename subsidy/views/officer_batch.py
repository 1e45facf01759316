"""Batch screening pages: upload, progress (advanced a chunk per request), and result downloads."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import screening, screening_results
from ..assessments import audit
from ..db import get_db
from ..exports import csv_bytes, xlsx_bytes
from ..flat import template_columns
from ..i18n import page_language

bp = Blueprint("officer_batch", __name__, url_prefix="/officer/batch")


def _advanced_job(token):
    """Return the job, after evaluating its next chunk; 404 if there is no such job."""
    found = screening.get_job(get_db(), token)
    if found is None:
        abort(404)
    return screening.advance(get_db(), found, current_app.extensions["subsidy.engine"], page_language(),
                             current_app.config["BATCH_CHUNK_SECONDS"])


@bp.get("/")
@login_required
def upload():
    return render_template("officer/batch.html", error=None, params={})


@bp.post("/")
@login_required
def upload_post():
    """Store an uploaded file as a job and go to its progress page."""
    file = request.files.get("file")  # the body limit was raised before parsing: subsidy/uploads.py
    if not file or not file.filename:
        return render_template("officer/batch.html", error="no_file", params={}), 400
    try:
        rows = screening.read_upload(file.filename, file.read())
        job = screening.create_job(get_db(), current_user.username, file.filename, rows)
    except screening.UploadError as error:
        return render_template("officer/batch.html", error=error.code, params=error.params), error.status
    return redirect(url_for("officer_batch.job", token=job["token"]), code=303)


@bp.get("/<token>")
@login_required
def job(token):
    """The job's progress; each visit evaluates the next chunk, so a reload carries on where it was."""
    found = _advanced_job(token)
    errors = screening.error_rows(get_db(), found) if found["errors"] else []
    summary = screening_results.summary(get_db(), found) if found["status"] == "done" else None
    return render_template("officer/batch_job.html", job=found, error_rows=errors, summary=summary,
                           clauses=current_app.extensions["subsidy.engine"].rulebook.clauses, lang=page_language())


@bp.post("/<token>/step")
@login_required
def step(token):
    """Evaluate the next chunk and return the progress as JSON (the page's script uses it)."""
    found = _advanced_job(token)
    return {"status": found["status"], "processed": found["processed"], "total": found["total"],
            "errors": found["errors"]}


ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


@bp.get("/<token>/results.<fmt>")
@login_required
def results(token, fmt):
    """The results as CSV or XLSX: one row per input row, headers in the page's language, money in 元, statuses in
    words, then the machine columns (fen, codes); ?encoding=gb18030 gives a CSV that Excel in Chinese opens."""
    found = screening.get_job(get_db(), token)
    if found is None or fmt not in ("csv", "xlsx"):
        abort(404)
    if found["status"] != "done":
        return redirect(url_for("officer_batch.job", token=token), code=303)
    lang = page_language()
    columns, headers = screening_results.columns(current_app.extensions["subsidy.engine"].rulebook, lang)
    rows = screening_results.rows(get_db(), found, lang)
    encoding = ENCODINGS.get(request.args.get("encoding", "utf-8"), "utf-8-sig")
    audit(get_db(), current_user.username, "batch_export", after={"job": token, "format": fmt, "encoding": encoding})
    if fmt == "csv":
        body = csv_bytes(columns, rows, headers=headers, encoding=encoding)
    else:
        body = xlsx_bytes([("results", columns, rows)], headers={"results": headers})
    mimetype = (f"text/csv; charset={'gb18030' if encoding == 'gb18030' else 'utf-8'}" if fmt == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="screening-{token[:8]}.{fmt}"'})


@bp.get("/template.<fmt>")
@login_required
def template(fmt):
    """The upload template in the documented column layout."""
    if fmt == "csv":
        body = screening.to_csv(template_columns(), [])
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="profiles-template.csv"'})
    if fmt == "xlsx":
        return Response(screening.template_xlsx(),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": 'attachment; filename="profiles-template.xlsx"'})
    abort(404)
