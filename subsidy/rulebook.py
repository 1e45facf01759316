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
class Route:
    """One way a referral applies: its own conditions, beside the clause's (the clause holds along any route)."""

    name: dict
    applies_when: tuple[Condition, ...]
    conditions: tuple[Condition, ...]


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
    readings: tuple[dict, ...]  # {of, zh, en}: the words of the text read, and the reading taken
    refers_to: dict | None  # {zh, en}, with the documents' titles and numbers written in
    source_file: str
    notes: tuple[dict, ...] = ()  # {zh, en}: explanations that are not readings
    routes: tuple[Route, ...] = ()  # none: the clause has one way to apply
    documents: tuple[dict, ...] = ()  # {number: {zh, en}, title: {zh, en}} of each document a referral names

    @property
    def is_referral(self):
        return self.kind == "referral"

    def applies_for(self, route: int | None) -> tuple[Condition, ...]:
        """Return the conditions that make the clause concern an item on route (None: a clause without routes)."""
        return self.applies_when + (self.routes[route].applies_when if route is not None else ())

    def conditions_for(self, route: int | None) -> tuple[Condition, ...]:
        """Return the conditions an item on route must meet."""
        return self.conditions + (self.routes[route].conditions if route is not None else ())


@dataclass(frozen=True)
class Rulebook:
    policy: dict  # id, version, date, title, source
    preconditions: tuple[Condition, ...]
    clauses: tuple[Clause, ...]
    by_id: dict = field(repr=False)
    readings: tuple[dict, ...] = ()  # {of, field, zh, en}: readings that hold for the whole policy

    def readings_about(self, field_name: str) -> list[dict]:
        """Return the policy-wide readings about one profile field ("company.is_ai_enterprise")."""
        return [reading for reading in self.readings if reading.get("field") == field_name]

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


def _documents_text(refers_to: dict, documents: tuple[dict, ...]) -> dict:
    """Write the documents' titles and numbers into refers_to: 《title》（number）, or “title” (…) in English."""
    zh = "、".join(f"《{d['title']['zh']}》（{d['number']['zh']}）" for d in documents)
    en = " and ".join(f"“{d['title']['en']}” (《{d['title']['zh']}》, {d['number']['en']})" for d in documents)
    return {"zh": refers_to["zh"].replace("{documents}", zh), "en": refers_to["en"].replace("{documents}", en)}


def _build_clause(data: dict, file_name: str, documents: dict):
    problems = []
    (subject_kind, subject), = data["subject"].items()
    try:
        vocabulary = _Vocabulary(subject_kind, subject)
    except KeyError:
        return None, [("subject", f"{subject_kind}: {subject!r} is not a section of the profile this subject can use")]
    applies = _conditions(vocabulary, data["applies_when"], "applies_when", problems)
    conditions = _conditions(vocabulary, data["conditions"], "conditions", problems)
    routes = tuple(
        Route(name=dict(route["name"]),
              applies_when=_conditions(vocabulary, route["applies_when"], f"routes.{index}.applies_when", problems),
              conditions=_conditions(vocabulary, route["conditions"], f"routes.{index}.conditions", problems))
        for index, route in enumerate(data.get("routes", [])))
    named = []
    for index, name in enumerate(data["documents"]):
        if name in documents:
            named.append(documents[name])
        else:
            problems.append((f"documents.{index}", f"{name!r} is not a document of rules/{POLICY_FILE}; "
                                                   f"it has: {', '.join(sorted(documents))}"))
    for index, reading in enumerate(data["readings"]):
        if _squeezed(reading["of"]) not in _squeezed(data["citation"]):
            problems.append((f"readings.{index}.of", "a reading names words of its clause's citation; "
                                                     f"{reading['of']!r} is not in it"))
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
        readings=tuple(dict(r) for r in data["readings"]), notes=tuple(dict(n) for n in data["notes"]),
        refers_to=_documents_text(data["refers_to"], tuple(named)) if "refers_to" in data else None,
        source_file=file_name, routes=routes, documents=tuple(named))
    return clause, problems


def _squeezed(text: str) -> str:
    """Return text without white space, the form readings and citations are compared in."""
    return "".join(text.split())


def _policy_readings(policy: dict, directory: Path, problems: list) -> tuple[dict, ...]:
    """Return the policy-wide readings, each checked to quote the policy text and to name a profile field."""
    source = directory / "source" / policy["source"]
    text = _squeezed(source.read_text(encoding="utf-8")) if source.exists() else None
    kinds = field_kinds()
    for index, reading in enumerate(policy["readings"]):
        if text is not None and _squeezed(reading["of"]) not in text:
            problems.append((f"readings.{index}.of", f"{reading['of']!r} is not in the policy text"))
        if "field" in reading and reading["field"] not in kinds:
            problems.append((f"readings.{index}.field", f"unknown field {reading['field']!r}"))
    return tuple(dict(r) for r in policy["readings"])


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
    preconditions, readings, documents = (), (), {}
    if policy:
        local = []
        preconditions = _conditions(_Vocabulary(), policy["preconditions"], "preconditions", local)
        readings = _policy_readings(policy, directory, local)
        documents = {name: {"number": dict(d["number"]), "title": dict(d["title"])}
                     for name, d in policy["documents"].items()}
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
            clause, local = _build_clause(data, path.name, documents)
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
    return Rulebook(policy=meta, preconditions=preconditions, clauses=ordered, by_id={c.id: c for c in ordered},
                    readings=readings)


@cache
def default_rulebook() -> Rulebook:
    """Return the shipped rulebook, loaded once per process."""
    return load_rulebook()
