"""The OpenAPI document as tools nobody here wrote read it: Redocly CLI lints it, openapi-python-client generates a
client from it, and that client's generated functions alone take an assessment through its life.

Redocly CLI comes from npm (package.json, installed by `make test` with npm ci); openapi-python-client and httpx are
pinned in the test extra of pyproject.toml.
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
QUIET_NODE = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Return an app with its own database, and its document written to a file."""
    folder = tmp_path_factory.mktemp("tools")
    app = create_app({"TESTING": True, "DATABASE": str(folder / "tools.sqlite3")})
    path = folder / "openapi.json"
    path.write_bytes(app.test_client().get("/api/v1/openapi.json").data)
    return app, path


def redocly_lint(path: Path, *options, cwd=ROOT) -> dict:
    assert REDOCLY.exists(), "Redocly CLI is missing: `make test` installs it (npm ci)"
    run = subprocess.run([str(REDOCLY), "lint", str(path), "--format", "json", *options], capture_output=True,
                         text=True, timeout=300, cwd=cwd, env=QUIET_NODE)
    return json.loads(run.stdout[run.stdout.index("{"):])


def test_redocly_finds_nothing_with_the_projects_rules(served):
    report = redocly_lint(served[1], "--config", str(ROOT / "redocly.yaml"))
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, report["problems"]


def test_redocly_finds_no_error_with_its_recommended_rules_as_shipped(served, tmp_path):
    report = redocly_lint(served[1], cwd=tmp_path)  # no redocly.yaml there: the built-in recommended set
    assert report["totals"]["errors"] == 0, report["problems"]
    # Only the two rules redocly.yaml turns off, each with its reason there.
    assert {problem["ruleId"] for problem in report["problems"]} <= {"info-license", "no-unused-components"}


@pytest.fixture(scope="module")
def generated(served, tmp_path_factory):
    """Generate a client package from the document with openapi-python-client and import it."""
    folder = tmp_path_factory.mktemp("client")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the code is only imported
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(served[1]), "--meta", "none", "--config",
                          str(config), "--output-path", str(folder / "subsidy_api_client")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("subsidy_api_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.startswith("subsidy_api_client")]:
            del sys.modules[name]


def _api(package, module):
    return importlib.import_module(f"{package.__name__}.api.{module}")


def test_the_generated_client_has_a_function_for_every_operation(served, generated):
    document = json.loads(served[1].read_text())
    for item in document["paths"].values():
        for operation in item.values():
            module = _api(generated, f"{operation['tags'][0]}.{_snake(operation['operationId'])}")
            assert callable(module.sync_detailed), operation["operationId"]


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def test_an_assessment_through_the_generated_functions_only(served, generated, example):
    app, _ = served
    models = importlib.import_module(f"{generated.__name__}.models")
    client = generated.Client(base_url=app.config["PUBLIC_URL"], raise_on_unexpected_status=True,
                              httpx_args={"transport": httpx.WSGITransport(app=app)})
    create = _api(generated, "assessments.create_assessment")
    read = _api(generated, "assessments.get_assessment")
    revise = _api(generated, "assessments.revise_assessment")
    submit = _api(generated, "assessments.submit_assessment")
    verify = _api(generated, "verification.verify_estimate")
    evaluate = _api(generated, "evaluation.evaluate_profile")

    profile = models.Profile.from_dict(example)
    # A model's optional field set to None is sent as null, which means "left out".
    profile.testing.provider_accredited = None
    created = create.sync_detailed(client=client, body=profile)
    assert created.status_code == 201 and isinstance(created.parsed, models.Assessment)
    assessment = created.parsed
    assert created.headers["Location"] == assessment.links.self_
    assert assessment.result.total_fen == 1_450_000_000  # the testing subsidy now lacks its accredited provider
    assert assessment.profile.testing.to_dict() == {"fees": "400000.00"}

    again = read.sync(client=client, token=assessment.token, lang=models.GetAssessmentLang.EN)
    assert isinstance(again, models.Assessment) and again.reference == assessment.reference
    assert again.result.lang == models.ResultLang.EN and again.status == models.AssessmentStatus.DRAFT

    submitted = submit.sync(client=client, token=assessment.token)
    assert submitted.status == models.AssessmentStatus.SUBMITTED

    verified = verify.sync(client=client, reference=assessment.reference, code=assessment.code)
    assert isinstance(verified, models.Verification) and verified.genuine and verified.recomputed.matches
    assert verified.total_fen == 1_450_000_000
    assert not verify.sync(client=client, reference=assessment.reference, code="AAAA-BBBB-CCCC-DDDD").genuine

    locked = revise.sync_detailed(client=client, token=assessment.token, body=profile,
                                  lang=models.ReviseAssessmentLang.EN)
    assert locked.status_code == 409 and isinstance(locked.parsed, models.Errors)
    assert locked.parsed.errors.to_dict() == {"_request": ["Submitted for review: it can no longer be edited."]}

    wrong = models.Profile.from_dict(example)
    wrong.rd_projects[0].rd_investment = "-5"
    refused = evaluate.sync_detailed(client=client, body=wrong, lang=models.EvaluateProfileLang.EN)
    assert refused.status_code == 400 and isinstance(refused.parsed, models.Errors)
    assert refused.parsed.errors.to_dict() == {"rd_projects.0.rd_investment": ["must be ≥ 0"]}

    missing = read.sync_detailed(client=client, token="no-such-token")
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Errors)


def test_the_generated_client_reads_the_catalogue_and_its_304(served, generated):
    app, _ = served
    client = generated.Client(base_url=app.config["PUBLIC_URL"],
                              httpx_args={"transport": httpx.WSGITransport(app=app)})
    rules = _api(generated, "catalogue.get_rules")
    first = rules.sync_detailed(client=client)
    assert first.status_code == 200 and len(first.parsed.clauses) == len(app.extensions["subsidy.engine"].rulebook.clauses) == 20
    assert first.parsed.clauses[-1].basis is None
    again = rules.sync_detailed(client=client, if_none_match=first.headers["ETag"])
    assert again.status_code == 304 and again.parsed is None
