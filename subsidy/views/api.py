"""The JSON API: evaluate a profile, list the rules, describe itself in OpenAPI.

Every error the API gives has one shape: {"errors": {"field.path": ["message", …]}}, in the language asked for.
"""

from flask import Blueprint, current_app, jsonify

from ..errors import ProfileError, RequestError
from ..evaluation import evaluate
from ..messages import pick, text
from ..money import format_percent
from ..render import result_json
from ..requests import json_body, request_language
from ..schemas import load_profile, render_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def engine():
    return current_app.extensions["subsidy.engine"]


@bp.post("/evaluate")
def evaluate_view():
    """Evaluate a company profile; store nothing."""
    lang = request_language()
    profile = load_profile(json_body())
    return jsonify(result_json(evaluate(profile, engine()), lang))


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


@bp.errorhandler(RequestError)
def request_error(error):
    return error_response({error.field: [text(error.code, request_language(), **error.params)]}, error.status)
