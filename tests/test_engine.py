"""durable-rules decides, in isolation: nothing of one profile reaches the next, also across threads."""

import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from subsidy.engine import SEEN_RULE, Engine, compile_rulebook
from subsidy.errors import EngineError
from subsidy.evaluation import evaluate
from subsidy.render import result_json
from subsidy.rulebook import load_rulebook
from subsidy.schemas import ReferralsSchema, load_profile
from subsidy.service import default_engine


def summary(result):
    return [(c["id"], c["status"], c["amount_fen"]) for c in result["clauses"]]


def run(engine, raw):
    return result_json(evaluate(load_profile(copy.deepcopy(raw)), engine), "en")


def test_the_ruleset_is_compiled_from_the_rule_files():
    definition = compile_rulebook(load_rulebook())
    assert SEEN_RULE in definition
    rd = json.dumps(definition["rd_subsidy#1"], ensure_ascii=False)
    # The clause's own conditions, the Hangzhou precondition and the tier all come from rules/rd_subsidy.yaml.
    assert '"item__in_city_ai_special": true' in rd and '"company__registered_in_hangzhou": true' in rd
    assert '"item__expert_recommended_core_tech": true' in rd
    incubator = json.dumps(definition["incubator_bonus#0"])
    assert '"$gt": {"item__incubated_ai__x5": {"$mul": {"$l": {"$m": "item__incubated_total"}, "$r": 3}}}' in incubator


def test_every_matching_clause_and_item_fires(example):
    example["rd_projects"].append(dict(example["rd_projects"][0], name="第二个项目"))
    # Every referral an AI enterprise can have (the leading-talent programme is for universities and institutes).
    example["referrals"] = {k: True for k in ReferralsSchema().fields if k != "basic_or_core_ai_researchers"}
    example["talent_team"] = "municipal"
    example["new_national_key_labs"] = 1
    result = run(default_engine(), example)
    statuses = {c["id"]: c["status"] for c in result["clauses"] if c["id"] != "leading_talent_referral"}
    assert set(statuses.values()) == {"eligible", "referral"}
    assert result["clauses"][0]["amount_fen"] == 2 * 240000000


def test_each_route_of_a_referral_is_its_own_rule(example):
    definition = compile_rulebook(load_rulebook())
    research = json.dumps(definition["enterprise_growth_referral#0"], ensure_ascii=False)
    scaling = json.dumps(definition["enterprise_growth_referral#1"], ensure_ascii=False)
    assert '"item__raising_rd_investment": true' in research and "is_ai_enterprise" not in research
    assert '"item__scaling_or_renovation": true' in scaling and '"company__is_ai_enterprise": true' in scaling
    example["company"]["is_ai_enterprise"] = False
    example["referrals"] = {"raising_rd_investment": True, "scaling_or_renovation": True}
    growth = next(c for c in run(default_engine(), example)["clauses"] if c["id"] == "enterprise_growth_referral")
    assert growth["status"] == "referral"
    assert [item["status"] for item in growth["items"]] == ["referral", "ineligible"]


def test_identical_items_in_one_profile_both_count(example):
    example["rd_projects"] = [example["rd_projects"][0]] * 3
    assert run(default_engine(), example)["clauses"][0]["amount_fen"] == 3 * 240000000


def test_a_profile_that_matches_nothing_is_an_ordinary_result(example):
    company_only = {"company": dict(example["company"], registered_in_hangzhou=False)}
    result = run(default_engine(), company_only)
    assert {c["status"] for c in result["clauses"]} == {"ineligible"}
    assert result["total_fen"] == 0
    assert "registered in Hangzhou" in result["clauses"][0]["reasons"][0]


def test_nothing_of_one_profile_reaches_the_next(example):
    engine = Engine(load_rulebook())
    rich = copy.deepcopy(example)
    poor = {"company": example["company"], "rd_projects": [dict(example["rd_projects"][0], in_city_ai_special=False)]}
    alone = summary(run(engine, poor))
    for _ in range(5):
        run(engine, rich)
        assert summary(run(engine, poor)) == alone


def _variants(example):
    """Profiles that differ from each other clause by clause."""
    profiles = []
    for i in range(24):
        p = copy.deepcopy(example)
        p["rd_projects"][0]["rd_investment"] = str(1_000_000 * (i + 1))
        p["incubator"]["incubated_ai"] = 10 + (i % 5)
        p["company"]["registered_in_hangzhou"] = i % 7 != 0
        p["scenario_projects"][0]["selected_as_demo"] = i % 3 != 0
        profiles.append(p)
    return profiles


def test_concurrent_evaluations_in_one_process_match_sequential_ones(example):
    engine = default_engine()
    profiles = _variants(example)
    expected = [summary(run(engine, p)) for p in profiles]
    barrier = threading.Barrier(8)

    def work(index):
        if index < 8:
            barrier.wait()
        return summary(run(engine, profiles[index % len(profiles)]))

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(work, range(24 * 20)))
    assert got == [expected[i % len(profiles)] for i in range(24 * 20)]


def test_two_engines_for_two_rulebooks_live_side_by_side(example):
    first, second = Engine(load_rulebook()), Engine(load_rulebook())
    assert first.name != second.name
    assert summary(run(first, example)) == summary(run(second, example))


def test_a_disagreement_between_engine_and_walker_is_an_error_not_an_answer(example, monkeypatch):
    engine = Engine(load_rulebook())
    real_fire = engine.fire

    def drop_rd(facts):
        return {(rule, key) for rule, key in real_fire(facts) if not rule.startswith("rd_subsidy")}

    monkeypatch.setattr(engine, "fire", drop_rd)
    with pytest.raises(EngineError, match="rd_subsidy/0"):
        evaluate(load_profile(example), engine)


def test_an_engine_failure_is_an_engine_error(example):
    engine = Engine(load_rulebook())
    # The C engine segfaults on some floats (1e-05) and reads NaN as nothing: neither may reach it.
    for value in (1e-05, float("nan"), 2**70, None, [1]):
        with pytest.raises(EngineError, match="refusing"):
            engine.fire([{"c": "rd_subsidy", "k": "x", "item__rd_investment": value}])
    # and the engine still answers afterwards
    assert summary(run(engine, example)) == summary(run(default_engine(), example))


def test_a_share_with_its_whole_missing_is_incomplete_not_eligible(example):
    # durable-rules reads a missing field inside arithmetic as 0: 13 × 5 > missing × 3 would be true.
    del example["incubator"]["incubated_total"]
    incubator = run(default_engine(), example)["clauses"][7]
    assert (incubator["id"], incubator["status"], incubator["missing"]) == (
        "incubator_bonus", "incomplete", ["incubator.incubated_total"])
