"""The request path compiled with Cython (subsidy/compiled.py): what `make test` serves, the same bytes as the
source gives, and never used once its sources have changed."""

import importlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from subsidy import compiled

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ROOT / "tests" / "compiled_outputs.py"
GENERATED = 150


def test_the_request_path_runs_compiled_after_make_builds_it():
    assert compiled.in_use(), f"{compiled.status} (make test builds it: python -m subsidy.compile_modules build)"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in compiled.MODULES:
        module = importlib.import_module(f"subsidy.{name}")
        assert Path(module.__file__) == compiled.COMPILED_DIR / "subsidy" / f"{name}{suffix}"


def _outputs(**env) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV} | env
    done = subprocess.run([sys.executable, str(OUTPUTS), str(GENERATED)], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=300, check=True)
    return done.stdout.splitlines()


def test_compiled_and_source_give_the_same_answers_byte_for_byte():
    compiled_lines, source_lines = _outputs(), _outputs(**{compiled.PURE_ENV: "1"})
    assert compiled_lines[0].startswith("in use")
    assert compiled_lines[0] != source_lines[0] == f"not in use: {compiled.PURE_ENV} is set"
    answers = compiled_lines[1:]
    # 151 profiles and as many with one field spoiled, in two languages: results and refusals both compared.
    assert len(answers) == (GENERATED + 1) * 2 * 2
    statuses = {line.split(" ", 1)[0] for line in answers}
    assert statuses == {"200", "400"}
    for index, (mine, theirs) in enumerate(zip(answers, source_lines[1:], strict=True)):
        assert mine == theirs, f"answer {index} differs"


@pytest.fixture
def build_copy(tmp_path, monkeypatch):
    """A copy of the build's manifest and of the sources it was made from, with a stand-in file for each compiled
    module (activate only looks for them, it does not import them), which compiled.py is pointed at."""
    sources, build = tmp_path / "subsidy", tmp_path / "compiled"
    (build / "subsidy").mkdir(parents=True)
    sources.mkdir()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in compiled.MODULES:
        shutil.copy(compiled.SOURCE_DIR / f"{name}.py", sources / f"{name}.py")
        (build / "subsidy" / f"{name}{suffix}").touch()
    shutil.copy(compiled.MANIFEST, build / "manifest.json")
    monkeypatch.setattr(compiled, "SOURCE_DIR", sources)
    monkeypatch.setattr(compiled, "COMPILED_DIR", build)
    monkeypatch.setattr(compiled, "MANIFEST", build / "manifest.json")
    monkeypatch.delenv(compiled.PURE_ENV, raising=False)
    assert compiled.why_not() is None
    return sources, build


def _activated() -> tuple[list[str], str]:
    path = ["source"]
    saved = compiled.status
    try:
        compiled.activate(path)
        return path, compiled.status
    finally:
        compiled.status = saved


def test_a_current_build_goes_first_on_the_package_path(build_copy):
    path, status = _activated()
    assert path == [str(build_copy[1] / "subsidy"), "source"]
    assert status == compiled.IN_USE == f"in use: {len(compiled.MODULES)} modules compiled with Cython"


def test_a_module_edited_after_the_build_sends_the_whole_package_back_to_source(build_copy):
    sources, _ = build_copy
    money = sources / "money.py"
    money.write_text(money.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    path, status = _activated()
    assert path == ["source"]
    assert status == "not in use: sources changed since the build: money"


def test_a_build_for_another_python_is_not_used(build_copy):
    _, build = build_copy
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["python"] = "cpython-312 .cpython-312-x86_64-linux-gnu.so 3.12.0"
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _activated() == (["source"], "not in use: built for another Python (cpython-312 .cpython-312-x86_64-linux-gnu.so 3.12.0)")


def test_a_missing_module_a_missing_manifest_and_the_switch_each_keep_the_source(build_copy, monkeypatch):
    _, build = build_copy
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    (build / "subsidy" / f"render{suffix}").unlink()
    assert _activated() == (["source"], "not in use: missing from the build: render")
    (build / "manifest.json").unlink()
    assert _activated() == (["source"], "not in use: not built (python -m subsidy.compile_modules build)")
    monkeypatch.setenv(compiled.PURE_ENV, "1")
    assert _activated() == (["source"], f"not in use: {compiled.PURE_ENV} is set")
