"""How fast and in how much memory the XLSX bombs of issue 8 are refused, under real gunicorn (one worker).

    .venv/bin/python benchmarks/upload_bounds.py

Prints, per file, its size, the status, the seconds to the answer and the worker's peak RSS. Targets: refused
(413) within 2 s, worker under 200 MB; and a 100,000-row CSV accepted.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.security import bombs  # noqa: E402
from tests.security.served import create_officer, csrf_token, gunicorn, logged_in, worker_peak_mb  # noqa: E402
from tests.security.test_upload_bounds import csv_file  # noqa: E402


def main():
    files = [("400 MB shared string", "firms.xlsx", bombs.huge_shared_string()),
             ("3,000,000 rows", "firms.xlsx", bombs.millions_of_rows()),
             ("100,000-row CSV", "firms.csv", csv_file(100_000))]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        with gunicorn(database, Path(folder) / "gunicorn.log") as (base, master):
            create_officer(database)
            print(f"worker peak RSS at start: {worker_peak_mb(master):.0f} MB")
            for label, name, data in files:
                session = logged_in(base)
                token = csrf_token(session, base + "/officer/batch/")
                started = time.perf_counter()
                response = session.post(base + "/officer/batch/", data={"csrf_token": token},
                                        files={"file": (name, data)}, allow_redirects=False, timeout=300)
                took = time.perf_counter() - started
                print(f"{label:<22} {len(data) / 1024:>8,.0f} KB  {response.status_code}  {took:6.2f} s  "
                      f"worker peak {worker_peak_mb(master):.0f} MB")


if __name__ == "__main__":
    main()
