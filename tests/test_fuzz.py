"""Nothing makes the service answer 500: schemathesis over every operation of the OpenAPI document, hypothesis over
the profile schema, and a set of hostile inputs that must come back as 400, 413 or 415 in the usual error shape."""

import collections
import json
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from app import create_app
from subsidy.db import connect
from subsidy.errors import ProfileError
from subsidy.schemas import load_profile
from subsidy.service import evaluate_profile
from subsidy.users import create_user

_folder = tempfile.mkdtemp(prefix="fuzz-")
fuzz_app = create_app({"TESTING": True, "DATABASE": str(Path(_folder) / "fuzz.sqlite3"), "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_EVALUATE": "1000000 per minute"})


def _officer_cookie(app) -> str:
    """Log an officer in, so that the queue is fuzzed past its 401."""
    db = connect(app.config["DATABASE"])
    create_user(db, "fuzz.officer", "fuzz-officer-password", "officer")
    db.close()
    client = app.test_client()
    assert client.post("/login", data={"username": "fuzz.officer", "password": "fuzz-officer-password"}).status_code == 303
    return f"session={client.get_cookie('session').value}"


# Asked uncompressed: schemathesis's WSGI transport would not decompress a gzip answer (tests/test_http.py covers it).
HEADERS = {"Cookie": _officer_cookie(fuzz_app), "Accept-Encoding": "identity"}
# A profile can be valid for the schema and still refused (a credit code's check character, hw_sw ≤ actual):
# every other built-in check runs, including that invalid data is refused and every answer matches the document.
EXCLUDED = [positive_data_acceptance]
SEEN = collections.defaultdict(collections.Counter)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
# Deterministic (hypothesis derandomized): the same cases every run, so a failure here is never luck.
schema.config.generation.update(modes=["positive", "negative"], with_security_parameters=False, deterministic=True)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])


def _check(case):
    response = case.call_and_validate(headers=HEADERS, excluded_checks=EXCLUDED)
    SEEN[case.operation.label][response.status_code] += 1
    if response.status_code >= 400:
        assert set(response.json()) == {"errors"}, response.text[:500]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case):
    _check(case)


# schemathesis leaves out the operation that served it the document unless a filter names it.
@schema.include(operation_id="getOpenApiDocument").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_document_itself_answers_as_documented(case):
    _check(case)


class Workflow(schema.as_state_machine()):
    """Create assessments, then follow the document's links: read, revise, submit, verify."""

    def get_call_kwargs(self, case):
        return {"headers": HEADERS}

    def validate_response(self, response, case, **kwargs):
        SEEN[case.operation.label][response.status_code] += 1
        case.validate_response(response, headers=HEADERS, excluded_checks=EXCLUDED)


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = settings(max_examples=40, stateful_step_count=8, deadline=None, derandomize=True,
                                 suppress_health_check=list(HealthCheck))


def test_the_fuzzing_reached_every_operation_past_its_errors():
    # Runs after the tests above (pytest keeps file order): every operation reached a real resource at least once,
    # answering with success, or for a revision with the 409 that only a real, submitted assessment gets.
    operations = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}
    succeeded = {label for label, statuses in SEEN.items()
                 if any(200 <= status < 300 or (status == 409 and label.startswith("PUT")) for status in statuses)}
    assert operations <= succeeded, {label: dict(SEEN[label]) for label in operations - succeeded}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)
FIELDS = ["company", "rd_projects", "service_platforms", "common_tech_platforms", "testing", "scenario_projects",
          "new_national_key_labs", "talent_team", "incubator", "standards", "referrals"]


@given(st.fixed_dictionaries({}, optional={name: JSONISH for name in FIELDS}))
@settings(max_examples=300, deadline=None)
def test_any_json_is_either_a_result_or_errors_by_field(data):
    try:
        result = evaluate_profile(data)
    except ProfileError as error:
        assert error.errors and all(isinstance(path, str) for path in error.errors)
        return
    assert len(result["clauses"]) == 20


COMPANY = {"name": "杭州测试科技有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
           "registered_in_hangzhou": True, "is_ai_enterprise": True}
HOSTILE_TEXT = ['<img src="file:///etc/passwd">', "<script>alert(1)</script>", "'; DROP TABLE assessments; --",
                "Robert\u202e)gnp.exe", "a\x00b", "tab\there", "\u200b", "x" * 201]


@pytest.mark.parametrize("profile, path", [
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "9" * 400}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "__1e400__"}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "__1e-300__"}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "1e5"}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "-0.01"}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "__1e-999999999__"}]},
     "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "rd_projects": [{"name": "a", "rd_investment": "Infinity"}]}, "rd_projects.0.rd_investment"),
    ({"company": COMPANY, "new_national_key_labs": 10 ** 30}, "new_national_key_labs"),
    ({"company": COMPANY, "new_national_key_labs": 1e3}, "new_national_key_labs"),
    ({"company": COMPANY, "new_national_key_labs": -1}, "new_national_key_labs"),
    ({"company": COMPANY, "rd_projects": [{"name": "a"}] * 51}, "rd_projects"),
    ({"company": COMPANY, "incubator": {"incubated_total": [[[[1]]]]}}, "incubator.incubated_total"),
    ({"company": dict(COMPANY, name={"$gt": ""})}, "company.name"),
    ({"company": dict(COMPANY, credit_code="91330106MA2H3K7Q1F" * 50)}, "company.credit_code"),
] + [({"company": dict(COMPANY, name=text)}, "company.name") for text in HOSTILE_TEXT[3:]])
def test_hostile_values_are_400_naming_the_field(client, profile, path):
    # JSON numbers Python cannot write itself (1e400, 1e-300) go in as raw text
    body = json.dumps(profile, ensure_ascii=False).replace('"__1e400__"', "1e400").replace('"__1e-300__"', "1e-300")
    body = body.replace('"__1e-999999999__"', "1E-999999999")
    response = client.post("/api/v1/evaluate", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert path in response.get_json()["errors"]


@pytest.mark.parametrize("text", HOSTILE_TEXT[:3])
def test_markup_and_sql_in_text_are_kept_as_text(client, text):
    profile = {"company": dict(COMPANY, name=text), "rd_projects": [{"name": text, "rd_investment": "1"}]}
    saved = client.post("/api/v1/assessments", json=profile)
    assert saved.status_code == 201
    assert saved.get_json()["profile"]["company"]["name"] == text
    page = client.get(saved.get_json()["links"]["page"]).get_data(as_text=True)
    assert text not in page or "<" not in text


def test_deeply_nested_bodies_and_wrong_types_are_400(client):
    for body in (b'{"company": ' * 5000 + b"1" + b"}" * 5000, b'{"company": []}', b"null", b"true"):
        response = client.post("/api/v1/evaluate", data=body, content_type="application/json")
        assert response.status_code == 400 and set(response.get_json()) == {"errors"}


@pytest.mark.parametrize("content_type", ["text/html", "multipart/form-data; boundary=x", "application/xml", ""])
def test_wrong_content_types_are_415(client, content_type):
    response = client.post("/api/v1/evaluate", data=b'{"company": {}}', content_type=content_type)
    assert response.status_code == 415 and set(response.get_json()) == {"errors"}


def test_a_ten_megabyte_body_is_413(client):
    response = client.post("/api/v1/evaluate", data=b"[" + b"0," * (5 * 1024 * 1024) + b"0]",
                           content_type="application/json")
    assert response.status_code == 413 and set(response.get_json()) == {"errors"}


def test_hostile_form_posts_never_500(client):
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/?topic=all").get_data(as_text=True)).group(1)
    for data in ({"rd_projects.999999999999.name": "x"}, {"unit": "wan", "testing.fees": "1e999"},
                 {"company.name": "\x00"}, {"action": "add:../../etc"}, {"action": "remove:rd_projects:abc"},
                 {"rd_projects.0.rd_investment": "９９９"}, {"incubator.incubated_total": "1" * 5000},
                 {"action": "show:../x", "section": ["../../etc", "rd"]}, {"action": "save", "confirm_tenfold": "1"},
                 {"unit": "wan", "testing.fees": "9" * 39 + "亿"}, {"testing.fees": "¥-0,000.00万元"},
                 {"action": "remove:rd_projects:99999999999999999999"}, {"action": "back", "rd_projects.7.name": "x"}):
        response = client.post("/", data={"csrf_token": token, **data})
        assert response.status_code in (200, 400), (data, response.status_code)


def test_loading_is_pure_validation(example):
    assert load_profile(example)["rd_projects"][0]["rd_investment"] == 1200000000
