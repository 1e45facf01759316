"""Read a registry with DuckDB: a folder of tables (companies + one per list), or one file in the batch layout.

CSV is read as text, every cell, as the batch command reads it; Parquet keeps its column types. The lists are
attached to their companies by credit code; the batch layout's numbered columns (`rd_projects.0.name`) become
the same list tables. Each company and item keeps its line (CSV) or row number (Parquet) for the error report.
"""

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..profile_fields import Msg
from . import textscan
from .cells import stripped
from .layout import KEY, layout
from .validate import RawList, RawRegistry

FORMATS = (".parquet", ".csv")
COMPANIES = "companies"
_NUMBERED = re.compile(r"^([a-z_]+)\.([0-9]{1,6})\.([a-z_]+)$")


class RegistryError(ValueError):
    """The registry cannot be read at all: a missing table, an unknown column, a file that is not CSV/Parquet."""


def _connect():
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    return con


def read_table(path: Path, con=None) -> tuple[pa.Table, np.ndarray]:
    """Return a table and each row's line: the CSV line where the record starts, or the Parquet row from 1."""
    con = con or _connect()
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            table = con.sql("SELECT * FROM read_parquet($1)", params=[str(path)]).to_arrow_table()
            return table, np.arange(1, table.num_rows + 1, dtype=np.int64)
        if suffix == ".csv":
            table = con.sql("SELECT * FROM read_csv($1, all_varchar = true, header = true, delim = ',', "
                            "quote = '\"', escape = '\"', encoding = 'utf-8')", params=[str(path)]).to_arrow_table()
            return table, _csv_lines(table)
    except duckdb.Error as error:
        raise RegistryError(f"{path.name}: cannot be read: {str(error).splitlines()[0]}") from error
    raise RegistryError(f"{path.name}: a registry table is .parquet or .csv")


def _csv_lines(table: pa.Table) -> np.ndarray:
    """Return the line each CSV record starts on: after the header, one more per line break inside a cell."""
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        found = pc.count_substring_regex(column, r"\r\n|\r|\n")
        breaks += pc.fill_null(found, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return 2 + np.arange(table.num_rows, dtype=np.int64) + np.concatenate(([0], np.cumsum(breaks)[:-1]))


def read_registry(source: Path | str) -> RawRegistry:
    """Read a registry folder or a batch-layout file; raise RegistryError when it cannot be read."""
    source = Path(source)
    if source.is_dir():
        return _read_folder(source)
    if not source.exists():
        raise RegistryError(f"{source}: no such file or folder")
    table, lines = read_table(source)
    return from_flat(table, lines, source.name)


def _table_file(folder: Path, name: str) -> Path | None:
    found = [folder / f"{name}{suffix}" for suffix in FORMATS if (folder / f"{name}{suffix}").exists()]
    if len(found) > 1:
        raise RegistryError(f"{folder.name}: both {found[0].name} and {found[1].name}; keep one")
    return found[0] if found else None


def _read_folder(folder: Path) -> RawRegistry:
    shape = layout()
    known = {COMPANIES, *shape.lists}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in FORMATS and path.stem not in known:
            raise RegistryError(f"{path.name}: not a registry table; the tables are {', '.join(sorted(known))}")
    companies_file = _table_file(folder, COMPANIES)
    if companies_file is None:
        raise RegistryError(f"{folder}: companies.parquet or companies.csv is missing")
    con = _connect()
    companies, lines = read_table(companies_file, con)
    _check_columns(companies_file.name, companies.column_names, set(shape.company_paths))
    keys = _keys(companies.column(KEY) if KEY in companies.column_names else pa.nulls(companies.num_rows))
    duplicates = _duplicates(keys, lines)
    lists, orphans = {}, []
    read = {}
    for name, leaves in shape.lists.items():
        path = _table_file(folder, name)
        if path is None:
            continue
        table, item_lines = read_table(path, con)
        _check_columns(path.name, table.column_names, {KEY, *leaves})
        if KEY not in table.column_names:
            raise RegistryError(f"{path.name}: the column {KEY} says which company each row belongs to")
        read[name] = (path, table, item_lines, _keys(table.column(KEY)))
    owners = _owners(keys, [entry[3] for entry in read.values()])
    for (name, (path, table, item_lines, _)), owner in zip(read.items(), owners, strict=True):
        for item in np.flatnonzero(owner < 0):
            orphans.append({"file": path.name, "line": int(item_lines[item]),
                            "errors": {KEY: [Msg("no_company")]}})
        keep = owner >= 0
        order = np.argsort(owner[keep], kind="stable")
        items = table.drop_columns([KEY]).filter(pa.array(keep)).take(pa.array(order))
        lists[name] = RawList(owner[keep][order], items, item_lines[keep][order], path.name)
    return RawRegistry(companies, lines, companies_file.name, lists, orphans, duplicates)


def _owners(company_keys: pa.Array, item_keys: list) -> list[np.ndarray]:
    """Return, for each list's item keys, the row of the first company with that key (−1 if there is none).

    The hash table is built on the items' keys (few) and probed with the companies' (many), not the reverse.
    """
    if not item_keys:
        return []
    wanted = pc.unique(pa.concat_arrays(item_keys))
    hit = pc.fill_null(pc.index_in(company_keys, value_set=wanted), -1).to_numpy(zero_copy_only=False)
    company_of = np.full(len(wanted), -1, dtype=np.int64)
    rows = np.flatnonzero(hit >= 0)[::-1]
    company_of[hit[rows]] = rows  # assigned last to first, so the first company with a key wins
    found = []
    for keys in item_keys:
        index = pc.fill_null(pc.index_in(keys, value_set=wanted), -1).to_numpy(zero_copy_only=False)
        found.append(np.where(index >= 0, company_of[index], -1))
    return found


def _keys(column) -> pa.Array:
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.utf8_upper(stripped(column))


def _duplicates(keys: pa.Array, lines: np.ndarray) -> dict:
    """Return row → line of the first company with the same credit code, for every later one.

    Codes are hashed to 64 bits with numpy (18 characters side by side) and sorted; only rows whose hashes meet
    are compared as text, in row order, so a hash collision can never make two different codes duplicates.
    """
    offsets, data = textscan.parts(keys)
    valid = pc.is_valid(keys).to_numpy(zero_copy_only=False)
    plain = valid & (np.diff(offsets) == 18)
    digest = np.zeros(len(keys), dtype=np.uint64)
    if plain.any():
        rows = np.flatnonzero(plain)
        chars = textscan.fixed_width(offsets, data, rows, 18)
        # The 18 bytes padded to 24 are three 64-bit words, mixed by multiplication.
        padded = np.zeros((len(rows), 24), dtype=np.uint8)
        padded[:, :18] = chars
        words = padded.view(np.uint64)
        with np.errstate(over="ignore"):
            mixed = (words[:, 0] * np.uint64(0x9E3779B97F4A7C15) + words[:, 1]) * np.uint64(0xC2B2AE3D27D4EB4F)
            digest[rows] = mixed + words[:, 2]
    others = np.flatnonzero(valid & ~plain)
    if len(others):
        texts = keys.take(pa.array(others)).to_pylist()
        digest[others] = [hash(text) & 0xFFFFFFFFFFFFFFFF for text in texts]
    given = digest[valid]
    ordered = np.sort(given)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return {}
    candidates = np.flatnonzero(valid & np.isin(digest, repeated))  # in row order: the first company comes first
    first: dict = {}
    found = {}
    for row, text in zip(candidates, keys.take(pa.array(candidates)).to_pylist(), strict=True):
        if text in first:
            found[int(row)] = int(lines[first[text]])
        else:
            first[text] = int(row)
    return found


def _check_columns(name: str, columns, allowed: set):
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise RegistryError(f"{name}: unknown column {unknown[0]!r}; the columns are {', '.join(sorted(allowed))}")


def from_flat(table: pa.Table, lines: np.ndarray, source: str) -> RawRegistry:
    """Return the registry of one batch-layout table: list columns `rd_projects.0.name` become list tables."""
    shape = layout()
    groups: dict = {}
    for column in table.column_names:
        match = _NUMBERED.match(column)
        if match and match[1] in shape.lists:
            if match[3] not in shape.lists[match[1]]:
                raise RegistryError(f"{source}: unknown column {column!r}; {match[1]} has "
                                    f"{', '.join(shape.lists[match[1]])}")
            groups.setdefault(match[1], {}).setdefault(int(match[2]), []).append(column)
        elif column not in shape.company_paths:
            raise RegistryError(f"{source}: unknown column {column!r}; see `flask --app app batch-template`")
    companies = table.select([c for c in table.column_names if c in shape.company_paths])
    keys = _keys(companies.column(KEY) if KEY in companies.column_names else pa.nulls(companies.num_rows))
    lists = {name: _numbered_list(table, name, numbered, lines, source) for name, numbered in groups.items()}
    return RawRegistry(companies, lines, source, lists, [], _duplicates(keys, lines))


def _numbered_list(table: pa.Table, name: str, numbered: dict, lines: np.ndarray, source: str) -> RawList:
    """Stack a list's numbered column groups into one item table, items in their index order per company."""
    leaves = layout().lists[name]
    owners, indexes, parts = [], [], []
    for index in sorted(numbered):
        columns = {column.rsplit(".", 1)[1]: table.column(column).combine_chunks() for column in numbered[index]}
        exists = np.zeros(table.num_rows, dtype=bool)
        for array in columns.values():
            exists |= _given(array)
        rows = np.flatnonzero(exists)
        mask = pa.array(exists)
        parts.append(pa.table({leaf: columns[leaf].filter(mask) if leaf in columns else pa.nulls(len(rows))
                               for leaf in leaves}))
        owners.append(rows)
        indexes.append(np.full(len(rows), index))
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    index = np.concatenate(indexes) if indexes else np.zeros(0, dtype=np.int64)
    order = np.lexsort((index, owner))
    items = pa.concat_tables(parts, promote_options="permissive").take(pa.array(order)) if parts else pa.table({})
    return RawList(owner[order].astype(np.int64), items, lines[owner[order]], source)


def _given(array: pa.Array) -> np.ndarray:
    """Return where a cell is filled: not null and, for text, not blank once stripped."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = stripped(array)
    return pc.is_valid(array).to_numpy(zero_copy_only=False)


def from_nested(table: pa.Table, line: str, first_line: str) -> RawRegistry:
    """Return the registry of companies whose lists are array columns of item structs (the Spark path's form).

    Each company carries its line and the line of the first company with its credit code; each item its line.
    """
    shape = layout()
    lines = table.column(line).to_numpy().astype(np.int64)
    first = table.column(first_line).to_numpy().astype(np.int64)
    duplicates = {row: int(first[row]) for row in np.flatnonzero(first != lines)}
    lists = {}
    for name in shape.lists:
        if name not in table.column_names:
            continue
        column = table.column(name).combine_chunks()
        if duplicates:  # a later company with a repeated code gets no items, as when the tables are joined here
            keep = np.ones(len(column), dtype=bool)
            keep[list(duplicates)] = False
            column = pc.if_else(pa.array(keep), column, pa.scalar(None, column.type))
        owner = pc.list_parent_indices(column).to_numpy().astype(np.int64)
        items = pc.list_flatten(column)
        leaves = {field.name: items.field(field.name) for field in items.type}
        lists[name] = RawList(owner, pa.table({k: v for k, v in leaves.items() if k != line}),
                              leaves[line].to_numpy(zero_copy_only=False).astype(np.int64), name)
    companies = table.drop_columns([c for c in table.column_names if c in shape.lists or c in (line, first_line)])
    return RawRegistry(companies, lines, COMPANIES, lists, [], duplicates)


def _matching(con, path: Path, code: str) -> tuple[pa.Table, np.ndarray]:
    """Return the rows of a table whose credit code is code (DuckDB reads only what it needs from Parquet)."""
    reader = "read_parquet($1)" if path.suffix.lower() == ".parquet" else (
        "read_csv($1, all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"')")
    table = con.sql(f'SELECT * FROM {reader} WHERE upper(trim("{KEY}")) = $2', params=[str(path), code]) \
        .to_arrow_table()
    return table, np.ones(table.num_rows, dtype=np.int64)


def read_company(source: Path | str, code: str) -> RawRegistry:
    """Read one company (by credit code) and its list items from a registry, for its page."""
    source, code = Path(source), code.strip().upper()
    con = _connect()
    if not source.is_dir():
        table, lines = _matching(con, source, code)
        return from_flat(table, lines, source.name)
    shape = layout()
    companies, lines = _matching(con, _table_file(source, COMPANIES), code)
    lists = {}
    for name in shape.lists:
        path = _table_file(source, name)
        if path is None or not companies.num_rows:
            continue
        items, item_lines = _matching(con, path, code)
        lists[name] = RawList(np.zeros(items.num_rows, dtype=np.int64), items.drop_columns([KEY]), item_lines,
                              path.name)
    return RawRegistry(companies.slice(0, 1), lines[:1], COMPANIES, lists)
