"""A finished batch job's results as a person reads them: headers in words (Chinese, or English), money in 元 with
two decimals, statuses in words, and a summary (rows, eligible firms per clause, totals). The machine columns
(outcome, totals and amounts in fen, status codes) follow, named as in the command line's CSV, for scripts.
"""

import json
from decimal import Decimal

from .flat import unflatten
from .messages import pick, text
from .money import FEN_PER_YUAN

HEADERS = {
    "line": ("行号", "Line"), "company.name": ("企业名称", "Company"),
    "company.credit_code": ("统一社会信用代码", "Credit code"), "outcome_text": ("结果", "Outcome"),
    "errors": ("错误", "Errors"), "total_exact_yuan": ("确定金额合计（元）", "Exact amounts (yuan)"),
    "total_up_to_yuan": ("最高金额合计（元）", "“Up to” amounts (yuan)"),
}
OUTCOMES = {"ok": ("已测算", "evaluated"), "error": ("有错误", "error")}
MACHINE = ["outcome", "total_fen", "total_exact_fen", "total_up_to_fen"]


def yuan_text(fen: int) -> Decimal:
    """Return fen as yuan with exactly two decimals (a Decimal: exact in CSV text and in XLSX numbers)."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def columns(rulebook, lang: str) -> tuple[list[str], list[str]]:
    """Return (column keys, printed headers): the readable columns, then the machine columns."""
    keys = list(HEADERS)
    headers = [pick({"zh": zh, "en": en}, lang) for zh, en in HEADERS.values()]
    for clause in rulebook.clauses:
        number = clause_number(clause.clause, lang)
        title = pick(clause.title, lang)
        keys += [f"{clause.id}.status_text", f"{clause.id}.amount_yuan"]
        up_to = clause.basis == "up_to"
        if lang == "en":
            headers += [f"{number} {title}: status", f"{number} {title}: amount (yuan{', up to' if up_to else ''})"]
        else:
            headers += [f"{number} {title}：状态", f"{number} {title}：{'最高' if up_to else ''}金额（元）"]
    machine = MACHINE + [f"{c.id}.{part}" for c in rulebook.clauses for part in ("status", "amount_fen")]
    return keys + machine, headers + machine


def clause_number(numeral: str, lang: str) -> str:
    """第一条 in Chinese, Art. 1 in English."""
    from .numerals import to_int

    return f"Art. {to_int(numeral)}" if lang == "en" else f"第{numeral}条"


def row(line: int, data, outcome: dict, lang: str) -> dict:
    """Return one result row with readable and machine columns."""
    company = data.get("company", {}) if isinstance(data, dict) else {}
    company = company if isinstance(company, dict) else {}
    found = {"line": line, "company.name": company.get("name", ""),
             "company.credit_code": company.get("credit_code", "")}
    if "errors" in outcome:
        found.update(outcome="error", outcome_text=pick(_pair(OUTCOMES["error"]), lang),
                     errors="; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in outcome["errors"].items()))
        return found
    result = outcome["result"]
    found.update(outcome="ok", outcome_text=pick(_pair(OUTCOMES["ok"]), lang), errors="",
                 total_fen=result["total_fen"], total_exact_fen=result["total_exact_fen"],
                 total_up_to_fen=result["total_up_to_fen"], total_exact_yuan=yuan_text(result["total_exact_fen"]),
                 total_up_to_yuan=yuan_text(result["total_up_to_fen"]))
    for clause in result["clauses"]:
        found[f"{clause['id']}.status"] = clause["status"]
        found[f"{clause['id']}.amount_fen"] = clause["amount_fen"]
        found[f"{clause['id']}.status_text"] = text(f"status_{clause['status']}", lang)
        found[f"{clause['id']}.amount_yuan"] = yuan_text(clause["amount_fen"])
    return found


def _pair(pair):
    return {"zh": pair[0], "en": pair[1]}


def rows(db, job: dict, lang: str):
    """Yield the result row of every input row of a job, in input order."""
    for stored in db.query("SELECT line, input, outcome FROM batch_rows WHERE job_id = ? ORDER BY position",
                           [job["id"]]):
        outcome = json.loads(stored["outcome"]) if stored["outcome"] else {"errors": {"_row": ["not evaluated"]}}
        yield row(stored["line"], unflatten(json.loads(stored["input"])), outcome, lang)


def summary(db, job: dict) -> dict:
    """Return rows, rows with errors, and per clause the eligible firms and their total, with the totals apart.

    Worked out once when the job is done and kept (batch_summaries), as it reads every row.
    """
    kept = db.execute("SELECT summary FROM batch_summaries WHERE job_id = ?", [job["id"]]).fetchone()
    if kept:
        return json.loads(kept[0])
    found = {"rows": 0, "errors": 0, "total_exact_fen": 0, "total_up_to_fen": 0, "clauses": {}}
    for (outcome,) in db.execute("SELECT outcome FROM batch_rows WHERE job_id = ?", [job["id"]]):
        found["rows"] += 1
        result = json.loads(outcome).get("result") if outcome else None
        if result is None:
            found["errors"] += 1
            continue
        found["total_exact_fen"] += result["total_exact_fen"]
        found["total_up_to_fen"] += result["total_up_to_fen"]
        for clause in result["clauses"]:
            if clause["status"] == "eligible":
                entry = found["clauses"].setdefault(clause["id"], {"eligible": 0, "amount_fen": 0})
                entry["eligible"] += 1
                entry["amount_fen"] += clause["amount_fen"]
    if job["status"] == "done":
        db.table("batch_summaries").upsert({"job_id": job["id"], "summary": json.dumps(found)}, pk="job_id")
    return found
