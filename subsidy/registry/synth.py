"""A synthetic registry for trying screening and simulation at the scale of the city; nothing in it is real.

No real registry data is available to this project, and none may be invented as real: every firm is named
合成企业/合成高校/合成研究院 with its number, and every credit code is random (right check character, region
codes of Hangzhou's districts, looked up nowhere). The shares below are assumptions chosen to exercise every
clause, stated here and in the README; amounts are log-normal around a typical size, and a share of every
money field sits exactly on, or one fen either side of, each threshold and cap-binding base the rulebook has.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..exports import CsvWriter
from ..money import base_where_cap_binds
from ..profile_fields import MAX_MONEY_FEN
from ..rulebook import Rulebook
from .cells import CODE_ALPHABET, CODE_WEIGHTS
from .layout import KEY, layout

SEED = 20191120
ENTITY_TYPES = {"enterprise": 0.96, "research_institute": 0.025, "university": 0.015}
OUTSIDE_HANGZHOU = 0.03  # registered elsewhere, active in Hangzhou
AI_SHARE = {"enterprise": 0.08, "research_institute": 0.4, "university": 0.3}  # declare themselves AI
ON_BOUNDARY = 0.15  # share of each money field placed on a threshold or one fen either side
DROPPED = 0.02  # share of given fields left empty, so some results are incomplete
REGIONS = ("330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113", "330114")
# Share of each kind of firm (AI enterprise, other enterprise, university or institute) that has the section,
# items per firm when it has it (1 + Poisson(mean)), and the median amount (yuan) of its money fields.
LISTS = {
    "rd_projects": ((0.45, 0.02, 0.3), 0.6, {"rd_investment": 3_000_000}),
    "service_platforms": ((0.03, 0.002, 0.2), 0.2, {"actual_investment": 5_000_000, "hw_sw_investment": None}),
    "common_tech_platforms": ((0.01, 0.0005, 0.1), 0.1, {"new_equipment_total": 20_000_000}),
    "scenario_projects": ((0.04, 0.002, 0.05), 0.4, {"total_investment": 12_000_000}),
}
SECTIONS = {"testing": (0.15, 0.01, 0.0), "incubator": (0.003, 0.003, 0.02), "standards": (0.01, 0.0, 0.0)}
MEDIANS = {"fees": 300_000}
FLAG_TRUE = {"in_city_ai_special": 0.6, "expert_recommended_core_tech": 0.1, "good_service_results": 0.8,
             "selected_as_demo": 0.3, "provider_accredited": 0.85, "certified": 0.8}
REFERRAL_TRUE = 0.02
MONEY = pa.decimal128(14, 2)


def thresholds(rulebook: Rulebook) -> dict[str, set[int]]:
    """Return, per field leaf name, the fen amounts where some clause changes its answer."""
    found: dict[str, set[int]] = {}
    for clause in rulebook.clauses:
        conditions = list(clause.applies_when) + list(clause.conditions)
        if clause.amount:
            for tier in clause.amount.tiers:
                conditions += list(tier.when)
                if clause.amount.rate is not None:
                    found.setdefault(clause.amount.base.split(".")[-1], set()).add(
                        base_where_cap_binds(clause.amount.rate, tier.cap_fen))
        for condition in conditions:
            if condition.kind == "money" and not condition.share_of:
                found.setdefault(condition.field.split(".")[-1], set()).add(condition.value)
    return found


class _Maker:
    def __init__(self, rng: np.random.Generator, rulebook: Rulebook):
        self.rng = rng
        self.edges = thresholds(rulebook)

    def money(self, leaf: str, n: int, median_yuan: int) -> np.ndarray:
        rng = self.rng
        fen = np.rint(rng.lognormal(np.log(median_yuan * 100), 1.0, n)).astype(np.int64)
        fen = np.minimum(fen, MAX_MONEY_FEN)
        edges = np.array(sorted(self.edges.get(leaf, ())), dtype=np.int64)
        if len(edges):
            on = rng.random(n) < ON_BOUNDARY
            fen[on] = np.maximum(0, rng.choice(edges, on.sum()) + rng.integers(-1, 2, on.sum()))
        return fen

    def flags(self, leaf: str, n: int) -> np.ndarray:
        return self.rng.random(n) < FLAG_TRUE.get(leaf, 0.5)


def _fen_to_decimal(fen: np.ndarray) -> pa.Array:
    # decimal128 stores the unscaled integer: with scale 2 that is exactly the fen, low word then sign word.
    words = np.empty(2 * len(fen), dtype=np.int64)
    words[0::2] = fen
    words[1::2] = fen >> 63
    return pa.Array.from_buffers(MONEY, len(fen), [None, pa.py_buffer(words.tobytes())])


def credit_codes(rng: np.random.Generator, n: int, prefixes: np.ndarray) -> np.ndarray:
    """Return n distinct random credit codes with the right GB 32100 check character."""
    alphabet = np.frombuffer(CODE_ALPHABET.encode(), dtype=np.uint8)
    body = np.empty((n, 18), dtype=np.uint8)
    body[:, 0:2] = np.frombuffer("".join(prefixes).encode(), dtype=np.uint8).reshape(n, 2)
    regions = np.frombuffer("".join(REGIONS).encode(), dtype=np.uint8).reshape(-1, 6)
    body[:, 2:8] = regions[rng.integers(0, len(REGIONS), n)]
    digits = rng.integers(0, 31, (n, 9))
    body[:, 8:17] = alphabet[digits]
    table = np.zeros(256, dtype=np.int64)
    table[alphabet] = np.arange(31)
    total = table[body[:, :17]] @ CODE_WEIGHTS
    body[:, 17] = alphabet[(31 - total % 31) % 31]
    codes = body.view("S18").ravel()
    _, first = np.unique(codes, return_index=True)
    if len(first) < n:  # a repeat among 31^9 bodies: draw those again
        repeat = np.setdiff1d(np.arange(n), first)
        codes[repeat] = credit_codes(rng, len(repeat), prefixes[repeat])
    return codes


def synthesize(n: int, rulebook: Rulebook, seed: int = SEED) -> dict[str, pa.Table]:
    """Return the tables of a synthetic registry of n firms: companies, and one table per list."""
    rng = np.random.default_rng(seed)
    make = _Maker(rng, rulebook)
    shape = layout()
    kinds = list(ENTITY_TYPES)
    entity = rng.choice(len(kinds), n, p=list(ENTITY_TYPES.values()))
    entity_name = np.array(kinds)[entity]
    ai = rng.random(n) < np.array([AI_SHARE[k] for k in kinds])[entity]
    group = np.where(entity == 0, np.where(ai, 0, 1), 2)  # AI enterprise, other enterprise, university/institute
    prefixes = np.where(entity == 0, "91", np.where(entity == 1, "52", "12"))
    codes = credit_codes(rng, n, prefixes)
    words = np.where(entity == 0, "合成企业", np.where(entity == 1, "合成研究院", "合成高校"))
    names = np.char.add(words.astype(str), np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    columns = {
        "company.name": pa.array(names, pa.string()),
        KEY: pa.array(codes.astype(str), pa.string()),
        "company.entity_type": pa.array(entity_name, pa.string()),
        "company.registered_in_hangzhou": pa.array(rng.random(n) >= OUTSIDE_HANGZHOU),
        "company.is_ai_enterprise": pa.array(ai),
    }

    def has(shares):
        return rng.random(n) < np.array(shares)[group]

    for section, shares in SECTIONS.items():
        columns.update(_section_columns(make, section, has(shares), rng))
    labs = np.where(rng.random(n) < np.where(group == 2, 0.05, 0.0002), 1, 0)
    columns["new_national_key_labs"] = pa.array(labs, pa.int32(), mask=labs == 0)
    team = rng.choice(3, n, p=[0.96, 0.02, 0.02])
    team = np.where(group == 0, team, 0)
    shown = (team > 0) | (rng.random(n) < 0.2)
    columns["talent_team"] = pa.array(np.array(["none", "provincial", "municipal"])[team], pa.string(), mask=~shown)
    for path in shape.sections.get("referrals", ()):
        given = rng.random(n) < 0.5
        columns[path] = pa.array(rng.random(n) < REFERRAL_TRUE, mask=~given)
    for path in shape.company_paths:
        if path not in columns:  # a field added to the schema later: left empty rather than invented
            columns[path] = pa.nulls(n, pa.string())
    tables = {"companies": pa.table({path: columns[path] for path in shape.company_paths})}
    for name, (shares, extra, medians) in LISTS.items():
        owners = np.flatnonzero(has(shares))
        per = 1 + rng.poisson(extra, len(owners))
        owner = np.repeat(owners, per)
        tables[name] = _list_table(make, name, owner, codes, medians, rng)
    return tables


def _section_columns(make: _Maker, section: str, where: np.ndarray, rng) -> dict:
    """Return the columns of an object section, given where the firm has it."""
    n = len(where)
    columns = {}
    total = rng.integers(5, 200, n)
    for path in layout().sections[section]:
        leaf = path.split(".", 1)[1]
        kind = layout().kinds[path]
        if kind == "money":
            columns[path] = _masked_money(make, leaf, where)
        elif kind == "flag":
            columns[path] = pa.array(make.flags(leaf, n), mask=~where | (rng.random(n) < DROPPED))
        elif kind == "count" and leaf == "incubated_total":
            columns[path] = pa.array(total, pa.int32(), mask=~where)
        elif kind == "count" and leaf == "incubated_ai":  # around 60 % of the firms incubated, often exactly on it
            columns[path] = pa.array(np.clip(total * 3 // 5 + rng.integers(-2, 3, n), 0, total), pa.int32(),
                                     mask=~where)
        elif kind == "count":
            columns[path] = pa.array(rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05]), pa.int32(), mask=~where)
        else:
            columns[path] = pa.nulls(n, pa.string())
    return columns


def _masked_money(make: _Maker, leaf: str, where: np.ndarray) -> pa.Array:
    n = len(where)
    values = _fen_to_decimal(make.money(leaf, n, MEDIANS.get(leaf, 1_000_000)))
    keep = where & (make.rng.random(n) >= DROPPED)
    return pc.if_else(pa.array(keep), values, pa.scalar(None, MONEY))


def _list_table(make: _Maker, name: str, owner: np.ndarray, codes: np.ndarray, medians: dict, rng) -> pa.Table:
    leaves = layout().lists[name]
    n = len(owner)
    label = {"rd_projects": "研发项目", "service_platforms": "服务平台", "common_tech_platforms": "共性平台",
             "scenario_projects": "场景项目"}.get(name, "项目")
    columns = {KEY: pa.array(codes[owner].astype(str), pa.string()),
               "name": pa.array(np.char.add(f"合成{label}", np.arange(1, n + 1).astype(str)), pa.string())}
    fen = {}
    for leaf in leaves:
        if leaf in columns:
            continue
        kind = layout().kinds[f"{name}[].{leaf}"]
        if kind == "money":
            if medians.get(leaf) is None and "actual_investment" in fen:  # within the actual investment
                fen[leaf] = fen["actual_investment"] * rng.integers(30, 101, n) // 100
            else:
                fen[leaf] = make.money(leaf, n, medians.get(leaf) or 1_000_000)
            keep = rng.random(n) >= DROPPED
            columns[leaf] = pc.if_else(pa.array(keep), _fen_to_decimal(fen[leaf]), pa.scalar(None, MONEY))
        elif kind == "flag":
            columns[leaf] = pa.array(make.flags(leaf, n), mask=rng.random(n) < DROPPED)
        else:
            columns[leaf] = pa.nulls(n, pa.string())
    return pa.table(columns)


def write(tables: dict[str, pa.Table], folder: Path | str, fmt: str = "parquet"):
    """Write a registry's tables into folder as Parquet, or as CSV through the formula-safe writer."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if fmt == "parquet":
            pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
            continue
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = CsvWriter(handle, table.column_names)
            for batch in table.to_batches(65536):
                for row in batch.to_pylist():
                    writer.write({k: _csv_text(v) for k, v in row.items()})


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
