"""The flat column layout for batch files (CSV, and XLSX in the officer's tools): one profile per row.

Columns are profile paths: `company.name`, `testing.fees`, `rd_projects.0.rd_investment` (numbered rows of a
list, from 0). An empty cell means the field is absent; a section with no filled cell is left out.
"""

import re

from .schemas import PROFILE_SCHEMA, Items, field_kinds

LIST_ROWS_IN_TEMPLATE = 2
_WHOLE = re.compile(r"^[0-9]{1,12}$")  # longer numbers stay text, for the schema to refuse
_INDEX = re.compile(r"[0-9]{1,4}")  # a list row's number: ASCII digits only (int() also reads "١", refuses "²")
LIST_FIELDS = tuple(name for name, field in PROFILE_SCHEMA.fields.items() if isinstance(field, Items))
TRUE_WORDS = {"true", "是", "yes", "1"}
FALSE_WORDS = {"false", "否", "no", "0"}


def template_columns(list_rows: int = LIST_ROWS_IN_TEMPLATE) -> list[str]:
    """Return the columns of the template, in profile order, with list_rows numbered rows per list."""
    columns = []
    for path in field_kinds():
        if "[]" in path:
            section, leaf = path.split("[].")
            for index in range(list_rows):
                columns.append(f"{section}.{index}.{leaf}")
        else:
            columns.append(path)
    lists = [name for name, field in PROFILE_SCHEMA.fields.items() if isinstance(field, Items)]
    # Keep the rows of a list together: rd_projects.0.*, rd_projects.1.*.
    def order(column):
        parts = column.split(".")
        if parts[0] in lists:
            return (list(PROFILE_SCHEMA.fields).index(parts[0]), int(parts[1]), columns.index(column))
        return (list(PROFILE_SCHEMA.fields).index(parts[0]), 0, columns.index(column))
    return sorted(columns, key=order)


def bad_columns(header: list[str]) -> list[str]:
    """Return the column names of a batch file that name no profile field (or name one twice), in file order."""
    kinds = field_kinds()
    bad, seen = [], set()
    for column in header:
        if column == "":
            continue  # an unnamed column (Excel's formatting past the table) is not read
        parts = column.split(".")
        if parts[0] in LIST_FIELDS:
            known = len(parts) == 3 and _INDEX.fullmatch(parts[1]) and f"{parts[0]}[].{parts[2]}" in kinds
        else:
            known = column in kinds
        if not known or column in seen:
            bad.append(column)
        seen.add(column)
    return bad


def _cell(kind: str, raw: str):
    """Return a typed value for a cell, or the text itself for the schema to refuse with a clear message."""
    if kind == "flag":
        low = raw.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        return raw
    if kind == "count":
        return int(raw) if _WHOLE.match(raw) else raw
    return raw


def unflatten(row: dict) -> dict:
    """Return the profile of a flat row; a column that names no field is kept whole, for the schema to refuse.

    A list row's number must be plain ASCII digits ("rd_projects.0.name"): "rd_projects.².name" or
    "rd_projects.x" beside numbered rows become unknown fields named by their column, never a crash.
    """
    kinds = field_kinds()
    profile: dict = {}
    strays: dict = {}
    for column, raw in row.items():
        if column is None:
            continue
        raw = "" if raw is None else str(raw).strip()
        if raw == "":
            continue
        parts = column.strip().split(".")
        if parts[0] in LIST_FIELDS:
            if len(parts) == 3 and _INDEX.fullmatch(parts[1]):
                kind = kinds.get(f"{parts[0]}[].{parts[2]}", "text")
                profile.setdefault(parts[0], {}).setdefault(int(parts[1]), {})[parts[2]] = _cell(kind, raw)
            else:
                strays[column.strip()] = raw
            continue
        kind = kinds.get(".".join(parts), "text")
        node = profile
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = _cell(kind, raw)
    for name in LIST_FIELDS:
        if isinstance(profile.get(name), dict):
            profile[name] = [profile[name][index] for index in sorted(profile[name])]
    profile.update(strays)
    return profile


def flatten(profile: dict) -> dict:
    """Return a stored profile as flat column values (text), the inverse of unflatten; used to fill the form."""
    flat = {}

    def put(path, value):
        if isinstance(value, bool):
            flat[path] = "true" if value else "false"
        elif value is not None:
            flat[path] = str(value)

    for key, value in profile.items():
        if isinstance(value, list):
            for index, element in enumerate(value):
                for leaf, cell in element.items():
                    put(f"{key}.{index}.{leaf}", cell)
        elif isinstance(value, dict):
            for leaf, cell in value.items():
                put(f"{key}.{leaf}", cell)
        else:
            put(key, value)
    return flat
