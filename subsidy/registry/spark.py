"""The same compiled evaluator on Apache Spark: each partition goes through it with mapInArrow.

Spark reads the tables, gathers each company's list items into arrays (items in their file order), and hands
Arrow batches to the very functions the one-machine path uses: validate.validate, CompiledRulebook.run and
screen.result_table. `--master local[2]` runs it on this machine (the tests do); a cluster URL in production,
with this package installed on the workers. The cross-check runs on the driver: a sample of rows is read back
from the written results and re-evaluated through durable-rules.
"""

import os
import sys
import time
from pathlib import Path

import pyarrow as pa

from . import crosscheck
from .compiler import CompiledRulebook
from .layout import KEY, layout
from .screen import Progress, Run, result_table
from .tables import COMPANIES, RegistryError, from_nested
from .validate import validate

SPARK_ENGINE = "spark"
LINE = "_line"
FIRST = "_first_line"
SEP = "__"


def session(master: str | None = None):
    """Return a Spark session: local mode on this machine unless a master URL is given; no UI, free ports."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master or "local[2]").appName("subsidy-registry")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.bindAddress", os.environ["SPARK_LOCAL_IP"])
               .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
               .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _read(spark, path: Path):
    if path.suffix.lower() == ".parquet":
        frame = spark.read.parquet(str(path))
    else:
        frame = spark.read.option("header", True).option("multiLine", True).option("escape", '"').csv(str(path))
    # Spark reads a dot in a column name as a path into a struct: carry `company.name` as `company__name`.
    frame = frame.toDF(*[name.replace(".", SEP) for name in frame.columns])
    # The row's place in its file (Parquet row from 1, CSV record after the header), as the one-machine path has.
    # One file read in order: its monotonically increasing ids follow the file, so their rank is the row.
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    start = 1 if path.suffix.lower() == ".parquet" else 2
    order = Window.orderBy(F.monotonically_increasing_id())
    return frame.withColumn(LINE, (F.row_number().over(order) + (start - 1)).cast("long"))


def _joined(spark, folder: Path):
    """Return the companies with one array column per list (items sorted by line) and each company's first line."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    shape = layout()
    files = {p.stem: p for p in folder.iterdir() if p.suffix.lower() in (".parquet", ".csv")}
    if COMPANIES not in files:
        raise RegistryError(f"{folder}: companies.parquet or companies.csv is missing")
    companies = _read(spark, files[COMPANIES])
    key = F.upper(F.trim(F.col(KEY.replace(".", SEP))))
    companies = companies.withColumn("_key", key).withColumn(
        FIRST, F.min(LINE).over(Window.partitionBy("_key")))
    orphans = []
    for name, leaves in shape.lists.items():
        if name not in files:
            continue
        items = _read(spark, files[name]).withColumn("_key", key)
        orphans += [(files[name].name, row[LINE]) for row in
                    items.join(companies.select("_key"), "_key", "left_anti").select(LINE).collect()]
        fields = [F.col(LINE)] + [F.col(leaf) for leaf in leaves if leaf in items.columns]
        grouped = items.groupBy("_key").agg(F.array_sort(F.collect_list(F.struct(*fields))).alias(name))
        companies = companies.join(grouped, "_key", "left")
    return companies.orderBy(LINE).drop("_key"), orphans


def _evaluate_batches(rulebook, lang):
    """Return the mapInArrow function: Arrow batches of joined companies in, result rows out."""
    def evaluate(batches):
        compiled = CompiledRulebook(rulebook)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            table = table.rename_columns([name.replace(SEP, ".") for name in table.column_names])
            typed = validate(from_nested(table, LINE, FIRST))
            run = Run(typed, rulebook, compiled.run(typed))
            yield from _plain(result_table(run, lang)).to_batches()
    return evaluate


def _plain(table: pa.Table) -> pa.Table:
    """Return the table with dictionary columns as plain text (Spark's Arrow schema has no dictionaries)."""
    return pa.table({name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
                     for name, column in zip(table.column_names, table.columns, strict=True)})


def _schema(rulebook):
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    columns = [StructField("line", LongType()), StructField("company.name", StringType()),
               StructField("company.credit_code", StringType()), StructField("outcome", StringType()),
               StructField("errors", StringType())]
    columns += [StructField(name, LongType()) for name in ("total_fen", "total_exact_fen", "total_up_to_fen")]
    for clause_id in rulebook.clause_ids:
        columns += [StructField(f"{clause_id}.status", StringType()),
                    StructField(f"{clause_id}.amount_fen", LongType())]
    return StructType(columns)


def spark_screen(source, target, rulebook, engine, *, check=crosscheck.DEFAULT_SAMPLE, lang="zh", master=None,
                 progress=None, seed=None) -> dict:
    """Screen a registry folder on Spark into a Parquet folder at target; cross-check a sample on the driver."""
    tick = Progress(progress)
    source = Path(source)
    if not source.is_dir():
        raise RegistryError(f"{source}: the Spark path reads a registry folder (companies + list tables)")
    started = time.perf_counter()
    tick("read")
    spark = session(master)
    joined, orphans = _joined(spark, source)
    tick("evaluate")
    results = joined.mapInArrow(_evaluate_batches(rulebook, lang), _schema(rulebook))
    results.write.mode("overwrite").parquet(str(target))
    tick("check")
    written = spark.read.parquet(str(target))
    counts = {row["outcome"]: row["count"] for row in written.groupBy("outcome").count().collect()}
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    total_ok = counts.get("ok", 0)
    fraction = 1.0 if check is None else min(1.0, 2.0 * check / max(1, total_ok))
    sample = written.where("outcome = 'ok'").sample(fraction=fraction, seed=seed).select("line")
    lines = [row["line"] for row in sample.limit(check or 2 ** 31 - 1).collect()]
    differences = _check_sample(spark, joined, written, lines, rulebook, engine)
    if differences:
        raise crosscheck.DifferenceError(differences, len(lines))
    tick("write", 1.0)
    return {"engine": SPARK_ENGINE, "companies": sum(counts.values()), "ok": total_ok,
            "errors": counts.get("error", 0), "orphans": len(orphans), "checked": len(lines), "seed": seed,
            "orphan_lines": [f"{file}:{line}" for file, line in orphans[:100]],
            "seconds": round(time.perf_counter() - started, 3)}


def _check_sample(spark, joined, written, lines, rulebook, engine) -> list[str]:
    """Compare the executors' results for the sampled lines with durable-rules on the driver."""
    if not lines:
        return []
    wanted = spark.createDataFrame([(line,) for line in lines], f"{LINE} long")
    inputs = joined.join(wanted, LINE).orderBy(LINE).toArrow()
    inputs = inputs.rename_columns([name.replace(SEP, ".") for name in inputs.column_names])
    typed = validate(from_nested(inputs, LINE, FIRST))
    got = {row["line"]: row for row in written.join(wanted.withColumnRenamed(LINE, "line"), "line").collect()}
    differences = []
    for row in range(typed.n):
        line = int(typed.lines[row])
        evaluation = crosscheck.evaluate(crosscheck.typed_profile(typed, row), engine)
        for outcome in evaluation.clauses:
            mine = (got[line][f"{outcome.clause.id}.status"], got[line][f"{outcome.clause.id}.amount_fen"])
            if mine != (outcome.status, outcome.amount_fen):
                differences.append(f"line {line} {outcome.clause.id}: Spark {mine}, durable-rules "
                                   f"{(outcome.status, outcome.amount_fen)}")
    return differences
