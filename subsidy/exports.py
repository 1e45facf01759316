"""Every CSV and XLSX the service writes: cells neutralised against formula injection, the OWASP way.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so a
company name such as =HYPERLINK("http://…?"&B2) in an export would leak the sheet when an officer opens it.
Text cells that start with one of those characters get a leading apostrophe; numbers stay numbers; XLSX cells
are written as strings, never as formulas. Nothing else in the product writes CSV or XLSX itself.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return value as it may stand in a spreadsheet cell: text that would run as a formula is prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(columns: list[str], rows, headers: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    """Return rows (dicts keyed by columns) as CSV; headers, if given, are the printed names of the columns.

    utf-8-sig carries a byte-order mark so Excel reads UTF-8; "gb18030" is what Excel on Chinese Windows reads.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in (headers or columns)])
    for row in rows:
        writer.writerow([safe_cell(row.get(column, "")) for column in columns])
    return out.getvalue().encode(encoding)


class CsvWriter:
    """Write rows to an open text file as CSV, neutralised cell by cell (for the command line's long outputs)."""

    def __init__(self, handle, columns: list[str], headers: list[str] | None = None):
        self.columns = columns
        self.writer = csv.writer(handle)
        self.writer.writerow([safe_cell(name) for name in (headers or columns)])

    def write(self, row: dict):
        self.writer.writerow([safe_cell(row.get(column, "")) for column in self.columns])


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=safe_cell(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store text starting with = as a formula
    return cell


def xlsx_bytes(sheets: list[tuple[str, list[str], object]], headers: dict[str, list[str]] | None = None) -> bytes:
    """Return a workbook with one sheet per (title, columns, rows); every text cell a string, never a formula."""
    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([_xlsx_cell(sheet, name) for name in ((headers or {}).get(title) or columns)])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, row.get(column, "")) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
