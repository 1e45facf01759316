"""Load rules/*.yaml, validate every file against the profile's vocabulary, and build clause objects.

A rule may only name fields the profile schema declares and operators this module knows; anything else stops
start-up with the file, the line, the field and the problem (RulebookError).
"""

import datetime
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path

from .errors import RulebookError
from .money import parse_percent
from .rulefiles import OPERATORS, ClauseFile, PolicyFile, line_of, problems_text, read_rule_file, validate_file
from .schemas import choices_of, field_kinds

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
POLICY_FILE = "_policy.yaml"



# --- The clause objects the rest of the product uses -------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One test on one field: `field op value`, or a share: field / share_of op percent."""

    field: str  # as written: "company.entity_type", "item.rd_investment"
    op: str
    value: object  # money in fen, counts as int, flags as bool, codes as str or tuple, shares as Fraction
    kind: str  # money, count, flag, choice
    requires: dict
    share_of: str | None = None
    self_declared: bool = False


@dataclass(frozen=True)
class Tier:
    """One cap or unit amount, chosen by its `when` conditions (tiers of a clause never overlap)."""

    name: dict
    when: tuple[Condition, ...]
    cap_fen: int | None = None
    per_unit_fen: int | None = None


@dataclass(frozen=True)
class Amount:
    base: str | None  # rate × base, capped by the tier
    rate: Fraction | None
    quantity: str | None  # or per_unit × quantity
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Clause:
    id: str
    clause: str
    kind: str  # amount or referral
    title: dict
    citation: str
    effective: datetime.date
    per: str
    basis: str
    subject_kind: str
    subject: str
    applies_when: tuple[Condition, ...]
    conditions: tuple[Condition, ...]
    amount: Amount | None
    readings: tuple[dict, ...]
    refers_to: dict | None
    source_file: str

    @property
    def is_referral(self):
        return self.kind == "referral"


@dataclass(frozen=True)
class Rulebook:
    policy: dict  # id, version, date, title, source
    preconditions: tuple[Condition, ...]
    clauses: tuple[Clause, ...]
    by_id: dict = field(repr=False)

    @property
    def clause_ids(self):
        return [clause.id for clause in self.clauses]


# --- Vocabulary checks --------------------------------------------------------------------------------------


def _item_fields(subject_kind: str, subject: str, kinds: dict) -> dict:
    """Return the fields `item.*` names for a subject, with their kinds, or raise KeyError."""
    if subject_kind == "list":
        prefix = f"{subject}[]."
    elif subject_kind in ("object", "counts"):
        prefix = f"{subject}."
    else:
        return {"value": kinds[subject]}
    found = {path[len(prefix):]: kind for path, kind in kinds.items() if path.startswith(prefix)}
    if not found:
        raise KeyError(subject)
    if subject_kind == "counts":
        if any(kind != "count" for kind in found.values()):
            raise KeyError(subject)
        return {"kind": "choice", "count": "count"}
    return found


class _Vocabulary:
    """Resolves the field names one clause may use and checks each condition against them."""

    def __init__(self, subject_kind=None, subject=None):
        self.kinds = field_kinds()
        self.item = _item_fields(subject_kind, subject, self.kinds) if subject_kind else {}
        self.subject_kind, self.subject = subject_kind, subject

    def kind_of(self, name: str) -> str:
        scope, _, rest = name.partition(".")
        if scope == "company" and name in self.kinds:
            return self.kinds[name]
        if scope == "item" and rest in self.item:
            return self.item[rest]
        known = sorted([p for p in self.kinds if p.startswith("company.")] + [f"item.{f}" for f in self.item])
        raise ValueError(f"unknown field {name!r}; this clause may name: {', '.join(known)}")

    def choices(self, name: str):
        if name == "item.kind":
            return tuple(f[len(self.subject) + 1:] for f in self.kinds if f.startswith(f"{self.subject}."))
        if name.startswith("item."):
            if self.subject_kind == "value":
                return choices_of(self.subject)
            sep = "[]." if self.subject_kind == "list" else "."
            return choices_of(f"{self.subject}{sep}{name[5:]}")
        return choices_of(name)

    def condition(self, data: dict) -> Condition:
        kind = self.kind_of(data["field"])
        op, value = data["op"], data["value"]
        if op not in OPERATORS[kind]:
            raise ValueError(f"operator {op!r} does not apply to the {kind} field {data['field']!r}; "
                             f"use one of {', '.join(sorted(OPERATORS[kind]))}")
        share_of = data.get("share_of")
        if share_of is not None:
            if kind != "count" or self.kind_of(share_of) != "count" or op not in ("gt", "ge"):
                raise ValueError("share_of compares two count fields with gt or ge")
            try:
                value = parse_percent(value)
            except ValueError as error:
                raise ValueError(f"a share's value is a percentage such as 60%, not {value!r}") from error
            if not 0 <= value <= 1:
                raise ValueError(f"a share's value must be between 0% and 100%, not {data['value']}")
        elif kind == "money":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"money in a rule is whole yuan ≥ 0, not {value!r}")
            value = value * 100
        elif kind == "count":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"a count in a rule is a whole number ≥ 0, not {value!r}")
        elif kind == "flag":
            if not isinstance(value, bool):
                raise ValueError(f"a flag is compared with true or false, not {value!r}")
        elif kind == "choice":
            allowed = self.choices(data["field"])
            values = value if op == "in" else [value]
            if op == "in" and not isinstance(value, list):
                raise ValueError("in takes a list of values")
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"{bad[0]!r} is not a value of {data['field']}; it takes {', '.join(allowed)}")
            value = tuple(value) if op == "in" else value
        return Condition(field=data["field"], op=op, value=value, kind=kind, requires=dict(data["requires"]),
                         share_of=share_of, self_declared=data.get("self_declared", False))


def _conditions(vocabulary, items, where, problems):
    built = []
    for index, data in enumerate(items):
        try:
            built.append(vocabulary.condition(data))
        except ValueError as error:
            problems.append((f"{where}.{index}", str(error)))
    return tuple(built)


def _build_clause(data: dict, file_name: str):
    problems = []
    (subject_kind, subject), = data["subject"].items()
    try:
        vocabulary = _Vocabulary(subject_kind, subject)
    except KeyError:
        return None, [("subject", f"{subject_kind}: {subject!r} is not a section of the profile this subject can use")]
    applies = _conditions(vocabulary, data["applies_when"], "applies_when", problems)
    conditions = _conditions(vocabulary, data["conditions"], "conditions", problems)
    amount = None
    if "amount" in data:
        spec = data["amount"]
        for key in ("base", "quantity"):
            if key in spec:
                try:
                    if vocabulary.kind_of(spec[key]) not in ("money", "count"):
                        problems.append((f"amount.{key}", f"{spec[key]!r} is not a money or count field"))
                except ValueError as error:
                    problems.append((f"amount.{key}", str(error)))
        tiers = []
        for index, tier in enumerate(spec["tiers"]):
            when = _conditions(vocabulary, tier["when"], f"amount.tiers.{index}.when", problems)
            tiers.append(Tier(name=dict(tier["name"]), when=when,
                              cap_fen=tier["cap"] * 100 if "cap" in tier else None,
                              per_unit_fen=tier["per_unit"] * 100 if "per_unit" in tier else None))
        if len(tiers) > 1 and any(not tier.when for tier in tiers):
            problems.append(("amount.tiers", "with several tiers, every tier needs a `when` that selects it"))
        amount = Amount(base=spec.get("base"), rate=parse_percent(spec["rate"]) if "rate" in spec else None,
                        quantity=spec.get("quantity"), tiers=tuple(tiers))
    if data["id"] != file_name.removesuffix(".yaml"):
        problems.append(("id", f"the id {data['id']!r} must be the file name ({file_name.removesuffix('.yaml')})"))
    clause = Clause(
        id=data["id"], clause=data["clause"], kind=data["kind"], title=dict(data["title"]),
        citation=data["citation"], effective=data["effective"], per=data["per"], basis=data.get("basis", "exact"),
        subject_kind=subject_kind, subject=subject, applies_when=applies, conditions=conditions, amount=amount,
        readings=tuple(dict(r) for r in data["readings"]),
        refers_to=dict(data["refers_to"]) if "refers_to" in data else None, source_file=file_name)
    return clause, problems


def load_rulebook(directory: Path | str = RULES_DIR) -> Rulebook:
    """Read and validate every rule file in directory; raise RulebookError listing every problem found."""
    directory = Path(directory)
    problems: list[str] = []
    policy_path = directory / POLICY_FILE
    if not policy_path.exists():
        raise RulebookError([f"rules/{POLICY_FILE}: missing"])
    policy_doc = read_rule_file(policy_path)
    policy, found = validate_file(PolicyFile(), policy_path, policy_doc)
    problems += found
    preconditions = ()
    if policy:
        local = []
        preconditions = _conditions(_Vocabulary(), policy["preconditions"], "preconditions", local)
        problems += problems_text(policy_path, policy_doc, local)

    clauses = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == POLICY_FILE:
            continue
        try:
            document = read_rule_file(path)
        except RulebookError as error:
            problems += error.problems
            continue
        data, found = validate_file(ClauseFile(), path, document)
        problems += found
        if data:
            clause, local = _build_clause(data, path.name)
            problems += problems_text(path, document, local)
            if clause:
                clauses[clause.id] = clause

    if policy:
        listed = policy["clauses"]
        for clause_id in listed:
            if clause_id not in clauses and not any(f"rules/{clause_id}.yaml" in p for p in problems):
                problems.append(f"rules/{POLICY_FILE}:{line_of(policy_doc, 'clauses')}: clauses: "
                                f"{clause_id!r} is listed but rules/{clause_id}.yaml is missing")
        for clause_id in clauses:
            if clause_id not in listed:
                problems.append(f"rules/{clause_id}.yaml:1: id: not listed in rules/{POLICY_FILE} clauses")
    if problems:
        raise RulebookError(problems)
    ordered = tuple(clauses[clause_id] for clause_id in policy["clauses"])
    meta = {key: policy[key] for key in ("id", "version", "date", "source", "title")}
    return Rulebook(policy=meta, preconditions=preconditions, clauses=ordered, by_id={c.id: c for c in ordered})


@cache
def default_rulebook() -> Rulebook:
    """Return the shipped rulebook, loaded once per process."""
    return load_rulebook()
