"""The OpenAPI 3 document of the JSON API, generated from the marshmallow schemas (apispec)."""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from . import schemas

STATUSES = ["eligible", "ineligible", "incomplete", "not_applicable", "referral"]


class ItemResult(Schema):
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount_fen = fields.Integer(required=True)
    formula = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True)
    to_confirm = fields.List(fields.String(), metadata={"description": "Profile paths of self-declared facts."})
    tier = fields.String()
    cap_fen = fields.Integer(allow_none=True)
    capped = fields.Boolean()
    rate = fields.String(metadata={"description": "The clause's rate, e.g. 20%, where it has one."})
    base_fen = fields.Integer(metadata={"description": "The base the rate applies to, in fen."})
    per_unit_fen = fields.Integer()
    quantity = fields.Integer()


class Hint(Schema):
    kind = fields.String(required=True, metadata={"enum": ["threshold", "share", "cap_binds", "cap_headroom", "tier"]})
    item = fields.String(required=True)
    field = fields.String(allow_none=True)
    current = fields.Raw(allow_none=True)
    target = fields.Raw(allow_none=True)
    delta = fields.Integer()
    amount_after_fen = fields.Integer()
    text = fields.String(required=True)


class Citation(Schema):
    clause = fields.String(required=True)
    text = fields.String(required=True)


class ClauseResult(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    basis = fields.String(required=True, metadata={"enum": ["exact", "up_to"]})
    amount_fen = fields.Integer(required=True)
    per = fields.String(required=True)
    items = fields.List(fields.Nested(ItemResult), required=True)
    reasons = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True)
    needs_confirmation = fields.List(fields.String(), required=True)
    hints = fields.List(fields.Nested(Hint), required=True)
    readings = fields.List(fields.String(), required=True)
    citation = fields.Nested(Citation, required=True)
    refers_to = fields.String()


class Policy(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)
    date = fields.String(required=True)
    title = fields.String(required=True)
    source = fields.String(required=True)


class Result(Schema):
    policy = fields.Nested(Policy, required=True)
    lang = fields.String(required=True, metadata={"enum": ["zh", "en"]})
    clauses = fields.List(fields.Nested(ClauseResult), required=True)
    total_fen = fields.Integer(required=True)
    total_exact_fen = fields.Integer(required=True)
    total_up_to_fen = fields.Integer(required=True)


class Errors(Schema):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Field path (rd_projects.0.rd_investment) → messages."})


def _custom_fields(plugin: MarshmallowPlugin):
    """Teach apispec the profile's own field classes."""
    converter = plugin.converter

    def describe(self, field, **kwargs):
        if isinstance(field, schemas.Money):
            return {"type": ["string", "number"], "pattern": r"^[0-9]+(\.[0-9]{1,2})?$", "minimum": 0,
                    "description": "Yuan, at most two decimals, ≥ 0 (a decimal string is safest)."}
        if isinstance(field, schemas.Count):
            return {"type": "integer", "minimum": 0, "maximum": schemas.MAX_COUNT}
        if isinstance(field, schemas.Flag):
            return {"type": "boolean"}
        if isinstance(field, schemas.Choice):
            return {"type": "string", "enum": list(field.choices)}
        if isinstance(field, schemas.CreditCode):
            return {"type": "string", "minLength": 18, "maxLength": 18,
                    "description": "统一社会信用代码, GB 32100-2015 check character verified."}
        if isinstance(field, schemas.Text):
            return {"type": "string", "minLength": 1, "maxLength": schemas.MAX_TEXT}
        if isinstance(field, schemas.Items):
            return {"maxItems": schemas.MAX_ITEMS}
        return {}

    converter.add_attribute_function(describe)


@cache
def openapi_document() -> dict:
    """Return the OpenAPI 3.1 document of /api/v1."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Hangzhou AI pilot-zone subsidy calculator", version="1.0.0", openapi_version="3.1.0",
                   plugins=[plugin], info={"description": "杭州人工智能试验区政策补助测算 API. Money is in yuan in "
                                                          "the profile and in integer fen (分) in the result."})
    _custom_fields(plugin)
    spec.components.schema("Profile", schema=schemas.ProfileSchema)
    spec.components.schema("Result", schema=Result)
    spec.components.schema("Errors", schema=Errors)
    lang = {"name": "lang", "in": "query", "required": False, "description": "zh (default) or en",
            "schema": {"type": "string", "enum": ["zh", "en"]}}
    errors = {"description": "Invalid input, every problem by field path",
              "content": {"application/json": {"schema": "Errors"}}}
    spec.path(path="/api/v1/evaluate", operations={"post": {
        "summary": "Evaluate a company profile clause by clause; stores nothing.",
        "parameters": [lang],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "Profile"}}},
        "responses": {"200": {"description": "The result", "content": {"application/json": {"schema": "Result"}}},
                      "400": errors, "413": errors, "415": errors},
    }})
    spec.path(path="/api/v1/rules", operations={"get": {
        "summary": "The clause catalogue with citations.", "parameters": [lang],
        "responses": {"200": {"description": "The catalogue",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }})
    spec.path(path="/api/v1/openapi.json", operations={"get": {
        "summary": "This document.",
        "responses": {"200": {"description": "OpenAPI 3.1",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }})
    return spec.to_dict()
