"""XLSX files an attacker would upload: a few hundred KB that unpack to hundreds of MB (real zip files, built here).

Used by tests/security/test_upload_bounds.py and benchmarks/upload_bounds.py.
"""

import io
import zipfile

from subsidy.flat import template_columns

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="profiles" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_CLOSE = "</sheetData></worksheet>"
SST_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{column}</t></is></c>' for column in template_columns()[:3])
    return f"<row>{cells}</row>"


def _workbook(sheet_chunks, shared_chunks) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)):
            archive.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", shared_chunks)):
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return out.getvalue()


def huge_shared_string(megabytes: int = 400) -> bytes:
    """Return an XLSX whose one shared string is megabytes long (about 400 KB on disk for 400 MB)."""
    block = b"A" * (1024 * 1024)

    def shared():
        yield (SST_OPEN + '<si><t>').encode()
        for _ in range(megabytes):
            yield block
        yield b"</t></si></sst>"

    sheet = [(SHEET_OPEN + _header_row() + '<row><c t="s"><v>0</v></c></row>' + SHEET_CLOSE).encode()]
    return _workbook(sheet, shared())


def millions_of_rows(rows: int = 3_000_000) -> bytes:
    """Return an XLSX with rows rows of one shared-string cell (about 430 KB on disk for 3M rows)."""
    row = b'<row><c t="s"><v>0</v></c></row>' * 10_000

    def sheet():
        yield (SHEET_OPEN + _header_row()).encode()
        for _ in range(rows // 10_000):
            yield row
        yield SHEET_CLOSE.encode()

    return _workbook(sheet(), [(SST_OPEN + "<si><t>杭州示例</t></si></sst>").encode()])


def wide_sheet(columns: int = 5_000) -> bytes:
    """Return a small XLSX whose one data row has columns cells."""
    cells = '<c t="s"><v>0</v></c>' * columns
    sheet = [(SHEET_OPEN + _header_row() + f"<row>{cells}</row>" + SHEET_CLOSE).encode()]
    return _workbook(sheet, [(SST_OPEN + "<si><t>x</t></si></sst>").encode()])
