"""The OpenAPI 3.1 document of /api/v1, generated from the marshmallow schemas (apispec), built once per app.

Request bodies are the profile's own schemas (subsidy/schemas.py: unknown fields refused, a null field read as
left out); responses are subsidy/api_schemas.py (more fields may come); the operations are subsidy/openapi_paths.py.
The profile's field types (Money, Count …) are taught to apispec here, so a field added to the profile, or a limit
added to a field type, reaches the document by itself.
"""

import copy

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from . import api_schemas, openapi_examples, openapi_paths, schemas
from .money import format_yuan

TITLE = "Hangzhou AI pilot-zone subsidy calculator"
VERSION = "1.0.0"
DESCRIPTION = """\
杭州人工智能试验区政策补助测算 API: a company profile in, clause by clause whether it qualifies, how much, why and
why not.

- **Money** is yuan in the profile, best sent as a decimal string (`"12000000.50"`; a JSON number is accepted too),
  and integer fen (分, 1/100 yuan) in every answer.
- **null** in a profile means the field is left out, everywhere: a required field sent as null is missing; a list
  entry cannot be null.
- **Language**: answers and messages are in Chinese by default, in English with `?lang=en` or
  `Accept-Language: en`. `lang` other than zh or en is a 400. Every answer says `Content-Language` and
  `Vary: Accept-Language`.
- **Errors** all have one shape, `{"errors": {"field.path": ["message", …]}}`; `_request` is the request as a whole.
- **Caching**: the catalogue and this document carry an ETag and `Cache-Control: public` (send `If-None-Match` for
  a 304); everything else is `no-store`. Answers are gzip-compressed for clients that accept it. Request bodies
  must not be compressed (415).
"""


def document() -> dict:
    """Return this app's OpenAPI document (built on first use, inside an app context)."""
    built = current_app.extensions.get("subsidy.openapi")
    if built is None:
        built = current_app.extensions["subsidy.openapi"] = build(current_app)
    return built


def build(app) -> dict:
    """Build the document for app: its PUBLIC_URL as the server, examples computed by its engine."""
    from .views.api import assessment_document, catalogue

    plugin = MarshmallowPlugin()
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0", plugins=[plugin],
                   info={"description": DESCRIPTION}, servers=[{"url": app.config["PUBLIC_URL"]}],
                   tags=openapi_paths.TAGS)
    _teach_profile_fields(plugin)
    spec.components.schema("Profile", schema=schemas.ProfileSchema)
    for name in ("Result", "Catalogue", "Assessment", "Verification", "Queue", "Errors", "Submission"):
        spec.components.schema(name, schema=getattr(api_schemas, name))

    engine = app.extensions["subsidy.engine"]
    examples = openapi_examples.build(engine, catalogue(engine.rulebook, "zh"), assessment_document)
    for name, (summary, value) in examples.items():
        spec.components.example(name, {"summary": summary, "value": value})
    openapi_paths.add(spec, app)

    doc = spec.to_dict()
    doc["components"]["schemas"]["Profile"]["description"] = (
        "A company profile (CONTRACT.md): only the sections that concern the company. Unknown fields are refused; "
        "a field sent as null is read as left out (so a required one is missing).")
    profile_schemas = _reachable(doc["components"]["schemas"], "Profile")
    for name in profile_schemas:
        _null_means_absent(doc["components"]["schemas"][name])
    _add_stored_profile(doc["components"]["schemas"], profile_schemas)
    doc["components"]["schemas"]["Assessment"]["properties"]["profile"] = _ref("StoredProfile")
    for schema in doc["components"]["schemas"].values():
        _nullable_enums(schema)
    return doc


def _teach_profile_fields(plugin: MarshmallowPlugin):
    """Teach apispec the profile's own field classes."""

    def describe(self, field, **kwargs):
        if isinstance(field, schemas.Money):
            return {"type": ["string", "number"], "minimum": 0, "maximum": schemas.MAX_MONEY_FEN // 100,
                    "pattern": r"^(-?0+(\.0{1,2})?|[0-9]+(\.[0-9]{1,2})?)$", "examples": ["12000000.50"],
                    "description": f"Yuan, ≥ 0 and at most {format_yuan(schemas.MAX_MONEY_FEN)}, at most two "
                                   "decimals in any notation; -0 is zero. Send a decimal string such as "
                                   "\"12000000.50\" (every fen exact); a JSON number is accepted too."}
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

    plugin.converter.add_attribute_function(describe)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _refs(node) -> set[str]:
    """Return the component names a schema refers to, at any depth."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _reachable(components: dict, root: str) -> list[str]:
    """Return root and every component schema it reaches, root first."""
    seen, todo = [], [root]
    while todo:
        name = todo.pop(0)
        if name not in seen:
            seen.append(name)
            todo.extend(sorted(_refs(components[name]) - set(seen)))
    return seen


def _null_means_absent(schema: dict):
    """Let every optional property of a profile schema be null, as the loader reads null as left out."""
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            continue
        if "$ref" in prop:
            schema["properties"][name] = {"anyOf": [{"$ref": prop.pop("$ref")}, {"type": "null"}], **prop}
        elif "anyOf" in prop or "oneOf" in prop:
            prop["anyOf" if "anyOf" in prop else "oneOf"].append({"type": "null"})
        elif "type" in prop:
            types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
            prop["type"] = [*types, "null"] if "null" not in types else types
            if "enum" in prop and None not in prop["enum"]:
                prop["enum"] = [*prop["enum"], None]


def _nullable_enums(schema: dict):
    """Write a nullable enum as anyOf [the enum, null]: generators read that as one optional enum type."""
    for name, prop in schema.get("properties", {}).items():
        types = prop.get("type")
        if "enum" in prop and isinstance(types, list) and "null" in types:
            rest = {key: value for key, value in prop.items() if key not in ("type", "enum")}
            kinds = [kind for kind in types if kind != "null"]
            schema["properties"][name] = {"anyOf": [
                {"type": kinds[0] if len(kinds) == 1 else kinds,
                 "enum": [value for value in prop["enum"] if value is not None]},
                {"type": "null"}], **rest}


def _add_stored_profile(components: dict, names: list[str]):
    """Add StoredProfile (and its parts): the profile as the service gives it back, open to more fields.

    It is the request's Profile without nulls (absent fields are left out) and with additionalProperties allowed,
    like every response schema.
    """
    renamed = {name: f"Stored{name}" for name in names}

    def stored(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return _ref(renamed[node["$ref"].rsplit("/", 1)[1]])
            if "anyOf" in node and {"type": "null"} in node["anyOf"]:
                rest = [stored(option) for option in node["anyOf"] if option != {"type": "null"}]
                plain = {key: stored(value) for key, value in node.items() if key != "anyOf"}
                return {**rest[0], **plain} if len(rest) == 1 else {"anyOf": rest, **plain}
            node = {key: stored(value) for key, value in node.items()}
            if isinstance(node.get("type"), list) and "null" in node["type"]:
                node["type"] = [kind for kind in node["type"] if kind != "null"]
                node["type"] = node["type"][0] if len(node["type"]) == 1 else node["type"]
                if "enum" in node:
                    node["enum"] = [value for value in node["enum"] if value is not None]
            return node
        if isinstance(node, list):
            return [stored(value) for value in node]
        return node

    for name in names:
        schema = stored(copy.deepcopy(components[name]))
        schema["additionalProperties"] = True
        schema["description"] = (f"{name} as saved and given back: absent fields left out (never null), money as "
                                  "yuan in a decimal string with two decimals; more fields may come.")
        components[renamed[name]] = schema
