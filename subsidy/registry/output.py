"""Write a result table as Parquet, CSV or XLSX; CSV and XLSX through exports.py, cell by cell formula-safe."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..exports import FORMULA_STARTS, safe_cell, xlsx_bytes

XLSX_MAX_ROWS = 1_048_576 - 1  # the sheet's row limit, less the header row
FORMATS = ("parquet", "csv", "xlsx")


class OutputError(ValueError):
    """The results cannot be written in the format asked for."""


def format_of(path: str | Path, default: str = "parquet") -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else default


def _rows(table: pa.Table):
    for batch in table.to_batches(65_536):
        yield from batch.to_pylist()


def write(table: pa.Table, target: str | Path, fmt: str | None = None, sheet: str = "results"):
    """Write table to target in fmt (default: from the file name; Parquet when it says nothing)."""
    fmt = fmt or format_of(target)
    if fmt == "parquet":
        # snappy without column statistics: written in about a third of zstd's time, read back as fast.
        pq.write_table(table, target, compression="snappy", write_statistics=False)
    elif fmt == "csv":
        write_csv(table, target)
    elif fmt == "xlsx":
        if table.num_rows > XLSX_MAX_ROWS:
            raise OutputError(f"{table.num_rows:,} rows do not fit in one XLSX sheet (at most {XLSX_MAX_ROWS:,}): "
                              "write Parquet or CSV")
        Path(target).write_bytes(to_xlsx(table, sheet))
    else:
        raise OutputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def safe_table(table: pa.Table) -> pa.Table:
    """Return table with every text cell as exports.safe_cell makes it (a formula's first character prefixed with
    an apostrophe) and the column names likewise; dictionary columns become their text."""
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            runs = pc.starts_with(column, FORMULA_STARTS[0])
            for start in FORMULA_STARTS[1:]:
                runs = pc.or_(runs, pc.starts_with(column, start))
            column = pc.if_else(pc.fill_null(runs, False), pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.table(columns, names=[safe_cell(name) for name in table.column_names])


def write_csv(table: pa.Table, target: str | Path):
    """Write table as CSV with the cells exports.CsvWriter writes (UTF-8 with a byte-order mark, CRLF, formula-safe
    cells, empty for null; Arrow quotes every text cell), with Arrow's writer: a million rows in seconds."""
    options = pacsv.WriteOptions(quoting_style="needed", quoting_header="needed", eol="\r\n")
    with open(target, "wb") as handle:
        handle.write("\ufeff".encode())
        pacsv.write_csv(safe_table(table), handle, options)


def to_xlsx(table: pa.Table, sheet: str = "results") -> bytes:
    if table.num_rows > XLSX_MAX_ROWS:
        raise OutputError(f"{table.num_rows:,} rows do not fit in one XLSX sheet")
    return xlsx_bytes([(sheet, table.column_names, ({k: "" if v is None else v for k, v in row.items()}
                                                    for row in _rows(table)))])
