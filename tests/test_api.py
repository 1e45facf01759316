"""The JSON API: the full result for a good profile, one error shape for everything else, nothing stored."""

import json

import pytest

from subsidy.rulebook import load_rulebook

CLAUSE_IDS = load_rulebook().clause_ids


def post(client, body, lang=None, headers=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    url = "/api/v1/evaluate" + (f"?lang={lang}" if lang else "")
    return client.post(url, data=data, content_type=content_type, headers=headers or {})


def test_the_contract_example_gets_every_clause_in_catalogue_order(client, example):
    response = post(client, example)
    assert response.status_code == 200
    result = response.get_json()
    assert [c["id"] for c in result["clauses"]] == CLAUSE_IDS
    assert result["policy"]["id"] == "hangzhou-ai-2019" and result["policy"]["version"] == "2019-11-20-draft"
    rd = result["clauses"][0]
    assert rd["status"] == "eligible" and rd["basis"] == "exact" and rd["amount_fen"] == 240000000
    assert rd["items"][0]["formula"].startswith("20% × ¥12,000,000.00 = ¥2,400,000.00")
    assert rd["citation"]["clause"] == "一" and "按项目研发投入的20%给予补助" in rd["citation"]["text"]
    for clause in result["clauses"]:
        assert set(clause) >= {"id", "status", "basis", "amount_fen", "items", "reasons", "missing",
                               "needs_confirmation", "citation", "hints"}
    service = result["clauses"][2]
    assert service["needs_confirmation"] == ["「开放平台」服务产业取得良好成效：自行申报，需经办人员核实确认。"]
    assert service["needs_confirmation_paths"] == ["service_platforms.0.good_service_results"]
    assert service["needs_confirmation_labels"] == ["科技创新服务平台 1「开放平台」的“服务产业是否取得良好成效”"]
    assert (result["total_fen"], result["total_exact_fen"], result["total_up_to_fen"]) == (
        1462000000, 1002000000, 460000000)


def test_english_through_the_header_or_the_query(client, example):
    example["service_platforms"][0]["actual_investment"] = "4999999.99"
    example["service_platforms"][0]["hw_sw_investment"] = "4000000"
    for response in (post(client, example, headers={"Accept-Language": "en-GB,en;q=0.9"}), post(client, example, "en")):
        service = response.get_json()["clauses"][2]
        assert service["status"] == "ineligible"
        assert service["reasons"] == ["Condition not met: actual investment of ¥5,000,000 or more "
                                      "(declared: ¥4,999,999.99)."]
        assert "actual investment reached ¥5,000,000.00 (now ¥4,999,999.99, ¥0.01 short)" in service["hints"][0]["text"]
    chinese = post(client, example).get_json()["clauses"][2]
    assert chinese["reasons"][0].startswith("不满足条件：实际投入 500 万元以上")


@pytest.mark.parametrize("change, path, words", [
    (lambda p: p["rd_projects"][0].update(rd_investment="-1"), "rd_projects.0.rd_investment", "must be ≥ 0"),
    (lambda p: p["rd_projects"][0].update(rd_investment="1.001"), "rd_projects.0.rd_investment", "two decimals"),
    (lambda p: p["rd_projects"][0].update(rd_investment="1e9"), "rd_projects.0.rd_investment", "amount in yuan"),
    (lambda p: p["incubator"].update(incubated_ai=21), "incubator.incubated_ai", "cannot be more"),
    (lambda p: p["incubator"].update(incubated_total=2.5), "incubator.incubated_total", "whole number"),
    (lambda p: p["company"].update(credit_code="91330106MA2H3K7Q1A"), "company.credit_code", "check character"),
    (lambda p: p["company"].update(entity_type="company"), "company.entity_type", "one of"),
    (lambda p: p["company"].update(registered_in_hangzhou="true"), "company.registered_in_hangzhou", "true or false"),
    (lambda p: p.update(subsidy_wanted=True), "subsidy_wanted", "Unknown field"),
    (lambda p: p["testing"].update(fee="1"), "testing.fee", "Unknown field"),
    (lambda p: p["company"].pop("name"), "company.name", "Required"),
    (lambda p: p.update(rd_projects={"name": "x"}), "rd_projects", "list"),
    (lambda p: p["company"].update(name="A\u202eB"), "company.name", "direction"),
])
def test_bad_input_gets_400_naming_the_field(client, example, change, path, words):
    change(example)
    response = post(client, example, "en")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]


def test_errors_are_in_chinese_by_default(client, example):
    example["rd_projects"][0]["rd_investment"] = "-5"
    errors = post(client, example).get_json()["errors"]
    assert errors == {"rd_projects.0.rd_investment": ["金额必须 ≥ 0。"]}


def test_every_problem_is_listed_at_once(client, example):
    example["rd_projects"][0]["rd_investment"] = "-5"
    example["company"]["credit_code"] = "123"
    example["extra"] = 1
    errors = post(client, example, "en").get_json()["errors"]
    assert set(errors) == {"rd_projects.0.rd_investment", "company.credit_code", "extra"}


@pytest.mark.parametrize("body, content_type, status", [
    (b"", "application/json", 400),
    (b"   ", "application/json", 400),
    (b"{not json", "application/json", 400),
    (b'{"company": NaN}', "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'"text"', "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400),
    (b'{"company": {}}', "text/plain", 415),
    (b"company=x", "application/x-www-form-urlencoded", 415),
    (b"x" * (2 * 1024 * 1024), "application/json", 413),
])
def test_unreadable_requests_get_the_same_error_shape(client, body, content_type, status):
    response = client.post("/api/v1/evaluate", data=body, content_type=content_type)
    assert response.status_code == status
    document = response.get_json()
    assert set(document) == {"errors"} and document["errors"]
    assert all(isinstance(m, list) and all(isinstance(s, str) for s in m) for m in document["errors"].values())


@pytest.mark.parametrize("method, url, status", [
    ("get", "/api/v1/evaluate", 405), ("get", "/api/v1/nothing-here", 404), ("delete", "/api/v1/rules", 405),
])
def test_http_errors_under_the_api_use_the_error_shape(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert set(response.get_json()) == {"errors"}


def test_an_unexpected_failure_is_a_logged_500_in_the_error_shape(app, client, example, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("subsidy.views.api.evaluate", broken)
    response = post(client, example)
    assert response.status_code == 500
    assert response.get_json() == {"errors": {"_request": ["服务器内部错误，已记录。"]}}


def test_the_rules_catalogue_carries_citations(client):
    document = client.get("/api/v1/rules?lang=en").get_json()
    assert [c["id"] for c in document["clauses"]] == CLAUSE_IDS
    rd = document["clauses"][0]
    assert rd["title"] == "R&D subsidy for key core AI technology projects"
    assert rd["tiers"][1]["cap_fen"] == 2_000_000_000 and rd["rate"] == "20%"
    assert "最高不超过500万元" in rd["citation"]["text"]
    assert document["clauses"][-1]["kind"] == "referral" and document["clauses"][-1]["refers_to"]


def local(url):
    return url.replace("http://127.0.0.1:8000", "")


def test_links_give_the_json_verification_beside_the_page_for_people(client, example):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    links = saved["links"]
    assert links["verify_api"] == (f"http://127.0.0.1:8000/api/v1/verify/{saved['reference']}?code={saved['code']}")
    machine = client.get(local(links["verify_api"]), headers={"Accept": "application/json"})
    assert machine.mimetype == "application/json" and machine.get_json()["genuine"] is True
    person = client.get(local(links["verify"]))
    assert person.mimetype == "text/html" and saved["reference"] in person.get_data(as_text=True)
    assert links["self"].endswith("/api/v1/assessments/" + saved["token"])


@pytest.mark.parametrize("revision, status", [("abc", 400), ("0", 400), ("-1", 400), ("１", 400), ("1", 200),
                                              ("2", 404)])
def test_a_revision_is_a_whole_number_from_one(client, example, revision, status):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    answer = client.get(f"/api/v1/assessments/{saved['token']}?revision={revision}&lang=en")
    assert answer.status_code == status
    if status == 400:
        assert answer.get_json() == {"errors": {"revision": ["revision must be a whole number from 1 to 1000000000."]}}


def test_a_typed_code_may_be_full_width_but_never_breaks_verification(client, example):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    url = f"/api/v1/verify/{saved['reference']}?code="
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else "－" for c in saved["code"].lower())
    assert client.get(url + full_width).get_json()["genuine"] is True
    for code in ("验证码验证码", "ÄÄÄÄ-BBBB-CCCC-DDDD", "\u0000"):
        answer = client.get(url + code)
        body = answer.get_json()
        assert answer.status_code == 200 and body["reference"] == saved["reference"] and body["genuine"] is False
        assert body["outcome"] == "not_genuine"
    page = client.get(f"/verify/{saved['reference']}?code=验证码")
    assert page.status_code == 200
