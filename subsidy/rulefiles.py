"""The rule files' own format: their marshmallow schemas and YAML read with the line of every key.

A problem found in a file is reported as "rules/<file>:<line>: <field path>: <what is wrong>".
"""

from pathlib import Path

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .errors import RulebookError
from .money import parse_percent
from .schemas import flatten_errors

# Which operators each kind of profile field may be compared with.
OPERATORS = {
    "money": {"eq", "ne", "gt", "ge", "lt", "le"},
    "count": {"eq", "ne", "gt", "ge", "lt", "le"},
    "flag": {"eq", "ne"},
    "choice": {"eq", "ne", "in"},
}
ALL_OPERATORS = set().union(*OPERATORS.values())
SUBJECT_KINDS = ("list", "object", "value", "counts")


# --- File schemas -------------------------------------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class Bilingual(_Strict):
    zh = fields.String(required=True, validate=validate.Length(min=1))
    en = fields.String(required=True, validate=validate.Length(min=1))


class ConditionFile(_Strict):
    field = fields.String(required=True)
    op = fields.String(required=True, validate=validate.OneOf(sorted(ALL_OPERATORS)))
    value = fields.Raw(required=True, allow_none=False)
    share_of = fields.String()
    self_declared = fields.Boolean()
    requires = fields.Nested(Bilingual, required=True)


class ReadingFile(Bilingual):
    """A reading: where the text leaves room, the reading taken, naming the words of the text it reads."""

    of = fields.String(required=True, validate=validate.Length(min=1))
    field = fields.String()


class RouteFile(_Strict):
    """One of several ways a referral can apply: its own `applies_when` and `conditions`, beside the clause's."""

    name = fields.Nested(Bilingual, required=True)
    applies_when = fields.List(fields.Nested(ConditionFile), load_default=list)
    conditions = fields.List(fields.Nested(ConditionFile), load_default=list)


class DocumentFile(_Strict):
    number = fields.Nested(Bilingual, required=True)
    title = fields.Nested(Bilingual, required=True)


class TierFile(_Strict):
    name = fields.Nested(Bilingual, required=True)
    when = fields.List(fields.Nested(ConditionFile), load_default=list)
    cap = fields.Integer(strict=True, validate=validate.Range(min=0))
    per_unit = fields.Integer(strict=True, validate=validate.Range(min=0))

    @validates_schema
    def one_amount(self, data, **kwargs):
        if ("cap" in data) == ("per_unit" in data):
            raise ValidationError("a tier gives exactly one of cap (with a rate) or per_unit (a flat amount)")


class AmountFile(_Strict):
    base = fields.String()
    rate = fields.String()
    quantity = fields.String()
    tiers = fields.List(fields.Nested(TierFile), required=True, validate=validate.Length(min=1))

    @validates_schema
    def rate_or_flat(self, data, **kwargs):
        if "rate" in data:
            try:
                rate = parse_percent(data["rate"])
            except ValueError as error:
                raise ValidationError(f"rate must be a percentage such as 20%, not {data['rate']!r}", "rate") from error
            if not 0 < rate <= 1:
                raise ValidationError(f"rate must be above 0% and at most 100%, not {data['rate']}", "rate")
            if "base" not in data:
                raise ValidationError("a rate needs a base field", "base")
            for index, tier in enumerate(data["tiers"]):
                if "cap" not in tier:
                    raise ValidationError({"tiers": {index: {"cap": ["cap missing: a rate clause caps every tier"]}}})
        else:
            if "base" in data:
                raise ValidationError("a base needs a rate", "rate")
            for index, tier in enumerate(data["tiers"]):
                if "per_unit" not in tier:
                    raise ValidationError({"tiers": {index: {"per_unit": ["per_unit missing on a flat amount"]}}})


class ClauseFile(_Strict):
    id = fields.String(required=True)
    clause = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["amount", "referral"]))
    title = fields.Nested(Bilingual, required=True)
    citation = fields.String(required=True, validate=validate.Length(min=1))
    effective = fields.Date(required=True)
    per = fields.String(required=True)
    basis = fields.String(validate=validate.OneOf(["exact", "up_to"]))
    subject = fields.Dict(keys=fields.String(validate=validate.OneOf(SUBJECT_KINDS)), values=fields.String(),
                          required=True, validate=validate.Length(equal=1))
    applies_when = fields.List(fields.Nested(ConditionFile), load_default=list)
    conditions = fields.List(fields.Nested(ConditionFile), required=True)
    amount = fields.Nested(AmountFile)
    readings = fields.List(fields.Nested(ReadingFile), load_default=list)
    notes = fields.List(fields.Nested(Bilingual), load_default=list)
    routes = fields.List(fields.Nested(RouteFile), validate=validate.Length(min=2))
    documents = fields.List(fields.String(), load_default=list)
    refers_to = fields.Nested(Bilingual)

    @validates_schema
    def kind_fits(self, data, **kwargs):
        if data.get("kind") == "amount":
            if "amount" not in data:
                raise ValidationError("an amount clause needs an amount section", "amount")
            if "basis" not in data:
                raise ValidationError("an amount clause needs basis: exact or up_to", "basis")
            for key in ("routes", "refers_to", "documents"):
                if data.get(key):
                    raise ValidationError(f"{key} is for referrals only", key)
        elif data.get("kind") == "referral":
            if "refers_to" not in data:
                raise ValidationError("a referral needs refers_to", "refers_to")
            placeholders = {"{documents}" in text for text in data["refers_to"].values()}
            if placeholders != {bool(data.get("documents"))}:
                raise ValidationError("refers_to names {documents} in both languages exactly when documents are "
                                      "listed", "refers_to")


class PolicyFile(_Strict):
    id = fields.String(required=True)
    version = fields.String(required=True)
    date = fields.Date(required=True)
    source = fields.String(required=True)
    title = fields.Nested(Bilingual, required=True)
    clauses = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    preconditions = fields.List(fields.Nested(ConditionFile), load_default=list)
    readings = fields.List(fields.Nested(ReadingFile), load_default=list)
    documents = fields.Dict(keys=fields.String(), values=fields.Nested(DocumentFile), load_default=dict)


# --- YAML with line numbers ---------------------------------------------------------------------------------


class _LineDict(dict):
    """A mapping that remembers the line of each of its keys."""

    lines: dict


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = _LineDict(super().construct_mapping(node, deep=deep))
        mapping.lines = {self.construct_object(key): key.start_mark.line + 1 for key, _ in node.value}
        mapping.lines[None] = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def line_of(document, path: str) -> int:
    """Return the line of the deepest key of a dotted error path that exists in the document."""
    node, line = document, getattr(document, "lines", {}).get(None, 1)
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            line = getattr(node, "lines", {}).get(None, line)
        elif isinstance(node, dict) and part in node:
            line = node.lines.get(part, line) if isinstance(node, _LineDict) else line
            node = node[part]
        else:
            break
    return line


def read_rule_file(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(error, "problem", error)
        raise RulebookError([f"rules/{path.name}:{line}: not valid YAML: {problem}"]) from error


def problems_text(path: Path, document, problems) -> list[str]:
    return [f"rules/{path.name}:{line_of(document, where)}: {where}: {what}" for where, what in problems]


def validate_file(schema, path: Path, document):
    """Load a document with a file schema, or return its problems with lines."""
    if not isinstance(document, dict):
        return None, [f"rules/{path.name}:1: the file must be a mapping of fields"]
    try:
        return schema.load(document), []
    except ValidationError as error:
        flat = flatten_errors(error.messages)
        return None, problems_text(path, document, [(where, "; ".join(map(str, msgs))) for where, msgs in flat.items()])
