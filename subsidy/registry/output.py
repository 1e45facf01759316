"""Write a result table as Parquet, CSV or XLSX; CSV and XLSX through exports.py, cell by cell formula-safe."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..exports import CsvWriter, xlsx_bytes

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
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            writer = CsvWriter(handle, table.column_names)
            for row in _rows(table):
                writer.write({k: "" if v is None else v for k, v in row.items()})
    elif fmt == "xlsx":
        if table.num_rows > XLSX_MAX_ROWS:
            raise OutputError(f"{table.num_rows:,} rows do not fit in one XLSX sheet (at most {XLSX_MAX_ROWS:,}): "
                              "write Parquet or CSV")
        Path(target).write_bytes(to_xlsx(table, sheet))
    else:
        raise OutputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def to_xlsx(table: pa.Table, sheet: str = "results") -> bytes:
    if table.num_rows > XLSX_MAX_ROWS:
        raise OutputError(f"{table.num_rows:,} rows do not fit in one XLSX sheet")
    return xlsx_bytes([(sheet, table.column_names, ({k: "" if v is None else v for k, v in row.items()}
                                                    for row in _rows(table)))])


def to_csv(table: pa.Table) -> bytes:
    import io

    out = io.StringIO()
    writer = CsvWriter(out, table.column_names)
    for row in _rows(table):
        writer.write({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")
