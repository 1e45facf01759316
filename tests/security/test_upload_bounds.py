"""Uploads are bounded before they are parsed: XLSX bombs refused, the promised 100,000 rows accepted."""

import csv
import io
import json

import pytest

from subsidy import screening, uploads
from subsidy.flat import template_columns
from tests.security import bombs
from tests.security.served import create_officer, csrf_token, gunicorn, logged_in, worker_peak_mb

HEADER = ["company.name", "company.credit_code", "company.entity_type", "company.registered_in_hangzhou",
          "company.is_ai_enterprise", "testing.fees"]
ROW = ["杭州示例智能科技有限公司", "91330106MA2H3K7Q1F", "enterprise", "true", "true", "400000"]
WORKER_LIMIT_MB = 200


def csv_file(rows: int, encoding: str = "utf-8", header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([ROW] * rows)
    return out.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    database = folder / "subsidy.sqlite3"
    with gunicorn(database, folder / "gunicorn.log") as (base, master):
        create_officer(database)
        yield base, master


def post_file(server, name: str, data: bytes):
    base, _ = server
    session = logged_in(base)
    token = csrf_token(session, base + "/officer/batch/")
    return session.post(base + "/officer/batch/", data={"csrf_token": token}, files={"file": (name, data)},
                        allow_redirects=False, timeout=120)


@pytest.mark.parametrize("build", [bombs.huge_shared_string, bombs.millions_of_rows], ids=["400MB-string", "3M-rows"])
def test_an_xlsx_bomb_is_refused_and_the_worker_stays_small(server, build):
    data = build()
    assert len(data) < 512 * 1024  # a few hundred KB, as the attacker's were
    response = post_file(server, "firms.xlsx", data)
    assert response.status_code == 413
    assert "解压后过大" in response.text
    assert worker_peak_mb(server[1]) < WORKER_LIMIT_MB
    base, _ = server
    assert logged_in(base).get(base + "/officer/batch/", timeout=10).status_code == 200  # the worker lives on


def test_the_promised_100000_row_csv_is_accepted_through_csrf(server):
    data = csv_file(100_000)
    assert len(data) > 1024 * 1024  # past the app's 1 MB limit, which used to apply before the upload's
    response = post_file(server, "firms.csv", data)
    assert response.status_code == 303, response.text[:500]
    assert "/officer/batch/" in response.headers["Location"]


def test_the_larger_limit_is_only_for_a_logged_in_officer(server):
    import requests

    base, _ = server
    response = requests.post(base + "/officer/batch/", files={"file": ("firms.csv", csv_file(30_000))}, timeout=60)
    assert response.status_code == 413


def test_a_pdf_over_one_megabyte_reaches_verification(server):
    base, _ = server
    session = logged_in(base)
    token = csrf_token(session, base + "/officer/verify")
    response = session.post(base + "/officer/verify", data={"csrf_token": token, "mode": "pdf"},
                            files={"pdf": ("big.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))}, timeout=60)
    assert response.status_code == 200 and "无法读取" in response.text


def test_rows_past_the_limit_are_refused_by_the_scan_before_openpyxl():
    with pytest.raises(uploads.UploadError) as refused:
        screening.read_upload("firms.xlsx", bombs.millions_of_rows(rows=120_000))  # small enough for the ratio
    assert refused.value.code == "too_many_rows"


def test_a_long_cell_and_too_many_columns_are_refused():
    with pytest.raises(uploads.UploadError) as long_cell:
        screening.read_upload("firms.xlsx", bombs.huge_shared_string(megabytes=1))
    assert long_cell.value.code == "cell_too_long"
    with pytest.raises(uploads.UploadError) as wide:
        screening.read_upload("firms.xlsx", bombs.wide_sheet())
    assert wide.value.code == "too_many_columns"
    with pytest.raises(uploads.UploadError) as long_csv:
        screening.read_upload("firms.csv", b"company.name\n" + b"x" * 200_000 + b"\n")
    assert long_csv.value.code in ("cell_too_long", "not_csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_is_read_as_utf8_with_or_without_bom_or_as_gbk(encoding):
    rows = [json.loads(row) for _, row in screening.read_upload("firms.csv", csv_file(3, encoding))]
    assert [row["company.name"] for row in rows] == ["杭州示例智能科技有限公司"] * 3
    assert list(rows[0]) == HEADER  # no BOM glued to the first column's name


def test_a_csv_in_another_encoding_is_refused_with_a_clear_message(officer):
    data = "\n".join(["company.name", "Ñoño ÿ þ"] * 3).encode("utf-16")
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(data), "firms.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and "无法识别 CSV 文件的编码" in response.get_data(as_text=True)


def test_bad_column_names_get_one_error_listing_them(officer):
    header = template_columns()[:3] + ["rd_projects.x", "rd_projects.².name", "company.nmae", "company.name"]
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(csv_file(2, header=header)), "f.csv")},
                            content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("以下列名不是模板中的列") == 1
    assert "rd_projects.x、rd_projects.².name、company.nmae、company.name" in page


def test_a_job_with_rows_stored_before_the_checks_still_finishes(officer, app):
    # Rows stored by an older version with columns no longer accepted: each becomes that row's error.
    from subsidy.db import connect

    db = connect(app.config["DATABASE"])
    job = screening.create_job(db, "li.officer", "old.csv", [
        (2, json.dumps({"company.name": "A", "rd_projects.0.name": "x", "rd_projects.x": "1"})),
        (3, json.dumps({"rd_projects.².name": "y"}))])
    db.close()
    for _ in range(3):
        page = officer.get(f"/officer/batch/{job['token']}")
        assert page.status_code == 200
    step = officer.post(f"/officer/batch/{job['token']}/step")
    assert step.status_code == 200 and step.get_json()["status"] == "done" and step.get_json()["errors"] == 2
