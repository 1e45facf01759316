"""Screen a registry: read it, validate its columns, run the compiled rulebook, cross-check a sample, report.

One row per company comes out: its line, name and credit code, `ok` or `error` with the errors by field, the
three totals, and a status and amount (fen) per clause, in the batch results' columns.
"""

import secrets
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..batch import result_columns
from ..messages import text
from ..rulebook import Rulebook
from . import crosscheck
from .compiler import POSITIVE, CompiledRulebook
from .tables import read_registry
from .validate import Typed, validate

STAGES = {"read": (0.0, 0.25), "validate": (0.25, 0.5), "evaluate": (0.5, 0.6), "check": (0.6, 0.9),
          "write": (0.9, 1.0)}


@dataclass
class Run:
    """A screened registry: the validated columns, each clause's results, and what the cross-check saw."""

    typed: Typed
    rulebook: Rulebook
    results: dict  # clause id → compiler.ClauseResult
    checked: int = 0
    seed: int = 0
    timings: dict = field(default_factory=dict)
    pending: object = None  # a crosscheck.Pending while the check runs beside

    @property
    def clause_ids(self):
        return self.rulebook.clause_ids

    def totals(self, basis=None) -> np.ndarray:
        total = np.zeros(self.typed.n, dtype=np.int64)
        for clause in self.rulebook.clauses:
            if basis in (None, clause.basis):
                total += self.results[clause.id].amount
        return np.where(self.typed.ok, total, 0)


class Progress:
    """Turns (stage, fraction of the stage) into a fraction of the whole run for a progress callback."""

    def __init__(self, report=None):
        self.report = report

    def __call__(self, stage: str, fraction: float = 0.0):
        if self.report:
            low, high = STAGES[stage]
            self.report(stage, low + (high - low) * min(1.0, fraction))


def evaluate_registry(typed: Typed, rulebook: Rulebook, engine, check: int | None = crosscheck.DEFAULT_SAMPLE,
                      progress: Progress | None = None, seed: int | None = None, compiled=None,
                      beside: bool = False) -> Run:
    """Run the compiled rulebook over a validated registry and cross-check rows with the engine.

    check is the sample size, None for every row; any difference raises crosscheck.DifferenceError. With
    beside=True the engine works in a process of its own while this one goes on: call run.finish_check().
    """
    progress = progress or Progress()
    seed = secrets.randbits(32) if seed is None else seed
    rows = crosscheck.sample_rows(typed.ok, check, seed)
    started = time.perf_counter()
    results = (compiled or CompiledRulebook(rulebook)).run(typed)  # on both cores
    run = Run(typed, rulebook, results, seed=seed, checked=len(rows))
    run.timings["evaluate"] = time.perf_counter() - started
    if beside:  # the engine checks the sample on the second core while the results are written
        run.pending = crosscheck.Pending(typed, rows, engine)
        return run
    progress("check")
    started = time.perf_counter()
    differences = crosscheck.compare(typed, results, rows, engine,
                                     lambda done: progress("check", done / max(1, len(rows))))
    run.timings["check"] = time.perf_counter() - started
    if differences:
        raise crosscheck.DifferenceError(differences, len(rows))
    return run


def finish_check(run: Run):
    """Wait for a cross-check running beside the run; raise crosscheck.DifferenceError on any difference."""
    started = time.perf_counter()
    differences = run.pending.differences(run.typed, run.results)
    run.timings["check_wait"] = time.perf_counter() - started
    if differences:
        raise crosscheck.DifferenceError(differences, run.checked)


def screen(source, rulebook: Rulebook, engine, check: int | None = crosscheck.DEFAULT_SAMPLE, progress=None,
           seed: int | None = None, beside: bool = False) -> Run:
    """Read, validate, evaluate and cross-check a registry folder or batch-layout file."""
    progress = Progress(progress)
    progress("read")
    started = time.perf_counter()
    raw = read_registry(source)
    read_seconds = time.perf_counter() - started
    progress("validate")
    started = time.perf_counter()
    typed = validate(raw)
    validate_seconds = time.perf_counter() - started
    progress("evaluate")
    run = evaluate_registry(typed, rulebook, engine, check, progress, seed, beside=beside)
    run.timings.update(read=read_seconds, validate=validate_seconds)
    return run


def _text_column(typed: Typed, path: str) -> pa.Array:
    column = typed.columns[path]
    return pc.if_else(pa.array(column.present), column.values, pa.scalar(None, pa.string()))


def error_text(errors: dict, lang: str) -> str:
    """Return a company's errors in one cell: `path: message; path: message`."""
    parts = []
    for path, messages in errors.items():
        words = [text(m.code, lang, **m.params) if hasattr(m, "code") else str(m) for m in messages]
        parts.append(f"{path}: {' '.join(words)}")
    return "; ".join(parts)


def result_table(run: Run, lang: str = "zh", raw_names=None) -> pa.Table:
    """Return one row per company in the batch results' columns: statuses as words, amounts in fen."""
    typed = run.typed
    ok = typed.ok
    errors = [None] * typed.n
    for row, found in typed.errors.items():
        errors[row] = error_text(found, lang)
    exact, up_to = run.totals("exact"), run.totals("up_to")
    refused = pa.py_buffer(np.packbits(ok, bitorder="little"))  # one validity bitmap: null where refused
    nulls = int(typed.n - ok.sum())

    def masked(values: np.ndarray, kind: pa.DataType) -> pa.Array:
        """Return values as an Arrow array, without copying, null where the company was refused."""
        values = np.ascontiguousarray(values)
        return pa.Array.from_buffers(kind, typed.n, [refused, pa.py_buffer(values)], null_count=nulls)

    columns = {
        "line": pa.array(typed.lines, pa.int64()),
        "company.name": _text_column(typed, "company.name") if raw_names is None else raw_names,
        "company.credit_code": _text_column(typed, "company.credit_code"),
        "outcome": pa.DictionaryArray.from_arrays(pa.array(np.where(ok, 0, 1).astype(np.int8)),
                                                  pa.array(["ok", "error"])),
        "errors": pa.array(errors, pa.string()),
        "total_fen": masked(exact + up_to, pa.int64()),
        "total_exact_fen": masked(exact, pa.int64()),
        "total_up_to_fen": masked(up_to, pa.int64()),
    }
    for clause_id in run.clause_ids:
        result = run.results[clause_id]
        columns[f"{clause_id}.status"] = pa.DictionaryArray.from_arrays(
            masked(result.status.astype(np.int8, copy=False), pa.int8()), pa.array(result.words))
        columns[f"{clause_id}.amount_fen"] = masked(result.amount.astype(np.int64, copy=False), pa.int64())
    assert list(columns) == result_columns(run.clause_ids)
    return pa.table(columns)


def clause_totals(run: Run) -> list[dict]:
    """Return, per clause, how many companies qualify and the budget: an exact sum or an "up to" sum."""
    ok = run.typed.ok
    rows = []
    for clause in run.rulebook.clauses:
        result = run.results[clause.id]
        positive = ok & (result.status == POSITIVE)
        rows.append({"clause": clause.id, "basis": "referral" if clause.is_referral else clause.basis,
                     "companies": int(positive.sum()), "amount_fen": int(result.amount[positive].sum())})
    return rows


def summary(run: Run) -> dict:
    """Return the run's counts and totals, as stored with a job and printed by the command."""
    ok = run.typed.ok
    return {"companies": run.typed.n, "ok": int(ok.sum()), "errors": int((~ok).sum()),
            "orphans": len(run.typed.orphans), "checked": run.checked, "seed": run.seed,
            "total_exact_fen": int(run.totals("exact").sum()), "total_up_to_fen": int(run.totals("up_to").sum()),
            "clauses": clause_totals(run), "timings": {k: round(v, 3) for k, v in run.timings.items()}}
