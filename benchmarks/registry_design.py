"""The measurement that chose the registry's design: one clause as SQL in DuckDB against the numpy evaluator.

    python benchmarks/registry_design.py [--firms 1000000]

Both read the same validated columns (the registry's Typed form) for rd_subsidy, the clause with a list, a
company condition, two tiers and a rate: design (a) as the SQL a generator would write for DuckDB (integer
half-up, caps by tier, the best status and the sum per company), design (b) as the compiled numpy evaluator of
subsidy/registry/compiler.py. Each is timed (best of 3) and their answers compared company by company.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQL = """
WITH items AS (
  SELECT i.owner,
         CASE WHEN c.entity_type <> 0 OR (i.special_given AND NOT i.special) THEN 1
              WHEN NOT i.special_given OR NOT i.base_given OR NOT i.expert_given THEN 2 ELSE 3 END AS status,
         i.base, i.expert
  FROM items i JOIN companies c ON c.row = i.owner),
amounts AS (
  SELECT owner, status,
         CASE WHEN status = 3 THEN least((base * 2 * 1 + 5) // (2 * 5),
                                         CASE WHEN expert THEN 2000000000 ELSE 500000000 END) ELSE 0 END AS amount
  FROM items)
SELECT c.row, coalesce(max(a.status), 0) AS status,
       CASE WHEN coalesce(max(a.status), 0) = 3 THEN sum(a.amount) ELSE 0 END AS amount
FROM companies c LEFT JOIN amounts a ON a.owner = c.row
GROUP BY c.row ORDER BY c.row
"""


def best_of(runs: int, function):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main(argv=None) -> int:
    import duckdb
    import numpy as np
    import pyarrow as pa

    from subsidy.registry import synth
    from subsidy.registry.compiler import CompiledClause
    from subsidy.registry.tables import read_registry
    from subsidy.registry.validate import validate
    from subsidy.rulebook import default_rulebook

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    rulebook = default_rulebook()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        synth.write(synth.synthesize(args.firms, rulebook), folder)
        typed = validate(read_registry(folder))
    table = typed.lists["rd_projects"]
    f = table.fields
    expert = f["expert_recommended_core_tech"]
    items = pa.table({"owner": table.owner, "base": f["rd_investment"].values,
                      "base_given": f["rd_investment"].present, "special": f["in_city_ai_special"].values,
                      "special_given": f["in_city_ai_special"].present, "expert": expert.values,
                      "expert_given": expert.present})
    companies = pa.table({"row": np.arange(typed.n), "entity_type": typed.columns["company.entity_type"].values})
    con = duckdb.connect()
    con.register("items", items)
    con.register("companies", companies)
    sql_seconds, found = best_of(3, lambda: con.sql(SQL).to_arrow_table())
    clause = CompiledClause(rulebook.by_id["rd_subsidy"])
    numpy_seconds, result = best_of(3, lambda: clause.run(typed, clause.items(typed), typed.n))
    same = (np.array_equal(found.column("status").to_numpy(), result.status)
            and np.array_equal(found.column("amount").to_numpy(), result.amount))
    print(f"rd_subsidy over {typed.n:,} companies, {len(table.owner):,} projects: DuckDB SQL "
          f"{sql_seconds * 1000:.0f} ms, numpy evaluator {numpy_seconds * 1000:.0f} ms; same answers: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
