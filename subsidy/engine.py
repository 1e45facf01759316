"""The only module that touches durable-rules: compile the rulebook into a ruleset and run facts through it.

Measured behaviours this adapter is built around (see ENGINE-NOTES.md and tests/test_engine.py):
- Facts, not events, so every matching rule fires; one fact per item, all asserted in one call.
- A fact that matches no rule makes the whole batch "not handled", so a catch-all rule (`_seen`) matches
  every fact; its activations are skipped. (Without it the C engine goes on past unhandled facts, 25 % faster,
  but segfaulted in free() within 20,000 generated profiles in one process: kept.)
- durable-rules' Python Host starts timer threads that run actions on their own thread (segfaults under load).
  This adapter drives the engine's C module directly: assert the facts, then walk the pending activations
  (rule name + fact) and complete each. No Python actions, no background threads, no shared state.
- The C engine has no lock of its own: one lock per ruleset serialises evaluations within a process.
- A fresh session id per evaluation, deleted in a `finally`; every activation's sid is checked.
"""

import itertools
import json
import os
import re
import threading

import durable_rules_engine as _engine
import orjson

from .errors import EngineError
from .facts import engine_name, share_name
from .rulebook import Clause, Condition, Rulebook

SEEN_RULE = "_seen"
PRECONDITIONS_RULE = "_preconditions"
_COMPARISONS = {"gt": "$gt", "ge": "$gte", "lt": "$lt", "le": "$lte", "ne": "$neq"}
_ruleset_numbers = itertools.count(1)


def _condition_json(condition: Condition) -> list[dict]:
    """Compile one rulebook condition into terms of durable-rules' JSON condition language (all must hold)."""
    name = engine_name(condition.field)
    if condition.share_of:
        # field / share_of > a/b  ⇔  field × b > share_of × a, all in integers. The engine reads a missing
        # field inside arithmetic as 0, so the whole must be there explicitly.
        whole = engine_name(condition.share_of)
        other = {"$mul": {"$l": {"$m": whole}, "$r": condition.value.numerator}}
        return [{"$ex": {whole: 1}}, {_COMPARISONS[condition.op]: {share_name(condition): other}}]
    if condition.op == "eq":
        return [{name: condition.value}]
    if condition.op == "in":
        return [{"$or": [{name: value} for value in condition.value]}]
    return [{_COMPARISONS[condition.op]: {name: condition.value}}]


def rule_name(clause_id: str, tier: int) -> str:
    return f"{clause_id}#{tier}"


def compile_rulebook(rulebook: Rulebook) -> dict:
    """Return the ruleset definition: one rule per clause and tier, plus the preconditions and catch-all."""
    preconditions = [term for c in rulebook.preconditions for term in _condition_json(c)]
    rules = {
        SEEN_RULE: {"all": [{"m": {"$ex": {"k": 1}}}]},
        PRECONDITIONS_RULE: {"all": [{"m": {"$and": [{"c": "_applicant"}, *preconditions]}}]},
    }
    for clause in rulebook.clauses:
        for index, (route, tier_conditions) in enumerate(_alternatives(clause)):
            terms = [{"c": clause.id}, *([{"r": route}] if route is not None else []), *preconditions]
            terms += [term for c in (*clause.applies_for(route), *clause.conditions_for(route), *tier_conditions)
                      for term in _condition_json(c)]
            if clause.amount:
                for field in (clause.amount.base, clause.amount.quantity):
                    if field:
                        terms.append({"$ex": {engine_name(field): 1}})
            rules[rule_name(clause.id, index)] = {"all": [{"m": {"$and": terms}}]}
    return rules


def _alternatives(clause: Clause):
    """Return (route, tier conditions) for each rule of a clause: one per tier, or one per route of a referral."""
    if clause.amount:
        return [(None, tier.when) for tier in clause.amount.tiers]
    if clause.routes:
        return [(route, ()) for route in range(len(clause.routes))]
    return [(None, ())]


def rule_count(clause: Clause) -> int:
    """Return how many rules a clause compiles to (its tiers or its routes)."""
    return len(_alternatives(clause))


_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _check_fact(fact: dict):
    """Refuse any value the C engine mishandles: it segfaults on some floats (1e-05) and reads strings loosely.

    Exact types, not isinstance: a validated profile holds plain bool, str and int, and anything else is refused.
    """
    for key, value in fact.items():
        kind = type(value)
        if kind is bool or kind is str or (kind is int and _INT_MIN <= value <= _INT_MAX):
            continue
        raise EngineError(f"refusing to give the engine {key}={value!r}: only integers, booleans and codes")


class Engine:
    """A compiled rulebook in the durable-rules engine of this process."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.definition = compile_rulebook(rulebook)
        # Each clause's rule names by index, as the activations name them (evaluation checks them per item).
        self.rule_names = {clause.id: tuple(rule_name(clause.id, t) for t in range(rule_count(clause)))
                           for clause in rulebook.clauses}
        # A ruleset name can never be registered twice in a process, so each compiled rulebook gets its own.
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", f"{rulebook.policy['id']}_{rulebook.policy['version']}")
        self.name = f"{safe}_{next(_ruleset_numbers)}"
        self._handle = _engine.create_ruleset(self.name, json.dumps(self.definition, ensure_ascii=False))
        self._lock = threading.Lock()
        self._sids = itertools.count(1)

    def fire(self, facts: list[dict]) -> set[tuple[str, str]]:
        """Assert facts in a fresh session and return every (rule name, fact key) that matched."""
        sid = f"{os.getpid()}-{id(self)}-{next(self._sids)}"
        for fact in facts:
            _check_fact(fact)
            fact["sid"] = sid
        payload = orjson.dumps(facts).decode("utf-8")
        fired = set()
        with self._lock:
            try:
                code, state_handle = _engine.assert_facts(self._handle, payload)
                if code != 0:
                    raise EngineError(f"durable-rules refused the facts (code {code})")
                result = _engine.start_action_for_state(self._handle, state_handle)
                message = result[1] if result else None
                while message:
                    rule = message[2:message.index('"', 2)]
                    if rule != SEEN_RULE:
                        matched = orjson.loads(message)[rule]["m"]
                        if matched.get("sid") != sid:
                            raise EngineError(f"activation from another session ({matched.get('sid')} ≠ {sid})")
                        fired.add((rule, matched["k"]))
                    message = _engine.complete_and_start_action(self._handle, state_handle)
            except EngineError:
                raise
            except Exception as error:  # the C module raises plain exceptions with an error number
                raise EngineError(f"durable-rules failed: {error!r}") from error
            finally:
                try:
                    _engine.delete_state(self._handle, sid)
                except Exception:  # noqa: S110 - a session that was never created has nothing to delete
                    pass
        return fired
