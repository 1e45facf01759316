"""Re-evaluate rows of a registry run through the durable-rules engine and compare, clause by clause.

Every run does this on a random sample (1,000 rows by default, every row with `--check all`); any difference in
a status or an amount fails the run loudly. The profile each row is checked with is rebuilt from the same
validated columns the columnar evaluator read, in the typed form load_profile returns.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ..evaluation import evaluate
from .layout import layout

DEFAULT_SAMPLE = 1000


class DifferenceError(RuntimeError):
    """The columnar evaluator and the durable-rules engine disagree: the run's results cannot be trusted."""

    def __init__(self, differences: list[str], checked: int):
        self.differences = differences
        self.checked = checked
        shown = "\n  ".join(differences[:20])
        super().__init__(f"{len(differences)} difference(s) from the durable-rules engine in {checked} checked "
                         f"rows:\n  {shown}")


def _value(column, row: int, kind: str, choices):
    if kind == "text":
        return column.values[row].as_py()
    if kind == "choice":
        return choices[int(column.values[row])]
    if kind == "flag":
        return bool(column.values[row])
    return int(column.values[row])


def typed_profile(typed, row: int) -> dict:
    """Return the typed profile of one validated registry row: what load_profile gives for it."""
    shape = layout()
    profile: dict = {}
    for path in shape.company_paths:
        column = typed.columns[path]
        if not column.present[row]:
            continue
        kind = shape.kinds[path]
        value = _value(column, row, kind, shape.choices(path) if kind == "choice" else None)
        head, _, leaf = path.partition(".")
        if leaf:
            profile.setdefault(head, {})[leaf] = value
        else:
            profile[head] = value
    for name, table in typed.lists.items():
        start, stop = np.searchsorted(table.owner, [row, row + 1])
        if start == stop:
            continue
        items = []
        for item in range(start, stop):
            entry = {}
            for leaf, column in table.fields.items():
                if column.present[item]:
                    path = shape.item_path(name, leaf)
                    kind = shape.kinds[path]
                    entry[leaf] = _value(column, item, kind, shape.choices(path) if kind == "choice" else None)
            items.append(entry)
        profile[name] = items
    return profile


def sample_rows(ok: np.ndarray, size: int | None, seed: int) -> np.ndarray:
    """Return the rows to check: all good rows when size is None, else a random sample of them."""
    rows = np.flatnonzero(ok)
    if size is None or size >= len(rows):
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, size=size, replace=False))


def compare(typed, results: dict, rows, engine, progress=None) -> list[str]:
    """Return every difference between the columnar results and the engine's, for the given rows."""
    differences = []
    for done, row in enumerate(rows, start=1):
        row = int(row)
        evaluation = evaluate(typed_profile(typed, row), engine)
        for outcome in evaluation.clauses:
            got = results[outcome.clause.id]
            mine = (got.status_word(row), int(got.amount[row]))
            theirs = (outcome.status, outcome.amount_fen)
            if mine != theirs:
                differences.append(f"line {int(typed.lines[row])} ({typed.source}) {outcome.clause.id}: columnar "
                                   f"{mine}, durable-rules {theirs}")
        if progress and done % 200 == 0:
            progress(done)
    return differences


def _differences(typed, results, rows, outcomes) -> list[str]:
    differences = []
    for row, found in zip(rows, outcomes, strict=True):
        for clause_id, status, amount in found:
            got = results[clause_id]
            mine = (got.status_word(int(row)), int(got.amount[int(row)]))
            if mine != (status, amount):
                differences.append(f"line {int(typed.lines[int(row)])} ({typed.source}) {clause_id}: columnar "
                                   f"{mine}, durable-rules {(status, amount)}")
    return differences


_child_engine = None  # the engine a forked checker inherits (ENGINE-NOTES: a ruleset built before a fork works)


def _evaluate_sample(profiles):
    return [[(o.clause.id, o.status, o.amount_fen) for o in evaluate(profile, _child_engine).clauses]
            for profile in profiles]


class Pending:
    """A cross-check running beside the columnar run, in a forked process of its own (the second core).

    The engine's answers for the sampled rows are worked out while the registry is evaluated and written; the
    run compares them at the end and keeps its output only if nothing differs.
    """

    def __init__(self, typed, rows, engine):
        global _child_engine
        self.rows = rows
        self.pool = None
        if len(rows):
            profiles = [typed_profile(typed, int(row)) for row in rows]
            _child_engine = engine
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self.future = self.pool.submit(_evaluate_sample, profiles)

    def differences(self, typed, results) -> list[str]:
        if self.pool is None:
            return []
        try:
            outcomes = self.future.result()
        finally:
            self.pool.shutdown()
        return _differences(typed, results, self.rows, outcomes)
