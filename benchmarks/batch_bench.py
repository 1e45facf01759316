"""Time the batch command over generated profiles in the CSV layout, and measure its peak memory.

    python benchmarks/batch_bench.py [--n 100000] [--seed S] [--quick] [--keep DIR]

Writes n generated profiles (benchmarks/profiles.generate) as a CSV in the flat column layout
(subsidy.flat.flatten, columns of docs/batch-template.csv first, extra list rows after), outside the clock; then
runs `flask --app <app> batch in.csv out.csv` as a child process (the app on a throwaway database, as the HTTP
benchmark's server module) and takes its wall time and its own peak RSS (os.wait4's rusage of that child). The
output is checked: one row per profile, in order, and how many came back as errors. Targets: under 60 s and
under 300 MB for 100,000 profiles.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.http_bench import SERVER  # noqa: E402
from benchmarks.profiles import generate  # noqa: E402
from subsidy.flat import flatten, template_columns  # noqa: E402

FULL_N = 100_000
QUICK_N = 10_000
TARGET_SECONDS = 60
TARGET_MB = 300
TIME_LIMIT_S = 1800
TIME = "/usr/bin/time"  # Debian package time


def write_csv(path: Path, n: int, seed: int) -> int:
    """Write n generated profiles as flat CSV rows; return the number of columns."""
    rows = [flatten(profile) for profile in generate(n, seed)]
    columns = template_columns()
    known = set(columns)
    for row in rows:
        for column in row:
            if column not in known:
                known.add(column)
                columns.append(column)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(columns)


def run_batch(source: Path, target: Path, folder: str) -> dict:
    """Run the batch command as a child; return its wall seconds, peak RSS and exit status.

    The peak comes from /usr/bin/time -v, which forks the command itself: Linux carries the peak RSS of the
    process that forks over an exec, so os.wait4's figure for a direct child of a large Python process (run.py
    after the other sections) would report that process's size instead. Without /usr/bin/time, os.wait4's figure
    is used, and is only right when this script runs alone.
    """
    Path(folder, "bench_server.py").write_text(SERVER, encoding="utf-8")
    env = dict(os.environ, BENCH_DB=str(Path(folder, "bench.sqlite3")), PYTHONPATH=f"{folder}:{ROOT}")
    command = [str(ROOT / ".venv/bin/flask"), "--app", "bench_server:app", "batch", str(source), str(target)]
    rusage_path = Path(folder, "time-v.txt")
    if os.access(TIME, os.X_OK):
        command = [TIME, "-v", "-o", str(rusage_path), *command]
    log_path = Path(folder, "batch.log")
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = start + TIME_LIMIT_S
        while True:  # bounded wait: os.wait4 gives this child's own rusage
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    peak_kib, source_of_peak = usage.ru_maxrss, "os.wait4"
    if rusage_path.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", rusage_path.read_text())
        if found:
            peak_kib, source_of_peak = int(found[1]), "/usr/bin/time -v"
    return {"seconds": seconds, "peak_mb": peak_kib * 1024 / 1e6, "peak_mib": peak_kib / 1024,
            "peak_from": source_of_peak, "exit": child.returncode,
            "log": log_path.read_text(encoding="utf-8", errors="replace")[-2000:]}


def check_output(target: Path, n: int) -> dict:
    """Return how many result rows there are, how many are ok and errors, and whether lines are in order."""
    ok = errors = rows = 0
    previous, ordered = 0, True
    first_error = ""
    with open(target, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            line = int(row["line"])
            ordered &= line > previous
            previous = line
            if row["outcome"] == "ok":
                ok += 1
            else:
                errors += 1
                first_error = first_error or f"line {line}: {row['errors']}"
    return {"rows": rows, "ok": ok, "errors": errors, "ordered": ordered, "complete": rows == n,
            "first_error": first_error}


def batch_bench(n: int, seed: int = 20191120, keep: Path | None = None) -> dict:
    """Generate, run and check; return the figures."""
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as temporary:
        folder = Path(keep) if keep else Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        source, target = folder / "profiles.csv", folder / "results.csv"
        start = time.perf_counter()
        columns = write_csv(source, n, seed)
        prepared = time.perf_counter() - start
        figures = run_batch(source, target, str(folder))
        figures.update(n=n, columns=columns, prepare_seconds=prepared, input_mb=source.stat().st_size / 1e6)
        figures.update(check_output(target, n) if target.exists() else
                       {"rows": 0, "ok": 0, "errors": 0, "ordered": False, "complete": False, "first_error": ""})
    figures["rate"] = n / figures["seconds"]
    scale = FULL_N / n
    figures["met_time"] = figures["seconds"] * scale < TARGET_SECONDS
    figures["met_memory"] = figures["peak_mb"] < TARGET_MB
    figures["sound"] = figures["exit"] == 0 and figures["complete"] and figures["ordered"]
    return figures


def print_figures(f: dict):
    print(f"batch command: {f['n']:,} generated profiles, CSV in ({f['columns']} columns, {f['input_mb']:.1f} MB, "
          f"written in {f['prepare_seconds']:.1f} s outside the clock) → CSV out")
    print(f"  {f['seconds']:.1f} s wall ({f['rate']:,.0f} profiles/s), peak RSS {f['peak_mb']:.0f} MB "
          f"({f['peak_mib']:.0f} MiB, {f['peak_from']}), exit {f['exit']}")
    print(f"  output: {f['rows']:,} rows ({f['ok']:,} ok, {f['errors']:,} errors), "
          f"{'in order' if f['ordered'] else 'NOT in order'}, {'complete' if f['complete'] else 'INCOMPLETE'}")
    if f["first_error"]:
        print(f"  first error row: {f['first_error'][:300]}")
    projected = "" if f["n"] == FULL_N else f" (projected to {FULL_N:,}: {f['seconds'] * FULL_N / f['n']:.0f} s)"
    print(f"  targets for {FULL_N:,}: < {TARGET_SECONDS} s{projected}: {'met' if f['met_time'] else 'MISSED'}; "
          f"< {TARGET_MB} MB: {'met' if f['met_memory'] else 'MISSED'}")
    if f["exit"] != 0:
        print(f"  the batch command failed:\n{f['log']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=FULL_N, help=f"profiles (default {FULL_N:,})")
    parser.add_argument("--seed", type=int, default=20191120)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N:,} profiles")
    parser.add_argument("--keep", type=Path, help="write the input, output and log here instead of a temporary folder")
    args = parser.parse_args(argv)
    figures = batch_bench(QUICK_N if args.quick else args.n, args.seed, args.keep)
    print_figures(figures)
    return 0 if figures["sound"] and figures["met_time"] and figures["met_memory"] else 1


if __name__ == "__main__":
    sys.exit(main())
