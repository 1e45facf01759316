"""The OpenAPI document is valid, covers every route of /api/v1, and describes what the API really answers."""

import copy

import jsonschema
import pytest
from openapi_spec_validator import validate

from app import create_app
from subsidy.db import connect
from subsidy.users import create_user

SHARED_ERRORS = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound", "405": "MethodNotAllowed",
                 "409": "Conflict", "413": "PayloadTooLarge", "415": "UnsupportedMediaType",
                 "429": "TooManyRequests"}


@pytest.fixture
def app(tmp_path):
    # Logging in through the form without its CSRF token: the API itself takes no CSRF token.
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite3"), "WTF_CSRF_ENABLED": False})


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def schema_of(document, name):
    """Return a component schema with its $refs resolvable by jsonschema."""
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def conforms(document, name, instance):
    jsonschema.validate(instance, schema_of(document, name), format_checker=jsonschema.FormatChecker())


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_the_document_is_valid_openapi(document):
    validate(document)
    profile = document["components"]["schemas"]["Profile"]
    assert profile["additionalProperties"] is False and profile["required"] == ["company"]


def test_every_route_under_the_api_is_an_operation_of_the_document(app, document):
    routes = {(method.lower(), rule.rule.replace("<", "{").replace(">", "}"))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for method, path, _ in operations(document)}
    assert routes == documented
    assert len(routes) >= 9


def test_every_operation_has_a_name_a_tag_a_summary_and_typed_answers(document):
    tags = {tag["name"] for tag in document["tags"]}
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        assert operation["summary"] and operation["description"], (method, path)
        assert operation["tags"] and set(operation["tags"]) <= tags, (method, path)
        answers = {status: answer for status, answer in operation["responses"].items() if status.startswith("2")}
        assert answers, (method, path)
        for answer in answers.values():
            assert answer["content"]["application/json"]["schema"], (method, path)
        if method in ("post", "put") and "{token}/submit" not in path:
            body = operation["requestBody"]["content"]["application/json"]
            assert body["schema"] == {"$ref": "#/components/schemas/Profile"}
            assert body["examples"], (method, path)
        assert {"400", "429"} <= set(operation["responses"]), (method, path)


def test_the_shared_errors_each_have_their_own_description(document):
    responses = document["components"]["responses"]
    assert set(SHARED_ERRORS.values()) <= set(responses)
    descriptions = [responses[name]["description"] for name in SHARED_ERRORS.values()]
    assert len(set(descriptions)) == len(descriptions)
    for name in SHARED_ERRORS.values():
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Errors"}
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    assert "WWW-Authenticate" in responses["Unauthorized"]["headers"]
    assert "Allow" in responses["MethodNotAllowed"]["headers"]
    paths = document["paths"]
    assert paths["/api/v1/officer/queue"]["get"]["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
    assert paths["/api/v1/assessments/{token}"]["put"]["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}
    assert {"413", "415"} <= set(paths["/api/v1/evaluate"]["post"]["responses"])


def test_servers_come_from_public_url(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "s.sqlite3"),
                      "PUBLIC_URL": "https://subsidy.example.gov.cn/calc/"})
    document = app.test_client().get("/api/v1/openapi.json", headers={"Host": "subsidy.example.gov.cn"}).get_json()
    assert document["servers"] == [{"url": "https://subsidy.example.gov.cn/calc"}]
    links = document["components"]["examples"]["ContractAssessment"]["value"]["links"]
    assert links["verify_api"].startswith("https://subsidy.example.gov.cn/calc/api/v1/verify/HZAI-")


def test_responses_allow_more_fields_and_requests_refuse_them(document):
    schemas = document["components"]["schemas"]
    request_side = {name for name in schemas if not name.startswith("Stored")
                    and name in _reachable(schemas, "Profile")} | {"Submission"}
    assert {"Profile", "Company", "RdProject", "Referrals"} <= request_side
    for name, schema in schemas.items():
        expected = name not in request_side
        assert schema["additionalProperties"] is expected, name


def _reachable(schemas, root):
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [ref.rsplit("/", 1)[1] for ref in _refs(schemas[name])]
    return seen


def _refs(node):
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_money_is_a_decimal_string_with_a_pattern_and_numbers_are_allowed(document):
    money = document["components"]["schemas"]["RdProject"]["properties"]["rd_investment"]
    assert set(money["type"]) == {"string", "number", "null"}
    assert money["maximum"] == 100_000_000_000
    for good in ("12000000.50", "0", "-0", "-0.00", 12000000, 1.5):
        jsonschema.validate(good, money)
    for bad in ("1.001", "-1", "1e5", "¥100", -1, "12.500", 100_000_000_001):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, money)


def test_the_examples_are_the_test_data_and_its_real_result(client, document, example):
    examples = document["components"]["examples"]
    assert examples["ContractProfile"]["value"] == example
    assert examples["ContractResult"]["value"] == client.post("/api/v1/evaluate", json=example).get_json()
    for name, schema in [("ContractProfile", "Profile"), ("ContractResult", "Result"),
                         ("ContractAssessment", "Assessment"), ("Verification", "Verification"),
                         ("NotGenuine", "Verification"), ("Catalogue", "Catalogue"), ("Queue", "Queue"),
                         ("InvalidProfile", "Errors")]:
        conforms(document, schema, examples[name]["value"])
    invalid = examples["InvalidProfile"]["value"]["errors"]
    assert set(invalid) == {"rd_projects.0.rd_investment", "company.credit_code"}
    for name in SHARED_ERRORS.values():
        answer = document["components"]["responses"][name]["content"]["application/json"]
        assert answer["examples"], name


def test_the_document_refuses_what_the_api_refuses(document, example):
    example["unexpected"] = 1
    with pytest.raises(jsonschema.ValidationError):
        conforms(document, "Profile", example)


def _optional_paths(document, schema_name, prefix=""):
    """Yield (path, parent path) of every optional property of the profile, at any depth."""
    schema = document["components"]["schemas"][schema_name]
    for name, prop in schema["properties"].items():
        refs = _refs(prop)
        if name not in schema.get("required", []):
            yield f"{prefix}{name}"
        if refs:
            inner = refs[0].rsplit("/", 1)[1]
            step = f"{prefix}{name}.0." if "items" in prop or any("items" in o for o in prop.get("anyOf", [])) \
                else f"{prefix}{name}."
            yield from _optional_paths(document, inner, step)


def _set(profile, path, value):
    *parents, leaf = path.split(".")
    node = profile
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[leaf] = value


def _drop(profile, path):
    *parents, leaf = path.split(".")
    node = profile
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node.pop(leaf, None)


def test_null_means_left_out_for_every_optional_field_in_the_document_and_the_api(client, document, example):
    paths = list(_optional_paths(document, "Profile"))
    assert "rd_projects.0.rd_investment" in paths and "referrals.top_talent" in paths and "testing" in paths
    for path in paths:
        with_null, left_out = copy.deepcopy(example), copy.deepcopy(example)
        _set(with_null, path, None)
        _drop(left_out, path)
        conforms(document, "Profile", with_null)
        answer = client.post("/api/v1/evaluate", json=with_null)
        assert answer.status_code == 200, (path, answer.get_json())
        assert answer.get_json() == client.post("/api/v1/evaluate", json=left_out).get_json(), path


def test_null_for_a_required_field_is_missing_in_the_document_and_the_api(client, document, example):
    example["company"]["name"] = None
    with pytest.raises(jsonschema.ValidationError):
        conforms(document, "Profile", example)
    errors = client.post("/api/v1/evaluate?lang=en", json=example).get_json()["errors"]
    assert errors == {"company.name": ["Required."]}


def test_a_null_list_entry_is_refused_with_a_message_to_leave_it_out(client, document, example):
    example["rd_projects"].append(None)
    with pytest.raises(jsonschema.ValidationError):
        conforms(document, "Profile", example)
    assert client.post("/api/v1/evaluate?lang=en", json=example).get_json()["errors"] == {
        "rd_projects.1": ["A list entry may not be null; leave the entry out."]}
    assert client.post("/api/v1/evaluate", json=example).get_json()["errors"] == {
        "rd_projects.1": ["列表中的一项不能为 null；不需要的项请直接删除。"]}


def test_a_saved_profile_is_given_back_without_nulls(client, document, example):
    example["testing"]["fees"] = None
    saved = client.post("/api/v1/assessments", json=example).get_json()
    assert "fees" not in saved["profile"]["testing"]
    conforms(document, "Assessment", saved)
    stored = document["components"]["schemas"]["StoredRdProject"]["properties"]["rd_investment"]
    assert "null" not in stored["type"]


def test_every_answer_of_every_operation_matches_the_document(app, client, document, example):
    db = connect(app.config["DATABASE"])
    create_user(db, "doc.officer", "doc-officer-password", "officer")
    db.close()
    created = client.post("/api/v1/assessments", json=example)
    conforms(document, "Assessment", created.get_json())
    saved = created.get_json()
    assert created.headers["Location"] == saved["links"]["self"]
    token = saved["token"]
    answers = [
        ("Result", client.post("/api/v1/evaluate?lang=en", json=example)),
        ("Assessment", client.get(f"/api/v1/assessments/{token}?revision=1")),
        ("Assessment", client.put(f"/api/v1/assessments/{token}", json=example)),
        ("Assessment", client.post(f"/api/v1/assessments/{token}/submit")),
        ("Verification", client.get(saved["links"]["verify_api"].replace("http://127.0.0.1:8000", ""))),
        ("Verification", client.get(f"/api/v1/verify/{saved['reference']}?code=WRONG&lang=en")),
        ("Catalogue", client.get("/api/v1/rules?lang=en")),
        ("Errors", client.get("/api/v1/officer/queue")),
        ("Errors", client.put(f"/api/v1/assessments/{token}", json=example)),
        ("Errors", client.get("/api/v1/assessments/nothing")),
        ("Errors", client.post("/api/v1/evaluate", json={"company": {}})),
    ]
    assert client.post("/login", data={"username": "doc.officer", "password": "doc-officer-password"}).status_code == 303
    answers.append(("Queue", client.get("/api/v1/officer/queue?status=submitted&sort=total&order=asc")))
    for name, answer in answers:
        conforms(document, name, answer.get_json())
    statuses = [answer.status_code for _, answer in answers]
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 401, 409, 404, 400, 200]
    assert answers[-1][1].get_json()["total"] == 1


def test_the_readme_api_table_is_the_documents(document):
    from subsidy.openapi_markdown import README, rewrite

    readme = README.read_text(encoding="utf-8")
    assert rewrite(readme, document) == readme, "README.md is behind the API: run python -m subsidy.openapi_markdown"
    for _, path, operation in operations(document):
        assert f"`{operation['operationId']}` | `" in readme and path in readme
