"""The registry tools on the command line: synth, screen (with the 免申即享 list), simulate with a variant."""

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from subsidy.db import connect
from subsidy.registry import output, synth
from subsidy.registry.crosscheck import typed_profile
from subsidy.registry.tables import read_registry
from subsidy.registry.validate import validate
from subsidy.schemas import dump_profile

RATE_15 = """name: rd-rate-15
title: {zh: 研发补助比例 15%, en: R&D subsidy at 15 %}
changes:
  - clause: rd_subsidy
    rate: 15%
"""


@pytest.fixture
def registry(runner, tmp_path):
    folder = tmp_path / "reg"
    result = runner.invoke(args=["registry", "synth", "--firms", "3000", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_synth_writes_a_documented_synthetic_registry(registry):
    tables = {p.stem: pq.read_table(p) for p in registry.glob("*.parquet")}
    assert set(tables) == {"companies", "rd_projects", "service_platforms", "common_tech_platforms",
                           "scenario_projects"}
    companies = tables["companies"]
    assert companies.num_rows == 3000
    assert all(name.startswith("合成") for name in companies.column("company.name").to_pylist())
    assert pa.types.is_decimal(tables["rd_projects"].schema.field("rd_investment").type)
    types = companies.column("company.entity_type").to_pylist()
    assert 0.9 < types.count("enterprise") / len(types) < 0.99
    again = synth.synthesize(3000, __import__("subsidy.rulebook").rulebook.default_rulebook())
    assert again["companies"].equals(companies)  # the same seed, the same registry


def test_screen_writes_results_and_leaves_filed_clauses_off_the_outreach_list(app, runner, client, registry, tmp_path):
    typed = validate(read_registry(registry))
    results = tmp_path / "first.parquet"
    first = runner.invoke(args=["screen", str(registry), "--out", str(results)])
    assert first.exit_code == 0, first.output
    table = pq.read_table(results)
    row = next(r for r in table.to_pylist() if r["rd_subsidy.status"] == "eligible")
    # That firm files its own assessment (the same facts) and submits it.
    index = int(row["line"]) - 1
    saved = client.post("/api/v1/assessments", json=dump_profile(typed_profile(typed, index))).get_json()
    assert client.post(saved["links"]["submit"]).status_code == 200
    listed = tmp_path / "outreach.csv"
    second = runner.invoke(args=["screen", str(registry), "--out", str(tmp_path / "r.csv"), "--outreach", str(listed),
                                 "--check", "all"])
    assert second.exit_code == 0, second.output
    assert "cross-checked with durable-rules: " in second.output and "0 differences" in second.output
    with open(listed, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    codes = {(r["clause"], r["company.credit_code"]) for r in rows}
    assert ("rd_subsidy", row["company.credit_code"]) not in codes
    eligible = {(c, r["company.credit_code"]) for r in table.to_pylist() for c in ("rd_subsidy",)
                if r["rd_subsidy.status"] == "eligible"}
    assert {x for x in codes if x[0] == "rd_subsidy"} == eligible - {("rd_subsidy", row["company.credit_code"])}
    assert all(r["amount_fen"].isdigit() for r in rows)


def test_bad_rows_are_reported_by_line_and_the_run_goes_on(runner, tmp_path):
    source = tmp_path / "batch.csv"
    source.write_text(
        "company.name,company.credit_code,company.entity_type,company.registered_in_hangzhou,"
        "company.is_ai_enterprise,testing.fees,testing.provider_accredited\n"
        "=HYPERLINK(\"http://x\"),91330106MA2H3K7Q1F,enterprise,true,true,1000000,true\n"
        "坏,91330106MA2H3K7Q1F,enterprise,true,true,-5,true\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = runner.invoke(args=["screen", str(source), "--out", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "line 3: " in result.output and "testing.fees: must be ≥ 0" in result.output
    with open(target, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["company.name"].startswith("'=HYPERLINK")  # neutralised by exports.py
    assert (rows[0]["outcome"], rows[0]["testing_subsidy.amount_fen"]) == ("ok", "30000000")
    assert rows[1]["outcome"] == "error" and "same unified social credit code" in rows[1]["errors"]


def test_a_registry_that_cannot_be_read_exits_2_naming_the_problem(runner, tmp_path):
    source = tmp_path / "batch.csv"
    source.write_text("company.name,company.budget\na,1\n", encoding="utf-8")
    result = runner.invoke(args=["screen", str(source), "--out", str(tmp_path / "o.parquet")])
    assert result.exit_code == 2 and "unknown column 'company.budget'" in result.output


def test_xlsx_is_refused_above_its_row_limit(tmp_path):
    big = pa.table({"line": pa.array(range(output.XLSX_MAX_ROWS + 1))})
    with pytest.raises(output.OutputError, match="do not fit in one XLSX sheet"):
        output.write(big, tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()


def test_simulate_budgets_a_15_percent_rate_and_keeps_the_variant_as_a_draft(app, runner, registry, tmp_path):
    variant = tmp_path / "rd-rate-15.yaml"
    variant.write_text(RATE_15, encoding="utf-8")
    report = tmp_path / "report.json"
    result = runner.invoke(args=["simulate", str(registry), "--variant", str(variant), "--report", str(report),
                                 "--out", str(tmp_path / "changes.parquet")])
    assert result.exit_code == 0, result.output
    found = json.loads(report.read_text(encoding="utf-8"))
    rd = next(c for c in found["clauses"] if c["clause"] == "rd_subsidy")
    assert rd["variant_fen"] < rd["base_fen"] and rd["base_companies"] == rd["variant_companies"]
    others = [c for c in found["clauses"] if c["clause"] != "rd_subsidy"]
    assert all(c["delta_fen"] == 0 for c in others)
    assert found["losers"] > 0 and found["gainers"] == 0 and found["lost_fen"] == -rd["delta_fen"]
    assert found["policy"]["variant"] == "2019-11-20-draft+rd-rate-15"
    changes = pq.read_table(tmp_path / "changes.parquet").to_pylist()
    assert sum(r["delta_fen"] for r in changes) == rd["delta_fen"]
    db = connect(app.config["DATABASE"])
    assert [(r["name"], r["status"]) for r in db.query("SELECT * FROM policy_variants")] == [("rd-rate-15", "draft")]
    db.close()
    # The app's own engine, the one every filing is evaluated and pinned with, is untouched.
    assert app.extensions["subsidy.engine"].rulebook.policy["version"] == "2019-11-20-draft"


@pytest.mark.parametrize("text, expected", [
    ("name: x\ntitle: {zh: a, en: b}\nchanges:\n  - clause: rd_subsidy\n    rate: 150%\n",
     "rd-rate.yaml:5: changes.0.rate: a rate is above 0% and at most 100%, not 150%"),
    ("name: x\ntitle: {zh: a, en: b}\nchanges:\n  - clause: rd_subsidy\n    cap: 1\n",
     "rd-rate.yaml:5: changes.0.cap: rd_subsidy has 2 tiers: say which with tier: 1 … 2"),
    ("name: x\ntitle: {zh: a, en: b}\nchanges:\n  - clause: no_such\n    rate: 1%\n",
     "rd-rate.yaml:4: changes.0.clause: no clause 'no_such'"),
    ("name: x\ntitle: {zh: a, en: b}\nchanges:\n  - clause: rd_subsidy\n    field: item.x\n",
     "rd-rate.yaml:5: changes.0.field: Unknown field."),
    ("name: x\ntitle: {zh: a, en: b}\nchanges:\n  - clause: scenario_subsidy\n    threshold: {field: item.total_investment, from: 1, to: 2}\n",
     "rd-rate.yaml:5: changes.0.threshold: scenario_subsidy has no money, count or share condition"),
])
def test_a_bad_variant_exits_2_with_file_line_field_and_problem(runner, registry, tmp_path, text, expected):
    variant = tmp_path / "rd-rate.yaml"
    variant.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["simulate", str(registry), "--variant", str(variant)])
    assert result.exit_code == 2 and expected in result.output, result.output


def test_a_threshold_and_a_flat_amount_move_the_budget(app, runner, registry, tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text("name: thresholds\ntitle: {zh: 门槛, en: thresholds}\nchanges:\n"
                       "  - clause: service_platform_subsidy\n    threshold: {field: item.actual_investment, "
                       "from: 5000000, to: 4000000}\n  - clause: incubator_bonus\n    per_unit: 1500000\n"
                       "  - clause: scenario_subsidy\n    tier: 2\n    cap: 8000000\n", encoding="utf-8")
    report = tmp_path / "r.json"
    result = runner.invoke(args=["simulate", str(registry), "--variant", str(variant), "--report", str(report),
                                 "--check", "all"])
    assert result.exit_code == 0, result.output
    found = {c["clause"]: c for c in json.loads(report.read_text(encoding="utf-8"))["clauses"]}
    assert found["service_platform_subsidy"]["variant_companies"] > found["service_platform_subsidy"]["base_companies"]
    assert found["incubator_bonus"]["variant_fen"] == found["incubator_bonus"]["base_fen"] * 3 // 2
    assert found["scenario_subsidy"]["variant_fen"] <= found["scenario_subsidy"]["base_fen"]

