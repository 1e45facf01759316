"""Build the compiled request path, or say whether it is in use (subsidy/compiled.py says how and why).

    python -m subsidy.compile_modules build
    python -m subsidy.compile_modules status
"""

import sys

from . import compiled


def main(argv: list[str]) -> int:
    if argv == ["build"]:
        compiled.build()
        reason = compiled.why_not()
        if reason is not None:
            print(f"the build cannot be used: {reason}", file=sys.stderr)
            return 1
        print(f"compiled {len(compiled.MODULES)} modules into {compiled.COMPILED_DIR}")
        return 0
    if argv == ["status"]:
        print(compiled.status)
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
