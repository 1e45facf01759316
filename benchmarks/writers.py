"""No lost writes: many clients saving and submitting at once through gunicorn, then every row checked in SQLite.

    python benchmarks/writers.py [--clients 8] [--iterations 500] [--workers 4]

Starts the service as make run serves it (nginx in front of gunicorn with the shipped gunicorn.conf.py, sync
workers, -w 4) on a free loopback port with a fresh database, then runs 8 client processes × 500 iterations;
each iteration POSTs the CONTRACT.md example (its company name marked with the client and iteration) to
/api/v1/assessments (201, with links.self and links.submit) and then POSTs its links.submit (200, status
submitted). A client error is any connection failure, any status other than
the expected one, or any body mentioning "database is locked". Afterwards the database is opened and checked:
one assessment per save (all submitted, latest revision 1), one revision each, and exactly one create and one
submit audit row each; every reference each client received is there with that client's company name, and no
reference was handed to two saves. Prints PASS or FAIL with the numbers; exits 1 on FAIL.

Only loopback traffic; each request has a 60 s timeout and the whole run a time limit; the server is stopped at
the end. Safe to run again: every run uses its own temporary database.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import re
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_bench import EXAMPLE, serving  # noqa: E402

REQUEST_TIMEOUT_S = 60
RUN_LIMIT_S = 900
LOCKED = "database is locked"


def company_name(client: int, iteration: int) -> str:
    return f"杭州示例智能科技有限公司 写入{client:02d}-{iteration:04d}"


def post(url: str, body: bytes | None, expected: int) -> tuple[int, bytes, str | None]:
    """POST and return (status, body, problem or None)."""
    request = urllib.request.Request(url, data=body if body is not None else b"", method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            status, data = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    except OSError as error:
        return 0, b"", f"{type(error).__name__}: {error}"
    text = data.decode("utf-8", errors="replace")
    if LOCKED in text:
        return status, data, f"{status} mentioning '{LOCKED}'"
    if status != expected:
        return status, data, f"{status} (expected {expected}): {text.strip()[:200]}"
    return status, data, None


def client(number: int, base: str, iterations: int, deadline: float, queue) -> None:
    """One client process: save then submit, iterations times; put its references and errors on the queue."""
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    saved, errors = [], []
    latencies = []
    for iteration in range(iterations):
        if time.time() > deadline:
            errors.append(f"client {number}: run time limit reached after {iteration} iterations")
            break
        example["company"]["name"] = company_name(number, iteration)
        body = json.dumps(example, ensure_ascii=False).encode("utf-8")
        start = time.perf_counter()
        status, data, problem = post(base + "/api/v1/assessments", body, 201)
        if problem:
            errors.append(f"client {number} #{iteration} save: {problem}")
            continue
        document = json.loads(data)
        status, data, problem = post(document["links"]["submit"], None, 200)
        latencies.append(time.perf_counter() - start)
        if problem:
            errors.append(f"client {number} #{iteration} submit: {problem}")
        elif json.loads(data).get("status") != "submitted":
            errors.append(f"client {number} #{iteration} submit: status {json.loads(data).get('status')!r}")
        saved.append({"reference": document["reference"], "self": document["links"]["self"],
                      "name": company_name(number, iteration), "submitted": problem is None})
    queue.put({"client": number, "saved": saved, "errors": errors, "latencies": latencies})


def check_database(path: str, clients: list[dict], expected_saves: int) -> tuple[list[str], int]:
    """Return every problem found in the database (none means every write is there) and how many writes the
    server acknowledged (201 save, 200 submit) that the database does not hold."""
    problems, lost = [], 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        assessments = count("SELECT count(*) FROM assessments")
        revisions = count("SELECT count(*) FROM revisions")
        audits = dict(db.execute("SELECT action, count(*) FROM audit_log GROUP BY action").fetchall())
        if assessments != expected_saves:
            problems.append(f"{assessments:,} assessments, expected {expected_saves:,}")
        if revisions != expected_saves:
            problems.append(f"{revisions:,} revisions, expected {expected_saves:,}")
        if audits.get("create", 0) != expected_saves or audits.get("submit", 0) != expected_saves \
                or sum(audits.values()) != 2 * expected_saves:
            problems.append(f"audit rows {audits}, expected create {expected_saves:,} and submit {expected_saves:,}")
        odd = count("SELECT count(*) FROM assessments WHERE status != 'submitted' OR latest_revision != 1")
        if odd:
            problems.append(f"{odd} assessments not submitted or not at revision 1")
        orphans = count("SELECT count(*) FROM revisions WHERE assessment_id NOT IN (SELECT id FROM assessments)")
        if orphans:
            problems.append(f"{orphans} revisions without an assessment")
        uneven = count("""SELECT count(*) FROM assessments a WHERE
            (SELECT count(*) FROM revisions r WHERE r.assessment_id = a.id) != 1
            OR (SELECT count(*) FROM audit_log l WHERE l.assessment_id = a.id AND l.action = 'create') != 1
            OR (SELECT count(*) FROM audit_log l WHERE l.assessment_id = a.id AND l.action = 'submit') != 1""")
        if uneven:
            problems.append(f"{uneven} assessments without exactly one revision, one create and one submit row")
        rows = {reference: (name, status) for reference, name, status in
                db.execute("SELECT reference, company_name, status FROM assessments")}
    finally:
        db.close()
    seen = collections.Counter(entry["reference"] for result in clients for entry in result["saved"])
    duplicated = [reference for reference, times in seen.items() if times > 1]
    if duplicated:
        problems.append(f"{len(duplicated)} references handed to more than one save, e.g. {duplicated[:3]}")
    for result in clients:
        missing = [e["reference"] for e in result["saved"] if e["reference"] not in rows]
        misnamed = [e["reference"] for e in result["saved"]
                    if e["reference"] in rows and rows[e["reference"]][0] != e["name"]]
        unsubmitted = [e["reference"] for e in result["saved"]
                       if e["submitted"] and e["reference"] in rows and rows[e["reference"]][1] != "submitted"]
        lost += len(missing) + len(unsubmitted)
        if missing or unsubmitted:
            problems.append(f"client {result['client']}: LOST acknowledged writes: {len(missing)} saved references "
                            f"missing (e.g. {missing[:3]}), {len(unsubmitted)} acknowledged submits not recorded")
        if misnamed:
            problems.append(f"client {result['client']}: {len(misnamed)} references with another client's "
                            f"profile, e.g. {misnamed[:3]}")
    return problems, lost


def run(clients: int, iterations: int, workers: int) -> int:
    expected = clients * iterations
    with tempfile.TemporaryDirectory(prefix="writers-") as folder:
        with serving(folder, ["-k", "sync", "-w", str(workers)], access_log=False) as server:
            running = server.workers()
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            deadline = time.time() + RUN_LIMIT_S
            start = time.perf_counter()
            processes = [context.Process(target=client, args=(n, server.base, iterations, deadline, queue))
                         for n in range(clients)]
            for process in processes:
                process.start()
            results = []
            for _ in processes:
                try:
                    results.append(queue.get(timeout=max(1.0, deadline - time.time() + 2 * REQUEST_TIMEOUT_S)))
                except Exception:  # queue.Empty: a client died or hung
                    break
            elapsed = time.perf_counter() - start
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)
            server_failures = server.crashes()
            log_locked = server.log_text().count(LOCKED)
        problems = []
        if len(results) != clients:
            problems.append(f"only {len(results)} of {clients} clients reported back")
        errors = [error for result in results for error in result["errors"]]
        found, lost = check_database(str(Path(folder, "bench.sqlite3")), results, expected)
        problems += found

    locked = sum(LOCKED in error for error in errors)
    latencies = sorted(t for result in results for t in result["latencies"])
    saves = sum(len(result["saved"]) for result in results)
    verdict = "PASS" if not errors and not problems and not server_failures else "FAIL"
    print(f"writers: {clients} clients × {iterations} iterations (save + submit) against gunicorn, {running} sync "
          f"workers, fresh SQLite database (WAL)")
    print(f"  elapsed {elapsed:.1f} s, {saves:,} saves acknowledged, {2 * saves / elapsed:,.0f} write requests/s")
    if latencies:
        print(f"  save+submit pair: median {latencies[len(latencies) // 2] * 1000:.0f} ms, "
              f"p99 {latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000:.0f} ms")
    print(f"  client errors: {len(errors)} ({locked} mentioning '{LOCKED}'); "
          f"server log: {log_locked} '{LOCKED}', {len(server_failures)} error/worker-failure lines")
    kinds = collections.Counter(re.sub(r"^client \d+ #\d+ ", "", error)[:120] for error in errors)
    for kind, times in kinds.most_common(6):
        print(f"    {times:>5} × {kind}")
    for line in dict.fromkeys(line for line in server_failures if "Traceback" not in line):
        print(f"    server: {line}")
    print(f"  database: {'every assessment, revision and audit row present' if not problems else 'PROBLEMS'} "
          f"(expected {expected:,} assessments, {expected:,} revisions, {2 * expected:,} audit rows)")
    for problem in problems:
        print(f"    {problem}")
    print(f"  acknowledged writes missing from the database (silently lost): {lost}")
    submitted = sum(entry["submitted"] for result in results for entry in result["saved"])
    print(f"{verdict}: {saves:,} of {expected:,} saves and {submitted:,} submits acknowledged, {len(errors)} client "
          f"errors, {len(problems)} database problems, {lost} lost, {len(server_failures)} server errors logged, "
          f"{elapsed:.1f} s")
    return 0 if verdict == "PASS" else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    return run(args.clients, args.iterations, args.workers)


if __name__ == "__main__":
    sys.exit(main())
