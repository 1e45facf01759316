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
             "natural_science_fund_referral", "innovation_carrier_referral", "product_application_referral",
             "enterprise_growth_referral", "finance_referral", "leading_talent_referral", "top_talent_referral",
             "high_end_talent_referral", "carrier_referral", "major_event_referral"]


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


# The readings CLAUSES.md declares ("Readings the text leaves open"): where each must be marked as a reading.
DECLARED_READINGS = {
    "_policy": ["在杭", "人工智能企业"],
    "rd_subsidy": ["给予最高不超过2000万元的补助", "鼓励区、县(市)给予配套支持"],
    "standards_award": ["分别给予不超过100万元、30万元资助", "不超过100万元、30万元"],
    "talent_team_funding": ["给予最高500万元的项目资助"],
    "scenario_subsidy": ["给予示范应用场景项目不超过总投资20%的资助"],
    "service_platform_subsidy": ["实际投入500万元以上的,服务产业取得良好成效的,按其软硬件投入的30%给予补助,最高不超过500万元",
                                 "服务产业取得良好成效"],
    "testing_subsidy": ["按照实际产生费用的30%给予补助,最高不超过300万元"],
}


def test_every_reading_of_clauses_md_is_marked_as_a_reading_in_its_rule_file():
    rulebook = load_rulebook()
    for clause_id, words in DECLARED_READINGS.items():
        readings = rulebook.readings if clause_id == "_policy" else rulebook.by_id[clause_id].readings
        assert [w for w in words if w not in {r["of"] for r in readings}] == [], clause_id
        for reading in readings:
            assert reading["zh"] and reading["en"]


def test_every_clause_that_needs_an_ai_enterprise_asks_an_officer_to_confirm_it():
    rulebook = load_rulebook()
    assert rulebook.readings_about("company.is_ai_enterprise")
    asking = []
    for clause in rulebook.clauses:
        conditions = [*clause.conditions, *(c for route in clause.routes for c in route.conditions)]
        for condition in conditions:
            if condition.field == "company.is_ai_enterprise":
                assert condition.self_declared, clause.id
                asking.append(clause.id)
    assert sorted(set(asking)) == ["enterprise_growth_referral", "finance_referral", "high_end_talent_referral",
                                   "product_application_referral", "standards_award", "testing_subsidy"]


def test_every_referral_names_its_documents_by_title_and_number_in_both_languages():
    rulebook = load_rulebook()
    for clause in rulebook.clauses:
        if not clause.is_referral:
            continue
        for document in clause.documents:
            for lang in ("zh", "en"):
                assert document["title"][lang] in clause.refers_to[lang], (clause.id, lang)
                assert document["number"][lang] in clause.refers_to[lang], (clause.id, lang)
            # the number as the policy text prints it (its copy lost the closing 〕 of the year)
            assert document["number"]["zh"].replace("〕", "") in clause.citation.replace("〕", ""), clause.id
        if "号" in clause.citation:
            assert clause.documents, f"{clause.id} cites a document its referral does not name"


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


def test_a_reading_must_quote_its_clause(rules_copy):
    _edit(rules_copy / "testing_subsidy.yaml", lambda d: d["readings"][0].update(of="每年"))
    _edit(rules_copy / "_policy.yaml", lambda d: d["readings"][0].update(of="在沪"))
    problems = _problems(rules_copy)
    assert "rules/testing_subsidy.yaml:" in problems and "'每年' is not in it" in problems
    assert "rules/_policy.yaml:" in problems and "'在沪' is not in the policy text" in problems


def test_routes_and_documents_are_checked(rules_copy):
    _edit(rules_copy / "rd_subsidy.yaml", lambda d: d.update(routes=[{"name": {"zh": "a", "en": "a"}}] * 2))
    _edit(rules_copy / "carrier_referral.yaml", lambda d: d.update(documents=["no_such_document"]))
    _edit(rules_copy / "finance_referral.yaml",
          lambda d: d["routes"][0]["applies_when"][0].update(field="item.seeking_venture"))
    problems = _problems(rules_copy)
    assert "rules/rd_subsidy.yaml:" in problems and "routes is for referrals only" in problems
    assert "'no_such_document' is not a document of rules/_policy.yaml" in problems
    assert "routes.0.applies_when.0" in problems and "unknown field 'item.seeking_venture'" in problems


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
    assert "20 clauses, all valid." in result.output


def test_rules_check_fails_with_the_problems(runner, rules_copy):
    _edit(rules_copy / "rd_subsidy.yaml", lambda d: d["conditions"][1].update(field="item.nope"))
    result = runner.invoke(args=["rules", "check", "--dir", str(rules_copy)])
    assert result.exit_code == 1
    assert "rules/rd_subsidy.yaml:" in result.output and "item.nope" in result.output
