"""Batch screening in the browser: an uploaded CSV or XLSX becomes a job whose rows are evaluated in chunks.

Each request on the job's page evaluates the next chunk within a time budget, so no web worker is held for long,
and the progress lives in the database, so it survives a reload. Results come out as CSV or XLSX.
"""

import csv
import io
import json
import secrets
import time

from openpyxl import load_workbook

from .assessments import audit, now
from .batch import evaluate_row
from .db import write_transaction
from .exports import csv_bytes, xlsx_bytes
from .flat import template_columns, unflatten

CHUNK_SECONDS = 2.0  # the default of the app's BATCH_CHUNK_SECONDS: how long one request evaluates rows
MAX_ROWS = 100_000


class UploadError(Exception):
    def __init__(self, code):
        self.code = code
        super().__init__(code)


def read_upload(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """Return (line, flat row) for each row of an uploaded CSV or XLSX file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise UploadError("not_xlsx") from error
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, [])]
        found = []
        for line, values in enumerate(rows, start=2):
            cells = {header[i]: ("" if v is None else _cell_text(v)) for i, v in enumerate(values) if i < len(header)}
            if any(cells.values()):
                found.append((line, cells))
        book.close()
        return found
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UploadError("not_utf8") from error
        reader = csv.DictReader(io.StringIO(text))
        return [(reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())]
    raise UploadError("file_type")


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def create_job(db, officer: str, filename: str, rows: list[tuple[int, dict]]) -> dict:
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
            ({"job_id": job_id, "position": i, "line": line, "input": json.dumps(row, ensure_ascii=False)}
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
            outcome = evaluate_row(unflatten(json.loads(row["input"])), engine, lang, full=False)
            outcomes.append((json.dumps(outcome, ensure_ascii=False), job["id"], row["position"]))
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


def to_csv(columns, rows) -> bytes:
    return csv_bytes(columns, rows)


def template_xlsx() -> bytes:
    """Return the upload template as XLSX: the header row of the batch CSV layout."""
    return xlsx_bytes([("profiles", template_columns(), [])])
