"""What would change the result: for each threshold or cap that matters to a profile, the smallest change and
its effect. Hints are read off the same rule data and amounts; they decide nothing.
"""

from dataclasses import dataclass

from .evaluation import ELIGIBLE, INELIGIBLE, ClauseOutcome, ItemOutcome, money_for
from .money import base_where_cap_binds
from .rulebook import Clause, Condition
from .whynot import MET, check, tier_index


@dataclass(frozen=True)
class Hint:
    """One possible change: set `field` from `current` to `target` (money in fen, counts as int)."""

    kind: str  # threshold, share, cap_binds, cap_headroom, tier
    clause_id: str
    item: ItemOutcome
    field: str | None  # rulebook field name
    current: int | bool | None
    target: int | bool | None
    threshold: int | None = None
    amount_after_fen: int | None = None  # what the item would get after the change, where it then qualifies
    condition: Condition | None = None
    tier: int | None = None
    other_conditions_unmet: bool = False

    @property
    def delta(self):
        if isinstance(self.current, bool) or self.current is None or self.target is None:
            return None
        return self.target - self.current


def _after(clause: Clause, values: dict):
    """Return the amount an item with these values would get, or None if it would still not qualify."""
    if any(check(c, values) != MET for c in (*clause.applies_when, *clause.conditions)):
        return None
    if not clause.amount:
        return None
    tier = tier_index(clause.amount.tiers, values)
    if tier is None:
        return None
    for name in (clause.amount.base, clause.amount.quantity):
        if name and values.get(name) is None:
            return None
    return money_for(clause, tier, values).amount_fen


def _threshold_hints(clause: Clause, outcome: ItemOutcome):
    values = outcome.item.values
    for condition in outcome.unmet:
        current = values.get(condition.field)
        if condition.kind not in ("money", "count") or current is None:
            continue
        if condition.share_of:
            whole = values.get(condition.share_of)
            share = condition.value
            # smallest n with n / whole op share
            target = (whole * share.numerator) // share.denominator + (1 if condition.op == "gt" else 0)
            if condition.op == "ge" and (target * share.denominator) < whole * share.numerator:
                target += 1
            if target > whole:
                yield Hint("share", clause.id, outcome, condition.field, current, None, condition=condition)
                continue
        elif condition.op == "ge":
            target = condition.value
        elif condition.op == "gt":
            target = condition.value + 1  # one fen, or one more firm
        elif condition.op == "le":
            target = condition.value
        elif condition.op == "lt":
            target = condition.value - 1
        else:
            continue
        after = _after(clause, {**values, condition.field: target})
        yield Hint("share" if condition.share_of else "threshold", clause.id, outcome, condition.field, current,
                   target, threshold=None if condition.share_of else condition.value, amount_after_fen=after,
                   condition=condition, other_conditions_unmet=after is None)


def _cap_hints(clause: Clause, outcome: ItemOutcome):
    spec = clause.amount
    if spec is None or spec.rate is None or outcome.status != ELIGIBLE:
        return
    values = outcome.item.values
    base = values[spec.base]
    cap = outcome.money.cap_fen
    tier_hints = list(_tier_hints(clause, outcome))
    yield from tier_hints
    binds_at = base_where_cap_binds(spec.rate, cap)
    if base >= binds_at:
        if any(hint.field == spec.base for hint in tier_hints):
            return  # more base moves the item into a tier with a higher cap: the tier hint says so
        yield Hint("cap_binds", clause.id, outcome, spec.base, base, binds_at, threshold=cap)
    else:
        yield Hint("cap_headroom", clause.id, outcome, spec.base, base, binds_at, threshold=cap, amount_after_fen=cap)


def _tier_hints(clause: Clause, outcome: ItemOutcome):
    """Yield another tier with a higher cap that the smallest change to one of its conditions reaches."""
    spec = clause.amount
    values = outcome.item.values
    cap = outcome.money.cap_fen
    for index, tier in enumerate(spec.tiers):
        if index == outcome.tier or tier.cap_fen <= cap:
            continue
        for condition in tier.when:
            if check(condition, values) == MET:
                continue
            if condition.kind == "flag":
                target = condition.value if condition.op == "eq" else not condition.value
            elif condition.kind == "money" and condition.op in ("gt", "ge"):
                target = condition.value + (1 if condition.op == "gt" else 0)
            else:
                continue
            changed = {**values, condition.field: target}
            if tier_index(spec.tiers, changed) != index:
                continue
            after = money_for(clause, index, changed).amount_fen
            if after > outcome.money.amount_fen or condition.kind == "money":
                yield Hint("tier", clause.id, outcome, condition.field, values.get(condition.field), target,
                           amount_after_fen=after, condition=condition, tier=index, threshold=tier.cap_fen)


def hints_for(outcome: ClauseOutcome):
    """Return the hints for one clause of an evaluation."""
    if outcome.precondition_unmet:
        return []
    found = []
    for item in outcome.items:
        if item.status == INELIGIBLE:
            found.extend(_threshold_hints(outcome.clause, item))
        found.extend(_cap_hints(outcome.clause, item))
    return found

