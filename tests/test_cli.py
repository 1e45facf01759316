"""The command line: evaluate one profile, run a batch file, check the rules."""

import csv
import json

from subsidy.flat import template_columns, unflatten
from subsidy.rulebook import load_rulebook

CLAUSE_IDS = load_rulebook().clause_ids


def test_evaluate_prints_the_result(runner, tmp_path, example):
    source = tmp_path / "profile.json"
    source.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["evaluate", str(source)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["total_fen"] == 1462000000
    assert [c["id"] for c in document["clauses"]] == CLAUSE_IDS


def test_evaluate_reads_standard_input_in_english(runner, example):
    result = runner.invoke(args=["evaluate", "--lang", "en", "-"], input=json.dumps(example))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["lang"] == "en"


def test_evaluate_exits_2_with_the_errors(runner, example):
    example["testing"]["fees"] = "-3"
    result = runner.invoke(args=["evaluate", "--lang", "en", "-"], input=json.dumps(example))
    assert result.exit_code == 2
    assert json.loads(result.stderr) == {"errors": {"testing.fees": ["must be ≥ 0"]}}
    assert result.stdout == ""


def test_evaluate_refuses_a_file_that_is_not_json(runner):
    result = runner.invoke(args=["evaluate", "-"], input="{oops")
    assert result.exit_code == 2 and "_file" in json.loads(result.stderr)["errors"]


def test_batch_jsonl_keeps_order_and_reports_bad_lines(runner, tmp_path, example):
    bad = dict(example, company=dict(example["company"], credit_code="nope"))
    outside = dict(example, company=dict(example["company"], registered_in_hangzhou=False))
    lines = [json.dumps(example), json.dumps(bad), "{broken", "", json.dumps(outside)]
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    assert "2 evaluated, 2 with errors" in result.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["line"] for row in out] == [1, 2, 3, 5]
    assert out[0]["result"]["total_fen"] == 1462000000
    assert "company.credit_code" in out[1]["errors"] and "_line" in out[2]["errors"]
    assert out[3]["result"]["total_fen"] == 0


def test_batch_csv_in_the_template_layout(runner, tmp_path):
    columns = template_columns()
    row = {c: "" for c in columns}
    row.update({
        "company.name": "杭州甲公司", "company.credit_code": "91330106MA2H3K7Q1F", "company.entity_type": "enterprise",
        "company.registered_in_hangzhou": "true", "company.is_ai_enterprise": "是",
        "rd_projects.0.name": "芯片", "rd_projects.0.in_city_ai_special": "true",
        "rd_projects.0.expert_recommended_core_tech": "false", "rd_projects.0.rd_investment": "30000000",
        "rd_projects.1.name": "算法", "rd_projects.1.in_city_ai_special": "true",
        "rd_projects.1.expert_recommended_core_tech": "true", "rd_projects.1.rd_investment": "30000000",
        "incubator.certified": "true", "incubator.incubated_total": "5", "incubator.incubated_ai": "3",
    })
    bad = dict(row, **{"testing.fees": "-1", "testing.provider_accredited": "true"})
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows([row, bad])
    result = runner.invoke(args=["batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["outcome"] == "ok" and rows[0]["line"] == "2"
    assert rows[0]["rd_subsidy.amount_fen"] == str(500_000_000 + 600_000_000)
    assert rows[0]["incubator_bonus.status"] == "ineligible"  # 3 of 5 is exactly 60 %
    assert rows[1]["outcome"] == "error" and "testing.fees" in rows[1]["errors"]
    # Each row is named by its company, evaluated in a worker process or refused.
    assert [(r["company.name"], r["company.credit_code"]) for r in rows] == [("杭州甲公司", "91330106MA2H3K7Q1F")] * 2


def test_the_template_round_trips_a_profile(runner, example):
    template = runner.invoke(args=["batch-template"]).stdout.strip().split(",")
    assert template == template_columns()
    flat = {"company.name": "x", "rd_projects.1.name": "b", "rd_projects.0.name": "a", "standards.national": "2",
            "incubator.certified": "否", "talent_team": "", "unknown.column": "1"}
    profile = unflatten(flat)
    assert profile["rd_projects"] == [{"name": "a"}, {"name": "b"}]
    assert profile["standards"] == {"national": 2} and profile["incubator"] == {"certified": False}
    assert "talent_team" not in profile and profile["unknown"] == {"column": "1"}


def test_the_documented_template_is_the_current_layout():
    from pathlib import Path
    shipped = (Path(__file__).resolve().parents[1] / "docs" / "batch-template.csv").read_text(encoding="utf-8")
    assert shipped.strip().split(",") == template_columns()
