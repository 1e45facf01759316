"""The registry's column validator and load_profile agree on every cell: the same refusals, the same messages.

A corpus of bad (and odd but good) cells, in the batch CSV's text form and as typed Parquet values, is put one
cell at a time into a valid company; each row goes through flat.unflatten + load_profile and through the
columnar validator. Both must refuse the same rows with the same messages (zh and en) by field path, and for
the rows both accept, the typed profile rebuilt from the columns must equal load_profile's.
"""

import copy
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stdnum.cn import uscc

from subsidy.errors import ProfileError
from subsidy.flat import flatten, unflatten
from subsidy.registry import cells
from subsidy.registry.crosscheck import typed_profile
from subsidy.registry.layout import layout
from subsidy.registry.tables import RegistryError, from_flat, read_registry
from subsidy.registry.validate import CROSS_CHECKS, validate
from subsidy.schemas import PROFILE_SCHEMA, Items, dump_profile, load_profile, render_errors

EXAMPLE = json.loads((Path(__file__).parent / "data" / "contract_example.json").read_text(encoding="utf-8"))
BASE = flatten(dump_profile(load_profile(copy.deepcopy(EXAMPLE))))

MONEY = ["", " ", "-1", "-0.00", "1.234", "1e5", "９９９", "Infinity", "NaN", "9" * 400, "9" * 41, "9" * 40,
         "100000000000.00", "100000000000.01", "100000000000", "0100", "000000000000000000000000001.5", "12,000",
         " 12.5 ", "12.", ".5", "0x10", "１２", "12 000", "\u00a05", "5\u3000", "true", "0", "0.00", "7.1", "+3"]
COUNT = ["-1", "1.0", "1e3", "100001", "100000", "99999999999999", "０", " 3 ", "3.", "abc", "1_000", "+5", "0",
         "000000000007", "0000000000007"]
FLAG = ["TRUE", "True", "是", "否", "yes", "No", "1", "0", "2", "真", " true ", "t", "ＴＲＵＥ", "nO"]
CHOICE = ["Enterprise", " enterprise ", "enterprise\u200b", "企业", "none", "university", "municipal", "\u3000"]
TEXT = ["\x00a", "a\u202eb", "x" * 201, "x" * 200, "é" * 150, "é" * 201, "  ", "\u3000名\u3000", "=cmd", "名\u200d",
        "😀👍🏽", "a\tb", "a\x85b", "\ufeffname", "\u2028x", "x\x1c", "\x1cx\x1c", "名\u00ad", "\ue000", "\U000f0000"]
CODES = ["91330106MA2H3K7Q1F", "91330106ma2h3k7q1f", "91330106MA2H3K7Q1G", "91330106MA2H3K7Q1", "9133010６MA2H3K7Q1F",
         "91330106-MA2H3K7Q1F", "91330106 MA2H3K7Q1F", "I1330106MA2H3K7Q1F", "91330106MA2H3K7Q1F" * 50, "913301O6MA2H3K7Q1F",
         "\u200b91330106MA2H3K7Q1F"]
CORPUS = {"money": MONEY, "count": COUNT, "flag": FLAG, "choice": CHOICE, "text": TEXT}


def _columns():
    """Every column of the batch layout that the example fills or could fill: company paths and list item 0."""
    shape = layout()
    found = list(shape.company_paths)
    for name, leaves in shape.lists.items():
        found += [f"{name}.0.{leaf}" for leaf in leaves]
    return found


def _kind(column):
    parts = column.split(".")
    path = f"{parts[0]}[].{parts[2]}" if len(parts) == 3 and parts[1].isdigit() else column
    return layout().kinds[path]


def _code(index):
    """Return a valid credit code of its own for corpus row index (the registry refuses repeated codes)."""
    body = f"9133010{index % 10}MA{index:08d}"[:17]
    return body + uscc.calc_check_digit(body)


def _unique(rows):
    for index, row in enumerate(rows):
        if row.get("company.credit_code") == BASE["company.credit_code"]:
            row["company.credit_code"] = _code(index)
    return rows


def _corpus_rows():
    rows = []
    for column in _columns():
        cells_here = CODES if column.endswith("credit_code") else CORPUS[_kind(column)]
        for cell in cells_here:
            rows.append(dict(BASE, **{column: cell}))
    rows.append({k: v for k, v in BASE.items() if not k.startswith("company.")})  # every required field missing
    rows.append(dict(BASE, **{"service_platforms.0.hw_sw_investment": "7000000", "incubator.incubated_ai": "21",
                              "incubator.incubated_total": "20"}))  # both cross-field checks
    rows.append(dict(BASE, **{"incubator.incubated_ai": "21", "incubator.incubated_total": "20",
                              "incubator.certified": "maybe"}))  # skipped where a field of the section failed
    rows.append(dict(BASE, **{"rd_projects.0.name": "", "rd_projects.0.rd_investment": "5"}))  # item without a name
    rows.append(dict(BASE, **{"rd_projects.1.rd_investment": "5", "rd_projects.0.name": " "}))
    rows.append(dict(BASE, **{f"rd_projects.{i}.name": f"p{i}" for i in range(51)}))  # too many items
    rows.append(dict(BASE, **{f"rd_projects.{i}.name": f"p{i}" for i in range(51)}, **{"rd_projects.3.rd_investment": "x"}))
    return _unique(rows)


def _reference(row):
    try:
        return load_profile(unflatten(row)), None
    except ProfileError as error:
        return None, error.errors


def _agree(typed, rows, references):
    problems = []
    for index, (profile, errors) in enumerate(references):
        mine = typed.errors.get(index)
        if errors is None:
            if mine:
                problems.append(f"row {index} {_diff(rows[index])}: registry refused {render_errors(mine, 'en')}")
            elif typed_profile(typed, index) != profile:
                problems.append(f"row {index} {_diff(rows[index])}: {typed_profile(typed, index)} != {profile}")
            continue
        for lang in ("zh", "en"):
            if mine is None or render_errors(mine, lang) != render_errors(errors, lang):
                problems.append(f"row {index} {_diff(rows[index])} [{lang}]: registry "
                                f"{render_errors(mine, lang) if mine else None}, schema {render_errors(errors, lang)}")
    return problems


def _diff(row):
    return {k: v for k, v in row.items() if BASE.get(k) != v}


def test_text_cells_are_refused_and_read_exactly_as_load_profile_does():
    rows = _corpus_rows()
    columns = sorted({key for row in rows for key in row})
    table = pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})
    typed = validate(from_flat(table, np.arange(2, len(rows) + 2), "corpus.csv"))
    references = [_reference(row) for row in rows]
    assert sum(e is not None for _, e in references) > 250  # the corpus is mostly refusals
    problems = _agree(typed, rows, references)
    assert not problems, "\n".join(problems[:15])


TYPED = {
    "money": [0, 1, -1, 10 ** 11, 10 ** 11 + 1, 2 ** 62, Decimal("1.5"), Decimal("1.25"), Decimal("-0.01"),
              Decimal("100000000000.00"), Decimal("100000000000.01"), Decimal("1.2345")],
    "count": [0, 3, -1, 100_000, 100_001, 2 ** 62],
    "flag": [True, False],
}


def _arrow(values):
    if all(isinstance(v, Decimal) for v in values):
        return pa.array(values, pa.decimal128(24, 4))
    return pa.array(values)


def test_a_decimal_columns_scale_is_its_type_not_digits_written():
    """JSON 1.2300 is refused (more than two decimals written); in a decimal(24,4) column every cell has four
    decimals, so zeros past the fen are the column's type and 1.2300 is ¥1.23. A non-zero digit past it is not."""
    values = [Decimal("1.2300"), Decimal("0.0000"), Decimal("1.2345"), Decimal("7")]
    table = pa.table({c: pa.array([BASE.get(c)] * len(values), pa.string()) for c in BASE
                      if "." not in c or not c.split(".")[1].isdigit()}
                     | {"company.credit_code": pa.array([_code(i) for i in range(len(values))])}
                     | {"testing.fees": pa.array(values, pa.decimal128(24, 4))})
    typed = validate(from_flat(table, np.arange(2, len(values) + 2), "typed.parquet"))
    assert sorted(typed.errors) == [2]
    assert render_errors(typed.errors[2], "en") == {"testing.fees": ["At most two decimals (fen)."]}
    fees = typed.columns["testing.fees"]
    assert [int(v) for v in fees.values[[0, 1, 3]]] == [123, 0, 700]


def test_typed_parquet_cells_are_read_as_the_json_values_would_be():
    shape = layout()
    problems = []
    for path in shape.company_paths:
        kind = shape.kinds[path]
        for values in ([v for v in TYPED.get(kind, []) if not isinstance(v, Decimal)],
                       [v for v in TYPED.get(kind, []) if isinstance(v, Decimal)]):
            if not values:
                continue
            table = pa.table({c: pa.array([BASE.get(c)] * len(values), pa.string()) for c in BASE
                              if "." not in c or not c.split(".")[1].isdigit()}
                             | {"company.credit_code": pa.array([_code(i) for i in range(len(values))])}
                             | {path: _arrow(values)})
            typed = validate(from_flat(table, np.arange(2, len(values) + 2), "typed.parquet"))
            references = []
            for value in values:
                data = copy.deepcopy(EXAMPLE)
                data["company"]["credit_code"] = _code(len(references))
                for name, field in PROFILE_SCHEMA.fields.items():
                    if isinstance(field, Items):
                        data.pop(name, None)
                head, _, leaf = path.partition(".")
                (data.setdefault(head, {}).__setitem__(leaf, value) if leaf else data.__setitem__(head, value))
                try:
                    references.append((load_profile(data), None))
                except ProfileError as error:
                    references.append((None, error.errors))
            problems += _agree(typed, [{path: v} for v in values], references)
    assert not problems, "\n".join(problems[:15])


def test_the_cross_field_checks_are_the_schemas_own():
    found = set()

    def walk(schema, name):
        for method, *_ in type(schema)._hooks.get("validates_schema", []):
            found.add((name, method))
        for key, field in schema.fields.items():
            inner = field.inner.schema if isinstance(field, Items) else getattr(field, "schema", None)
            if inner is not None:
                walk(inner, key)
    walk(PROFILE_SCHEMA, "")
    assert {section for section, _ in found} == {section for section, *_ in CROSS_CHECKS}, found


def test_money_as_a_float_column_is_refused_for_the_whole_file():
    table = pa.table({"company.name": ["a"], "testing.fees": pa.array([1.5], pa.float64())})
    with pytest.raises(cells.ColumnTypeError, match="testing.fees: money .* float"):
        validate(from_flat(table, np.array([2]), "x.parquet"))


def test_an_unknown_column_or_table_stops_the_run_naming_it(tmp_path):
    with pytest.raises(RegistryError, match="unknown column 'company.nmae'"):
        from_flat(pa.table({"company.nmae": ["a"]}), np.array([2]), "x.csv")
    with pytest.raises(RegistryError, match="rd_projects has name"):
        from_flat(pa.table({"rd_projects.0.budget": ["a"]}), np.array([2]), "x.csv")
    (tmp_path / "companies.csv").write_text("company.name\n", encoding="utf-8")
    (tmp_path / "rd_project.csv").write_text("name\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="rd_project.csv: not a registry table"):
        read_registry(tmp_path)


def _write_csv(path, header, rows):
    import csv
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_bad_rows_duplicates_and_orphans_are_reported_by_line_and_the_rest_goes_on(tmp_path):
    company = ["company.name", "company.credit_code", "company.entity_type", "company.registered_in_hangzhou",
               "company.is_ai_enterprise"]
    _write_csv(tmp_path / "companies.csv", company, [
        ["两行", "91330106MA2H3K7Q1F", "enterprise\n", "true", "true"],  # line 2, two lines long
        ["坏企业", "91330106MA2H3K7Q1G", "enterprise", "true", "true"],  # line 4: wrong check character
        ["重复", "91330106ma2h3k7q1f", "enterprise", "true", "true"],  # line 5: same code as line 2
        ["好企业", "91330106MA2H3K7Q1F"[:-2] + "", "enterprise", "yes", "no"],  # line 6: too short
    ])
    _write_csv(tmp_path / "rd_projects.csv", ["company.credit_code", "name", "rd_investment", "in_city_ai_special"], [
        ["91330106MA2H3K7Q1F", "p", "100", "true"],
        ["91330106MA2H3K7Q1Z", "q", "100", "true"],  # line 3: no such company
        ["91330106MA2H3K7Q1F", "r", "-5", "true"],  # line 4: the company's second project is refused
    ])
    typed = validate(read_registry(tmp_path))
    assert list(typed.lines) == [2, 4, 5, 6]
    assert set(typed.errors) == {0, 1, 2, 3}
    assert render_errors(typed.errors[0], "en") == {"rd_projects.1.rd_investment": ["must be ≥ 0"]}
    assert "check character" in render_errors(typed.errors[1], "en")["company.credit_code"][0]
    assert render_errors(typed.errors[2], "en") == {
        "company.credit_code": ["The same unified social credit code as the company on line 2."]}
    assert render_errors(typed.errors[3], "en") == {
        "company.credit_code": ["The unified social credit code has 18 characters."]}
    assert [(o["file"], o["line"], render_errors(o["errors"], "zh")) for o in typed.orphans] == [
        ("rd_projects.csv", 3, {"company.credit_code": ["企业表中没有该统一社会信用代码的企业。"]})]


def test_parquet_tables_and_the_batch_layout_give_the_same_typed_registry(tmp_path):
    rows = [dict(BASE), dict(BASE, **{"company.credit_code": "91330106MA2H3K7Q1F", "rd_projects.1.name": "二",
                                      "rd_projects.1.rd_investment": "3"})]
    rows[0]["company.credit_code"] = "91330105MA2H3K7Q1A"
    rows[0]["company.credit_code"] = rows[0]["company.credit_code"][:-1] + __import__("stdnum.cn.uscc").cn.uscc \
        .calc_check_digit(rows[0]["company.credit_code"][:-1])
    columns = sorted({key for row in rows for key in row})
    flat = pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})
    one = validate(from_flat(flat, np.array([2, 3]), "batch.csv"))
    folder = tmp_path / "registry"
    folder.mkdir()
    shape = layout()
    pq.write_table(flat.select([c for c in columns if c in shape.company_paths]), folder / "companies.parquet")
    for name, leaves in shape.lists.items():
        items = []
        for row in rows:
            index = 0
            while any(f"{name}.{index}.{leaf}" in row for leaf in leaves):
                items.append({"company.credit_code": row["company.credit_code"],
                              **{leaf: row.get(f"{name}.{index}.{leaf}") for leaf in leaves}})
                index += 1
        if items:
            pq.write_table(pa.Table.from_pylist(items), folder / f"{name}.parquet")
    two = validate(read_registry(folder))
    assert not one.errors and not two.errors
    assert [typed_profile(one, r) for r in range(2)] == [typed_profile(two, r) for r in range(2)]
    assert typed_profile(two, 1)["rd_projects"][1] == {"name": "二", "rd_investment": 300}


def test_the_byte_tables_of_the_text_scan_are_this_pythons_unicodedata():
    from subsidy.registry import textscan

    assert textscan.REFUSED_LEADS == textscan.refused_leads()
    assert textscan.SPACES == textscan.spaces()


def test_boolean_cells_read_from_arrows_bitmaps_agree_with_arrow_at_every_offset():
    rng = np.random.default_rng(7)
    for n in (0, 1, 7, 8, 9, 64, 1001):
        values, nulls = rng.random(n) < 0.5, rng.random(n) < 0.3
        for array in (pa.array(values, mask=nulls), pa.array(values)):
            for start in sorted({0, 1, 3, 8, 9} & set(range(n + 1))):
                part = array.slice(start)
                col = cells.flag("company.is_ai_enterprise", part, {})
                assert col.present.tolist() == part.is_valid().to_pylist()
                assert col.values.tolist() == [bool(v) for v in part.fill_null(False).to_pylist()]


def test_repeated_codes_among_many_are_found_with_the_line_of_the_first(tmp_path):
    codes = [_code(i) for i in range(500)]
    repeated = {120: 7, 121: 7, 499: 0, 300: 250}  # row → the row whose code it repeats
    for row, first in repeated.items():
        codes[row] = codes[first].lower() if row == 121 else codes[first]
    table = pa.table({c: pa.array([BASE.get(c)] * len(codes), pa.string()) for c in BASE
                      if "." not in c or not c.split(".")[1].isdigit()} | {"company.credit_code": pa.array(codes)})
    typed = validate(from_flat(table, np.arange(2, len(codes) + 2), "codes.parquet"))
    assert {row: render_errors(found, "en") for row, found in typed.errors.items()} == {
        row: {"company.credit_code": [f"The same unified social credit code as the company on line {first + 2}."]}
        for row, first in repeated.items()}
