"""Measure how long the PDF estimate takes to render, warm, for the CONTRACT.md example profile.

    python benchmarks/pdf_bench.py [--n 20] [--lang zh|en] [--warmup 2] [--out estimate.pdf]

The result is evaluated once, outside the clock; each timed run is one subsidy.pdf.render_estimate call
(Jinja, WeasyPrint layout, font subsetting, PDF writing). Target: median under 250 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from subsidy.pdf import render_estimate  # noqa: E402
from subsidy.service import evaluate_profile  # noqa: E402

EXAMPLE = ROOT / "tests" / "data" / "contract_example.json"
VERIFY_URL = "https://subsidy.example.gov.cn/verify/ABCD-EFGH-JKLM"
TARGET_MS = 250
SLOW_SUBSET = "Using fontTools instead of HarfBuzz-Subset"


class _SlowSubsetWatch(logging.Handler):
    """Remember whether WeasyPrint fell back to the pure-Python font subsetter."""

    seen = False

    def emit(self, record):
        if SLOW_SUBSET in record.getMessage():
            self.seen = True


def example_assessment(lang: str) -> dict:
    profile = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return {"reference": "HZAI-2026-000123", "revision": 2, "code": "ABCD-EFGH-JKLM",
            "created_at": "2026-11-22T08:30:00+08:00", "profile": profile,
            "result": evaluate_profile(profile, lang)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="timed renders (default 20)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--warmup", type=int, default=2, help="untimed renders first (default 2)")
    parser.add_argument("--out", type=Path, help="also write the last PDF here")
    args = parser.parse_args(argv)

    watch = _SlowSubsetWatch()
    logging.getLogger("weasyprint").addHandler(watch)
    assessment = example_assessment(args.lang)
    for _ in range(args.warmup):
        render_estimate(assessment, args.lang, VERIFY_URL)

    times_ms = []
    for _ in range(args.n):
        start = time.perf_counter()
        pdf = render_estimate(assessment, args.lang, VERIFY_URL)
        times_ms.append((time.perf_counter() - start) * 1000)
    if args.out:
        args.out.write_bytes(pdf)

    times_ms.sort()
    median = statistics.median(times_ms)
    p90 = times_ms[min(len(times_ms) - 1, round(0.9 * (len(times_ms) - 1)))]
    print(f"python {platform.python_version()}, weasyprint {metadata.version('weasyprint')}, "
          f"lang {args.lang}, {args.n} renders after {args.warmup} warm-up, {len(pdf):,} bytes per PDF")
    print(f"median {median:.0f} ms, p90 {p90:.0f} ms, min {times_ms[0]:.0f} ms, max {times_ms[-1]:.0f} ms, "
          f"{1000 / median:.1f} renders/s "
          f"(target median < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'MISSED'})")
    if watch.seen:
        print(f"WARNING: WeasyPrint logged “{SLOW_SUBSET}”: install Debian's libharfbuzz-subset0")
    return 0 if median < TARGET_MS and not watch.seen else 1


if __name__ == "__main__":
    sys.exit(main())
