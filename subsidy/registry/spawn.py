"""Start a registry job's worker detached from the web process, then return at once.

Run as `python -m subsidy.registry.spawn ARGS…` by the web worker, which waits only for this short process: the
job's worker is started in a session of its own and outlives it, so no web worker is held and no child of a
web worker is left behind unreaped.
"""

import subprocess
import sys


def main(argv: list[str]) -> int:
    log = argv[argv.index("--log") + 1] if "--log" in argv else None
    with open(log, "ab") if log else open("/dev/null", "wb") as out:
        subprocess.Popen([sys.executable, "-m", "subsidy.registry.worker", *argv], stdin=subprocess.DEVNULL,
                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
