"""The background worker of one registry job: screen or simulate, progress and results into the database.

Started detached by jobs.start (through spawn.py); `python -m subsidy.registry.worker --database … TOKEN`.
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

from ..db import connect
from ..engine import Engine
from ..rulebook import RULES_DIR, default_rulebook, load_rulebook
from . import jobs, outreach, pipeline, store, variants
from .output import XLSX_MAX_ROWS, write

PROGRESS_EVERY = 0.3  # seconds between two progress writes


class _Reporter:
    def __init__(self, db, token):
        self.db, self.token, self.last = db, token, 0.0

    def __call__(self, stage: str, fraction: float):
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            store.update_job(self.db, self.token, stage=stage, progress=round(fraction, 3))
            self.last = now


def _extra_formats(folder: Path, names: list[tuple[str, int]], moved):
    """Write the CSV (and, below XLSX's row limit and the web's, the XLSX) beside each result's Parquet; moved(f)
    is told how far along the files are, so the page's bar keeps moving through a long XLSX."""
    import pyarrow.parquet as pq

    steps = [(name, fmt) for name, rows in names
             for fmt in ("csv", *(("xlsx",) if rows <= min(XLSX_MAX_ROWS, jobs.XLSX_WEB_ROWS) else ()))]
    for done, (name, fmt) in enumerate(steps):
        moved(done / len(steps))
        write(pq.read_table(folder / f"{name}.parquet"), folder / f"{name}.{fmt}", fmt, sheet=name)


def _moved(db, token):
    """Return a callback that shows the extra files' progress as the last part of the write stage (0.95–0.99)."""
    return lambda fraction: store.update_job(db, token, stage="write", progress=round(0.95 + 0.04 * fraction, 3))


def run(args) -> int:
    db = connect(args.database)
    token = args.token
    job = store.job(db, token)
    folder = Path(args.jobs_dir) / token
    folder.mkdir(parents=True, exist_ok=True)
    store.update_job(db, token, status="running", stage="read")
    try:
        shipped = Path(args.rules_dir).resolve() == RULES_DIR.resolve()
        rulebook = default_rulebook() if shipped else load_rulebook(args.rules_dir)
        engine = Engine(rulebook)
        source = jobs.registry_path(args.registry_dir, job["registry"])
        report = _Reporter(db, token)
        if job["kind"] == "screen":
            summary = pipeline.run_screen(source, folder / "results.parquet", rulebook, engine, check=args.check,
                                          lang=args.lang, filed=outreach.filed_clauses(db),
                                          outreach_target=folder / "outreach.parquet", progress=report)
            _extra_formats(folder, [("results", summary["companies"]),
                                    ("outreach", sum(summary.get("outreach", {}).values()))], _moved(db, token))
        else:
            row = store.variant_row(db, job["variant_id"])
            variant = variants.load_variant(row["source"], rulebook, f"{row['name']}.yaml")
            summary = pipeline.run_simulate(source, rulebook, engine, variant, variants.engine_for(variant),
                                            check=args.check, target=folder / "changes.parquet", progress=report)
            _extra_formats(folder, [("changes", summary["companies"])], _moved(db, token))
        store.update_job(db, token, status="done", stage="done", progress=1.0, summary=summary)
        return 0
    except Exception as error:  # the job records why it failed; the officer sees it on the page
        store.update_job(db, token, status="failed", error=f"{type(error).__name__}: {error}"[:4000])
        traceback.print_exc()
        return 1
    finally:
        db.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--rules-dir", required=True)
    parser.add_argument("--registry-dir", required=True)
    parser.add_argument("--jobs-dir", required=True)
    parser.add_argument("--check", type=int, default=1000)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--log", default=None)
    parser.add_argument("token")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
