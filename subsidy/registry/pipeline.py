"""Screening and simulation runs from a registry to files, shared by the command line and the background job."""

import json
import os
import time
from pathlib import Path

from . import output, outreach, screen, simulate
from .spark import SPARK_ENGINE, spark_screen
from .tables import read_registry
from .validate import validate


def _orphans_text(typed, lang: str) -> list[str]:
    return [f"{o['file']}:{o['line']}: {screen.error_text(o['errors'], lang)}" for o in typed.orphans]


def _partial(target) -> str:
    return str(Path(target).with_name(f".{Path(target).name}.partial"))


def run_screen(source, target, rulebook, engine, *, fmt=None, check=1000, lang="zh", filed=None,
               outreach_target=None, progress=None, engine_name="duckdb", master=None, seed=None) -> dict:
    """Screen a registry into target (one row per company) and, if asked, the 免申即享 list; return the summary."""
    started = time.perf_counter()
    if engine_name == SPARK_ENGINE:
        return spark_screen(source, target, rulebook, engine, check=check, lang=lang, master=master,
                            progress=progress, seed=seed)
    # The durable-rules check runs in a process of its own beside the rest; the files are written under a
    # temporary name and take their real names only once it has found nothing different.
    run = screen.screen(source, rulebook, engine, check, progress, seed, beside=True)
    tick = screen.Progress(progress)
    tick("write")
    begun = time.perf_counter()
    written = [(_partial(target), target)]
    output.write(screen.result_table(run, lang), written[0][0], fmt or output.format_of(target))
    summary = screen.summary(run)
    if filed is not None:
        listed = outreach.outreach(run, filed)
        summary["outreach"] = outreach.counts(listed)
        if outreach_target:
            written.append((_partial(outreach_target), outreach_target))
            output.write(listed, written[1][0], output.format_of(outreach_target), sheet="outreach")
    run.timings["write"] = time.perf_counter() - begun
    tick("check")
    try:
        screen.finish_check(run)
    except BaseException:
        for partial, _ in written:
            Path(partial).unlink(missing_ok=True)
        raise
    for partial, final in written:
        os.replace(partial, final)
    summary["timings"] = {k: round(v, 3) for k, v in run.timings.items()}
    summary["seconds"] = round(time.perf_counter() - started, 3)
    summary["orphan_lines"] = _orphans_text(run.typed, lang)[:100]
    summary["error_lines"] = [{"line": int(run.typed.lines[row]), "errors": screen.error_text(found, lang)}
                              for row, found in list(run.typed.errors.items())[:100]]
    tick("write", 1.0)
    return summary


def run_simulate(source, rulebook, engine, variant, variant_engine, *, check=1000, target=None, progress=None,
                 report_target=None) -> dict:
    """Compare a variant with the baseline over a registry; write per-company changes if asked; return the report."""
    tick = screen.Progress(progress)
    tick("read")
    raw = read_registry(source)
    tick("validate")
    typed = validate(raw)
    found = simulate.simulate(typed, rulebook, engine, variant, variant_engine, check, progress)
    if target:
        output.write(simulate.per_company(found["base"], found["variant"]), target)
    report = found["report"]
    report["variant"] = {"name": variant.name, "title": variant.title}
    if report_target:
        Path(report_target).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    tick("write", 1.0)
    return report
