"""The 免申即享 list: per clause, the companies the registry shows eligible that have filed nothing for it.

A company has a filing for a clause when it has submitted an assessment (anything but a draft) whose latest
revision claims that clause (eligible or a referral). Those are already in the officers' queue; the rest are the
firms to reach out to.
"""

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .compiler import POSITIVE

COLUMNS = ["clause", "company.credit_code", "company.name", "line", "basis", "amount_fen"]


def filed_clauses(db) -> dict[str, set[str]]:
    """Return clause id → the credit codes with a submitted filing that claims it."""
    filed: dict[str, set[str]] = {}
    rows = db.query("""SELECT a.credit_code, r.result_en FROM assessments a
                       JOIN revisions r ON r.assessment_id = a.id AND r.revision = a.latest_revision
                       WHERE a.status != 'draft'""")
    for row in rows:
        for clause in json.loads(row["result_en"])["clauses"]:
            if clause["status"] in ("eligible", "referral"):
                filed.setdefault(clause["id"], set()).add(row["credit_code"].upper())
    return filed


def outreach(run, filed: dict[str, set[str]]) -> pa.Table:
    """Return one row per (clause, eligible company without a filing for it), clause by clause in catalogue order."""
    typed = run.typed
    codes = typed.columns["company.credit_code"].values
    names = typed.columns["company.name"].values
    parts = []
    for clause in run.rulebook.clauses:
        result = run.results[clause.id]
        wanted = typed.ok & (result.status == POSITIVE)
        if filed.get(clause.id):
            wanted &= ~pc.is_in(codes, value_set=pa.array(sorted(filed[clause.id]))).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(wanted)
        take = pa.array(rows)
        basis = "referral" if clause.is_referral else clause.basis
        parts.append(pa.table({
            "clause": pa.array([clause.id] * len(rows), pa.string()),
            "company.credit_code": codes.take(take), "company.name": names.take(take),
            "line": pa.array(typed.lines[rows], pa.int64()),
            "basis": pa.array([basis] * len(rows), pa.string()),
            "amount_fen": pa.array(result.amount[rows], pa.int64()),
        }))
    return pa.concat_tables(parts)


def counts(table: pa.Table) -> dict[str, int]:
    """Return clause id → how many companies are on its outreach list."""
    if table.num_rows == 0:
        return {}
    found = pc.value_counts(table.column("clause").combine_chunks())
    return {entry["values"].as_py(): entry["counts"].as_py() for entry in found}
