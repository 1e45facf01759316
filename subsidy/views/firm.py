"""The firm's pages: the self-assessment form, the saved result, the PDF estimate, and verification.

Pages present stored results; the engine runs only when a profile is saved (and when a code is verified).
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from .. import assessments, changes, documents, entries, filing, notify, verification
from ..db import get_db
from ..errors import ProfileError, SubmittedError
from ..i18n import page_language
from ..requests import query_int
from ..schemas import ENTITY_TYPES, Msg, load_profile
from ..signing import signer_of
from ..throttle import limiter
from ..urls import public_url
from .form_errors import page_errors
from .form_layout import LIST_SECTIONS, SECTION_KEYS, SECTIONS, example_for, is_required, kind_of, sections_for
from .form_state import UNITS, FormState, echo, profile_data, read_form
from .helpers import pdf_response

bp = Blueprint("firm", __name__)


def _engine():
    return current_app.extensions["subsidy.engine"]


def _secret():
    return current_app.config["VERIFY_SECRET"]


# --- The form -----------------------------------------------------------------------------------------------


def _fields_on_page(state: FormState) -> list[str]:
    """Return the paths of the fields drawn on the page, in the page's order."""
    paths, rows = [], state.shown_rows()
    for section in sections_for(state.sections):
        for group in section.groups:
            paths += [f"{group.section}.{i}.{leaf}" for i in rows[group.section] for leaf in group.fields]
        paths += list(section.fields)
    return paths


def _open_to(section) -> list[str]:
    """Return the kinds of applicant a section's clauses are open to (all three when none is named)."""
    kinds = set()
    for clause_id in section.clauses:
        clause = _engine().rulebook.by_id[clause_id]
        named = [c for c in clause.conditions if c.field == "company.entity_type"]
        for condition in named:
            kinds |= set(condition.value if isinstance(condition.value, list | tuple) else [condition.value])
        if not named:
            kinds |= set(ENTITY_TYPES)
    return [kind for kind in ENTITY_TYPES if kind in kinds]


def _form_page(state: FormState, assessment=None, errors=None, status=200):
    lang = page_language()
    fields = _fields_on_page(state)
    shown = page_errors(errors or {}, state.values, fields, lang)
    return render_template(
        "firm/form.html", state=state, sections=sections_for(state.sections), rows=state.shown_rows(),
        hidden=[section for section in SECTIONS if section.key not in state.sections and section.key != "company"],
        values=state.values, unit=state.unit, errors=shown, echo=echo(state), kind_of=kind_of,
        example_for=example_for, is_required=is_required, clauses=_engine().rulebook.by_id, lang=lang,
        assessment=assessment), status


def _check_page(state: FormState, assessment, tenfold, status=200, unconfirmed=False):
    lang = page_language()
    return render_template(
        "firm/check.html", state=state, sections=sections_for(state.sections), rows=state.shown_rows(),
        values=state.values, unit=state.unit, echo=echo(state), kind_of=kind_of, lang=lang, assessment=assessment,
        tenfold=tenfold, unconfirmed=unconfirmed), status


def _save(state: FormState, profile: dict, assessment):
    db = get_db()
    if assessment is None:
        saved = assessments.create(db, profile, _engine(), _secret())
    else:
        try:
            saved = assessments.revise(db, assessment["token"], profile, _engine(), _secret())
        except SubmittedError as error:  # submitted while this form was being filled in or saved
            return render_template("firm/locked.html", saved=error.assessment), 409
    typed = {path: value.strip() for path, value in state.values.items() if kind_of(path) == "money" and value.strip()}
    entries.save(db, saved["id"], saved["revision"], state.unit, typed, state.sections)
    return redirect(url_for("firm.result_page", token=saved["token"]), code=303)


def _handle_post(assessment=None):
    """Act on the form: add or remove a row, show a section, go back, check the answers, or save them."""
    state, action = read_form(request.form)
    verb, _, argument = action.partition(":")
    if verb == "add" and argument in LIST_SECTIONS:
        state.add_row(argument)
        return _form_page(state, assessment)
    if verb == "remove":
        group, _, index = argument.partition(":")
        if group in LIST_SECTIONS and index.isascii() and index.isdigit():
            state.remove_row(group, int(index))
        return _form_page(state, assessment)
    if verb == "show":
        state.show(argument)
        return _form_page(state, assessment)
    if verb == "back":
        return _form_page(state, assessment)
    checked = state.compacted()
    data, _, errors = profile_data(checked)
    errors.update({name: [Msg("unknown")] for name in checked.unknown})
    try:
        profile = load_profile(data)
    except ProfileError as error:
        errors = {**error.errors, **errors}
    if errors:
        return _form_page(checked, assessment, errors, 400)
    previous = assessment["profile"] if assessment else None
    tenfold = changes.tenfold(previous, _stored(profile), page_language()) if previous else []
    if verb == "save":
        if tenfold and not request.form.get("confirm_tenfold"):
            return _check_page(checked, assessment, tenfold, 400, unconfirmed=True)
        return _save(checked, profile, assessment)
    return _check_page(checked, assessment, tenfold)


def _stored(profile: dict) -> dict:
    from ..schemas import dump_profile
    return dump_profile(profile)


def _screened(args) -> FormState:
    """Return the form's first state from the screening answers: the kind of applicant, the topics, the unit."""
    topics = args.getlist("topic")
    keys = SECTION_KEYS if "all" in topics else [key for key in SECTION_KEYS if key in topics or key == "company"]
    state = FormState(unit=args.get("unit") if args.get("unit") in UNITS else "yuan")
    for key in keys:
        state.show(key)
    if args.get("kind") in ENTITY_TYPES:
        state.values["company.entity_type"] = args["kind"]
    return state


# --- Pages --------------------------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("RATELIMIT_EVALUATE")
def form_page():
    """The screening questions, then the self-assessment form with the sections they chose; saving it."""
    if request.method == "POST":
        return _handle_post()
    if not any(key in request.args for key in ("topic", "kind", "unit")):
        sections = [(section, _open_to(section)) for section in SECTIONS if section.key != "company"]
        return render_template("firm/start.html", sections=sections, lang=page_language())
    return _form_page(_screened(request.args))


def _saved_or_404(token, revision=None):
    saved = assessments.load(get_db(), token, revision)
    if saved is None:
        abort(404)
    return saved


@bp.post("/a/<token>/submit")
def submit(token):
    """Submit the assessment for review by an officer; it can no longer be edited. An address given is told."""
    from .. import review

    saved = _saved_or_404(token)
    address = request.form.get("email", "").strip()
    if address and not notify.valid_address(address):
        return _result_page(saved, email_error=True, email=address[:254], status=400)
    db = get_db()
    was_draft = saved["status"] == "draft"
    if address and was_draft:
        notify.remember(db, saved, address, page_language())
    review.submit(db, saved, actor="firm")
    if was_draft:
        notify.submitted(db, _saved_or_404(token))
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
    entry = entries.load(get_db(), saved["id"], saved["revision"])
    values, unit = entries.reopen(saved["profile"], entry)
    state = FormState(values=values, unit=unit)
    for path in values:
        state.show(_section_of(path))
    for key in (entry or {}).get("sections", []):
        state.show(key)
    state.rows = {group: sorted({int(p.split(".")[1]) for p in values if p.startswith(group + ".")}) or [0]
                  for group in LIST_SECTIONS}
    return _form_page(state, assessment=saved)


def _section_of(path: str) -> str:
    for section in SECTIONS:
        if path in section.fields or any(path.startswith(group.section + ".") for group in section.groups):
            return section.key
    return "company"


def _result_page(saved, email_error=False, email="", status=200):
    lang = page_language()
    return render_template("firm/result.html", saved=saved, result=saved["result"][lang], lang=lang,
                           filing=filing.firm_view(get_db(), saved, lang), email_error=email_error, email=email,
                           mail=notify.configured()), status


@bp.get("/a/<token>")
def result_page(token):
    """The saved result of an assessment (the latest revision, or ?revision=N), with where the filing stands."""
    return _result_page(_saved_or_404(token, query_int("revision")))


@bp.get("/a/<token>/decision.pdf")
def decision_pdf(token):
    """The officer's decision as the signed PDF the officer issued, for the firm: the same bytes."""
    from ..review import get_review

    saved = _saved_or_404(token)
    current = get_review(get_db(), saved["id"])
    if current is None or not current["final_decision"] or saved["status"] not in filing.DECIDED:
        abort(404)
    lang = page_language()
    issued = documents.decision_for(get_db(), saved, current, lang, signer_of(current_app), actor="firm")
    return pdf_response(issued, f"{saved['reference']}-decision-{lang}.pdf")


@bp.get("/a/<token>/estimate.pdf")
@limiter.limit("RATELIMIT_PDF", methods=("GET",))
def estimate_pdf(token):
    """The signed PDF estimate of one revision, to attach to a filing: rendered once, then the same bytes."""
    saved = _saved_or_404(token, query_int("revision"))
    lang = page_language()
    verify_url = public_url("firm.verify_page", reference=saved["reference"], code=saved["code"])
    issued = documents.estimate(get_db(), saved, lang, signer_of(current_app), verify_url)
    name = f"{saved['reference']}-r{saved['revision']}-{lang}.pdf"
    return pdf_response(issued, name)


@bp.get("/verify/<reference>")
def verify_page(reference):
    """Whether an estimate is genuine and unchanged, with the stored result recomputed."""
    code = request.args.get("code", "")
    answer = verification.by_code(get_db(), reference, code, _secret(), _engine()) if code else None
    lang = page_language()
    if answer and lang == "en" and "result_en" in answer:
        answer["result"] = answer["result_en"]
    return render_template("firm/verify.html", reference=reference, code=code, answer=answer, lang=lang)
