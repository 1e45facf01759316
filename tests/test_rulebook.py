"""The rulebook is data: every clause file is valid, quotes the policy exactly, and breakage stops start-up."""

import shutil
from pathlib import Path

import pytest
import yaml

from app import create_app
from subsidy.errors import RulebookError
from subsidy.rulebook import RULES_DIR, load_rulebook

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_320cabd19580ee9b.txt"
VENDORED = RULES_DIR / "source" / "004_320cabd19580ee9b.txt"
CATALOGUE = ["rd_subsidy", "key_lab_award", "service_platform_subsidy", "common_platform_subsidy", "testing_subsidy",
             "scenario_subsidy", "talent_team_funding", "incubator_bonus", "standards_award", "major_project_referral",
             "innovation_carrier_referral", "product_application_referral", "enterprise_growth_referral",
             "top_talent_referral", "carrier_referral"]


def test_every_clause_of_the_catalogue_has_its_file_in_catalogue_order():
    rulebook = load_rulebook()
    assert rulebook.clause_ids == CATALOGUE
    for clause in rulebook.clauses:
        assert (RULES_DIR / f"{clause.id}.yaml").exists()
        assert clause.title["zh"] and clause.title["en"]
    assert rulebook.policy["id"] == "hangzhou-ai-2019"
    assert rulebook.policy["version"] == "2019-11-20-draft"


def test_every_citation_is_quoted_exactly_from_the_policy_text():
    text = VENDORED.read_text(encoding="utf-8")
    if SEED.exists():  # beside the repository (here and in CI): the vendored copy must be the same text
        assert SEED.read_bytes() == VENDORED.read_bytes()
    for clause in load_rulebook().clauses:
        assert clause.citation in text, clause.id


def test_the_numbers_of_clauses_md_are_in_the_rules():
    book = load_rulebook().by_id
    rd = book["rd_subsidy"].amount
    assert str(rd.rate) == "1/5" and [t.cap_fen for t in rd.tiers] == [500_000_000, 2_000_000_000]
    assert book["service_platform_subsidy"].conditions[1].value == 500_000_000
    assert book["service_platform_subsidy"].conditions[1].op == "ge"
    scenario = book["scenario_subsidy"].amount.tiers
    assert [(t.when[0].op, t.when[0].value, t.cap_fen) for t in scenario] == [
        ("le", 1_500_000_000, 300_000_000), ("gt", 1_500_000_000, 1_000_000_000)]
    share = book["incubator_bonus"].conditions[1]
    assert (share.op, str(share.value), share.share_of) == ("gt", "3/5", "item.incubated_total")
    assert [t.per_unit_fen for t in book["standards_award"].amount.tiers] == [100_000_000, 30_000_000]
    assert book["key_lab_award"].amount.tiers[0].per_unit_fen == 3_000_000_000


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def _edit(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _line_with(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def _problems(rules_dir) -> str:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_dir)
    return str(caught.value)


def test_an_unknown_field_name_names_the_file_line_and_field(rules_copy):
    path = rules_copy / "rd_subsidy.yaml"
    _edit(path, lambda d: d["conditions"][1].update(field="item.rd_budget"))
    problems = _problems(rules_copy)
    line = _line_with(path, "item.rd_budget")
    assert f"rules/rd_subsidy.yaml:{line - 1}" in problems or f"rules/rd_subsidy.yaml:{line}" in problems
    assert "conditions.1" in problems and "unknown field 'item.rd_budget'" in problems


def test_an_unknown_operator_is_refused(rules_copy):
    _edit(rules_copy / "service_platform_subsidy.yaml", lambda d: d["conditions"][1].update(op="at_least"))
    problems = _problems(rules_copy)
    assert "rules/service_platform_subsidy.yaml:" in problems and "conditions.1.op" in problems
    assert "at_least" not in load_rulebook.__doc__  # the message lists the allowed ones instead
    assert "Must be one of" in problems


def test_an_operator_that_does_not_fit_the_field_is_refused(rules_copy):
    _edit(rules_copy / "testing_subsidy.yaml", lambda d: d["conditions"][2].update(op="gt"))
    assert "operator 'gt' does not apply to the flag field 'item.provider_accredited'" in _problems(rules_copy)


@pytest.mark.parametrize("rate", ["120%", "0%", "0.2", "twenty"])
def test_a_bad_rate_is_refused(rules_copy, rate):
    _edit(rules_copy / "testing_subsidy.yaml", lambda d: d["amount"].update(rate=rate))
    problems = _problems(rules_copy)
    assert "rules/testing_subsidy.yaml:" in problems and "amount.rate" in problems and "rate must be" in problems


def test_a_missing_cap_is_refused(rules_copy):
    _edit(rules_copy / "common_platform_subsidy.yaml", lambda d: d["amount"]["tiers"][0].pop("cap"))
    problems = _problems(rules_copy)
    assert "rules/common_platform_subsidy.yaml:" in problems and "exactly one of cap" in problems


def test_a_missing_cap_on_one_tier_of_a_rate_clause_is_refused(rules_copy):
    def swap(d):
        tier = d["amount"]["tiers"][1]
        tier["per_unit"] = tier.pop("cap")
    _edit(rules_copy / "scenario_subsidy.yaml", swap)
    assert "cap missing: a rate clause caps every tier" in _problems(rules_copy)


def test_a_wrong_value_type_and_an_unknown_choice_are_refused(rules_copy):
    _edit(rules_copy / "rd_subsidy.yaml", lambda d: d["conditions"][0].update(value="company"))
    _edit(rules_copy / "service_platform_subsidy.yaml", lambda d: d["conditions"][1].update(value="5000000"))
    problems = _problems(rules_copy)
    assert "'company' is not a value of company.entity_type" in problems
    assert "money in a rule is whole yuan" in problems


def test_unknown_keys_broken_yaml_and_id_mismatch_are_refused(rules_copy):
    _edit(rules_copy / "key_lab_award.yaml", lambda d: d.update(ceiling=1))
    (rules_copy / "talent_team_funding.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    _edit(rules_copy / "incubator_bonus.yaml", lambda d: d.update(id="incubator"))
    problems = _problems(rules_copy)
    assert "rules/key_lab_award.yaml:" in problems and "ceiling" in problems
    assert "rules/talent_team_funding.yaml:" in problems and "not valid YAML" in problems
    assert "must be the file name (incubator_bonus)" in problems


def test_a_missing_clause_file_is_named(rules_copy):
    (rules_copy / "standards_award.yaml").unlink()
    assert "'standards_award' is listed but rules/standards_award.yaml is missing" in _problems(rules_copy)


def test_a_broken_rulebook_stops_the_app_from_starting(rules_copy, tmp_path):
    _edit(rules_copy / "rd_subsidy.yaml", lambda d: d["amount"].update(rate="200%"))
    with pytest.raises(RulebookError, match="rd_subsidy.yaml"):
        create_app({"TESTING": True, "RULES_DIR": str(rules_copy), "DATABASE": str(tmp_path / "db")})


def test_rules_check_prints_the_catalogue(runner):
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "rd_subsidy" in result.output and "cap ¥20,000,000.00" in result.output
    assert "15 clauses, all valid." in result.output


def test_rules_check_fails_with_the_problems(runner, rules_copy):
    _edit(rules_copy / "rd_subsidy.yaml", lambda d: d["conditions"][1].update(field="item.nope"))
    result = runner.invoke(args=["rules", "check", "--dir", str(rules_copy)])
    assert result.exit_code == 1
    assert "rules/rd_subsidy.yaml:" in result.output and "item.nope" in result.output
