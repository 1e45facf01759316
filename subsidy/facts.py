"""Turn a validated profile into the items each clause judges, and items into engine facts.

An item is what a clause counts per: one R&D project, the testing section, the number of new key labs, one
kind of standard. Its fields are the ones the rulebook calls `item.*`; the company's are `company.*`.
"""

from dataclasses import dataclass
from functools import lru_cache

from .rulebook import Clause, Condition, Rulebook


# Items, their outcomes and the changes hints propose are made dozens of times a request and never changed once made,
# but they are not frozen: a frozen dataclass sets each field through object.__setattr__ (1.4 µs against 0.37 µs for
# an 8-field item in slots). Nothing hashes them or keeps them as keys.
@dataclass(slots=True)
class Item:
    """One thing a clause judges, with the values its conditions read and where each came from."""

    clause_id: str
    key: str  # unique in the evaluation: "rd_subsidy/0"
    name: str | None  # the firm's own name for it, where it has one
    label: str | None  # the kind of item where it has no name ("international" for a standard)
    values: dict  # "company.entity_type" → value, "item.rd_investment" → fen; absent fields are left out
    paths: dict  # "item.rd_investment" → "rd_projects.0.rd_investment": where the value sits in the profile
    route: int | None = None  # the clause's route this item is judged on, for a referral with routes
    index: int = 0  # its place among the clause's items, as listed in the result

    def with_values(self, values: dict) -> "Item":
        """Return the same item holding other values (dataclasses.replace, without its cost on a hot path)."""
        return Item(self.clause_id, self.key, self.name, self.label, values, self.paths, self.route, self.index)


def _get(profile: dict, dotted: str):
    node = profile
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def company_values(profile: dict) -> dict:
    """Return the company's values by rulebook field name: "company.entity_type" → "enterprise"."""
    return {f"company.{name}": value for name, value in profile["company"].items()}


def items_for(clause: Clause, profile: dict, company: dict | None = None) -> list[Item]:
    """Return the items clause judges in profile; none when its section is absent (company: company_values)."""
    company = company_values(profile) if company is None else company
    company_paths = {name: name for name in company}
    field_names, _ = _plan(clause)
    found = []

    def add(index, name, label, fields, prefix, field_paths=None):
        values = dict(company)
        paths = dict(company_paths)
        for field_name, value in fields.items():
            if value is not None:
                values[f"item.{field_name}"] = value
        paths.update(_item_paths(prefix, field_names))
        for field_name, path in (field_paths or {}).items():
            if field_name in field_names:
                paths[f"item.{field_name}"] = path
        # A clause with routes judges the same subject once per route: one item each.
        for route in range(len(clause.routes)) if clause.routes else (None,):
            key = f"{clause.id}/{index}" if route is None else f"{clause.id}/{index}/{route}"
            found.append(Item(clause.id, key, name, label, values, paths, route, len(found)))

    section = _get(profile, clause.subject)
    if section is None:
        return found
    if clause.subject_kind == "list":
        for index, element in enumerate(section):
            fields = {k: v for k, v in element.items() if k != "name"}
            add(index, element.get("name"), None, fields, f"{clause.subject}.{index}")
    elif clause.subject_kind == "object":
        add(0, None, None, section, clause.subject)
    elif clause.subject_kind == "value":
        add(0, None, None, {"value": section}, clause.subject, {"value": clause.subject})
    elif clause.subject_kind == "counts":
        for index, (kind, count) in enumerate(section.items()):
            add(index, None, kind, {"kind": kind, "count": count}, clause.subject,
                {"kind": f"{clause.subject}.{kind}", "count": f"{clause.subject}.{kind}"})
    return found


@lru_cache(maxsize=4096)
def _item_paths(prefix: str, field_names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Return ("item.<field>", "<prefix>.<field>") for each field: the same pairs for every profile, made once."""
    return tuple((f"item.{name}", f"{prefix}.{name}") for name in field_names)


_PLANS: dict[int, tuple] = {}


def _plan(clause: Clause) -> tuple[tuple[str, ...], tuple[Condition, ...]]:
    """Return the item fields a clause reads and its share conditions, worked out once per clause object."""
    plan = _PLANS.get(id(clause))
    if plan is None or plan[0] is not clause:
        plan = (clause, tuple(sorted(_item_field_names(clause))),
                tuple(c for c in all_conditions(clause) if c.share_of))
        _PLANS[id(clause)] = plan
    return plan[1], plan[2]


def _item_field_names(clause: Clause) -> set[str]:
    names = set()
    for condition in all_conditions(clause):
        for field in (condition.field, condition.share_of):
            if field and field.startswith("item."):
                names.add(field[5:])
    if clause.amount:
        for field in (clause.amount.base, clause.amount.quantity):
            if field:
                names.add(field[5:])
    return names


def all_conditions(clause: Clause):
    """Yield every condition of a clause: applies_when, conditions, its routes' and its tiers'."""
    yield from clause.applies_when
    yield from clause.conditions
    for route in clause.routes:
        yield from route.applies_when
        yield from route.conditions
    if clause.amount:
        for tier in clause.amount.tiers:
            yield from tier.when


_ENGINE_NAMES: dict[str, str] = {}


def engine_name(field: str) -> str:
    """Return the fact key for a rulebook field name: "item.rd_investment" → "item__rd_investment"."""
    name = _ENGINE_NAMES.get(field)
    if name is None:
        name = _ENGINE_NAMES[field] = field.replace(".", "__")  # the rulebook's and the profile's names: bounded
    return name


def share_name(condition: Condition) -> str:
    """Return the fact key of a share's scaled numerator, so the engine compares integers only."""
    return f"{engine_name(condition.field)}__x{condition.value.denominator}"


def to_fact(item: Item, share_conditions, reads) -> dict:
    """Return the engine fact for an item: typed values only (fen, int, bool, codes), never raw input; reads are
    the (field, fact key) pairs its rules test (fact_fields)."""
    fact = {"c": item.clause_id, "k": item.key}
    if item.route is not None:
        fact["r"] = item.route
    values = item.values
    for field, name in reads:
        value = values.get(field)
        if value is not None:
            fact[name] = value
    for condition in share_conditions:
        value = item.values.get(condition.field)
        if value is not None:
            fact[share_name(condition)] = value * condition.value.denominator
    return fact


def applicant_fact(profile: dict) -> dict:
    """Return the fact the general preconditions are judged on."""
    fact = {"c": "_applicant", "k": "_applicant"}
    for name, value in profile["company"].items():
        fact[engine_name(f"company.{name}")] = value
    return fact


_READS: dict[tuple[int, int], tuple] = {}


def fact_fields(rulebook: Rulebook, clause: Clause) -> tuple[tuple[str, str], ...]:
    """Return the (field, fact key) pairs a clause's rules test: the policy's preconditions, which every rule
    repeats, and every field its conditions, shares and amount read. A fact carries nothing else."""
    key = (id(rulebook), id(clause))
    found = _READS.get(key)
    if found is None or found[0] is not rulebook or found[1] is not clause:
        fields = [c.field for c in rulebook.preconditions]
        for condition in all_conditions(clause):
            fields += [condition.field, *([condition.share_of] if condition.share_of else [])]
        if clause.amount:
            fields += [f for f in (clause.amount.base, clause.amount.quantity) if f]
        found = (rulebook, clause, tuple((field, engine_name(field)) for field in dict.fromkeys(fields)))
        _READS[key] = found
    return found[2]


def all_facts(rulebook: Rulebook, profile: dict):
    """Return (items by clause id, engine facts) for a profile."""
    items = {}
    facts = [applicant_fact(profile)]
    company = company_values(profile)
    for clause in rulebook.clauses:
        _, shares = _plan(clause)
        reads = fact_fields(rulebook, clause)
        items[clause.id] = items_for(clause, profile, company)
        facts.extend(to_fact(item, shares, reads) for item in items[clause.id])
    return items, facts
