"""Evaluate many profiles from JSON Lines or CSV, one result per input line, bad lines reported and skipped."""

import csv
import json
import multiprocessing
import os
from decimal import Decimal

from .errors import ProfileError
from .evaluation import evaluate
from .exports import CsvWriter
from .flat import unflatten
from .render import result_json, summary_json
from .schemas import load_profile, render_errors


def read_rows(handle, fmt: str):
    """Yield (line number, profile data or a ProfileError) for each record of a JSONL or CSV file."""
    if fmt == "csv":
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, unflatten(row)
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line, parse_float=Decimal)
        except ValueError as error:
            yield number, ProfileError({"_line": [f"not valid JSON: {error}"]})


def evaluate_row(data, engine, lang: str, full: bool = True) -> dict:
    """Return {"result": …} or {"errors": …} for one record; full=False keeps only statuses and amounts."""
    if isinstance(data, ProfileError):
        return {"errors": render_errors(data.errors, lang)}
    try:
        profile = load_profile(data)
    except ProfileError as error:
        return {"errors": render_errors(error.errors, lang)}
    evaluation = evaluate(profile, engine)
    return {"result": result_json(evaluation, lang) if full else summary_json(evaluation)}


_worker_settings: dict = {}


def _evaluate_in_worker(record):
    line, data = record
    settings = _worker_settings
    outcome = evaluate_row(data, settings["engine"], settings["lang"], settings["full"])
    return line, _identity(data), outcome  # only what the writer reads travels back


def _identity(data) -> dict:
    """Return the part of a record the results name it by (flat_result): the company's name and credit code."""
    company = data.get("company") if isinstance(data, dict) else None
    if not isinstance(company, dict):
        return {}
    return {"company": {key: company[key] for key in ("name", "credit_code") if key in company}}


def evaluate_all(records, engine, lang: str, full: bool, jobs: int):
    """Yield (line, data, outcome) for every record, in input order, over jobs worker processes.

    The engine is compiled before the workers fork, so each starts with its own copy (ENGINE-NOTES: building
    rulesets before a fork works); one process evaluates one profile at a time, as in the web workers.
    """
    if jobs <= 1:
        for line, data in records:
            yield line, data, evaluate_row(data, engine, lang, full)
        return
    _worker_settings.update(engine=engine, lang=lang, full=full)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_evaluate_in_worker, records, chunksize=256)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def result_columns(clause_ids) -> list[str]:
    columns = ["line", "company.name", "company.credit_code", "outcome", "errors",
               "total_fen", "total_exact_fen", "total_up_to_fen"]
    for clause_id in clause_ids:
        columns += [f"{clause_id}.status", f"{clause_id}.amount_fen"]
    return columns


def flat_result(line: int, data, outcome: dict) -> dict:
    """Return one CSV row for an evaluated (or refused) record."""
    company = data.get("company", {}) if isinstance(data, dict) else {}
    company = company if isinstance(company, dict) else {}
    row = {"line": line, "company.name": company.get("name", ""), "company.credit_code": company.get("credit_code", "")}
    if "errors" in outcome:
        row["outcome"] = "error"
        row["errors"] = "; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in outcome["errors"].items())
        return row
    result = outcome["result"]
    row.update(outcome="ok", errors="", total_fen=result["total_fen"], total_exact_fen=result["total_exact_fen"],
               total_up_to_fen=result["total_up_to_fen"])
    for clause in result["clauses"]:
        row[f"{clause['id']}.status"] = clause["status"]
        row[f"{clause['id']}.amount_fen"] = clause["amount_fen"]
    return row


class Writer:
    """Writes outcomes as JSON Lines or CSV, in input order."""

    def __init__(self, handle, fmt: str, clause_ids):
        self.handle, self.fmt = handle, fmt
        if fmt == "csv":
            self.csv = CsvWriter(handle, result_columns(clause_ids))

    def write(self, line: int, data, outcome: dict):
        if self.fmt == "csv":
            self.csv.write(flat_result(line, data, outcome))
        else:
            self.handle.write(json.dumps({"line": line, **outcome}, ensure_ascii=False) + "\n")


def format_of(path: str, default: str = "jsonl") -> str:
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return default


def count_records(path: str, fmt: str) -> int:
    """Return how many records a file holds, for the progress bar (a CSV record may span lines)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            return sum(1 for _ in csv.DictReader(handle))
        return sum(1 for line in handle if line.strip())



