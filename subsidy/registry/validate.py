"""Validate a whole registry column by column: the same checks, in the same order, as load_profile on each row.

Field checks come from cells.py; the checks across fields (required fields, the two `validates_schema` rules of
schemas.py, at most MAX_ITEMS per list) are applied here the way marshmallow applies them: a schema-level
check is skipped where a field of the same section already failed, a list's length is checked only when all
its items loaded. A refused company keeps its errors by profile path, as the batch results show them.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ..profile_fields import MAX_ITEMS, Msg
from . import THREADS, cells
from .layout import layout

# The schema's own checks across fields (schemas.py `validates_schema`): section or list, the field that must be
# the smaller, the larger one, the message. tests/test_registry_validate.py fails if the schema gains another.
CROSS_CHECKS = (
    ("service_platforms", "hw_sw_investment", "actual_investment", "hw_sw_over_actual"),
    ("incubator", "incubated_ai", "incubated_total", "incubated_ai_over_total"),
)


@dataclass
class RawList:
    """One list of the profile as read: each item's company row, its cells, and where it was read."""

    owner: np.ndarray  # row of the company in the companies table, ascending
    table: pa.Table  # one column per leaf name
    lines: np.ndarray
    source: str


@dataclass
class RawRegistry:
    companies: pa.Table  # one column per company path
    lines: np.ndarray  # the line (CSV) or row (Parquet) of each company
    source: str
    lists: dict  # list name → RawList
    orphans: list = field(default_factory=list)  # item rows whose company is not in the companies table
    duplicates: dict = field(default_factory=dict)  # row → line of the first company with the same credit code


@dataclass
class ItemTable:
    owner: np.ndarray
    rank: np.ndarray  # the item's index in its company's list, as in the profile
    fields: dict  # leaf → cells.Col
    lines: np.ndarray


@dataclass
class Typed:
    """A validated registry: typed columns, lists, and the errors of refused companies by profile path."""

    n: int
    columns: dict  # company path → cells.Col
    lists: dict  # list name → ItemTable
    errors: dict  # row → {path: [Msg]}
    lines: np.ndarray
    source: str
    orphans: list

    @property
    def ok(self) -> np.ndarray:
        good = np.ones(self.n, dtype=bool)
        if self.errors:
            good[list(self.errors)] = False
        return good

    def section_present(self, section: str) -> np.ndarray:
        """Return where any field of an object section is given (flat.py: a section with no filled cell is absent)."""
        present = np.zeros(self.n, dtype=bool)
        for path in layout().sections[section]:
            present |= self.columns[path].present
        return present


def _columns(jobs: list) -> list[tuple[cells.Col, dict]]:
    """Validate each (path, kind, column) on two threads (Arrow and numpy let go of the GIL); return each
    column with its errors by row, in the order given, so errors are gathered in the schema's order."""

    def one(job):
        path, kind, array = job
        found: dict = {}
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return _column(path, kind, array, found), found

    if len(jobs) < 2:
        return [one(job) for job in jobs]
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, jobs))


def _column(path: str, kind: str, array: pa.Array, errors: dict) -> cells.Col:
    if pa.types.is_null(array.type):
        array = pa.nulls(len(array), pa.string())
    if kind == "money":
        return cells.money(path, array, errors)
    if kind == "count":
        return cells.count(path, array, errors)
    if kind == "flag":
        return cells.flag(path, array, errors)
    if kind == "choice":
        return cells.choice(path, array, layout().choices(path), errors)
    return cells.text(path, array, errors)


def _null(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def _put(errors: dict, row: int, path: str, messages: list):
    errors.setdefault(int(row), {}).setdefault(path, []).extend(messages)


def validate(raw: RawRegistry) -> Typed:
    """Return the typed registry, every company that load_profile would refuse carrying its errors."""
    shape = layout()
    n = raw.companies.num_rows
    errors: dict = {}
    columns = {}
    names = set(raw.companies.column_names)
    company_given = np.zeros(n, dtype=bool)
    missing = []
    jobs = [(path, shape.kinds[path], raw.companies.column(path) if path in names else _null(n))
            for path in shape.company_paths]
    for path, (columns[path], found) in zip(shape.company_paths, _columns(jobs), strict=True):
        for row, messages in found.items():
            _put(errors, row, path, messages)
        if path.startswith("company."):
            company_given |= columns[path].present
            company_given[list(found)] = True
            missing.append((path, np.flatnonzero(~columns[path].present), found))
    for path, rows, found in missing:
        for row in rows:
            if company_given[row] and int(row) not in found:
                _put(errors, row, path, [Msg("required")])
    for row in np.flatnonzero(~company_given):  # no company cell at all: the section itself is missing
        _put(errors, row, "company", [Msg("required")])
    for row, first_line in raw.duplicates.items():
        _put(errors, row, "company.credit_code", [Msg("duplicate_credit_code", line=first_line)])
    lists = {name: _validate_list(name, raw.lists.get(name), n, errors) for name in shape.lists}
    for section, smaller, larger, code in CROSS_CHECKS:
        if section in shape.sections:
            a, b = columns[f"{section}.{smaller}"], columns[f"{section}.{larger}"]
            failed = {r for r, paths in errors.items() if any(p.startswith(f"{section}.") for p in paths)}
            for row in np.flatnonzero(a.present & b.present & (a.values > b.values)):
                if int(row) not in failed:
                    _put(errors, row, f"{section}.{smaller}", [Msg(code)])
    return Typed(n, columns, lists, errors, raw.lines, raw.source, list(raw.orphans))


def _validate_list(name: str, raw: RawList | None, n: int, errors: dict) -> ItemTable:
    """Validate one list's items; their errors go to their company under `list.index.leaf`."""
    shape = layout()
    if raw is None:
        empty = np.zeros(0, dtype=np.int64)
        return ItemTable(empty, empty, {leaf: cells.Col(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
                                        for leaf in shape.lists[name]}, empty)
    owner = raw.owner
    starts = np.searchsorted(owner, owner, side="left")
    rank = np.arange(len(owner)) - starts
    item_errors: dict = {}
    fields = {}
    names = set(raw.table.column_names)
    jobs = [(shape.item_path(name, leaf), shape.kinds[shape.item_path(name, leaf)],
             raw.table.column(leaf) if leaf in names else _null(len(owner))) for leaf in shape.lists[name]]
    for leaf, (fields[leaf], found) in zip(shape.lists[name], _columns(jobs), strict=True):
        for item, messages in found.items():
            item_errors.setdefault(item, {})[leaf] = messages
        if leaf == "name":
            for item in np.flatnonzero(~fields[leaf].present):
                item_errors.setdefault(int(item), {}).setdefault(leaf, [Msg("required")])
    for section, smaller, larger, code in CROSS_CHECKS:
        if section == name:
            a, b = fields[smaller], fields[larger]
            for item in np.flatnonzero(a.present & b.present & (a.values > b.values)):
                if int(item) not in item_errors:
                    item_errors.setdefault(int(item), {})[smaller] = [Msg(code)]
    for item, by_leaf in item_errors.items():
        for leaf, messages in by_leaf.items():
            _put(errors, owner[item], f"{name}.{rank[item]}.{leaf}", messages)
    counts = np.bincount(owner, minlength=n)
    failed = {int(owner[item]) for item in item_errors}
    for row in np.flatnonzero(counts > MAX_ITEMS):
        if int(row) not in failed:
            _put(errors, row, name, [Msg("too_many_items", max=MAX_ITEMS)])
    return ItemTable(owner, rank, fields, raw.lines)
