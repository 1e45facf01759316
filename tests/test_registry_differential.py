"""The whole generated set of the differential test through both paths: the registry's columns and durable-rules.

The 3,000 profiles of tests/test_reference.py (benchmarks/profiles.py, its seed) are written as a batch CSV,
screened by the registry path with every row cross-checked (`--check all`), and the written results are read
back and compared, clause by clause and total by total, with the engine's result for the same profile.
"""

import copy

import pyarrow.parquet as pq
import pytest

from benchmarks.profiles import generate
from benchmarks.reference import reference_evaluate
from subsidy.exports import CsvWriter
from subsidy.flat import flatten, unflatten
from subsidy.registry import compiler, pipeline
from subsidy.schemas import dump_profile, load_profile
from subsidy.service import evaluate_typed

GENERATED = 3_000  # as tests/test_reference.py


# A company-level subject is judged on every row, or on its own rows gathered, by how common it is: both ways.
@pytest.mark.parametrize("sparse", [0.0, 2.0], ids=["every-row", "gathered"])
def test_the_generated_set_gives_identical_results_through_both_paths(app, tmp_path, monkeypatch, sparse):
    monkeypatch.setattr(compiler, "SPARSE", sparse)
    rows = [flatten(dump_profile(load_profile(copy.deepcopy(raw)))) for raw in generate(GENERATED)]
    # The profile a row stands for: in the batch layout, as in the batch CSV, a section with no filled cell is
    # absent (a generated `"testing": {}` reads as no testing section).
    profiles = [load_profile(unflatten(row)) for row in rows]
    columns = sorted({key for row in rows for key in row})
    source = tmp_path / "generated.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = CsvWriter(handle, columns)
        for row in rows:
            writer.write(row)
    engine = app.extensions["subsidy.engine"]
    target = tmp_path / "results.parquet"
    summary = pipeline.run_screen(source, target, engine.rulebook, engine, check=None)
    assert (summary["companies"], summary["ok"], summary["checked"]) == (GENERATED, GENERATED, GENERATED)
    written = pq.read_table(target).to_pylist()
    assert [row["line"] for row in written] == list(range(2, GENERATED + 2))
    differences = []
    for profile, row in zip(profiles, written, strict=True):
        evaluation = evaluate_typed(profile, engine)
        expected = reference_evaluate(profile)
        for outcome in evaluation.clauses:
            mine = (row[f"{outcome.clause.id}.status"], row[f"{outcome.clause.id}.amount_fen"])
            if mine != (outcome.status, outcome.amount_fen) or mine != expected[outcome.clause.id]:
                differences.append((row["line"], outcome.clause.id, mine, outcome.status, outcome.amount_fen))
        totals = (row["total_fen"], row["total_exact_fen"], row["total_up_to_fen"])
        if totals != (evaluation.total(), evaluation.total("exact"), evaluation.total("up_to")):
            differences.append((row["line"], "totals", totals))
    assert not differences, differences[:10]
