"""Budget a policy variant: the same validated registry under the baseline and under the variant, side by side.

Per clause: companies eligible and the budget (an exact sum, or an "up to" sum where the clause gives a
ceiling). Per company: the change in its total; who gains, who loses, by how much, and the largest movers.
Both runs are cross-checked with their own durable-rules engine.
"""

import numpy as np
import pyarrow as pa

from . import crosscheck
from .compiler import POSITIVE
from .screen import Progress, Run, evaluate_registry

TOP = 20
# Edges of the change in a company's total, in fen (¥10,000 = 1,000,000 fen), for the distribution of movers.
BANDS = (1_000_000, 10_000_000, 100_000_000, 1_000_000_000)


def simulate(typed, base_rulebook, base_engine, variant, variant_engine,
             check: int | None = crosscheck.DEFAULT_SAMPLE, progress=None) -> dict:
    """Return the comparison of a variant with the baseline over a validated registry."""
    progress = Progress(progress)
    progress("evaluate")
    base = evaluate_registry(typed, base_rulebook, base_engine, check, None)
    progress("check", 0.5)
    changed = evaluate_registry(typed, variant.rulebook, variant_engine, check, None, seed=base.seed)
    progress("write")
    return {"base": base, "variant": changed, "report": report(base, changed)}


def _clauses(base: Run, variant: Run) -> list[dict]:
    ok = base.typed.ok
    rows = []
    for clause in base.rulebook.clauses:
        entry = {"clause": clause.id, "numeral": clause.clause, "title": clause.title,
                 "basis": "referral" if clause.is_referral else clause.basis}
        for label, run in (("base", base), ("variant", variant)):
            result = run.results[clause.id]
            positive = ok & (result.status == POSITIVE)
            entry[f"{label}_companies"] = int(positive.sum())
            entry[f"{label}_fen"] = int(result.amount[positive].sum())
        entry["delta_fen"] = entry["variant_fen"] - entry["base_fen"]
        rows.append(entry)
    return rows


def _movers(base: Run, variant: Run, delta: np.ndarray, rows: np.ndarray) -> list[dict]:
    typed = base.typed
    codes, names = typed.columns["company.credit_code"].values, typed.columns["company.name"].values
    before, after = base.totals(), variant.totals()
    return [{"credit_code": codes[int(r)].as_py(), "name": names[int(r)].as_py(), "line": int(typed.lines[r]),
             "base_fen": int(before[r]), "variant_fen": int(after[r]), "delta_fen": int(delta[r])} for r in rows]


def report(base: Run, variant: Run) -> dict:
    """Return budgets per clause, totals, and the gainers and losers of a variant against the baseline."""
    ok = base.typed.ok
    delta = np.where(ok, variant.totals() - base.totals(), 0)
    gain, loss = np.flatnonzero(delta > 0), np.flatnonzero(delta < 0)
    top_gain = gain[np.argsort(-delta[gain], kind="stable")[:TOP]]
    top_loss = loss[np.argsort(delta[loss], kind="stable")[:TOP]]
    edges = np.array(BANDS, dtype=np.int64)
    bands = []
    for sign, rows in (("gain", gain), ("loss", loss)):
        counts = np.bincount(np.searchsorted(edges, np.abs(delta[rows]), side="left"), minlength=len(edges) + 1)
        for index, count in enumerate(counts):
            bands.append({"direction": sign, "from_fen": int(([0, *BANDS])[index]),
                          "to_fen": int(BANDS[index]) if index < len(BANDS) else None, "companies": int(count)})
    return {
        "policy": {"base": base.rulebook.policy["version"], "variant": variant.rulebook.policy["version"]},
        "companies": base.typed.n, "ok": int(ok.sum()), "errors": int((~ok).sum()),
        "checked": base.checked + variant.checked,
        "clauses": _clauses(base, variant),
        "totals": {f"{label}_{basis}_fen": int(run.totals(basis).sum())
                   for label, run in (("base", base), ("variant", variant)) for basis in ("exact", "up_to")},
        "gainers": len(gain), "losers": len(loss),
        "gained_fen": int(delta[gain].sum()), "lost_fen": int(-delta[loss].sum()),
        "bands": bands, "top_gainers": _movers(base, variant, delta, top_gain),
        "top_losers": _movers(base, variant, delta, top_loss),
    }


def per_company(base: Run, variant: Run) -> pa.Table:
    """Return one row per company: its totals under the baseline and the variant, and the change."""
    typed = base.typed
    ok = typed.ok
    before, after = base.totals(), variant.totals()
    return pa.table({
        "line": pa.array(typed.lines, pa.int64()),
        "company.credit_code": typed.columns["company.credit_code"].values,
        "company.name": typed.columns["company.name"].values,
        "base_total_fen": pa.array(before, pa.int64(), mask=~ok),
        "variant_total_fen": pa.array(after, pa.int64(), mask=~ok),
        "delta_fen": pa.array(after - before, pa.int64(), mask=~ok),
    })
