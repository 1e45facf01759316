"""The officer's review page, clause by clause: the claimed and the recomputed result side by side (status,
amount, formula, reasons), the values each clause reads with an input for the verified value, the self-declared
facts to confirm, the evidence tick and the decision.

This only arranges stored results and the profile for the page; the engine decides nothing here.
"""

from dataclasses import dataclass, field

from ..facts import items_for
from ..flat import flatten
from ..schemas import load_profile

GENERAL_FIELDS = ("company.entity_type", "company.registered_in_hangzhou", "company.is_ai_enterprise")


@dataclass
class ClauseGroup:
    """One clause of the review: its claimed and verified result and the values an officer can verify."""

    id: str
    claimed: dict
    verified: dict | None
    paths: list = field(default_factory=list)  # values whose input sits in this group
    shared: list = field(default_factory=list)  # values this clause also reads, verified in an earlier group
    confirm: list = field(default_factory=list)  # self-declared facts of this clause, confirmed here
    confirm_shared: list = field(default_factory=list)  # the applicant's own facts it rests on, confirmed once above


def _clause_paths(rulebook, profile: dict) -> dict[str, list[str]]:
    """Return, by clause id, the profile paths its items read (the company's own facts left out)."""
    found = {}
    for clause in rulebook.clauses:
        paths = []
        for item in items_for(clause, profile):
            paths += [path for path in item.paths.values() if not path.startswith("company.") and path not in paths]
        found[clause.id] = paths
    return found


def _order_key(path: str, order: list[str]) -> tuple:
    return (order.index(path), path) if path in order else (len(order), path)


def groups(saved: dict, claimed: dict, verified: dict | None, rulebook, confirm_paths: dict) -> list[ClauseGroup]:
    """Return the clause groups of a filing's review, the general conditions first, in the catalogue's order.

    A clause is shown when it applies to the claimed or the verified result.
    """
    profile = load_profile(saved["profile"])
    order = list(flatten(saved["profile"]))
    reads = _clause_paths(rulebook, profile)
    verified_by_id = {clause["id"]: clause for clause in verified["clauses"]} if verified else {}
    placed = set(GENERAL_FIELDS)
    general = ClauseGroup("_general", {}, None, list(GENERAL_FIELDS))
    found = [general]
    for clause in claimed["clauses"]:
        other = verified_by_id.get(clause["id"])
        if clause["status"] == "not_applicable" and (other is None or other["status"] == "not_applicable"):
            continue
        confirm = confirm_paths.get(clause["id"], [])
        paths = sorted((p for p in reads.get(clause["id"], []) if not p.endswith(".name")),
                       key=lambda p: _order_key(p, order))
        # The applicant's own facts (an AI enterprise) rest under several clauses: one answer, asked once.
        company = [path for path in confirm if path.startswith("company.")]
        general.confirm += [path for path in company if path not in general.confirm]
        group = ClauseGroup(clause["id"], clause, other, confirm=[p for p in confirm if p not in company],
                            confirm_shared=company)
        for path in paths:
            if path in confirm:
                continue
            (group.shared if path in placed else group.paths).append(path)
            placed.add(path)
        found.append(group)
    return found
