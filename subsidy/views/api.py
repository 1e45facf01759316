"""The JSON API: evaluate a profile, list the rules, describe itself in OpenAPI.

Every error the API gives has one shape: {"errors": {"field.path": ["message", …]}}, in the language asked for.
"""

from flask import Blueprint, abort, current_app, jsonify, request

from .. import assessments
from ..db import get_db
from ..errors import ProfileError, RequestError, SubmittedError
from ..evaluation import evaluate
from ..messages import pick, text
from ..money import format_percent
from ..render import result_json
from ..requests import json_body, request_language
from ..schemas import load_profile, render_errors
from ..throttle import EVALUATE_LEASE_SECONDS, limiter
from ..urls import public_url

evaluate_limit = limiter.limit("RATELIMIT_EVALUATE", methods=("POST", "PUT"), lease_seconds=EVALUATE_LEASE_SECONDS)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def engine():
    return current_app.extensions["subsidy.engine"]


@bp.post("/evaluate")
@evaluate_limit
def evaluate_view():
    """Evaluate a company profile; store nothing."""
    lang = request_language()
    profile = load_profile(json_body())
    return jsonify(result_json(evaluate(profile, engine()), lang))


def assessment_document(saved: dict, lang: str) -> dict:
    """Return the API's view of a saved assessment: its reference, revision, code, result and links."""
    token = saved["token"]
    return {
        "reference": saved["reference"], "revision": saved["revision"], "revisions": saved["revisions"],
        "status": saved["status"], "code": saved["code"], "created_at": saved["created_at"],
        "revision_created_at": saved["revision_created_at"],
        "policy": {"id": saved["policy_id"], "version": saved["policy_version"]},
        "profile": saved["profile"], "result": saved["result"][lang],
        "links": {
            "self": public_url("api.assessment_view", token=token),
            "page": public_url("firm.result_page", token=token),
            "pdf": public_url("firm.estimate_pdf", token=token, revision=saved["revision"]),
            "verify": public_url("firm.verify_page", reference=saved["reference"], code=saved["code"]),
            "submit": public_url("api.submit_assessment", token=token),
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
    saved = assessments.load(get_db(), token, request.args.get("revision", type=int))
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
    review.submit(get_db(), found, actor="api")
    return jsonify(assessment_document(assessments.load(get_db(), token), request_language()))


@bp.get("/verify/<reference>")
def verify_view(reference):
    """Say whether an estimate's code is genuine and its stored content unchanged."""
    answer = assessments.verify(get_db(), reference, request.args.get("code"),
                                current_app.config["VERIFY_SECRET"], engine())
    lang = request_language()
    answer.pop("result_en" if lang == "zh" else "result", None)
    if lang == "en" and "result_en" in answer:
        answer["result"] = answer.pop("result_en")
    return jsonify(answer)


@bp.get("/rules")
def rules_view():
    """Return the catalogue: every clause with its numbers, readings and citation."""
    lang = request_language()
    return jsonify(catalogue(engine().rulebook, lang))


@bp.get("/openapi.json")
def openapi_view():
    from ..openapi import openapi_document
    return jsonify(openapi_document())


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


@bp.errorhandler(RequestError)
def request_error(error):
    return error_response({error.field: [text(error.code, request_language(), **error.params)]}, error.status)
