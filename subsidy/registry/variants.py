"""Policy variants: a named overlay on the rulebook that changes parameters only, checked like a rule file.

```yaml
name: rd-rate-15                  # letters, digits and dashes
title: {zh: 研发补助比例降至 15%, en: R&D subsidy at 15 %}
changes:
  - clause: rd_subsidy
    rate: 15%                     # a rate clause's rate
  - clause: rd_subsidy
    tier: 2                       # the tier, counted from 1 as the rule file lists them (needed when several)
    cap: 15000000                 # a tier's cap, whole yuan
  - clause: key_lab_award
    per_unit: 20000000            # a flat amount, whole yuan
  - clause: scenario_subsidy      # a threshold: every condition of the clause on that field at `from`
    threshold: {field: item.total_investment, from: 15000000, to: 20000000}
```

Nothing else may change: no field, operator, flag or wording. A variant gets its own policy version
(`<version>+<name>`), so it can never be the rulebook a firm's filing is pinned to, and its own durable-rules
ruleset (never freed: engines are cached per variant text).
"""

import dataclasses
import hashlib
import io
import re
import threading

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..engine import Engine
from ..errors import RulebookError
from ..money import parse_percent
from ..rulebook import Rulebook, _Vocabulary
from ..rulefiles import Bilingual, _LineLoader, line_of
from ..schemas import flatten_errors

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_BYTES = 64 * 1024


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ThresholdFile(_Strict):
    field = fields.String(required=True)
    from_ = fields.Raw(required=True, data_key="from")
    to = fields.Raw(required=True)


class ChangeFile(_Strict):
    clause = fields.String(required=True)
    tier = fields.Integer(strict=True, validate=validate.Range(min=1))
    rate = fields.String()
    cap = fields.Integer(strict=True, validate=validate.Range(min=0))
    per_unit = fields.Integer(strict=True, validate=validate.Range(min=0))
    threshold = fields.Nested(ThresholdFile)

    @validates_schema
    def one_change(self, data, **kwargs):
        given = [key for key in ("rate", "cap", "per_unit", "threshold") if key in data]
        if len(given) != 1:
            raise ValidationError("a change sets exactly one of rate, cap, per_unit or threshold")


class VariantFile(_Strict):
    name = fields.String(required=True, validate=validate.Regexp(NAME, error="letters, digits and dashes, "
                                                                               "at most 40, lower case"))
    title = fields.Nested(Bilingual, required=True)
    changes = fields.List(fields.Nested(ChangeFile), required=True, validate=validate.Length(min=1, max=100))


@dataclasses.dataclass(frozen=True)
class Variant:
    name: str
    title: dict
    text: str
    rulebook: Rulebook  # the base rulebook with the changes applied

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


def _problem(document, file_name: str, where: str, what: str) -> str:
    return f"{file_name}:{line_of(document, where)}: {where}: {what}"


def load_variant(text: str, base: Rulebook, file_name: str = "variant.yaml") -> Variant:
    """Check a variant file against the base rulebook and return it applied; raise RulebookError with lines."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise RulebookError([f"{file_name}:1: the file is larger than {MAX_BYTES // 1024} KiB"])
    try:
        document = yaml.load(io.StringIO(text), Loader=_LineLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RulebookError([f"{file_name}:{mark.line + 1 if mark else 1}: not valid YAML: "
                             f"{getattr(error, 'problem', error)}"]) from error
    if not isinstance(document, dict):
        raise RulebookError([f"{file_name}:1: the file must be a mapping of fields"])
    try:
        data = VariantFile().load(document)
    except ValidationError as error:
        raise RulebookError([_problem(document, file_name, where, "; ".join(map(str, messages)))
                             for where, messages in flatten_errors(error.messages).items()]) from error
    clauses = {clause.id: clause for clause in base.clauses}
    problems = []
    for index, change in enumerate(data["changes"]):
        where = f"changes.{index}"
        clause = clauses.get(change["clause"])
        if clause is None:
            problems.append(_problem(document, file_name, f"{where}.clause",
                                     f"no clause {change['clause']!r}; the rulebook has {', '.join(clauses)}"))
            continue
        try:
            clauses[clause.id] = _apply(clause, change)
        except ValueError as error:
            key = next(k for k in ("rate", "cap", "per_unit", "threshold", "tier") if k in change)
            problems.append(_problem(document, file_name, f"{where}.{key}", str(error)))
    if problems:
        raise RulebookError(problems)
    policy = dict(base.policy, version=f"{base.policy['version']}+{data['name']}")
    ordered = tuple(clauses[clause.id] for clause in base.clauses)
    rulebook = Rulebook(policy=policy, preconditions=base.preconditions, clauses=ordered,
                        by_id={c.id: c for c in ordered})
    return Variant(data["name"], dict(data["title"]), text, rulebook)


def _tier_index(clause, change) -> int:
    tiers = clause.amount.tiers
    if "tier" in change:
        if change["tier"] > len(tiers):
            raise ValueError(f"{clause.id} has {len(tiers)} tier(s)")
        return change["tier"] - 1
    if len(tiers) > 1:
        raise ValueError(f"{clause.id} has {len(tiers)} tiers: say which with tier: 1 … {len(tiers)}")
    return 0


def _apply(clause, change):
    """Return the clause with one parameter changed, or raise ValueError saying why it cannot be."""
    amount = clause.amount
    if "rate" in change:
        if amount is None or amount.rate is None:
            raise ValueError(f"{clause.id} has no rate")
        try:
            rate = parse_percent(change["rate"])
        except ValueError as error:
            raise ValueError(f"a rate is a percentage such as 15%, not {change['rate']!r}") from error
        if not 0 < rate <= 1:
            raise ValueError(f"a rate is above 0% and at most 100%, not {change['rate']}")
        return dataclasses.replace(clause, amount=dataclasses.replace(amount, rate=rate))
    if "cap" in change or "per_unit" in change:
        key = "cap" if "cap" in change else "per_unit"
        if amount is None:
            raise ValueError(f"{clause.id} is a referral: it has no amount")
        index = _tier_index(clause, change)
        tier = amount.tiers[index]
        attribute = f"{key}_fen"
        if getattr(tier, attribute) is None:
            other = "per_unit" if key == "cap" else "cap"
            raise ValueError(f"tier {index + 1} of {clause.id} gives {other}, not {key}")
        tiers = list(amount.tiers)
        tiers[index] = dataclasses.replace(tier, **{attribute: change[key] * 100})
        return dataclasses.replace(clause, amount=dataclasses.replace(amount, tiers=tuple(tiers)))
    return _threshold(clause, change["threshold"])


def _threshold(clause, spec):
    """Return the clause with every condition on spec's field at spec's `from` moved to its `to`."""
    vocabulary = _Vocabulary(clause.subject_kind, clause.subject)
    changed = 0

    def moved(condition):
        nonlocal changed
        if condition.field != spec["field"] or condition.kind not in ("money", "count"):
            return condition
        written = {"field": condition.field, "op": condition.op, "requires": condition.requires}
        if condition.share_of:
            written.update(share_of=condition.share_of, value=spec["from_"])
            if vocabulary.condition(written).value != condition.value:
                return condition
        elif (condition.value // 100 if condition.kind == "money" else condition.value) != spec["from_"]:
            return condition
        changed += 1
        return vocabulary.condition(dict(written, value=spec["to"]))

    applies = tuple(map(moved, clause.applies_when))
    conditions = tuple(map(moved, clause.conditions))
    amount = clause.amount
    if amount:
        amount = dataclasses.replace(amount, tiers=tuple(
            dataclasses.replace(tier, when=tuple(map(moved, tier.when))) for tier in amount.tiers))
    if not changed:
        raise ValueError(f"{clause.id} has no money, count or share condition on {spec['field']!r} at "
                         f"{spec['from_']!r}")
    return dataclasses.replace(clause, applies_when=applies, conditions=conditions, amount=amount)


_engines: dict = {}
_lock = threading.Lock()


def engine_for(variant: Variant) -> Engine:
    """Return the durable-rules engine of a variant, compiled once per variant text in this process.

    A ruleset can never be registered twice nor freed (about 200 KiB each), so engines are kept for good.
    """
    key = (variant.name, variant.digest)
    with _lock:
        if key not in _engines:
            _engines[key] = Engine(variant.rulebook)
        return _engines[key]
