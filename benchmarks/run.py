"""Every benchmark in one command, one table against the targets.

    python benchmarks/run.py            # full: several minutes (1,000,000 evaluations for the memory figure)
    python benchmarks/run.py --quick    # a smoke run in under a minute
    python benchmarks/run.py --only http,batch

Sections (each reuses its own benchmark module):
  engine  benchmarks/engine_bench.py: profiles/s through durable-rules (Engine.fire, decision only), full evaluation
          (evaluate_typed + result_json) and the plain-Python reference, the ratios, and RSS over 1,000,000 full
          evaluations (--quick: 50,000), which must stay flat;
  http    benchmarks/http_bench.py: what make run serves (nginx in front of the shipped gunicorn.conf.py) on
          loopback under wrk POSTing the example to
          /api/v1/evaluate at 1, 16 and 64 connections (10 s each; --quick 3 s); every response must be a 200
          with the right body; target ≥ 1,000 req/s and p99 < 50 ms at 16 connections;
  pdf     benchmarks/pdf_bench.py: renders/s and median ms of the PDF estimate; target median < 250 ms;
  batch   benchmarks/batch_bench.py: 100,000 profiles (--quick: 10,000) from CSV to results through the batch
          command; targets < 60 s and < 300 MB peak RSS (--quick: the time is projected to 100,000);
  registry benchmarks/registry_bench.py: the registry path (DuckDB, Parquet → Parquet) on 10k, 100k and 1M
          companies, Spark local on 100k (identical output), durable-rules, OpenFisca-core int64 on 1M, peak
          memory each; targets 1M in < 3 s, < 1 GiB, ≥ 10× OpenFisca (--quick: 10k and 100k, Spark on 10k).

Progress goes to standard error, the table to standard output. Exit status 1 when a target is missed or a
correctness check fails. Needs wrk for the http section (Debian: apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import batch_bench, engine_bench, http_bench  # noqa: E402

SECTIONS = ("engine", "http", "pdf", "batch", "registry")
SEED = 20191120
MEMORY_GROWTH_MIB = 10  # "flat": RSS may grow at most this much after the first fifth of the run

FULL = {"engine_n": 20_000, "engine_repeat": 3, "memory": engine_bench.LONG_RUN, "memory_sample": 50_000,
        "http_duration": 10, "http_warmup": 2, "pdf_n": 20, "pdf_warmup": 2, "batch_n": batch_bench.FULL_N}
QUICK = {"engine_n": 2_000, "engine_repeat": 1, "memory": 50_000, "memory_sample": 10_000,
         "http_duration": 3, "http_warmup": 1, "pdf_n": 5, "pdf_warmup": 1, "batch_n": batch_bench.QUICK_N}


def progress(message: str):
    print(message, file=sys.stderr, flush=True)


class Row:
    """One line of the table: what, the figure, the target, met or not (None: no target)."""

    def __init__(self, area: str, measure: str, value: str, target: str = "", met: bool | None = None):
        self.area, self.measure, self.value, self.target, self.met = area, measure, value, target, met

    @property
    def status(self) -> str:
        return "" if self.met is None else ("met" if self.met else "MISSED")


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> list[str]:
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
        wrk_version = (done.stdout or done.stderr).split("\n")[0].split(" [")[0]
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("durable-rules", "gunicorn", "weasyprint"))
    return [f"machine: {os.cpu_count()} CPU(s), {cpu_model()}, {platform.machine()}, "
            f"{platform.system()} {platform.release()}; load average at the start: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            f"Python {platform.python_version()} ({sys.executable}), {versions}, {wrk_version or 'wrk NOT INSTALLED'}"]


# --- engine -------------------------------------------------------------------------------------------------

MEMORY_ROW = re.compile(r"^\s*([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*([\d,]*)\s*$")


def engine_section(settings: dict, seed: int) -> list[Row]:
    n, repeat = settings["engine_n"], settings["engine_repeat"]
    progress(f"engine: {n:,} generated profiles, median of {repeat} round(s)")
    profiles = engine_bench.prepare(n, seed)
    rates = {name: n / engine_bench.time_rounds(run, repeat)
             for name, run in engine_bench.evaluators(profiles).items()}
    del profiles
    def rate(prefix: str) -> float:
        return next(value for name, value in rates.items() if name.startswith(prefix))
    decision, full, reference = rate("engine decision"), rate("full evaluation"), rate("reference")
    rows = [
        Row("engine", "durable-rules, decision only (Engine.fire)", f"{decision:,.0f} profiles/s"),
        Row("engine", "full evaluation (evaluate_typed + result_json)", f"{full:,.0f} profiles/s"),
        Row("engine", "plain-Python reference", f"{reference:,.0f} profiles/s"),
        Row("engine", "reference ÷ durable-rules decision / ÷ full", f"{reference / decision:.1f}× / "
                                                                     f"{reference / full:.1f}×"),
    ]
    return rows


class MemoryRun:
    """engine_bench.memory in a child process of its own (a clean RSS); started, then finished later.

    The full run waits for it before going on; --quick runs it alongside the single-process pdf and batch
    sections (its RSS figure does not depend on the time it is given) to stay under a minute.
    """

    def __init__(self, settings: dict, seed: int, folder: str):
        self.total = settings["memory"]
        self.limit_s = 600 if self.total <= 100_000 else 7200
        self.output = Path(folder, "memory.txt")
        code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks import engine_bench; "
                f"engine_bench.SAMPLE_EVERY = {settings['memory_sample']}; engine_bench.memory({self.total}, {seed})")
        progress(f"engine: memory over {self.total:,} full evaluations (engine_bench.memory, own process)")
        with open(self.output, "w") as handle:
            self.child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=handle,
                                          stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def finish(self, echo: bool = True) -> list[Row]:
        shown = 0
        while True:
            done = self.child.poll() is not None
            if echo:
                text = self.output.read_text(errors="replace")
                progress(text[shown:].rstrip("\n")) if text[shown:].strip() else None
                shown = len(text)
            if done:
                break
            if time.monotonic() - self.started > self.limit_s:
                self.child.kill()
                self.child.wait(timeout=10)
                break
            time.sleep(1)
        return self.rows()

    def rows(self) -> list[Row]:
        total = self.total
        text = self.output.read_text(errors="replace")
        samples = [(int(m[1].replace(",", "")), float(m[2]), float(m[3]), float(m[4]))
                   for m in map(MEMORY_ROW.match, text.splitlines()) if m]
        if self.child.returncode != 0 or len(samples) < 3 or samples[-1][0] != total:
            return [Row("engine", f"memory over {total:,} evaluations",
                        f"engine_bench.memory failed (exit {self.child.returncode}): {text[-200:]!r}", "flat", False)]
        baseline = next(s for s in samples if s[0] >= total // 5)
        final = samples[-1]
        growth = final[1] - baseline[1]
        rate = (final[0] - samples[1][0]) / (final[3] - samples[1][3])
        return [Row("engine", f"memory over {total:,} full evaluations",
                    f"RSS {baseline[1]:.0f} MiB at {baseline[0]:,} → {final[1]:.0f} MiB at {final[0]:,} "
                    f"({growth:+.1f}), highest {max(x[1] for x in samples):.0f} MiB; {rate:,.0f}/s",
                    f"flat: < {MEMORY_GROWTH_MIB} MiB growth", growth < MEMORY_GROWTH_MIB)]


# --- http ---------------------------------------------------------------------------------------------------

def http_section(settings: dict) -> list[Row]:
    if not shutil.which("wrk"):
        message = f"wrk is not installed: `{http_bench.WRK_INSTALL}` (Debian package wrk), then run again"
        progress(f"http: SKIPPED, {message}")
        return [Row("http", "POST /api/v1/evaluate under wrk", "not run: " + message, "wrk installed", False)]
    duration = settings["http_duration"]
    progress(f"http: nginx → shipped gunicorn.conf.py, wrk {duration:g} s at each of {http_bench.CONNECTIONS} "
             "connections")
    result = http_bench.shipped_load(duration, http_bench.CONNECTIONS, settings["http_warmup"])
    rows = [Row("http", "machine yardstick before the load (plain-Python reference, every CPU)",
                f"{result['yardstick']:,.0f} profiles/s a CPU")]
    for row in result["rows"]:
        c = row["connections"]
        label = f"POST /api/v1/evaluate, {c} connection{'s' if c > 1 else ''} ({result['workers']} sync workers)"
        value = f"{row['rps']:,.0f} req/s, p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms"
        bad = http_bench.bad_count(row)
        if c == http_bench.TARGET_CONNECTIONS:
            rows.append(Row("http", label, value,
                            f"≥ {http_bench.TARGET_RPS:,} req/s, p99 < {http_bench.TARGET_P99_MS} ms",
                            row["rps"] >= http_bench.TARGET_RPS and row["p99_ms"] < http_bench.TARGET_P99_MS))
        else:
            rows.append(Row("http", label, value))
        rows.append(Row("http", f"  responses at {c}: {row['requests']:,}",
                        f"{row['non200']} non-200, {row['wrong']} wrong body, {row['socket_errors']} socket errors",
                        "all 200 and right", bad == 0))
    if result["crashes"]:
        rows.append(Row("http", "gunicorn worker failures", f"{len(result['crashes'])}: {result['crashes'][0][:80]}",
                        "none", False))
    return rows


# --- pdf ----------------------------------------------------------------------------------------------------

def pdf_section(settings: dict) -> list[Row]:
    progress(f"pdf: {settings['pdf_n']} renders after {settings['pdf_warmup']} warm-up (pdf_bench)")
    from benchmarks import pdf_bench  # WeasyPrint is loaded only when this section runs

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        pdf_bench.main(["--n", str(settings["pdf_n"]), "--warmup", str(settings["pdf_warmup"])])
    text = captured.getvalue()
    progress(text.rstrip())
    found = re.search(r"median (\d+) ms, p90 (\d+) ms.*?([\d.]+) renders/s", text)
    if not found:
        return [Row("pdf", "PDF estimate", "could not read pdf_bench's output", f"median < {pdf_bench.TARGET_MS} ms",
                    False)]
    median, p90, rate = int(found[1]), int(found[2]), float(found[3])
    rows = [Row("pdf", "PDF estimate (render_estimate, warm, zh)",
                f"{rate:.1f} renders/s, median {median} ms, p90 {p90} ms",
                f"median < {pdf_bench.TARGET_MS} ms", median < pdf_bench.TARGET_MS)]
    if "WARNING" in text:
        rows.append(Row("pdf", "font subsetting", "pure-Python fallback (libharfbuzz-subset0 missing)", "HarfBuzz",
                        False))
    return rows


# --- batch --------------------------------------------------------------------------------------------------

def batch_section(settings: dict, seed: int) -> list[Row]:
    n = settings["batch_n"]
    progress(f"batch: {n:,} profiles, CSV → flask batch → CSV")
    f = batch_bench.batch_bench(n, seed)
    projected = "" if n == batch_bench.FULL_N else f" (→ {f['seconds'] * batch_bench.FULL_N / n:.0f} s for " \
                                                   f"{batch_bench.FULL_N:,})"
    return [
        Row("batch", f"flask batch, {n:,} profiles CSV → CSV: time",
            f"{f['seconds']:.1f} s, {f['rate']:,.0f} profiles/s{projected}",
            f"< {batch_bench.TARGET_SECONDS} s for {batch_bench.FULL_N:,}", f["met_time"]),
        Row("batch", "  peak RSS of the batch process", f"{f['peak_mb']:.0f} MB ({f['peak_from']})",
            f"< {batch_bench.TARGET_MB} MB", f["met_memory"]),
        Row("batch", "  output", f"{f['rows']:,} rows, {f['ok']:,} ok, {f['errors']:,} errors, exit {f['exit']}",
            "one row per profile, in order", f["sound"]),
    ]


# --- registry -----------------------------------------------------------------------------------------------

def registry_section(quick: bool) -> list[Row]:
    from benchmarks import registry_bench

    return [Row("registry", what, figure, target, met)
            for what, figure, target, met in registry_bench.run(quick, progress=progress)]


def print_table(header: list[str], rows: list[Row], elapsed: float, mode: str):
    print()
    for line in header:
        print(line)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{mode} run, {elapsed:.0f} s in all; load average (1, 5, 15 min) at the end: {load} "
          f"(anything above 0 besides this run is other work sharing the CPUs)")
    widths = [max(len(getattr(r, a)) for r in rows) for a in ("area", "measure", "value", "target")]
    widths = [max(w, len(h)) for w, h in zip(widths, ("area", "measure", "value", "target"), strict=True)]
    line = f"{{:<{widths[0]}}}  {{:<{widths[1]}}}  {{:<{widths[2]}}}  {{:<{widths[3]}}}  {{}}"
    print(line.format("area", "measure", "value", "target", "status"))
    print("-" * (sum(widths) + 8 + 6))
    for r in rows:
        print(line.format(r.area, r.measure, r.value, r.target, r.status))
    missed = [r for r in rows if r.met is False]
    print(f"{len(missed)} target(s) missed" + (": " + "; ".join(f"{r.area} {r.measure.strip()}" for r in missed)
                                                if missed else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run in under a minute")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    settings = QUICK if args.quick else FULL
    header = machine()
    for line in header:
        progress(line)
    start = time.perf_counter()
    rows: list[Row] = []
    engine_rows, memory_rows, memory = [], [], None
    with tempfile.TemporaryDirectory(prefix="bench-run-") as folder:
        try:
            for section in SECTIONS:
                if section not in sections:
                    continue
                begun = time.perf_counter()
                if section == "engine":
                    engine_rows = engine_section(settings, args.seed)
                    if not args.quick:
                        memory_rows = MemoryRun(settings, args.seed, folder).finish()
                elif section == "http":
                    rows += http_section(settings)
                elif section == "pdf":
                    rows += pdf_section(settings)
                elif section == "batch":
                    rows += batch_section(settings, args.seed)
                elif section == "registry":
                    rows += registry_section(args.quick)
                progress(f"{section}: done in {time.perf_counter() - begun:.1f} s")
                # --quick: the memory run goes alongside pdf and batch, once http (which loads both CPUs) is over.
                if args.quick and "engine" in sections and memory is None and \
                        (section == "http" or ("http" not in sections and section == "engine")):
                    memory = MemoryRun(settings, args.seed, folder)
            if memory is not None:
                memory_rows = memory.finish(echo=False)
        finally:
            if memory is not None and memory.child.poll() is None:
                memory.child.kill()
                memory.child.wait(timeout=10)
    rows = engine_rows + memory_rows + rows
    print_table(header, rows, time.perf_counter() - start, "quick" if args.quick else "full")
    return 1 if any(r.met is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
