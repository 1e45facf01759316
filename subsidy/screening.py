"""Batch screening in the browser: an uploaded CSV or XLSX becomes a job whose rows are evaluated in chunks.

Each request on the job's page evaluates the next chunk within a time budget, so no web worker is held for long,
and the progress lives in the database, so it survives a reload. Results come out as CSV or XLSX.
"""

import csv
import io
import json
import logging
import secrets
import time

from openpyxl import load_workbook

from .assessments import audit, now
from .batch import evaluate_row
from .db import write_transaction
from .exports import csv_bytes, xlsx_bytes
from .flat import bad_columns, template_columns, unflatten
from .uploads import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, UploadError, check_xlsx, decode_csv

CHUNK_SECONDS = 2.0  # the default of the app's BATCH_CHUNK_SECONDS: how long one request evaluates rows


def read_upload(filename: str, data: bytes) -> list[tuple[int, str]]:
    """Return (line, its filled cells as JSON) for each row of an uploaded CSV or XLSX file, or raise UploadError.

    Rows are kept as the JSON text they are stored as: 100,000 rows as dicts took the worker near 200 MB.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        header, rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        header, rows = _csv_rows(data)
    else:
        raise UploadError("file_type")
    if len(header) > MAX_COLUMNS:
        raise UploadError("too_many_columns", limit=MAX_COLUMNS)
    wrong = bad_columns(header)
    if wrong:
        raise UploadError("bad_columns", columns=wrong)
    found = []
    for line, values in rows:
        if len(found) >= MAX_ROWS:
            raise UploadError("too_many_rows")
        cells = {header[i]: value for i, value in enumerate(values)
                 if i < len(header) and header[i] and value.strip()}
        if any(len(value) > MAX_CELL_CHARS for value in cells.values()):
            raise UploadError("cell_too_long", limit=MAX_CELL_CHARS)
        if cells:
            found.append((line, json.dumps(cells, ensure_ascii=False)))
    return found


def _xlsx_rows(data: bytes):
    check_xlsx(data)  # sizes, ratios, rows, columns and cell lengths, before openpyxl opens anything
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        header = [str(cell).strip() if cell is not None else ""
                  for cell in next(sheet.iter_rows(max_row=1, values_only=True), [])]
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UploadError("not_xlsx") from error

    def rows():
        try:
            for line, values in enumerate(sheet.iter_rows(min_row=2, max_col=max(len(header), 1),
                                                          values_only=True), start=2):
                yield line, ["" if v is None else _cell_text(v) for v in values]
        except Exception as error:
            raise UploadError("not_xlsx") from error
        finally:
            book.close()

    return header, rows()


def _csv_rows(data: bytes):
    reader = csv.reader(io.StringIO(decode_csv(data)))

    def rows():
        try:
            for values in reader:
                yield reader.line_num, values
        except csv.Error as error:  # a field longer than the csv module takes, a NUL byte …
            raise UploadError("not_csv", detail=str(error)[:200]) from error

    try:
        header = [cell.strip() for cell in next(reader, [])]
    except csv.Error as error:
        raise UploadError("not_csv", detail=str(error)[:200]) from error
    return header, rows()


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def create_job(db, officer: str, filename: str, rows: list[tuple[int, str]]) -> dict:
    """Store the rows of read_upload as a job to evaluate; return the job."""
    if not rows:
        raise UploadError("empty")
    if len(rows) > MAX_ROWS:
        raise UploadError("too_many_rows")
    token = secrets.token_urlsafe(16)
    with write_transaction(db):
        jobs = db.table("batch_jobs")
        jobs.insert({"token": token, "officer": officer, "filename": filename[:200], "status": "running",
                     "total": len(rows), "created_at": now()})
        job_id = jobs.last_pk
        db.table("batch_rows").insert_all(
            ({"job_id": job_id, "position": i, "line": line, "input": row}
             for i, (line, row) in enumerate(rows)), batch_size=1000)
        audit(db, officer, "batch_upload", after={"job": token, "file": filename, "rows": len(rows)})
    return get_job(db, token)


def error_rows(db, job: dict, limit: int = 100) -> list[dict]:
    """Return the first rows of a job that were refused, with their errors by field."""
    rows = db.query("SELECT line, outcome FROM batch_rows WHERE job_id = ? AND outcome LIKE '{\"errors\"%' "
                    "ORDER BY position LIMIT ?", [job["id"], limit])
    return [{"line": row["line"], "errors": json.loads(row["outcome"])["errors"]} for row in rows]


def get_job(db, token: str) -> dict | None:
    rows = list(db.table("batch_jobs").rows_where("token = ?", [token], limit=1))
    return rows[0] if rows else None


def advance(db, job: dict, engine, lang: str, budget: float = CHUNK_SECONDS) -> dict:
    """Evaluate pending rows of a job, a slice at a time, until budget seconds are spent; return its new state.

    At least one slice is evaluated per call, so a budget of 0 advances a job one slice per request.
    """
    if job["status"] == "done":
        return job
    started = time.monotonic()
    while True:
        pending = list(db.query("SELECT position, input FROM batch_rows WHERE job_id = ? AND outcome IS NULL "
                                "ORDER BY position LIMIT 200", [job["id"]]))
        if not pending:
            break
        outcomes = []
        for row in pending:
            outcomes.append((json.dumps(_outcome(row["input"], engine, lang), ensure_ascii=False),
                             job["id"], row["position"]))
        with write_transaction(db):
            db.conn.executemany("UPDATE batch_rows SET outcome = ? WHERE job_id = ? AND position = ? "
                                "AND outcome IS NULL", outcomes)
        if time.monotonic() - started >= budget:
            break
    counts = db.execute("SELECT count(outcome), sum(outcome LIKE '{\"errors\"%') FROM batch_rows WHERE job_id = ?",
                        [job["id"]]).fetchone()
    processed, errors = counts[0], counts[1] or 0
    update = {"processed": processed, "errors": errors}
    if processed >= job["total"]:
        update.update(status="done", finished_at=now())
    db.table("batch_jobs").update(job["id"], update)
    return get_job(db, job["token"])


def _outcome(stored_input: str, engine, lang: str) -> dict:
    """Evaluate one stored row; a row that breaks the code is recorded as that row's error, so the job finishes.

    A job whose rows raised would stay unfinished for ever, and every visit of its page would fail again.
    """
    try:
        return evaluate_row(unflatten(json.loads(stored_input)), engine, lang, full=False)
    except Exception:
        logging.getLogger(__name__).exception("batch row could not be evaluated")
        return {"errors": {"_row": ["this row could not be evaluated / 该行无法测算"]}}


def to_csv(columns, rows) -> bytes:
    return csv_bytes(columns, rows)


def template_xlsx() -> bytes:
    """Return the upload template as XLSX: the header row of the batch CSV layout."""
    return xlsx_bytes([("profiles", template_columns(), [])])
