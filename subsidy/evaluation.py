"""Evaluate a validated profile: the engine decides, the walker explains, the money module counts.

The result here is language-neutral (conditions and numbers); render.py turns it into the contract JSON in
Chinese or English.
"""

from dataclasses import dataclass, field

from .engine import PRECONDITIONS_RULE, Engine
from .errors import EngineError
from .facts import Item, all_facts
from .money import apply_rate
from .rulebook import Clause, Condition, Rulebook
from .whynot import MET, MISSING, UNMET, check, missing_fields, tier_index

ELIGIBLE, INELIGIBLE, INCOMPLETE, NOT_APPLICABLE, REFERRAL = (
    "eligible", "ineligible", "incomplete", "not_applicable", "referral")


@dataclass(slots=True)
class Money:
    """What a clause gives for one item under one tier (never changed once made: see facts.Item on frozen)."""

    amount_fen: int
    raw_fen: int | None = None  # rate × base before the cap
    cap_fen: int | None = None
    per_unit_fen: int | None = None
    quantity: int = 1

    @property
    def capped(self):
        return self.raw_fen is not None and self.raw_fen > self.cap_fen


@dataclass(slots=True)
class ItemOutcome:
    item: Item
    status: str
    tier: int | None = None
    money: Money | None = None
    unmet: list[Condition] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # rulebook field names: "item.rd_investment"
    confirm: list[Condition] = field(default_factory=list)

    @property
    def amount_fen(self):
        return self.money.amount_fen if self.money and self.status == ELIGIBLE else 0


@dataclass(slots=True)
class ClauseOutcome:
    clause: Clause
    status: str
    items: list[ItemOutcome]
    precondition_unmet: list[Condition] = field(default_factory=list)
    # What is worked out from the outcome once and worded in each language (hints), kept for the second language.
    derived: dict = field(default_factory=dict, repr=False, compare=False)
    # The clause's amount, its eligible items': summed once, as its items never change (a result reads it often).
    amount_fen: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.amount_fen = sum(item.amount_fen for item in self.items) if self.status == ELIGIBLE else 0


@dataclass
class Evaluation:
    rulebook: Rulebook
    profile: dict
    clauses: list[ClauseOutcome]

    def total(self, basis=None):
        return sum(c.amount_fen for c in self.clauses if basis in (None, c.clause.basis))


def money_for(clause: Clause, tier: int, values: dict) -> Money:
    """Return the amount clause gives an item with these values under tier: rate × base capped, or flat."""
    spec = clause.amount
    chosen = spec.tiers[tier]
    if spec.rate is not None:
        raw = apply_rate(spec.rate, values[spec.base])
        return Money(amount_fen=min(raw, chosen.cap_fen), raw_fen=raw, cap_fen=chosen.cap_fen)
    quantity = values[spec.quantity] if spec.quantity else 1
    return Money(amount_fen=chosen.per_unit_fen * quantity, per_unit_fen=chosen.per_unit_fen, quantity=quantity)


def judge_item(clause: Clause, item: Item) -> ItemOutcome:
    """Walk the clause's conditions over one item: what holds, what does not, what is missing."""
    values = item.values
    if any(check(c, values) != MET for c in clause.applies_for(item.route)):
        return ItemOutcome(item, NOT_APPLICABLE)
    outcome = ItemOutcome(item, INELIGIBLE)
    conditions = clause.conditions_for(item.route)
    for condition in conditions:
        verdict = check(condition, values)
        if verdict == UNMET:
            outcome.unmet.append(condition)
        elif verdict == MISSING:
            outcome.missing += missing_fields(condition, values)
    if clause.amount:
        for name in (clause.amount.base, clause.amount.quantity):
            if name and values.get(name) is None:
                outcome.missing.append(name)
        outcome.tier = tier_index(clause.amount.tiers, values)
        if outcome.tier is None:
            for tier in clause.amount.tiers:
                for condition in tier.when:
                    if check(condition, values) == MISSING:
                        outcome.missing += [f for f in missing_fields(condition, values) if f not in outcome.missing]
    if outcome.unmet:
        return outcome
    if outcome.missing:
        outcome.status = INCOMPLETE
        return outcome
    outcome.status = REFERRAL if clause.is_referral else ELIGIBLE
    if clause.amount:
        outcome.money = money_for(clause, outcome.tier, values)
    outcome.confirm = [c for c in conditions if c.self_declared]
    return outcome


def clause_status(items: list[ItemOutcome]) -> str:
    """Return a clause's status from its items': the first of eligible, referral, incomplete, ineligible found."""
    statuses = {item.status for item in items}
    for status in (ELIGIBLE, REFERRAL, INCOMPLETE, INELIGIBLE):
        if status in statuses:
            return status
    return NOT_APPLICABLE


def evaluate(profile: dict, engine: Engine) -> Evaluation:
    """Evaluate a validated profile (money in fen) against the engine's rulebook."""
    rulebook = engine.rulebook
    items_by_clause, facts = all_facts(rulebook, profile)
    fired = engine.fire(facts)

    company = {f"company.{k}": v for k, v in profile["company"].items()}
    precondition_unmet = [c for c in rulebook.preconditions if check(c, company) != MET]
    if (PRECONDITIONS_RULE, "_applicant") in fired and precondition_unmet:
        raise EngineError("the engine and the walker disagree on the general preconditions")

    outcomes = []
    for clause in rulebook.clauses:
        items = items_by_clause[clause.id]
        if precondition_unmet:
            judged = [ItemOutcome(item, INELIGIBLE) for item in items]
            status = INELIGIBLE
        else:
            judged = [judge_item(clause, item) for item in items]
            status = clause_status(judged)
        _check_agreement(judged, fired, engine.rule_names[clause.id])
        outcomes.append(ClauseOutcome(clause, status, judged, precondition_unmet))
    return Evaluation(rulebook, profile, outcomes)


def _check_agreement(judged: list[ItemOutcome], fired: set, names: tuple[str, ...]):
    """Raise EngineError unless the engine fired exactly the tier the walker found (names: the clause's rules by
    index), for every item."""
    for outcome in judged:
        key = outcome.item.key
        engine_rules = {t for t, name in enumerate(names) if (name, key) in fired}
        walker_ok = outcome.status in (ELIGIBLE, REFERRAL)
        rule = outcome.item.route if outcome.item.route is not None else (outcome.tier or 0)
        expected = {rule} if walker_ok else set()
        if engine_rules != expected:
            raise EngineError(f"engine and walker disagree on {outcome.item.key}: engine fired rules "
                              f"{sorted(engine_rules)}, walker says {outcome.status} (rule {rule})")
