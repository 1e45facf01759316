"""The OpenAPI 3 document of the JSON API, generated from the marshmallow schemas (apispec)."""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from . import schemas
from .money import format_yuan

STATUSES = ["eligible", "ineligible", "incomplete", "not_applicable", "referral"]


class ItemOutcome(Schema):
    answers = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount_fen = fields.Integer(required=True)


class ItemResult(Schema):
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount_fen = fields.Integer(required=True)
    formula = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True)
    missing_labels = fields.List(fields.String(), metadata={"description": "Each missing path, in words."})
    to_confirm = fields.List(fields.String(), metadata={"description": "Profile paths of self-declared facts."})
    to_confirm_labels = fields.List(fields.String(), metadata={"description": "Each path to confirm, in words."})
    outcomes = fields.List(fields.Nested(ItemOutcome), metadata={
        "description": "For an item incomplete only for yes/no facts: its status and amount under each answer."})
    outcomes_text = fields.List(fields.String())
    tier = fields.String()
    cap_fen = fields.Integer(allow_none=True)
    capped = fields.Boolean()
    rate = fields.String(metadata={"description": "The clause's rate, e.g. 20%, where it has one."})
    base_fen = fields.Integer(metadata={"description": "The base the rate applies to, in fen."})
    per_unit_fen = fields.Integer()
    quantity = fields.Integer()


class Change(Schema):
    field = fields.String(required=True, metadata={"description": "Profile path."})
    label = fields.String(required=True)
    current = fields.Raw(allow_none=True)
    target = fields.Raw(required=True, metadata={"description": "Money in fen, counts, flags."})


class Promise(Schema):
    changes = fields.List(fields.Nested(Change), required=True)
    status_after = fields.String(metadata={"enum": STATUSES})
    amount_after_fen = fields.Integer()
    clause_status_after = fields.String(metadata={"enum": STATUSES})
    clause_amount_after_fen = fields.Integer()


class Hint(Promise):
    kind = fields.String(required=True, metadata={"enum": ["eligibility", "tier", "cap_headroom", "cap_binds"]})
    item = fields.String(required=True)
    item_index = fields.Integer()
    field = fields.String(allow_none=True)
    current = fields.Raw(allow_none=True)
    target = fields.Raw(allow_none=True)
    delta = fields.Integer()
    cap_fen = fields.Integer()
    binds_at_fen = fields.Integer()
    alternatives = fields.List(fields.Nested(Promise))
    text = fields.String(required=True)


class Document(Schema):
    number = fields.String(required=True)
    title = fields.String(required=True)


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
    missing_labels = fields.List(fields.String())
    needs_confirmation = fields.List(fields.String(), required=True)
    needs_confirmation_paths = fields.List(fields.String())
    needs_confirmation_labels = fields.List(fields.String())
    may_rise = fields.Boolean(metadata={"description": "Eligible, with incomplete items that may add to it."})
    may_rise_text = fields.String()
    hints = fields.List(fields.Nested(Hint), required=True)
    readings = fields.List(fields.String(), required=True, metadata={"description": "Readings taken, not the text."})
    notes = fields.List(fields.String())
    citation = fields.Nested(Citation, required=True)
    refers_to = fields.String()
    documents = fields.List(fields.Nested(Document))


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
    readings = fields.List(fields.String(), metadata={"description": "Readings the whole policy takes."})
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
            return {"type": ["string", "number"], "minimum": 0,
                    "pattern": r"^(-?0+(\.0{1,2})?|[0-9]+(\.[0-9]{1,2})?)$",
                    "maximum": schemas.MAX_MONEY_FEN // 100,
                    "description": f"Yuan, at most two decimals in any notation, ≥ 0 and at most "
                                   f"{format_yuan(schemas.MAX_MONEY_FEN)}; -0 is zero (a decimal string is safest)."}
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
            return {"type": "string", "minLength": 1, "maxLength": schemas.MAX_TEXT,
                    "description": "Any printable Unicode, emoji and joiners included; control characters and "
                                   "bidirectional controls (U+202A–U+202E, U+2066–U+2069) are refused."}
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
