"""Measure the engine against the hand-written reference on generated profiles, and its memory over a long run.

    python benchmarks/engine_bench.py [--n 20000] [--repeat 3] [--memory N | --long] [--quick] [--seed S]

Profiles are generated and validated once up front (load_profile, outside the timing). Three evaluators run
over the same typed profiles in one process:
  - engine decision only: subsidy.engine.Engine.fire on the facts of subsidy.facts.all_facts (only the fire
    call is timed; the facts are built just before it, outside the clock);
  - full evaluation: subsidy.service.evaluate_typed then subsidy.render.result_json;
  - reference: benchmarks.reference.reference_evaluate.
With --memory N (or --long: 1,000,000) it then runs N full evaluations, printing RSS every 50,000.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.profiles import generate  # noqa: E402
from benchmarks.reference import reference_evaluate  # noqa: E402
from subsidy.facts import all_facts  # noqa: E402
from subsidy.render import result_json  # noqa: E402
from subsidy.schemas import load_profile  # noqa: E402
from subsidy.service import default_engine, evaluate_typed  # noqa: E402

SAMPLE_EVERY = 50_000
LONG_RUN = 1_000_000
MIB = 1024 * 1024


def rss_mib() -> float:
    """Return the process's current resident set size in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB


def peak_rss_mib() -> float:
    """Return the process's peak resident set size in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(n: int, seed: int) -> list[dict]:
    """Return n generated profiles, validated and typed, built outside any timing."""
    return [load_profile(raw) for raw in generate(n, seed)]


def time_rounds(run: Callable[[], float], repeat: int) -> float:
    """Return the median of the seconds repeat runs report."""
    return statistics.median(run() for _ in range(repeat))


def _timed(loop: Callable[[], None]) -> Callable[[], float]:
    """Return a run that times the whole loop."""
    def run() -> float:
        start = time.perf_counter()
        loop()
        return time.perf_counter() - start
    return run


def evaluators(profiles: list[dict]) -> dict[str, Callable[[], float]]:
    """Return the three evaluators, each running over every profile once and returning the seconds it took."""
    engine = default_engine()

    def decision_only() -> float:
        seconds = 0.0
        for profile in profiles:
            facts = all_facts(engine.rulebook, profile)[1]
            start = time.perf_counter()
            engine.fire(facts)
            seconds += time.perf_counter() - start
        return seconds

    def full_evaluation():
        for profile in profiles:
            result_json(evaluate_typed(profile, engine), "zh")

    def reference():
        for profile in profiles:
            reference_evaluate(profile)

    return {
        "engine decision only (Engine.fire)": decision_only,
        "full evaluation (evaluate_typed + result_json)": _timed(full_evaluation),
        "reference (hand-written Python)": _timed(reference),
    }


def speed(n: int, repeat: int, seed: int) -> None:
    """Time every evaluator over n generated profiles and print the table."""
    start = time.perf_counter()
    profiles = prepare(n, seed)
    print(f"prepared {n:,} profiles (generate + load_profile) in {time.perf_counter() - start:.1f} s, "
          f"seed {seed}; median of {repeat} round(s)\n")
    rates = {}
    for name, run in evaluators(profiles).items():
        rates[name] = n / time_rounds(run, repeat)
    reference_rate = rates["reference (hand-written Python)"]
    print(f"{'evaluator':<48} {'profiles/s':>12} {'µs/profile':>11} {'reference ÷ this':>17}")
    print("-" * 91)
    for name, rate in rates.items():
        print(f"{name:<48} {rate:>12,.0f} {1e6 / rate:>11,.1f} {reference_rate / rate:>16,.1f}×")
    print(f"\npeak RSS so far: {peak_rss_mib():.1f} MiB")


def memory(total: int, seed: int) -> None:
    """Run total full evaluations through the engine, cycling over generated profiles, printing RSS as it goes."""
    profiles = prepare(min(total, 10_000), seed)
    engine = default_engine()
    print(f"\nmemory: {total:,} full evaluations (evaluate_typed + result_json), fresh session each, "
          f"cycling over {len(profiles):,} profiles")
    print(f"{'evaluations':>12} {'RSS MiB':>9} {'peak MiB':>9} {'elapsed s':>10} {'profiles/s':>11}")
    print(f"{0:>12,} {rss_mib():>9.1f} {peak_rss_mib():>9.1f} {0:>10.1f} {'':>11}")
    start = last = time.perf_counter()
    samples = []
    for done, profile in enumerate(itertools.islice(itertools.cycle(profiles), total), start=1):
        result_json(evaluate_typed(profile, engine), "zh")
        if done % SAMPLE_EVERY == 0 or done == total:
            now = time.perf_counter()
            rate = (done - (samples[-1][0] if samples else 0)) / (now - last)
            samples.append((done, rss_mib()))
            print(f"{done:>12,} {samples[-1][1]:>9.1f} {peak_rss_mib():>9.1f} {now - start:>10.1f} {rate:>11,.0f}",
                  flush=True)
            last = now
    if len(samples) >= 2:
        first, final = samples[0], samples[-1]
        print(f"RSS change from {first[0]:,} to {final[0]:,} evaluations: {final[1] - first[1]:+.1f} MiB")


def describe_machine() -> None:
    """Print what the figures were measured on."""
    print(f"Python {platform.python_version()}, durable-rules {metadata.version('durable-rules')}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}, {platform.system()} {platform.release()}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="profiles for the speed table (default 20,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per evaluator; the median counts")
    parser.add_argument("--memory", type=int, metavar="N", help="also run N full evaluations, sampling RSS")
    parser.add_argument("--long", action="store_true", help=f"memory run of {LONG_RUN:,} unless --memory is given")
    parser.add_argument("--quick", action="store_true", help="2,000 profiles, one round (a smoke run)")
    parser.add_argument("--seed", type=int, default=20191120, help="seed of the profile generator")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.repeat = 2_000, 1
    if args.long and args.memory is None:
        args.memory = LONG_RUN
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark."""
    args = parse_args(argv)
    describe_machine()
    speed(args.n, args.repeat, args.seed)
    if args.memory:
        memory(args.memory, args.seed)


if __name__ == "__main__":
    main()
