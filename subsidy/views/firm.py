"""The firm's pages: the self-assessment form, the saved result, the PDF estimate, and verification.

Pages present stored results; the engine runs only when a profile is saved (and when a code is verified).
"""

import re
from decimal import Decimal

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from .. import assessments
from ..db import get_db
from ..errors import ProfileError, SubmittedError
from ..flat import flatten, unflatten
from ..i18n import page_language
from ..schemas import load_profile, render_errors
from ..throttle import limiter
from ..urls import public_url
from .form_layout import LIST_SECTIONS, SECTIONS, kind_of

bp = Blueprint("firm", __name__)

UNITS = ("yuan", "wan")
_ROW_FIELD = re.compile(r"^([a-z_]+)\.(\d+)\.([a-z_]+)$")
_CONTROL_FIELDS = {"csrf_token", "action", "unit"}
_PLAIN_NUMBER = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,8})?$")  # anything else is left for the schema to refuse


def _engine():
    return current_app.extensions["subsidy.engine"]


def _secret():
    return current_app.config["VERIFY_SECRET"]


# --- Reading the form ---------------------------------------------------------------------------------------


def _compact(values: dict) -> tuple[dict, dict]:
    """Renumber list rows so that filled rows are 0, 1, 2 … (blank rows dropped); return values and row counts."""
    rows: dict[str, dict[int, dict]] = {section: {} for section in LIST_SECTIONS}
    flat = {}
    for name, value in values.items():
        match = _ROW_FIELD.match(name)
        if match and match.group(1) in rows:
            rows[match.group(1)].setdefault(int(match.group(2)), {})[match.group(3)] = value
        else:
            flat[name] = value
    counts = {}
    for section, by_index in rows.items():
        filled = [by_index[i] for i in sorted(by_index) if any(v.strip() for v in by_index[i].values())]
        for index, row in enumerate(filled):
            for leaf, value in row.items():
                flat[f"{section}.{index}.{leaf}"] = value
        counts[section] = len(filled)
    return flat, counts


def _in_yuan(values: dict, unit: str) -> dict:
    """Return values with money given in 万元 turned into yuan; text that is not a number is left for the schema."""
    if unit != "wan":
        return values
    converted = dict(values)
    for name, value in values.items():
        text = value.strip().replace(",", "")
        if kind_of(name) == "money" and _PLAIN_NUMBER.match(text):
            converted[name] = format((Decimal(text) * 10000).normalize(), "f")
    return converted


def _read_form():
    """Return (values, row counts, unit, action) from the posted form."""
    form = request.form
    values = {name: form.get(name, "") for name in form if name not in _CONTROL_FIELDS and not name.startswith("rows.")}
    values, counts = _compact(values)
    unit = form.get("unit") if form.get("unit") in UNITS else "yuan"
    return values, counts, unit, form.get("action", "save")


def _form_page(values, counts, unit, errors=None, status=200, assessment=None):
    lang = page_language()
    shown_rows = {section: max(counts.get(section, 0), 1) for section in LIST_SECTIONS}
    rulebook = _engine().rulebook
    return render_template(
        "firm/form.html", sections=SECTIONS, values=values, rows=shown_rows, unit=unit, errors=errors or {},
        kind_of=kind_of, clauses=rulebook.by_id, lang=lang, assessment=assessment,
    ), status


def _handle_post(assessment=None):
    values, counts, unit, action = _read_form()
    if action.startswith("add:") and action[4:] in LIST_SECTIONS:
        counts[action[4:]] += 1
        return _form_page(values, {s: c for s, c in counts.items()}, unit, assessment=assessment)
    if action.startswith("remove:"):
        _, section, index = (action.split(":") + ["", ""])[:3]
        if section in LIST_SECTIONS and index.isdigit():
            values = {k: v for k, v in values.items() if not k.startswith(f"{section}.{index}.")}
            values, counts = _compact(values)
        return _form_page(values, counts, unit, assessment=assessment)
    try:
        profile = load_profile(unflatten(_in_yuan(values, unit)))
    except ProfileError as error:
        return _form_page(values, counts, unit, render_errors(error.errors, page_language()), 400, assessment)
    db = get_db()
    if assessment is None:
        saved = assessments.create(db, profile, _engine(), _secret())
    else:
        try:
            saved = assessments.revise(db, assessment["token"], profile, _engine(), _secret())
        except SubmittedError as error:  # submitted while this form was being filled in or saved
            return render_template("firm/locked.html", saved=error.assessment), 409
    return redirect(url_for("firm.result_page", token=saved["token"]), code=303)


# --- Pages --------------------------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("RATELIMIT_EVALUATE")
def form_page():
    """The self-assessment form (empty), and saving it as a new assessment."""
    if request.method == "POST":
        return _handle_post()
    return _form_page({}, {}, "yuan")


def _saved_or_404(token, revision=None):
    saved = assessments.load(get_db(), token, revision)
    if saved is None:
        abort(404)
    return saved


@bp.post("/a/<token>/submit")
def submit(token):
    """Submit the assessment for review by an officer; it can no longer be edited."""
    from .. import review

    saved = _saved_or_404(token)
    review.submit(get_db(), saved, actor="firm")
    return redirect(url_for("firm.result_page", token=token), code=303)


@bp.route("/a/<token>/edit", methods=["GET", "POST"])
@limiter.limit("RATELIMIT_EVALUATE")
def edit_page(token):
    """The form filled with the latest revision; saving it makes the next revision (drafts only)."""
    saved = _saved_or_404(token)
    if saved["status"] != "draft":
        return render_template("firm/locked.html", saved=saved), 409
    if request.method == "POST":
        return _handle_post(saved)
    values, counts = _compact(flatten(saved["profile"]))
    return _form_page(values, counts, "yuan", assessment=saved)


@bp.get("/a/<token>")
def result_page(token):
    """The saved result of an assessment (the latest revision, or ?revision=N)."""
    saved = _saved_or_404(token, request.args.get("revision", type=int))
    lang = page_language()
    return render_template("firm/result.html", saved=saved, result=saved["result"][lang], lang=lang)


@bp.get("/a/<token>/estimate.pdf")
@limiter.limit("RATELIMIT_PDF", methods=("GET",))
def estimate_pdf(token):
    """The PDF estimate of one revision, to attach to a filing."""
    from ..pdf import render_estimate

    saved = _saved_or_404(token, request.args.get("revision", type=int))
    lang = page_language()
    verify_url = public_url("firm.verify_page", reference=saved["reference"], code=saved["code"])
    document = {**saved, "created_at": saved["revision_created_at"], "result": saved["result"][lang]}
    pdf = render_estimate(document, lang, verify_url)
    name = f"{saved['reference']}-r{saved['revision']}-{lang}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/verify/<reference>")
def verify_page(reference):
    """Whether an estimate is genuine and unchanged, with the stored result recomputed."""
    code = request.args.get("code", "")
    answer = assessments.verify(get_db(), reference, code, _secret(), _engine()) if code else None
    lang = page_language()
    if answer and lang == "en" and "result_en" in answer:
        answer["result"] = answer["result_en"]
    return render_template("firm/verify.html", reference=reference, code=code, answer=answer, lang=lang)
