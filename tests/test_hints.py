"""What would change the result: the smallest change to each threshold or cap that matters, and its effect."""

from subsidy.service import evaluate_profile

COMPANY = {"name": "杭州测试科技有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
           "registered_in_hangzhou": True, "is_ai_enterprise": True}


def hints(profile, clause_id, lang="en"):
    result = evaluate_profile({"company": COMPANY, **profile}, lang)
    return next(c for c in result["clauses"] if c["id"] == clause_id)["hints"]


def test_one_fen_short_of_the_platform_threshold():
    platform = {"name": "P", "actual_investment": "4999999.99", "hw_sw_investment": "4000000",
                "good_service_results": True}
    [hint] = hints({"service_platforms": [platform]}, "service_platform_subsidy")
    assert (hint["kind"], hint["field"], hint["delta"], hint["target"]) == (
        "threshold", "service_platforms.0.actual_investment", 1, 500_000_000)
    assert hint["amount_after_fen"] == 120_000_000
    assert hint["text"] == ("“P”: actual investment ¥4,999,999.99 is ¥0.01 short of the ¥5,000,000.00 threshold; "
                            "reaching it would give ¥1,200,000.00.")


def test_a_threshold_hint_says_when_other_conditions_still_fail():
    platform = {"name": "P", "actual_investment": "4000000", "hw_sw_investment": "4000000",
                "good_service_results": False}
    [hint] = hints({"service_platforms": [platform]}, "service_platform_subsidy")
    assert "amount_after_fen" not in hint and "other conditions" in hint["text"]


def test_rd_investment_past_the_cap_adds_nothing():
    project = {"name": "芯片", "in_city_ai_special": True, "expert_recommended_core_tech": False,
               "rd_investment": "30000000"}
    found = hints({"rd_projects": [project]}, "rd_subsidy")
    binds = next(h for h in found if h["kind"] == "cap_binds")
    assert binds["target"] == 2_500_000_000
    assert "R&D investment above ¥25,000,000.00 adds nothing: the ¥5,000,000.00 cap binds" in binds["text"]
    tier = next(h for h in found if h["kind"] == "tier")
    assert tier["amount_after_fen"] == 600_000_000 and tier["field"] == "rd_projects.0.expert_recommended_core_tech"


def test_one_more_ai_firm_takes_the_share_above_sixty_percent():
    incubator = {"certified": True, "incubated_total": 10, "incubated_ai": 6}
    [hint] = hints({"incubator": incubator}, "incubator_bonus")
    assert (hint["kind"], hint["current"], hint["target"], hint["delta"]) == ("share", 6, 7, 1)
    assert hint["text"].startswith("1 more AI firm(s) (7 of 10) take the share above 60%")
    assert hints({"incubator": incubator}, "incubator_bonus", "zh")[0]["text"].startswith(
        "再增加 1 家人工智能企业（7 / 10）即可使占比超过 60%")


def test_a_general_scenario_project_at_the_boundary_learns_of_the_key_tier():
    project = {"name": "未来社区", "selected_as_demo": True, "total_investment": "15000000"}
    [hint] = hints({"scenario_projects": [project]}, "scenario_subsidy")
    assert (hint["kind"], hint["target"], hint["amount_after_fen"]) == ("tier", 1_500_000_001, 300_000_000)
    bigger = dict(project, total_investment="20000000")
    kinds = [h["kind"] for h in hints({"scenario_projects": [bigger]}, "scenario_subsidy")]
    assert kinds == ["cap_headroom"]


def test_no_hints_when_nothing_can_change_it():
    assert hints({"standards": {"international": 1, "national": 0}}, "standards_award") == []
    outside = evaluate_profile({"company": dict(COMPANY, registered_in_hangzhou=False),
                                "testing": {"fees": "1", "provider_accredited": False}}, "en")
    assert all(not c["hints"] for c in outside["clauses"])
