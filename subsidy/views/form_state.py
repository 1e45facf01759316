"""The firm's form as posted: values as typed, the rows on the page, the money unit, the sections shown.

Nothing is stored from here. A posted form is read into a FormState; adding or removing a row or a section changes
the state and the page is drawn again; checking and saving turn it into a profile (money read by amounts.py).
"""

import re
from dataclasses import dataclass, field

from ..amounts import AmountError, read_amount
from ..money import fen_to_yuan_text
from ..schemas import Msg, field_kinds
from .form_layout import LIST_SECTIONS, SECTION_KEYS, kind_of, sections_for

UNITS = ("yuan", "wan")
_ROW_FIELD = re.compile(r"^([a-z_]+)\.([0-9]{1,3})\.([a-z_]+)$")  # ASCII digits: \d would take "١" too
CONTROL_FIELDS = {"csrf_token", "action", "unit", "section", "confirm_tenfold"}
MAX_FIELDS = 2000  # a form with more fields than any real page is cut here rather than read


@dataclass
class FormState:
    """What the page holds: values by path as typed, row indices per list, the unit, the sections shown."""

    values: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)  # "rd_projects" → [0, 2, 3]: the rows on the page, in order
    unit: str = "yuan"
    sections: list = field(default_factory=lambda: ["company"])
    unknown: list = field(default_factory=list)  # posted names that are no field of the form: refused, by name

    def add_row(self, group: str) -> int:
        """Add a blank row to a list and return its index (a blank row is kept until the form is saved)."""
        indices = self.rows.setdefault(group, [])
        index = max(indices) + 1 if indices else 0
        indices.append(index)
        return index

    def remove_row(self, group: str, index: int):
        self.rows[group] = [i for i in self.rows.get(group, []) if i != index]
        prefix = f"{group}.{index}."
        self.values = {k: v for k, v in self.values.items() if not k.startswith(prefix)}

    def show(self, key: str):
        if key in SECTION_KEYS and key not in self.sections:
            self.sections = [k for k in SECTION_KEYS if k in self.sections or k == key]
            for group in _groups_of(key):
                if not self.rows.get(group):
                    self.rows[group] = [0]

    def compacted(self) -> "FormState":
        """Return the state with blank rows dropped and the rest renumbered 0, 1, 2 … (what is checked and saved)."""
        values = {k: v for k, v in self.values.items() if not _ROW_FIELD.match(k)}
        rows = {}
        for group in LIST_SECTIONS:
            kept = [i for i in self.rows.get(group, []) if _row_filled(self.values, group, i)]
            for new, old in enumerate(kept):
                for key, value in self.values.items():
                    if key.startswith(f"{group}.{old}."):
                        values[f"{group}.{new}.{key.rsplit('.', 1)[1]}"] = value
            rows[group] = list(range(len(kept)))
        return FormState(values, rows, self.unit, list(self.sections), list(self.unknown))

    def shown_rows(self) -> dict:
        """Return the rows to draw per list: at least one (blank) row in every list of a shown section."""
        shown = {}
        for group in LIST_SECTIONS:
            shown[group] = self.rows.get(group) or [0]
        return shown


def _groups_of(key: str):
    return [group.section for section in sections_for([key]) for group in section.groups]


def _row_filled(values: dict, group: str, index: int) -> bool:
    prefix = f"{group}.{index}."
    return any(v.strip() for k, v in values.items() if k.startswith(prefix))


def read_form(form) -> tuple[FormState, str]:
    """Return the FormState of a posted form and the action asked for ("check" when none)."""
    values, rows, unknown = {}, {group: [] for group in LIST_SECTIONS}, []
    for count, name in enumerate(form):
        if count >= MAX_FIELDS:
            break
        if name in CONTROL_FIELDS:
            continue
        value = form.get(name, "")
        match = _ROW_FIELD.match(name)
        if match and match.group(1) in rows:
            index = int(match.group(2))
            if index not in rows[match.group(1)]:
                rows[match.group(1)].append(index)
        elif not _is_field(name):
            unknown.append(name[:100])  # not a field of the form: said by name, never stored
            continue
        values[name] = value
    unit = form.get("unit") if form.get("unit") in UNITS else "yuan"
    asked = [key for key in form.getlist("section") if key in SECTION_KEYS]
    sections = [key for key in SECTION_KEYS if key in asked or key == "company"]
    return FormState(values, rows, unit, sections, unknown), form.get("action", "check")


_TEXT_FIELDS = {"company.name", "company.credit_code"}


def _is_field(name: str) -> bool:
    """Return whether a posted name is a field of the profile's form (a row field's section is checked above)."""
    if name in _TEXT_FIELDS:
        return True
    match = _ROW_FIELD.match(name)
    path = f"{match.group(1)}[].{match.group(3)}" if match else name
    return path in field_kinds() or (match is not None and match.group(3) == "name")


def profile_data(state: FormState) -> tuple[dict, dict, dict]:
    """Return (profile data for the schema, the fen read from each money entry, entry errors by path).

    Money is read as typed in the form's unit and handed to the schema as plain yuan text; an entry that cannot
    be read is an error named after its field, and the schema then sees nothing for it.
    """
    from ..flat import unflatten

    flat, fen, errors = {}, {}, {}
    for path, value in state.values.items():
        text = value.strip()
        if kind_of(path) == "money" and text:
            try:
                fen[path] = read_amount(text, state.unit)
            except AmountError as error:
                errors[path] = [Msg(f"entry_{error.code}")]
                continue
            flat[path] = fen_to_yuan_text(fen[path])
        else:
            flat[path] = value
    data = unflatten(flat)
    data.setdefault("company", {})  # so that an empty form is told which company fields it needs
    return data, fen, errors


def echo(state: FormState) -> dict:
    """Return the fen each readable money entry means, for the echo beside it (¥ and 大写)."""
    read = {}
    for path, value in state.values.items():
        if kind_of(path) == "money" and value.strip():
            try:
                read[path] = read_amount(value, state.unit)
            except AmountError:
                continue
    return read
