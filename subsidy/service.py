"""The calculator in three calls: validate a profile, evaluate it, render the result.

Tests, benchmarks and scripts use these; the views and commands take the same three steps with their own engine.
"""

from functools import cache

from .engine import Engine
from .evaluation import Evaluation, evaluate
from .messages import normalise_language
from .render import result_json
from .rulebook import default_rulebook
from .schemas import load_profile


@cache
def default_engine() -> Engine:
    """Return the engine of the shipped rulebook, compiled once per process."""
    return Engine(default_rulebook())


def evaluate_typed(profile: dict, engine: Engine | None = None) -> Evaluation:
    """Evaluate an already validated profile (money in fen)."""
    return evaluate(profile, engine or default_engine())


def evaluate_profile(data: dict, lang: str = "zh", engine: Engine | None = None) -> dict:
    """Validate raw profile data and return the result JSON; raise ProfileError on bad input."""
    profile = load_profile(data)
    return result_json(evaluate_typed(profile, engine), normalise_language(lang))
