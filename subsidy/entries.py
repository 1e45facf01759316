"""How a firm typed its amounts: the unit of the form and the text of each amount, kept per revision.

The stored profile holds yuan (CONTRACT.md); this keeps "120万" or "1,200,000" as typed, so the edit page shows
an amount back the way the firm wrote it, in the unit it chose, instead of 12000000.00 in yuan.
"""

import json

from .amounts import AmountError, as_unit, read_amount
from .flat import flatten
from .money import parse_yuan
from .schemas import field_kinds


def _is_money(path: str) -> bool:
    parts = path.split(".")
    if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit():
        path = f"{parts[0]}[].{parts[2]}"
    return field_kinds().get(path) == "money"


def save(db, assessment_id: int, revision: int, unit: str, typed: dict, sections: list):
    """Keep the unit, the typed money text by path and the sections shown, for one revision."""
    db.table("revision_entries").upsert({
        "assessment_id": assessment_id, "revision": revision, "unit": unit,
        "typed": json.dumps(typed, ensure_ascii=False), "sections": json.dumps(sections)},
        pk=("assessment_id", "revision"))


def load(db, assessment_id: int, revision: int) -> dict | None:
    rows = list(db.table("revision_entries").rows_where(
        "assessment_id = ? AND revision = ?", [assessment_id, revision], limit=1))
    if not rows:
        return None
    return {"unit": rows[0]["unit"], "typed": json.loads(rows[0]["typed"]), "sections": json.loads(rows[0]["sections"])}


def reopen(profile: dict, entry: dict | None) -> tuple[dict, str]:
    """Return (form values, unit) for a stored profile: each amount as typed if it still means the stored value,
    else the stored value written in the unit of the form."""
    unit = entry["unit"] if entry else "yuan"
    typed = entry["typed"] if entry else {}
    values = flatten(profile)
    for path, stored in list(values.items()):
        if not _is_money(path):
            continue
        fen = parse_yuan(stored)
        text = typed.get(path)
        try:
            same = text is not None and read_amount(text, unit) == fen
        except AmountError:
            same = False
        values[path] = text if same else as_unit(fen, unit)
    return values, unit
