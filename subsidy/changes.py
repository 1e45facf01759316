"""What a revision changed against the one before: its fields, its clause amounts and its totals.

Rows of a list are matched by name first (a project keeps its identity when one above it is removed), then by
position. Money is compared in fen; a change of more than tenfold either way is flagged, since that is what a
wrong unit (元 for 万元) or a slipped digit looks like.
"""

from .flat import flatten
from .labels import value_label
from .money import format_yuan, parse_yuan
from .paths import describe, row_names, split
from .schemas import field_kinds

TENFOLD = 10


def _kind(path: str) -> str:
    section, index, leaf = split(path)
    key = f"{section}[].{leaf}" if index is not None else path
    return field_kinds().get(key, "text")


def _rows(flat: dict, section: str) -> list[int]:
    return sorted({split(k)[1] for k in flat if split(k)[0] == section and split(k)[1] is not None})


def _aligned(before: dict, after: dict) -> dict:
    """Return before's flat values renumbered so each row sits at the index of its match in after.

    An old row matches the new row of the same name, else the next unmatched new row in order; an old row left
    over was removed and moves past the end, so its fields read as removed.
    """
    old_names, new_names = row_names(before), row_names(after)
    mapping = {}
    for section in {split(k)[0] for k in [*before, *after] if split(k)[1] is not None}:
        old_rows, new_rows = _rows(before, section), _rows(after, section)
        free = list(new_rows)
        for old in old_rows:
            name = old_names.get(f"{section}.{old}")
            same = [new for new in free if name and new_names.get(f"{section}.{new}") == name]
            if same:
                mapping[(section, old)] = same[0]
                free.remove(same[0])
        beyond = max(old_rows + new_rows, default=-1) + 1
        for old in old_rows:
            if (section, old) not in mapping:
                if free:
                    mapping[(section, old)] = free.pop(0)
                else:
                    mapping[(section, old)], beyond = beyond, beyond + 1
    aligned = {}
    for path, value in before.items():
        section, index, leaf = split(path)
        if index is not None:
            path = f"{section}.{mapping[(section, index)]}.{leaf}"
        aligned[path] = value
    return aligned


def _shown(path: str, value, lang: str) -> str | None:
    if value is None:
        return None
    kind = _kind(path)
    if kind == "money":
        return format_yuan(parse_yuan(value))
    if kind == "flag":
        return ("yes" if value == "true" else "no") if lang == "en" else ("是" if value == "true" else "否")
    if kind == "choice":
        return value_label(value, lang)
    return value


def field_changes(before_profile: dict, after_profile: dict, lang: str) -> list[dict]:
    """Return each field whose value differs, with both values as stored and as words (None where absent)."""
    after = flatten(after_profile)
    before = _aligned(flatten(before_profile), after)
    names = {**row_names(before), **row_names(after)}
    changes = []
    for path in list(after) + [p for p in before if p not in after]:
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        change = {"path": path, "label": describe(path, names, lang), "before": old, "after": new,
                  "before_text": _shown(path, old, lang), "after_text": _shown(path, new, lang)}
        if _kind(path) == "money" and old is not None and new is not None:
            old_fen, new_fen = parse_yuan(old), parse_yuan(new)
            change["before_fen"], change["after_fen"] = old_fen, new_fen
            change["tenfold"] = bool(old_fen and new_fen and max(old_fen, new_fen) > TENFOLD * min(old_fen, new_fen))
        changes.append(change)
    return changes


def clause_changes(before_result: dict, after_result: dict) -> list[dict]:
    """Return each clause whose status or amount differs between two results."""
    before = {clause["id"]: clause for clause in before_result["clauses"]}
    changes = []
    for clause in after_result["clauses"]:
        old = before.get(clause["id"])
        if old is None or (old["status"], old["amount_fen"]) == (clause["status"], clause["amount_fen"]):
            continue
        changes.append({"id": clause["id"], "clause": clause["citation"]["clause"], "title": clause["title"],
                        "basis": clause["basis"], "before_status": old["status"], "after_status": clause["status"],
                        "before_fen": old["amount_fen"], "after_fen": clause["amount_fen"],
                        "difference_fen": clause["amount_fen"] - old["amount_fen"]})
    return changes


def revision_changes(before: dict, after: dict, lang: str) -> dict:
    """Return what changed from one stored revision to another: fields, clauses and totals (before and after)."""
    result_before, result_after = before["result"][lang], after["result"][lang]
    totals = {key: {"before_fen": result_before[key], "after_fen": result_after[key],
                    "difference_fen": result_after[key] - result_before[key]}
              for key in ("total_exact_fen", "total_up_to_fen", "total_fen")}
    return {"against_revision": before["revision"],
            "fields": field_changes(before["profile"], after["profile"], lang),
            "clauses": clause_changes(result_before, result_after), "totals": totals}


def tenfold(before_profile: dict, after_profile: dict, lang: str) -> list[dict]:
    """Return the money changes of more than tenfold between two profiles (stored form)."""
    return [change for change in field_changes(before_profile, after_profile, lang) if change.get("tenfold")]
