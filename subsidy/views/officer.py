"""The officer's workspace: login, the queue of submitted filings, review against evidence, decisions, audit.

Everything here needs a logged-in officer: pages redirect to /login, the JSON API answers 401.
"""

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import assessments, documents, notify, review
from ..assessments import audit
from ..db import get_db, write_transaction
from ..errors import ProfileError
from ..flat import flatten
from ..i18n import page_language
from ..logins import authenticate, username_problem
from ..paths import row_names
from ..requests import query_int
from ..schemas import render_errors
from ..sessions import end_sessions
from ..signing import signer_of
from ..throttle import client_address, limiter
from .form_layout import kind_of
from .helpers import pdf_response
from .review_groups import groups

bp = Blueprint("officer", __name__)
# Where a login may send on to: a path of the officer's pages, nothing that could end a header or leave the site.
_SAFE_NEXT = re.compile(r"/officer/[A-Za-z0-9/_.~%&=?+-]{0,500}")
MAX_PAGE = 100_000
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
            return redirect(target if _SAFE_NEXT.fullmatch(target) else url_for("officer.queue"), code=303)
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
    # Other filings under the same credit code: the same firm filing twice, or a code typed for another firm.
    rows = list(db.query(
        f"""SELECT a.reference, a.company_name, a.credit_code, a.status, a.updated_at, a.latest_revision,
                   r.total_fen, r.total_exact_fen, r.total_up_to_fen,
                   (SELECT count(*) FROM assessments o WHERE o.credit_code = a.credit_code AND o.id != a.id
                    AND o.status != 'draft') AS same_credit_code {base}
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
    page = query_int("page", 1, maximum=MAX_PAGE)
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
                              query_int("page", 1, maximum=MAX_PAGE))
    return {"total": total, "items": rows}


# --- Review -------------------------------------------------------------------------------------------------


def _filing(reference):
    saved = assessments.load(get_db(), reference, by_reference=True)
    if saved is None or saved["status"] == "draft":
        abort(404)
    return saved


def _same_credit_code(db, saved) -> list[dict]:
    return list(db.query("SELECT reference, company_name, status FROM assessments WHERE credit_code = ? AND id != ? "
                         "AND status != 'draft' ORDER BY id", [saved["credit_code"], saved["id"]]))


def _review_page(saved, errors=None, status=200, posted=None, problems=None):
    """Draw the review page; posted carries what the officer sent back when it was refused, so nothing is lost."""
    db = get_db()
    lang = page_language()
    current = review.get_review(db, saved["id"])
    verified = current[f"verified_{lang}"] if current else None
    claimed = saved["result"][lang]
    rows = review.comparison(claimed, verified)
    log = list(db.table("audit_log").rows_where("assessment_id = ?", [saved["id"]], order_by="id"))
    stored = {"overrides": current["overrides"] if current else {},
              "evidence": current["evidence"] if current else {},
              "confirmations": current["confirmations"] if current else {},
              "decisions": current["clause_decisions"] if current else {}, "final": "", "final_note": ""}
    shown = {**stored, **(posted or {})}
    facts = review.self_declared(saved["result"]["zh"])
    for clause_id, paths in review.self_declared(current["verified_zh"] if current else None).items():
        facts[clause_id] = list(dict.fromkeys(facts.get(clause_id, []) + paths))
    pending = review.pending_facts(saved["result"]["zh"], current["verified_zh"] if current else None,
                                   stored["confirmations"])
    return render_template(
        "officer/review.html", saved=saved, claimed=claimed, verified=verified, rows=rows, review=current,
        shown=shown, claimed_flat=flatten(saved["profile"]), log=log, pending=pending,
        pending_any={path for paths in pending.values() for path in paths},
        names=row_names(flatten(saved["profile"])), claimed_by_id={c["id"]: c for c in claimed["clauses"]},
        groups=groups(saved, claimed, verified, _engine().rulebook, facts),
        same_code=_same_credit_code(db, saved), errors=errors or {}, problems=problems or [], lang=lang,
        kind_of=kind_of, decisions=review.CLAUSE_DECISIONS, finals=review.FINAL_DECISIONS), status


@bp.get("/officer/a/<reference>")
@login_required
def review_page(reference):
    """The claimed profile and result, the verified values and result side by side, decisions, audit."""
    return _review_page(_filing(reference))


def _posted_review(form, claimed: dict) -> dict:
    """Read the review form: verified values that differ from the claim, answers on self-declared facts, ticks."""
    overrides, confirmations = {}, {}
    for name, value in form.items():
        if name.startswith("verified."):
            path = name[len("verified."):]
            if value.strip() and value.strip() != claimed.get(path, ""):
                overrides[path] = value.strip()
        elif name.startswith("confirm."):
            path = name[len("confirm."):]
            if value in ("true", "false"):
                confirmations[path] = value
                if value != claimed.get(path):
                    overrides[path] = value
    clause_ids = set(_engine().rulebook.clause_ids)  # only what the form offers is stored: no free text
    evidence = {name[len("evidence."):]: True for name in form
                if name.startswith("evidence.") and name[len("evidence."):] in clause_ids}
    return {"overrides": overrides, "confirmations": confirmations, "evidence": evidence}


@bp.post("/officer/a/<reference>/review")
@login_required
def review_update(reference):
    """Save verified values, confirmations and evidence; the engine recomputes the verified result."""
    saved = _filing(reference)
    posted = _posted_review(request.form, flatten(saved["profile"]))
    try:
        review.update_review(get_db(), saved, saved["profile"], posted["overrides"], posted["evidence"],
                             current_user.username, _engine(), confirmations=posted["confirmations"])
    except ProfileError as error:
        return _review_page(saved, render_errors(error.errors, page_language()), 400, posted)
    except review.ReviewError as error:
        flash(error.code)
        return redirect(url_for("officer.review_page", reference=reference), code=303)
    return redirect(url_for("officer.review_page", reference=reference) + "#comparison", code=303)


@bp.post("/officer/a/<reference>/decide")
@login_required
def decide(reference):
    """Record a decision and note per clause, and the final decision, unless they disagree or rest on a pending
    fact: then the page comes back with every choice as sent and the reasons it was refused."""
    saved = _filing(reference)
    decisions = {}
    for clause in saved["result"]["zh"]["clauses"]:
        choice = request.form.get(f"decision.{clause['id']}", "")
        note = request.form.get(f"note.{clause['id']}", "").strip()
        if choice in review.CLAUSE_DECISIONS or note:
            decisions[clause["id"]] = {"decision": choice, "note": note}
    final, final_note = request.form.get("final", ""), request.form.get("final_note", "").strip()
    db = get_db()
    posted = {"decisions": decisions, "final": final, "final_note": final_note}
    # The form's fields hold at most these; a longer note is refused whole rather than cut where nobody sees it.
    if len(final_note) > MAX_FINAL_NOTE or any(len(d["note"]) > MAX_NOTE for d in decisions.values()):
        return _review_page(saved, status=400, posted=posted, problems=[{"code": "note_too_long"}])
    try:
        review.decide(db, saved, decisions, final, final_note, current_user.username)
    except review.DecisionRefused as refused:
        return _review_page(saved, status=400, posted=posted, problems=refused.problems)
    except review.ReviewError as error:
        flash(error.code)
        return redirect(url_for("officer.review_page", reference=reference), code=303)
    notify.decided(db, assessments.load(db, saved["token"]))
    return redirect(url_for("officer.review_page", reference=reference), code=303)


@bp.get("/officer/a/<reference>/decision.pdf")
@login_required
@limiter.limit("RATELIMIT_PDF", methods=("GET",))
def decision_pdf(reference):
    """The decision as a signed PDF with its own code: rendered once, then the same bytes."""
    saved = _filing(reference)
    current = review.get_review(get_db(), saved["id"])
    if current is None or not current["final_decision"]:
        abort(404)
    lang = page_language()
    audit(get_db(), current_user.username, "export_decision_pdf", saved)
    issued = documents.decision_for(get_db(), saved, current, lang, signer_of(current_app), current_user.username)
    return pdf_response(issued, f"{reference}-decision-{lang}.pdf")
