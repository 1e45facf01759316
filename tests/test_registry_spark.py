"""The same compiled evaluator on Apache Spark (local mode, this machine): identical output to the DuckDB path.

A small synthetic registry with a few bad rows (a repeated credit code, a negative amount, an item of no company)
is screened both ways; Spark's written Parquet is read back and compared row by row, and its own cross-check
re-evaluates every row through durable-rules on the driver.
"""

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from subsidy.registry import pipeline, spark, synth
from subsidy.registry.spark import spark_screen


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from subsidy.rulebook import default_rulebook

    tables = synth.synthesize(400, default_rulebook(), seed=42)
    companies = tables["companies"].to_pylist()
    companies[7]["company.credit_code"] = companies[3]["company.credit_code"]  # a repeated code
    tables["companies"] = pa.Table.from_pylist(companies, schema=tables["companies"].schema)
    projects = tables["rd_projects"].to_pylist()
    projects[0]["rd_investment"] = None
    projects.append(dict(projects[1], **{"company.credit_code": "91330106MA2H3K7Q1F"}))  # no such company
    tables["rd_projects"] = pa.Table.from_pylist(projects, schema=tables["rd_projects"].schema)
    folder = tmp_path_factory.mktemp("spark") / "registry"
    synth.write(tables, folder)
    return folder


@pytest.fixture(scope="module")
def session():
    found = spark.session("local[2]")
    yield found
    found.stop()


def test_spark_local_gives_the_duckdb_paths_output_and_checks_every_row(app, session, registry, tmp_path):
    engine = app.extensions["subsidy.engine"]
    duck = tmp_path / "duckdb.parquet"
    summary = pipeline.run_screen(registry, duck, engine.rulebook, engine, check=None)
    on_spark = tmp_path / "spark.parquet"
    found = spark_screen(registry, on_spark, engine.rulebook, engine, check=None, master="local[2]")
    assert (found["companies"], found["errors"], found["orphans"]) == (400, 1, 1)
    assert found["checked"] == summary["checked"] == 399
    expected = pq.read_table(duck)
    expected = expected.cast(pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f
                                        for f in expected.schema]))
    written = pq.read_table(on_spark).select(expected.column_names)
    written = written.take(pc.sort_indices(written, [("line", "ascending")]))
    assert written.num_rows == expected.num_rows
    for name in expected.column_names:
        assert written.column(name).to_pylist() == expected.column(name).to_pylist(), name
