"""The README's table of API operations and errors, written from the OpenAPI document so the two cannot drift.

    python -m subsidy.openapi_markdown    # rewrites the table in README.md; tests/test_openapi.py checks it
"""

import re
import sys
import tempfile
from pathlib import Path

START = "<!-- api-table: written from the OpenAPI document by `python -m subsidy.openapi_markdown` -->"
END = "<!-- /api-table -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def table(document: dict) -> str:
    """Return the Markdown tables of every operation and of the shared error answers."""
    lines = ["| operation | method and path | what | answers |", "| --- | --- | --- | --- |"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answers = ", ".join(sorted(operation["responses"]))
            lines.append(f"| `{operation['operationId']}` | `{method.upper()} {path}` | "
                         f"{_cell(operation['summary'])} | {answers} |")
    lines += ["", "| error | when |", "| --- | --- |"]
    responses = document["components"]["responses"]
    statuses = {ref["$ref"].rsplit("/", 1)[1]: status for item in document["paths"].values()
                for operation in item.values() for status, ref in operation["responses"].items() if "$ref" in ref}
    statuses.setdefault("MethodNotAllowed", "405")
    for name, response in sorted(responses.items(), key=lambda entry: statuses.get(entry[0], "")):
        headers = ", ".join(f"`{header}`" for header in response.get("headers", {}) if header != "Content-Language")
        lines.append(f"| {statuses.get(name, '?')} {name} | {_cell(response['description'])}"
                     f"{' (' + headers + ')' if headers else ''} |")
    return "\n".join(lines)


def rewrite(readme: str, document: dict) -> str:
    """Return the README with the text between the markers replaced by table(document)."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise ValueError(f"README.md has no {START} … {END} block")
    return pattern.sub(lambda _: f"{START}\n{table(document)}\n{END}", readme)


def main() -> int:
    from app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE": str(Path(folder) / "doc.sqlite3")})
        with app.app_context():
            from .openapi import document

            text = rewrite(README.read_text(encoding="utf-8"), document())
    changed = text != README.read_text(encoding="utf-8")
    README.write_text(text, encoding="utf-8")
    print("README.md: API table rewritten" if changed else "README.md: API table already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
