"""The request path's own modules, compiled to C with Cython, and used only when built from these very sources.

    python -m subsidy.compile_modules build     compile them into build/compiled (make run and make test do)
    python -m subsidy.compile_modules status    say whether they are used, and why not

The modules stay plain Python: Cython compiles them unchanged, annotations ignored (`annotation_typing=False`),
so they keep Python's semantics (arbitrary-size integers, exceptions, dicts) without the interpreter's dispatch
between them. Measured (README, Benchmarks): 16-21 % fewer CPU instructions for a whole `POST /api/v1/evaluate`,
Flask and marshmallow included, byte-identical results; under load on this VM the CPU time falls less (0-7 %).

`import subsidy` puts build/compiled/subsidy before the package's own folder, so `subsidy.render` is found there
first, only if the build's manifest names the SHA-256 of every source as it is now and this very Python. A
module edited after the build, or a build for another Python, and the whole package runs from source: a
compiled copy can never answer for code that has changed. SUBSIDY_PURE_PYTHON=1 runs from source regardless
(the tests compare both).
"""

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "subsidy"
COMPILED_DIR = ROOT / "build" / "compiled"
MANIFEST = COMPILED_DIR / "manifest.json"
PURE_ENV = "SUBSIDY_PURE_PYTHON"

# What a POST /api/v1/evaluate runs of ours, from the profile's validation to the result's words and headers.
MODULES = (
    "engine", "evaluation", "explain", "facts", "headers", "hints", "i18n", "jsonfast", "labels", "messages",
    "money", "numerals", "outcomes", "profile_fields", "render", "requests", "schemas", "security", "sessions",
    "throttle", "whynot",
)
DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False, "embedsignature": False}
IN_USE = f"in use: {len(MODULES)} modules compiled with Cython"

status = "not checked"  # why this process does or does not use the compiled modules, for `status` and the logs


def _python_tag() -> str:
    return f"{sys.implementation.cache_tag} {sysconfig.get_config_var('EXT_SUFFIX')} {sys.version}"


def _source_hashes() -> dict[str, str]:
    return {name: hashlib.sha256((SOURCE_DIR / f"{name}.py").read_bytes()).hexdigest() for name in MODULES}


def why_not() -> str | None:
    """Return why the compiled modules cannot be used, or None when they can."""
    if os.environ.get(PURE_ENV):
        return f"{PURE_ENV} is set"
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not built (python -m subsidy.compile_modules build)"
    except (OSError, ValueError) as error:
        return f"unreadable manifest: {error}"
    if manifest.get("python") != _python_tag():
        return f"built for another Python ({manifest.get('python')})"
    built = manifest.get("modules", {})
    changed = sorted(name for name, digest in _source_hashes().items() if built.get(name) != digest)
    if changed:
        return "sources changed since the build: " + ", ".join(changed)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    absent = [name for name in MODULES if not (COMPILED_DIR / "subsidy" / f"{name}{suffix}").is_file()]
    if absent:
        return "missing from the build: " + ", ".join(absent)
    return None


def activate(package_path: list[str]) -> None:
    """Put the compiled modules first on the package's path if they were built from the sources as they are."""
    global status
    reason = why_not()
    if reason is None:
        package_path.insert(0, str(COMPILED_DIR / "subsidy"))
        status = IN_USE
    else:
        status = f"not in use: {reason}"


def in_use() -> bool:
    return status == IN_USE


def build() -> None:
    """Compile MODULES into COMPILED_DIR and write the manifest last (a failed build leaves none)."""
    from Cython import __version__ as cython_version
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    MANIFEST.unlink(missing_ok=True)
    hashes = _source_hashes()  # before compiling: an edit during the build makes the manifest stale, not wrong
    extensions = [Extension(f"subsidy.{name}", [str(SOURCE_DIR / f"{name}.py")]) for name in MODULES]
    work = ROOT / "build" / "cython"
    modules = cythonize(extensions, build_dir=str(work), compiler_directives=DIRECTIVES, quiet=True,
                        nthreads=os.cpu_count() or 1)
    distribution = Distribution({"name": "subsidy-compiled", "ext_modules": modules})
    command = distribution.get_command_obj("build_ext")
    command.build_lib = str(COMPILED_DIR)
    command.build_temp = str(work / "objects")
    command.parallel = os.cpu_count() or 1
    command.ensure_finalized()
    command.run()
    manifest = {"python": _python_tag(), "cython": cython_version, "directives": DIRECTIVES, "modules": hashes}
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
