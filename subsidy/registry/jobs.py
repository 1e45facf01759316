"""Registry jobs for the officer pages: which registries there are, and starting a job in the background."""

import subprocess
import sys
from pathlib import Path

from .tables import FORMATS

XLSX_WEB_ROWS = 200_000  # above this, results download as Parquet or CSV (an XLSX this size takes minutes)


class JobError(ValueError):
    """A job cannot be started: an unknown registry, or the worker would not start."""


def registries(folder: str | Path) -> list[str]:
    """Return the registries in the registry folder: sub-folders with a companies table, and batch-layout files."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and any((path / f"companies{suffix}").exists() for suffix in FORMATS):
            found.append(path.name)
        elif path.is_file() and path.suffix.lower() in FORMATS:
            found.append(path.name)
    return found


def registry_path(folder: str | Path, name: str) -> Path:
    """Return the path of a registry by its name, refusing any name that is not one of the folder's registries."""
    if name not in registries(folder):
        raise JobError(f"no registry {name!r}")
    return Path(folder) / name


def start(config, token: str, check: int = 1000, lang: str = "zh"):
    """Start the job's worker detached (spawn.py returns as soon as it has started it)."""
    jobs_dir = Path(config["REGISTRY_JOBS_DIR"])
    jobs_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "subsidy.registry.spawn", "--database", config["DATABASE"],
               "--rules-dir", config["RULES_DIR"], "--registry-dir", config["REGISTRY_DIR"],
               "--jobs-dir", str(jobs_dir), "--check", str(check), "--lang", lang,
               "--log", str(jobs_dir / f"{token}.log"), "--", token]
    done = subprocess.run(command, cwd=Path(__file__).resolve().parents[2], timeout=30, check=False,
                          stdin=subprocess.DEVNULL, capture_output=True)
    if done.returncode != 0:
        raise JobError(done.stderr.decode("utf-8", "replace")[-500:])
