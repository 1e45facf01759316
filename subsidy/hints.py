"""What would change the result: for an item, the smallest change that makes it eligible, moves it to a tier with a
higher cap, or takes it to its cap, with the status and amount it would then get.

Every hint is worked out by judging the changed item again with the same walker and money rules, and is kept only
if the change changes the result. tests/test_hints.py applies each hint to the profile and re-evaluates it with
the engine over thousands of generated profiles: a hint is a promise the engine keeps.
"""

from dataclasses import dataclass, replace
from functools import cached_property

from .evaluation import ELIGIBLE, INELIGIBLE, ClauseOutcome, ItemOutcome, clause_status, judge_item
from .money import base_for_amount, base_where_cap_binds
from .profile_fields import MAX_COUNT, MAX_MONEY_FEN
from .rulebook import Condition
from .whynot import MET, check

# Fields the profile keeps in order (schemas.py refuses the reverse): a change raising the first raises the second
# with it, so every hint stays valid input.
NOT_ABOVE = {"item.hw_sw_investment": ("item.actual_investment", "money"),
             "item.incubated_ai": ("item.incubated_total", "count")}
# Facts a firm cannot act on: what kind of organisation it is. (在杭 is a precondition: no hints at all.)
FIXED_FIELDS = {"company.entity_type"}
_LIMITS = {"money": MAX_MONEY_FEN, "count": MAX_COUNT}


@dataclass(slots=True)
class Change:
    """Set one field from current to target (money in fen, counts as int, flags as bool)."""

    field: str  # rulebook field name: "item.rd_investment", "company.is_ai_enterprise"
    kind: str  # money, count, flag
    current: object
    target: object
    way: str = "meet"  # meet a condition, share_add / share_fewer firms, base to an amount, companion of another
    condition: Condition | None = None


@dataclass(slots=True)
class Option:
    """A set of changes and what the item and its clause would then be."""

    changes: tuple[Change, ...]
    item_after: ItemOutcome
    clause_status_after: str
    clause_amount_after_fen: int


@dataclass(frozen=True)
class Hint:
    kind: str  # eligibility, tier, cap_headroom, cap_binds
    clause_id: str
    item: ItemOutcome
    options: tuple[Option, ...] = ()  # the first is the hint; any other reaches the same result another way
    cap_fen: int | None = None  # cap hints and tier hints: the cap that binds or that the tier gives
    binds_at_fen: int | None = None  # cap hints: the base from which the cap binds
    tier: int | None = None

    @cached_property  # asked by the hint's de-duplication and again by its words
    def company_only(self) -> bool:
        """True when the hint changes only facts about the applicant, which every item of the clause shares."""
        return bool(self.options) and all(c.field.startswith("company.") for c in self.options[0].changes)


def _options_to_meet(condition: Condition, values: dict) -> list[tuple[Change, ...]]:
    """Return the ways to meet an unmet condition, the smallest change first; none if the firm cannot act on it."""
    current = values.get(condition.field)
    if condition.field in FIXED_FIELDS or condition.kind == "choice" or current is None:
        return []
    if condition.kind == "flag":
        target = condition.value if condition.op == "eq" else not condition.value
        return [(Change(condition.field, "flag", current, target, condition=condition),)]
    if condition.share_of:
        return _share_options(condition, values)
    target = {"ge": condition.value, "gt": condition.value + 1, "le": condition.value,
              "lt": condition.value - 1}.get(condition.op)
    if target is None or target < 0:
        return []
    return [(Change(condition.field, condition.kind, current, target, condition=condition),)]


def _share_options(condition: Condition, values: dict) -> list[tuple[Change, ...]]:
    """Return the ways to take part / whole over a share: more firms of the part joining (which adds to both
    numbers), or fewer of the others."""
    part, whole = values[condition.field], values.get(condition.share_of)
    if whole is None:
        return []
    num, den = condition.value.numerator, condition.value.denominator
    strict = condition.op == "gt"
    gap = whole * num - part * den  # ≥ 0 while the share is not reached
    options = []
    if den > num:  # (part + k) × den op (whole + k) × num  ⇔  k × (den − num) op gap
        k = gap // (den - num) + 1 if strict else -(-gap // (den - num))
        options.append((Change(condition.field, "count", part, part + k, "share_add", condition),
                        Change(condition.share_of, "count", whole, whole + k, "share_add", condition)))
    if num and part:  # part × den op (whole − m) × num  ⇔  m × num op gap
        m = gap // num + 1 if strict else -(-gap // num)
        if m <= whole - part:
            options.append((Change(condition.share_of, "count", whole, whole - m, "share_fewer", condition),))
    return options


def _with_companions(changes: tuple[Change, ...], values: dict) -> tuple[Change, ...]:
    """Add the changes that keep ordered fields in order (hardware and software within the actual investment)."""
    targets = {change.field: change.target for change in changes}
    extra = []
    for low, (high, kind) in NOT_ABOVE.items():
        if low in targets and high not in targets and values.get(high) is not None and targets[low] > values[high]:
            extra.append(Change(high, kind, values[high], targets[low], "companion"))
    return changes + tuple(extra)


def _within_limits(changes: tuple[Change, ...]) -> bool:
    return all(change.kind not in _LIMITS or 0 <= change.target <= _LIMITS[change.kind] for change in changes)


def _option(outcome: ClauseOutcome, item: ItemOutcome, changes: tuple[Change, ...]) -> Option:
    """Judge the clause again with the changes: company fields change for every item, item fields for this one."""
    company = {c.field: c.target for c in changes if c.field.startswith("company.")}
    own = {c.field: c.target for c in changes if c.field.startswith("item.")}
    judged, after = [], None
    for other in outcome.items:
        if other.item.key != item.item.key and not company:
            judged.append(other)  # nothing of it changes
            continue
        values = {**other.item.values, **company, **(own if other.item.key == item.item.key else {})}
        rejudged = judge_item(outcome.clause, other.item.with_values(values))
        judged.append(rejudged)
        if other.item.key == item.item.key:
            after = rejudged
    status = clause_status(judged)
    amount = sum(o.amount_fen for o in judged) if status == ELIGIBLE else 0
    return Option(changes, after, status, amount)


def _changes_result(item: ItemOutcome, option: Option) -> bool:
    return (option.item_after.status, option.item_after.amount_fen) != (item.status, item.amount_fen)


def _eligibility_hint(outcome: ClauseOutcome, item: ItemOutcome):
    """Return the hint that meets every unmet condition of an ineligible item, or None if the firm cannot."""
    values = item.item.values
    ways = [_options_to_meet(condition, values) for condition in item.unmet]
    if not item.unmet or not all(ways):
        return None
    # The first way of every condition is the hint; another way of one condition is an alternative to it.
    combos = [[way[0] for way in ways]]
    for index, options in enumerate(ways):
        combos += [[*(w[0] for w in ways[:index]), other, *(w[0] for w in ways[index + 1:])] for other in options[1:]]
    found = []
    for combo in combos:
        changes = _with_companions(tuple(change for group in combo for change in group), values)
        if not _within_limits(changes):
            continue
        option = _option(outcome, item, changes)
        same = not found or ((option.item_after.status, option.item_after.amount_fen)
                             == (found[0].item_after.status, found[0].item_after.amount_fen))
        if _changes_result(item, option) and same and option.item_after.status != INELIGIBLE:
            found.append(option)
    return Hint("eligibility", outcome.clause.id, item, tuple(found)) if found else None


def _tier_hints(outcome: ClauseOutcome, item: ItemOutcome):
    """Yield, for an eligible item, each tier with a higher cap that a change reaches and that pays more."""
    spec = outcome.clause.amount
    values = item.item.values
    for index, tier in enumerate(spec.tiers):
        if index == item.tier or tier.cap_fen is None or tier.cap_fen <= item.money.cap_fen:
            continue
        unmet = [condition for condition in tier.when if check(condition, values) != MET]
        ways = [_options_to_meet(condition, values) for condition in unmet]
        if not unmet or not all(ways):
            continue
        changes = tuple(change for way in ways for change in way[0])
        if not item.money.capped and spec.base not in {c.field for c in changes}:
            continue  # below its cap today, the item would get the same under a higher one
        option = _option(outcome, item, _with_companions(changes, values))
        if option.item_after.amount_fen <= item.amount_fen and spec.base in {c.field for c in changes}:
            # A higher cap pays only once the base gives more than today: move the base that far into the tier.
            need = base_for_amount(spec.rate, item.amount_fen + 1)
            changes = tuple(replace(c, target=max(c.target, need), way="base") if c.field == spec.base else c
                            for c in changes)
            option = _option(outcome, item, _with_companions(changes, values))
        after = option.item_after
        if (after.status == ELIGIBLE and after.tier == index and after.amount_fen > item.amount_fen
                and _within_limits(option.changes)):
            yield Hint("tier", outcome.clause.id, item, (option,), cap_fen=tier.cap_fen, tier=index)


def _cap_hints(outcome: ClauseOutcome, item: ItemOutcome):
    """Yield the tier hints of an eligible rate item, then where its cap binds or how far it is."""
    spec = outcome.clause.amount
    if spec is None or spec.rate is None or item.status != ELIGIBLE:
        return
    base = item.item.values[spec.base]
    cap = item.money.cap_fen
    tier_hints = list(_tier_hints(outcome, item))
    yield from tier_hints
    binds_at = base_where_cap_binds(spec.rate, cap)
    if base >= binds_at:
        if not any(change.field == spec.base for hint in tier_hints for change in hint.options[0].changes):
            yield Hint("cap_binds", outcome.clause.id, item, cap_fen=cap, binds_at_fen=binds_at)
        return
    changes = _with_companions((Change(spec.base, "money", base, binds_at, "base"),), item.item.values)
    option = _option(outcome, item, changes)
    if _within_limits(changes) and _changes_result(item, option):
        yield Hint("cap_headroom", outcome.clause.id, item, (option,), cap_fen=cap, binds_at_fen=binds_at)


def hints_for(outcome: ClauseOutcome) -> list[Hint]:
    """Return the hints for one clause of an evaluation (none where the general preconditions fail).

    Worked out once per outcome: the result in the other language words the same hints.
    """
    if "hints" not in outcome.derived:
        outcome.derived["hints"] = _hints(outcome)
    return outcome.derived["hints"]


def _hints(outcome: ClauseOutcome) -> list[Hint]:
    if outcome.precondition_unmet or not outcome.items:
        return []
    found, said = [], set()
    for item in outcome.items:
        hint = _eligibility_hint(outcome, item) if item.status == INELIGIBLE else None
        if hint is not None:
            # A change to the applicant's own facts changes every item at once: one hint says it for all.
            key = tuple((c.field, c.target) for c in hint.options[0].changes) if hint.company_only else None
            if key is None or key not in said:
                found.append(hint)
                said.add(key)
        found.extend(_cap_hints(outcome, item))
    return found
