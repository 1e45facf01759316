"""Both outcomes of a missing yes/no fact: what an incomplete item would give under each answer.

An item that lacks only yes/no facts is judged again with every answer to them, by the same walker and money
rules, so the firm sees "¥5,000,000.00 if not recommended, ¥6,000,000.00 if recommended" instead of a bare gap.
The item stays `incomplete` (CONTRACT.md): the outcomes are what the answers would make it.
"""

from dataclasses import dataclass
from itertools import product

from .evaluation import INCOMPLETE, ItemOutcome, judge_item
from .facts import all_conditions
from .rulebook import Clause

# More unknown flags than this would list too many combinations to read; the missing facts are named instead.
MAX_UNKNOWN_FLAGS = 3


@dataclass(frozen=True)
class Outcome:
    """What an item gives with one answer to each of its missing yes/no facts."""

    answers: tuple[tuple[str, bool], ...]  # (rulebook field name, answer)
    status: str
    amount_fen: int


def flag_fields(clause: Clause) -> set[str]:
    """Return the rulebook fields of a clause that hold yes/no facts."""
    return {condition.field for condition in all_conditions(clause) if condition.kind == "flag"}


def outcomes_for(clause: Clause, outcome: ItemOutcome) -> list[Outcome]:
    """Return the outcome under every answer to an incomplete item's missing facts, if they are all yes/no."""
    missing = outcome.missing
    if outcome.status != INCOMPLETE or not missing or len(missing) > MAX_UNKNOWN_FLAGS:
        return []
    if not set(missing) <= flag_fields(clause):
        return []
    found = []
    for answers in product((False, True), repeat=len(missing)):
        values = {**outcome.item.values, **dict(zip(missing, answers, strict=True))}
        judged = judge_item(clause, outcome.item.with_values(values))
        found.append(Outcome(tuple(zip(missing, answers, strict=True)), judged.status, judged.amount_fen))
    return found


def same_everywhere(outcomes: list[Outcome]) -> bool:
    """Return True when every answer gives the same status and amount: the missing fact cannot change them."""
    return len({(o.status, o.amount_fen) for o in outcomes}) == 1


def most_fen(outcomes: list[Outcome]) -> int:
    """Return the largest amount any answer gives."""
    return max((o.amount_fen for o in outcomes), default=0)
