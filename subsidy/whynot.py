"""Read the rulebook's conditions against an item's values, to say why a clause did or did not apply.

The engine says only what matched. This walker reads the same conditions to name each unmet condition and each
missing fact, and evaluation.py checks on every evaluation that the two agree.
"""

import operator

from .rulebook import Condition

MET, UNMET, MISSING = "met", "unmet", "missing"

# operator's functions, not lambdas: no Python frame for each of the hundreds of checks a request makes.
_COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "in": lambda a, b: a in b,
}


def check(condition: Condition, values: dict) -> str:
    """Return MET, UNMET or MISSING for one condition against an item's values."""
    value = values.get(condition.field)
    if value is None:
        return MISSING
    if condition.share_of:
        whole = values.get(condition.share_of)
        if whole is None:
            return MISSING
        # value / whole op a/b, compared as integers: value × b op whole × a.
        left = value * condition.value.denominator
        right = whole * condition.value.numerator
        return MET if _COMPARE[condition.op](left, right) else UNMET
    return MET if _COMPARE[condition.op](value, condition.value) else UNMET


def missing_fields(condition: Condition, values: dict) -> list[str]:
    """Return the fields a MISSING condition lacks."""
    return [f for f in (condition.field, condition.share_of) if f and values.get(f) is None]


def tier_index(tiers, values: dict) -> int | None:
    """Return the index of the tier whose `when` conditions all hold, or None."""
    for index, tier in enumerate(tiers):
        if all(check(c, values) == MET for c in tier.when):
            return index
    return None
