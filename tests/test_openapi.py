"""The OpenAPI document is valid, generated from the schemas, and describes what the API really returns."""

import jsonschema
from openapi_spec_validator import validate


def _resolved(document, name):
    """Return a component schema with its $refs resolvable by jsonschema."""
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_the_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert set(document["paths"]) == {"/api/v1/evaluate", "/api/v1/rules", "/api/v1/openapi.json"}
    profile = document["components"]["schemas"]["Profile"]
    assert profile["additionalProperties"] is False and profile["required"] == ["company"]


def test_the_example_and_its_result_match_the_document(client, example):
    document = client.get("/api/v1/openapi.json").get_json()
    jsonschema.validate(example, _resolved(document, "Profile"))
    result = client.post("/api/v1/evaluate", json=example).get_json()
    jsonschema.validate(result, _resolved(document, "Result"))
    errors = client.post("/api/v1/evaluate", json={"company": {}}).get_json()
    jsonschema.validate(errors, _resolved(document, "Errors"))


def test_the_document_refuses_what_the_api_refuses(client, example):
    document = client.get("/api/v1/openapi.json").get_json()
    example["unexpected"] = 1
    try:
        jsonschema.validate(example, _resolved(document, "Profile"))
    except jsonschema.ValidationError:
        return
    raise AssertionError("an unknown field passed the OpenAPI schema")
