"""The JSON API: evaluate a profile, save and submit assessments, verify estimates, list the rules, describe itself.

Every error the API gives has one shape: {"errors": {"field.path": ["message", …]}}, in the language asked for.
"""

import orjson
from flask import Blueprint, abort, current_app, jsonify, request

from .. import assessments, filing, notify, verification
from ..db import get_db
from ..errors import ProfileError, RequestError, SubmittedError
from ..evaluation import evaluate
from ..headers import public_json
from ..messages import pick, text
from ..money import format_percent
from ..openapi_paths import PUBLIC_MAX_AGE
from ..render import result_json
from ..requests import check_language, json_body, query_int, request_language
from ..schemas import Msg, load_profile, render_errors
from ..throttle import EVALUATE_LEASE_SECONDS, limiter
from ..urls import public_url

evaluate_limit = limiter.limit("RATELIMIT_EVALUATE", methods=("POST", "PUT"), lease_seconds=EVALUATE_LEASE_SECONDS)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def engine():
    return current_app.extensions["subsidy.engine"]


@bp.before_app_request
def refuse_unknown_language():
    """Answer ?lang=fr under /api/ (the officers' queue included) with a 400 naming zh and en."""
    if request.path.startswith("/api/"):
        check_language()


@bp.post("/evaluate")
@evaluate_limit
def evaluate_view():
    """Evaluate a company profile; store nothing."""
    lang = request_language()
    profile = load_profile(json_body())
    return jsonify(result_json(evaluate(profile, engine()), lang))


def assessment_document(saved: dict, lang: str) -> dict:
    """Return the API's view of a saved assessment: its reference, revision, code, result and links, and where
    the filing stands (timeline, decision, next steps, changes against the previous revision)."""
    token = saved["token"]
    view = filing.firm_view(get_db(), saved, lang)
    links = {"decision_pdf": public_url("firm.decision_pdf", token=token)} if view["decision"] else {}
    return {**view,
        "token": token, "reference": saved["reference"], "revision": saved["revision"], "revisions": saved["revisions"],
        "status": saved["status"], "code": saved["code"], "created_at": saved["created_at"],
        "revision_created_at": saved["revision_created_at"],
        "policy": {"id": saved["policy_id"], "version": saved["policy_version"]},
        "profile": saved["profile"], "result": saved["result"][lang],
        "links": {
            "self": public_url("api.assessment_view", token=token),
            "page": public_url("firm.result_page", token=token),
            "pdf": public_url("firm.estimate_pdf", token=token, revision=saved["revision"]),
            "verify": public_url("firm.verify_page", reference=saved["reference"], code=saved["code"]),
            "verify_api": public_url("api.verify_view", reference=saved["reference"], code=saved["code"]),
            "submit": public_url("api.submit_assessment", token=token),
            **links,
        },
    }


@bp.post("/assessments")
@evaluate_limit
def create_assessment():
    """Evaluate a profile and save it as a new assessment (201), or 400 with the errors; nothing is saved then."""
    lang = request_language()
    profile = load_profile(json_body())
    saved = assessments.create(get_db(), profile, engine(), current_app.config["VERIFY_SECRET"], actor="api")
    response = jsonify(assessment_document(saved, lang))
    response.status_code = 201
    response.headers["Location"] = public_url("api.assessment_view", token=saved["token"])
    return response


@bp.get("/assessments/<token>")
def assessment_view(token):
    """Return a saved assessment (the latest revision, or ?revision=N)."""
    saved = assessments.load(get_db(), token, query_int("revision"))
    if saved is None:
        abort(404)
    return jsonify(assessment_document(saved, request_language()))


@bp.put("/assessments/<token>")
@evaluate_limit
def revise_assessment(token):
    """Re-evaluate an edited profile as the next revision of a saved assessment."""
    lang = request_language()
    found = assessments.find(get_db(), token=token)
    if found is None:
        abort(404)
    if found["status"] != "draft":  # refused before evaluating; revise() checks again where it writes
        raise RequestError("submitted_locked", status=409)
    profile = load_profile(json_body())
    saved = assessments.revise(get_db(), token, profile, engine(), current_app.config["VERIFY_SECRET"], actor="api")
    return jsonify(assessment_document(saved, lang))


@bp.post("/assessments/<token>/submit")
def submit_assessment(token):
    """Submit a saved assessment for an officer's review (draft → submitted); repeating it changes nothing."""
    from .. import review

    found = assessments.find(get_db(), token=token)
    if found is None:
        abort(404)
    address = _notify_address()
    was_draft = found["status"] == "draft"
    if address and was_draft:
        notify.remember(get_db(), found, address, request_language())
    review.submit(get_db(), found, actor="api")
    saved = assessments.load(get_db(), token)
    if was_draft:
        notify.submitted(get_db(), saved)
    return jsonify(assessment_document(saved, request_language()))


def _notify_address() -> str | None:
    """Return the optional {"email": …} of a submission (a body is optional), or raise a 400 naming the field."""
    if not request.get_data(cache=True):
        return None
    body = json_body()
    if not isinstance(body, dict):
        raise ProfileError({"_schema": [Msg("type")]})
    unknown = [key for key in body if key != "email"]
    if unknown:
        raise ProfileError({key: [Msg("unknown")] for key in unknown})
    address = body.get("email")
    if address is None:
        return None
    if not isinstance(address, str) or not notify.valid_address(address.strip()):
        raise ProfileError({"email": [Msg("email")]})
    return address.strip()


@bp.get("/verify/<reference>")
def verify_view(reference):
    """Say whether an estimate's code is genuine and its stored content unchanged."""
    answer = verification.by_code(get_db(), reference, request.args.get("code"),
                                  current_app.config["VERIFY_SECRET"], engine())
    return jsonify(verification.public_answer(answer, request_language()))


@bp.get("/rules")
def rules_view():
    """Return the catalogue: every clause with its numbers, readings and citation (cacheable, with an ETag)."""
    lang = request_language()
    cached = current_app.extensions.setdefault("subsidy.catalogue_json", {})
    if lang not in cached:
        cached[lang] = orjson.dumps(catalogue(engine().rulebook, lang))
    return public_json(cached[lang], PUBLIC_MAX_AGE, lang)


@bp.get("/openapi.json")
def openapi_view():
    """Return the OpenAPI document (cacheable, with an ETag); its descriptions are in English."""
    from ..openapi import document

    cached = current_app.extensions.get("subsidy.openapi_json")
    if cached is None:
        cached = current_app.extensions["subsidy.openapi_json"] = orjson.dumps(document())
    return public_json(cached, PUBLIC_MAX_AGE, "en")


def catalogue(rulebook, lang):
    """Return the rulebook as JSON a reader (or a page) can list."""
    clauses = []
    for clause in rulebook.clauses:
        entry = {
            "id": clause.id, "clause": clause.clause, "kind": clause.kind, "title": pick(clause.title, lang),
            "basis": clause.basis if not clause.is_referral else None, "per": clause.per,
            "citation": {"clause": clause.clause, "text": clause.citation},
            "readings": [pick(r, lang) for r in clause.readings],
            "effective": clause.effective.isoformat(),
        }
        if clause.amount:
            entry["rate"] = format_percent(clause.amount.rate) if clause.amount.rate is not None else None
            entry["tiers"] = [{"name": pick(t.name, lang), "cap_fen": t.cap_fen, "per_unit_fen": t.per_unit_fen}
                              for t in clause.amount.tiers]
        if clause.refers_to:
            entry["refers_to"] = pick(clause.refers_to, lang)
        clauses.append(entry)
    policy = rulebook.policy
    return {"policy": {"id": policy["id"], "version": policy["version"], "date": policy["date"].isoformat(),
                       "title": pick(policy["title"], lang), "source": policy["source"]},
            "clauses": clauses}


def error_response(errors: dict, status: int):
    response = jsonify({"errors": errors})
    response.status_code = status
    return response


@bp.errorhandler(ProfileError)
def profile_error(error):
    return error_response(render_errors(error.errors, request_language()), 400)


@bp.errorhandler(SubmittedError)
def submitted_error(error):
    return error_response({"_request": [text("submitted_locked", request_language())]}, 409)


@bp.app_errorhandler(RequestError)
def request_error(error):
    message = text(error.code, request_language(), **error.params)
    if not request.path.startswith("/api/"):  # a page's bad parameter: the error page, saying which
        from flask import render_template
        from werkzeug.exceptions import BadRequest

        return render_template("error.html", error=BadRequest(), detail=message), error.status
    response = error_response({error.field: [message]}, error.status)
    response.headers.update(error.headers)
    return response
