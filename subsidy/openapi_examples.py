"""The OpenAPI document's examples: the test data's example profile and what the service really answers for it.

The profile is tests/data/contract_example.json (the CONTRACT.md example the tests use); its result is computed
by the running engine when the document is built, and the error examples are the message catalogue's own words,
so no example can drift from the service. Only the identifiers of a saved assessment are made up.
"""

import json
from pathlib import Path

from .messages import text
from .render import result_json
from .schemas import dump_profile, load_profile

EXAMPLE_PROFILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "contract_example.json"
TOKEN = "Xq3vL0s9mJc2Rk8tWf5hYb1nPa7dGe4u"
REFERENCE = "HZAI-2026-000123"
CODE = "K7QM-3XTA-PW2D-9BNE"
MOMENT = "2026-03-02T10:15:00+08:00"


def example_profile() -> dict:
    """Return the example profile as a client sends it."""
    return json.loads(EXAMPLE_PROFILE.read_text(encoding="utf-8"))


def build(engine, catalogue: dict, assessment_document) -> dict:
    """Return the examples by name, in the shape of components.examples."""
    from .evaluation import evaluate

    profile = example_profile()
    typed = load_profile(profile)
    evaluation = evaluate(typed, engine)
    result = result_json(evaluation, "zh")
    saved = {"id": 0, "token": TOKEN, "reference": REFERENCE, "revision": 1, "revisions": [1], "latest_revision": 1,
             "status": "draft",
             "code": CODE, "created_at": MOMENT, "revision_created_at": MOMENT,
             "policy_id": result["policy"]["id"], "policy_version": result["policy"]["version"],
             "profile": dump_profile(typed), "result": {"zh": result}}
    assessment = assessment_document(saved, "zh")
    totals = {key: result[key] for key in ("total_fen", "total_exact_fen", "total_up_to_fen")}
    verification = {"reference": REFERENCE, "genuine": True, "unchanged": True, "revision": 1, "latest_revision": 1,
                    "created_at": MOMENT, "company_name": profile["company"]["name"],
                    "credit_code": profile["company"]["credit_code"], "policy_id": result["policy"]["id"],
                    "policy_version": result["policy"]["version"], **totals,
                    "recomputed": {"available": True, "matches": True, "total_fen": result["total_fen"],
                                   "differs": []},
                    "result": result}
    queue = {"total": 1, "items": [{"reference": REFERENCE, "company_name": profile["company"]["name"],
                                    "credit_code": profile["company"]["credit_code"], "status": "submitted",
                                    "updated_at": MOMENT, "latest_revision": 1, **totals}]}
    bad = json.loads(json.dumps(profile))
    bad["rd_projects"][0]["rd_investment"] = "-5"
    bad["company"]["credit_code"] = "91330106MA2H3K7Q1A"
    return {
        "ContractProfile": ("The example profile of the contract (tests/data/contract_example.json)", profile),
        "ContractResult": ("Its result, as the service computes it", result),
        "ContractAssessment": ("The example profile saved as an assessment", assessment),
        "Verification": ("A genuine, unchanged estimate", verification),
        "NotGenuine": ("A wrong code or an unknown reference", {"reference": REFERENCE, "genuine": False}),
        "Catalogue": ("The clause catalogue", catalogue),
        "Queue": ("One submitted filing", queue),
        "InvalidProfile": ("A negative amount and a wrong check character", {"errors": _profile_errors(bad)}),
    }


def _profile_errors(profile: dict) -> dict:
    from .errors import ProfileError
    from .schemas import render_errors

    try:
        load_profile(profile)
    except ProfileError as error:
        return render_errors(error.errors, "zh")
    raise AssertionError("the invalid example profile passed validation")


def request_error(code: str, field: str = "_request", **params) -> dict:
    """Return the error document the API sends for a message code, in Chinese (the default)."""
    return {"errors": {field: [text(code, "zh", **params)]}}
