"""The officer's workspace: login, the queue of submitted filings, review against evidence, decisions, audit.

Everything here needs a logged-in officer: pages redirect to /login, the JSON API answers 401.
"""



from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import assessments, review
from ..assessments import audit
from ..db import get_db, write_transaction
from ..errors import ProfileError
from ..flat import flatten
from ..i18n import page_language
from ..logins import authenticate, username_problem
from ..schemas import render_errors
from ..sessions import end_sessions
from ..throttle import client_address, limiter
from .form_layout import SECTIONS, kind_of

bp = Blueprint("officer", __name__)
PAGE_SIZE = 20
MAX_NOTE, MAX_FINAL_NOTE = 500, 2000  # the maxlength of the review form's note fields
SORTS = {"updated": "updated_at", "reference": "reference", "company": "company_name", "total": "total_fen",
         "status": "status"}


def _engine():
    return current_app.extensions["subsidy.engine"]


# --- Login --------------------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("RATELIMIT_LOGIN")
def login():
    """The officers' login page."""
    error, status = None, 200
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        problem = username_problem(username)
        if problem:  # refused before anything is stored: a username is at most 64 plain characters
            return render_template("officer/login.html", error=problem, wait=0, username=username[:64]), 400
        db = get_db()
        user, wait = authenticate(db, username, request.form.get("password", ""), client_address())
        if user:
            session.clear()
            login_user(user)
            audit(db, user.username, "login")
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/officer/") else url_for("officer.queue"), code=303)
        error, status = ("wait", 429) if wait else ("bad", 401)
        return render_template("officer/login.html", error=error, wait=wait, username=username), status
    return render_template("officer/login.html", error=error, wait=0, username=username), status


@bp.post("/logout")
@login_required
def logout():
    """Log out, ending every session of the account (a copy of the cookie kept anywhere stops working)."""
    db = get_db()
    with write_transaction(db):
        end_sessions(db, current_user.id)
        audit(db, current_user.username, "logout")
    logout_user()
    session.clear()
    return redirect(url_for("officer.login"), code=303)


# --- The queue ----------------------------------------------------------------------------------------------


def _queue_rows(db, status, query, sort, order, page):
    where, params = ["a.status != 'draft'"], []
    if status:
        where.append("a.status = ?")
        params.append(status)
    if query:
        where.append("(a.company_name LIKE ? OR a.credit_code LIKE ? OR a.reference LIKE ?)")
        params += [f"%{query}%", f"%{query.upper()}%", f"%{query.upper()}%"]
    column = SORTS.get(sort, "updated_at")
    direction = "ASC" if order == "asc" else "DESC"
    base = f"""FROM assessments a JOIN revisions r ON r.assessment_id = a.id AND r.revision = a.latest_revision
               WHERE {' AND '.join(where)}"""
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    rows = list(db.query(
        f"""SELECT a.reference, a.company_name, a.credit_code, a.status, a.updated_at, a.latest_revision,
                   r.total_fen, r.total_exact_fen, r.total_up_to_fen {base}
            ORDER BY {column} {direction}, a.id {direction} LIMIT ? OFFSET ?""",
        params + [PAGE_SIZE, (page - 1) * PAGE_SIZE]))
    return rows, total


@bp.get("/officer/")
@login_required
def queue():
    """Submitted filings, filtered by status, searched by company, credit code or reference, sorted, paged."""
    status = request.args.get("status", "")
    status = status if status in review.STATUSES and status != "draft" else ""
    query = request.args.get("q", "").strip()[:100]
    sort = request.args.get("sort", "updated")
    order = "asc" if request.args.get("order") == "asc" else "desc"
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = _queue_rows(get_db(), status, query, sort, order, page)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("officer/queue.html", rows=rows, total=total, page=page, pages=pages, status=status,
                           query=query, sort=sort, order=order, statuses=review.STATUSES[1:])


@bp.get("/api/v1/officer/queue")
@login_required
def queue_api():
    """The queue as JSON (same filters as the page)."""
    rows, total = _queue_rows(get_db(), request.args.get("status", ""), request.args.get("q", "").strip(),
                              request.args.get("sort", "updated"), request.args.get("order", "desc"),
                              max(request.args.get("page", 1, type=int), 1))
    return {"total": total, "items": rows}


# --- Review -------------------------------------------------------------------------------------------------


def _filing(reference):
    saved = assessments.load(get_db(), reference, by_reference=True)
    if saved is None or saved["status"] == "draft":
        abort(404)
    return saved


def _review_page(saved, errors=None, status=200, overrides=None):
    db = get_db()
    lang = page_language()
    current = review.get_review(db, saved["id"])
    verified = current[f"verified_{lang}"] if current else None
    claimed = saved["result"][lang]
    rows = review.comparison(claimed, verified)
    log = list(db.table("audit_log").rows_where("assessment_id = ?", [saved["id"]], order_by="id"))
    overrides = overrides if overrides is not None else (current["overrides"] if current else {})
    confirmations = [(path, item["name"], clause["title"]) for clause in claimed["clauses"]
                     for item in clause["items"] for path in item.get("to_confirm", [])]
    return render_template(
        "officer/review.html", saved=saved, claimed=claimed, verified=verified, rows=rows, review=current,
        overrides=overrides, claimed_flat=flatten(saved["profile"]), confirmations=confirmations, log=log,
        confirm_paths={path for path, _, _ in confirmations},
        errors=errors or {}, lang=lang, sections=SECTIONS, kind_of=kind_of,
        decisions=review.CLAUSE_DECISIONS, finals=review.FINAL_DECISIONS), status


@bp.get("/officer/a/<reference>")
@login_required
def review_page(reference):
    """The claimed profile and result, the verified values and result side by side, decisions, audit."""
    return _review_page(_filing(reference))


@bp.post("/officer/a/<reference>/review")
@login_required
def review_update(reference):
    """Save verified values, confirmations and evidence; the engine recomputes the verified result."""
    saved = _filing(reference)
    claimed = flatten(saved["profile"])
    overrides = {}
    for name, value in request.form.items():
        if name.startswith("verified."):
            path = name[len("verified."):]
            if value.strip() and value.strip() != claimed.get(path, ""):
                overrides[path] = value.strip()
        elif name.startswith("confirm."):
            path = name[len("confirm."):]
            if value in ("true", "false") and value != claimed.get(path):
                overrides[path] = value
    clause_ids = set(_engine().rulebook.clause_ids)  # only what the form offers is stored: no free text
    evidence = {name[len("evidence."):]: True for name in request.form
                if name.startswith("evidence.") and name[len("evidence."):] in clause_ids}
    try:
        review.update_review(get_db(), saved, saved["profile"], overrides, evidence, current_user.username, _engine())
    except ProfileError as error:
        return _review_page(saved, render_errors(error.errors, page_language()), 400, overrides)
    except review.ReviewError as error:
        flash(error.code)
        return redirect(url_for("officer.review_page", reference=reference), code=303)
    return redirect(url_for("officer.review_page", reference=reference) + "#comparison", code=303)


@bp.post("/officer/a/<reference>/decide")
@login_required
def decide(reference):
    """Record a decision and note per clause, and the final decision."""
    saved = _filing(reference)
    decisions = {}
    for clause in saved["result"]["zh"]["clauses"]:
        choice = request.form.get(f"decision.{clause['id']}", "")
        note = request.form.get(f"note.{clause['id']}", "").strip()
        if choice in review.CLAUSE_DECISIONS or note:
            decisions[clause["id"]] = {"decision": choice, "note": note}
    final_note = request.form.get("final_note", "").strip()
    # The form's fields hold at most these; a longer note is refused whole rather than cut where nobody sees it.
    if len(final_note) > MAX_FINAL_NOTE or any(len(d["note"]) > MAX_NOTE for d in decisions.values()):
        flash("note_too_long")
        return redirect(url_for("officer.review_page", reference=reference), code=303)
    try:
        review.decide(get_db(), saved, decisions, request.form.get("final", ""), final_note, current_user.username)
    except review.ReviewError as error:
        flash(error.code)
    return redirect(url_for("officer.review_page", reference=reference), code=303)


@bp.get("/officer/a/<reference>/decision.pdf")
@login_required
@limiter.limit("RATELIMIT_PDF", methods=("GET",))
def decision_pdf(reference):
    """The decision as a PDF."""
    from ..pdf import render_decision

    saved = _filing(reference)
    current = review.get_review(get_db(), saved["id"])
    if current is None or not current["final_decision"]:
        abort(404)
    lang = page_language()
    claimed = saved["result"][lang]
    rows = review.comparison(claimed, current[f"verified_{lang}"])
    audit(get_db(), current_user.username, "export_decision_pdf", saved)
    pdf = render_decision(saved, current, rows, lang)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{reference}-decision-{lang}.pdf"'})
