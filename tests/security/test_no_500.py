"""Every input that once answered 500 answers 4xx now, and no query parameter of any route can make a 500."""

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from subsidy.flat import template_columns, unflatten
from tests.security.conftest import PASSWORD
from tests.security.filings import file_firm, local

SOURCE = Path(__file__).resolve().parents[2] / "subsidy"
# What an attacker threw: digits that are not ASCII, numbers past 64 bits, a header break, a lone surrogate
# (as UTF-8 bytes it is invalid), a negative and a huge exponent.
HOSTILE = ["١٢", "²", "９", "99999999999999999999", "1" * 40, "1\r\nX-Evil: 1", "%ED%A0%80", "-1", "1e999999999"]


def query_parameters() -> set[str]:
    """Return every query or form parameter name the code reads, found in its source, so new ones are covered."""
    pattern = re.compile(r"""(?:request\.(?:args|values|form)\.get|query_int|query_value)\(\s*["']([A-Za-z_.]+)["']""")
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


# --- The 500s of the issue, one regression test each ---------------------------------------------------------


@pytest.mark.parametrize("column", ["rd_projects.².name", "rd_projects.١.name", "rd_projects.x"])
def test_a_form_field_naming_no_list_row_is_a_400_naming_it(client, example, column):
    form = {"company.name": "杭州示例", "rd_projects.0.name": "视觉芯片", column: "x"}
    response = client.post("/", data=form)
    assert response.status_code == 400
    assert column in response.get_data(as_text=True)


def test_unflatten_keeps_a_bad_column_whole_for_the_schema_to_refuse():
    profile = unflatten({"rd_projects.0.name": "a", "rd_projects.x": "b", "rd_projects.².name": "c"})
    assert profile["rd_projects"] == [{"name": "a"}]
    assert profile["rd_projects.x"] == "b" and profile["rd_projects.².name"] == "c"


def test_a_json_key_or_value_holding_a_lone_surrogate_is_a_400(client, example):
    for body in ('{"testing\\ud800": 1}', '{"company": {"name": "\\udfff"}}'):
        for path in ("/api/v1/evaluate", "/api/v1/assessments"):
            response = client.post(path, data=body, content_type="application/json")
            assert response.status_code == 400, (path, body)
            assert "surrogate" in response.get_json()["errors"]["_request"][0]
    # A proper pair (an emoji written as escapes) is text like any other.
    example["company"]["name"] = "\ud83d\ude00 Robotics"
    body = json.dumps(example)
    assert client.post("/api/v1/evaluate", data=body, content_type="application/json").status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999", "١", "²", "0", "-1", "abc"])
def test_a_revision_past_64_bits_or_not_in_plain_digits_is_a_400(client, example, value):
    filing = file_firm(client, example)
    token = filing["links"]["self"].rsplit("/", 1)[1]
    for path in (f"/a/{token}", f"/a/{token}/estimate.pdf", f"/api/v1/assessments/{token}"):
        assert client.get(f"{path}?revision={quote(value)}").status_code == 400, path
    assert client.get(f"/a/{token}?revision=1").status_code == 200
    assert client.get(f"/a/{token}?revision=2").status_code == 404


def test_a_login_next_with_crlf_is_ignored(client):
    for target in ("/officer/%0d%0aSet-Cookie:%20x=1", "/officer/\r\nX: 1", "//evil.example/officer/",
                   "/officer/\\evil"):
        response = client.post(f"/login?next={quote(target, safe='/%')}",
                               data={"username": "li.officer", "password": PASSWORD})
        assert response.status_code == 303
        assert response.headers["Location"] == "/officer/" and "Set-Cookie: x" not in str(response.headers)
        client.post("/logout")
    response = client.post("/login?next=/officer/verify", data={"username": "li.officer", "password": PASSWORD})
    assert response.headers["Location"] == "/officer/verify"


@pytest.mark.parametrize("page", [str(10**18), "99999999999999999999", "١", "0"])
def test_an_officers_page_number_out_of_range_is_a_400(officer, page):
    assert officer.get(f"/officer/?page={quote(page)}").status_code == 400
    assert officer.get(f"/api/v1/officer/queue?page={quote(page)}").status_code == 400
    assert officer.get("/officer/?page=100000").status_code == 200


@pytest.mark.parametrize("field", ["verified.rd_projects.x", "verified.rd_projects.².name",
                                   "verified.rd_projects.99999.name"])
def test_a_review_field_naming_no_list_row_is_a_400(officer, example, field):
    filing = file_firm(officer, example)
    officer.post(local(filing["links"]["submit"]))
    response = officer.post(f"/officer/a/{filing['reference']}/review", data={field: "1"})
    assert response.status_code == 400


def test_a_batch_file_with_such_columns_finishes_and_its_pages_never_answer_500(officer, example):
    columns = template_columns()[:3] + ["rd_projects.0.name", "rd_projects.x", "rd_projects.².name"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow(["杭州示例", "91330106MA2H3K7Q1F", "enterprise", "视觉芯片", "1", "2"])
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(out.getvalue().encode()), "bad.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400  # refused as a whole, with the bad columns named
    page = response.get_data(as_text=True)
    assert "rd_projects.x" in page and "rd_projects.².name" in page


# --- The hunt: every route, every parameter, every hostile value ---------------------------------------------


@pytest.fixture
def paths(officer, example):
    """Return every route's path with real values: a submitted filing, a decided one, a batch job."""
    filing = file_firm(officer, example)
    officer.post(local(filing["links"]["submit"]))
    token = filing["links"]["self"].rsplit("/", 1)[1]
    header = ",".join(template_columns()[:4])
    job = officer.post("/officer/batch/", data={
        "file": (io.BytesIO(f"{header}\n杭州示例,91330106MA2H3K7Q1F,enterprise,true\n".encode()), "one.csv")},
        content_type="multipart/form-data").headers["Location"].rstrip("/").rsplit("/", 1)[1]
    values = {"token": token, "reference": filing["reference"], "fmt": "csv", "filename": "app.css",
              "name": "results", "code": "91330106MA2H3K7Q1F"}
    found = []
    for rule in officer.application.url_map.iter_rules():
        arguments = {name: (job if name == "token" and rule.endpoint.startswith("officer_batch") else values[name])
                     for name in rule.arguments}
        path = rule.rule
        for name, value in arguments.items():
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint not in ("officer.logout", "static"):
                found.append((method, path))
    return found


def test_no_query_parameter_of_any_route_answers_500(officer, paths):
    anonymous = officer.application.test_client()
    names = query_parameters()
    assert {"revision", "page", "code", "next", "lang", "q", "sort", "status", "order"} <= names
    seen = []

    def check(who, method, path, query):
        response = who.open(f"{path}?{query}", method=method)
        response.close()
        seen.append(response.status_code)
        assert response.status_code < 500, (method, path, query, response.status_code)

    for method, path in paths:
        for value in HOSTILE:
            quoted = value if value.startswith("%") else quote(value)
            # Every parameter at once, as the officer and as anyone…
            for who in (officer, anonymous):
                check(who, method, path, "&".join(f"{name}={quoted}" for name in sorted(names)))
            # …and each alone, so that one parameter's 400 cannot hide another's 500.
            if value in ("١٢", "99999999999999999999", "1\r\nX-Evil: 1"):
                for name in sorted(names):
                    check(officer, method, path, f"{name}={quoted}")
    assert 400 in seen and 200 in seen
