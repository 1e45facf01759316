"""A plain hand-written reading of the 20 clauses of CLAUSES.md, to check the engine against.

Independent of the product's rule machinery: no durable-rules, no rulebook YAML, no subsidy.evaluation,
subsidy.engine or subsidy.rulebook. It takes the TYPED profile (subsidy.schemas.load_profile: money in integer
fen, counts as int, flags as bool; absent fields left out) and returns, per clause id, (status, amount_fen).

Statuses per item: an unmet stated condition makes it ineligible; otherwise a missing needed field makes it
incomplete; otherwise eligible (or referral). A clause is eligible if any item is, else incomplete if any item
is, else ineligible if any item is, else not_applicable. An applicant not registered in Hangzhou is ineligible
on every clause.
"""

from __future__ import annotations

from collections.abc import Callable

ELIGIBLE, INELIGIBLE, INCOMPLETE, NOT_APPLICABLE, REFERRAL = (
    "eligible", "ineligible", "incomplete", "not_applicable", "referral")

YUAN = 100  # fen per yuan
WAN = 10_000 * YUAN  # fen per 万元

CLAUSE_IDS = (
    "rd_subsidy",
    "key_lab_award",
    "service_platform_subsidy",
    "common_platform_subsidy",
    "testing_subsidy",
    "scenario_subsidy",
    "talent_team_funding",
    "incubator_bonus",
    "standards_award",
    "major_project_referral",
    "natural_science_fund_referral",
    "innovation_carrier_referral",
    "product_application_referral",
    "enterprise_growth_referral",
    "finance_referral",
    "leading_talent_referral",
    "top_talent_referral",
    "high_end_talent_referral",
    "carrier_referral",
    "major_event_referral",
)

Outcome = tuple[str, int]  # (status, amount_fen) of one item or one clause


def half_up(base_fen: int, num: int, den: int) -> int:
    """Return base × num/den in fen, rounded half-up, in integers."""
    return (base_fen * num * 2 + den) // (2 * den)


def rd_cap(item: dict) -> int:
    """Return the rd_subsidy cap of a project: 2,000万 if expert-recommended core tech, else 500万."""
    return 2_000 * WAN if item["expert_recommended_core_tech"] else 500 * WAN


def scenario_cap(item: dict) -> int:
    """Return the scenario_subsidy cap: 300万 for total ≤ 1,500万 (general), 1,000万 above (key)."""
    return 300 * WAN if item["total_investment"] <= 1_500 * WAN else 1_000 * WAN


def _fixed(cap_fen: int) -> Callable[[dict], int]:
    """Return a cap function giving the same cap for every item."""
    return lambda item: cap_fen


# The rate clauses: clause id → (profile section, base field, rate numerator, rate denominator, cap of an item,
# fields the cap reads). Used by the test to recompute each eligible item's amount.
RATE_CLAUSES: dict[str, tuple[str, str, int, int, Callable[[dict], int], tuple[str, ...]]] = {
    "rd_subsidy": ("rd_projects", "rd_investment", 20, 100, rd_cap, ("expert_recommended_core_tech",)),
    "service_platform_subsidy": ("service_platforms", "hw_sw_investment", 30, 100, _fixed(500 * WAN), ()),
    "common_platform_subsidy": ("common_tech_platforms", "new_equipment_total", 50, 100, _fixed(3_000 * WAN), ()),
    "testing_subsidy": ("testing", "fees", 30, 100, _fixed(300 * WAN), ()),
    "scenario_subsidy": ("scenario_projects", "total_investment", 20, 100, scenario_cap, ("total_investment",)),
}


def _judge(checks: list[bool | None], amount: Callable[[], int] | None, positive: str = ELIGIBLE) -> Outcome:
    """Return an item's outcome from its condition checks (None = the field is missing) and its amount."""
    if False in checks:
        return INELIGIBLE, 0
    if None in checks:
        return INCOMPLETE, 0
    return positive, amount() if amount else 0


def _flag(item: dict, name: str) -> bool | None:
    """Return a flag condition: True/False as stated, None when missing."""
    return item.get(name)


def _present(item: dict, *names: str) -> bool | None:
    """Return True when every named field is present, None when one is missing."""
    return True if all(item.get(name) is not None for name in names) else None


def _rate_item(clause_id: str, item: dict, checks: list[bool | None]) -> Outcome:
    """Judge one item of a rate clause: its conditions, then min(half-up(rate × base), cap)."""
    _section, base, num, den, cap, cap_fields = RATE_CLAUSES[clause_id]
    checks = [*checks, _present(item, base, *cap_fields)]
    return _judge(checks, lambda: min(half_up(item[base], num, den), cap(item)))


def _is_enterprise(company: dict) -> bool:
    """Return True for an enterprise (not a university or research institute)."""
    return company["entity_type"] == "enterprise"


def _is_ai_enterprise(company: dict) -> bool:
    """Return True for an enterprise that declares itself an AI enterprise."""
    return company["entity_type"] == "enterprise" and company["is_ai_enterprise"]


def rd_subsidy(profile: dict) -> list[Outcome]:
    """Judge clause 一: an enterprise's project in the city's AI special, 20 % of R&D investment, capped."""
    company = profile["company"]
    return [_rate_item("rd_subsidy", p, [_is_enterprise(company), _flag(p, "in_city_ai_special")])
            for p in profile.get("rd_projects", [])]


def key_lab_award(profile: dict) -> list[Outcome]:
    """Judge clause 二: ¥30,000,000 per newly founded national key laboratory, for any entity type."""
    labs = profile.get("new_national_key_labs", 0)
    return [(ELIGIBLE, labs * 3_000 * WAN)] if labs > 0 else []


def service_platform_subsidy(profile: dict) -> list[Outcome]:
    """Judge clause 三 (service platform): actual ≥ 500万 and good results, 30 % of hw/sw investment, capped."""
    outcomes = []
    for p in profile.get("service_platforms", []):
        actual = p.get("actual_investment")
        big_enough = None if actual is None else actual >= 500 * WAN
        outcomes.append(_rate_item("service_platform_subsidy", p, [big_enough, _flag(p, "good_service_results")]))
    return outcomes


def common_platform_subsidy(profile: dict) -> list[Outcome]:
    """Judge clause 三 (common-technology platform): 50 % of new equipment, capped per platform."""
    return [_rate_item("common_platform_subsidy", p, []) for p in profile.get("common_tech_platforms", [])]


def testing_subsidy(profile: dict) -> list[Outcome]:
    """Judge clause 三 (testing): an AI enterprise at an accredited provider, 30 % of fees, capped."""
    testing = profile.get("testing")
    if testing is None:
        return []
    company = profile["company"]
    checks = [_is_enterprise(company), company["is_ai_enterprise"], _flag(testing, "provider_accredited")]
    return [_rate_item("testing_subsidy", testing, checks)]


def scenario_subsidy(profile: dict) -> list[Outcome]:
    """Judge clause 五: a selected demonstration project, up to 20 % of total investment, capped by class."""
    return [_rate_item("scenario_subsidy", p, [_flag(p, "selected_as_demo")])
            for p in profile.get("scenario_projects", [])]


def talent_team_funding(profile: dict) -> list[Outcome]:
    """Judge clause 八: a provincial or municipal leading team, up to ¥5,000,000."""
    team = profile.get("talent_team", "none")
    return [] if team == "none" else [(ELIGIBLE, 500 * WAN)]


def incubator_bonus(profile: dict) -> list[Outcome]:
    """Judge clause 九: a certified incubator with AI firms strictly over 60 % of its firms, ¥1,000,000 a year."""
    incubator = profile.get("incubator")
    if incubator is None:
        return []
    ai, total = incubator.get("incubated_ai"), incubator.get("incubated_total")
    share_over_60 = None if ai is None or total is None else ai * 100 > total * 60
    return [_judge([_flag(incubator, "certified"), share_over_60], lambda: 100 * WAN)]


def standards_award(profile: dict) -> list[Outcome]:
    """Judge clause 十一: an AI enterprise, up to ¥1,000,000 per international and ¥300,000 per national standard."""
    standards = profile.get("standards", {})
    company = profile["company"]
    per_unit = {"international": 100 * WAN, "national": 30 * WAN}
    return [_judge([_is_ai_enterprise(company)], lambda kind=kind: standards[kind] * per_unit[kind])
            for kind in per_unit if standards.get(kind, 0) > 0]


def _referral(*ways: tuple[str, Callable[[dict], bool] | None]) -> Callable[[dict], list[Outcome]]:
    """Return the judge of a referral clause: each way is (flag, company condition or None); the clause is shown
    along every way whose flag is true, and is a referral if the company meets the condition of any of them."""
    def judge(profile: dict) -> list[Outcome]:
        flags = profile.get("referrals", {})
        return [_judge([condition(profile["company"])] if condition else [], None, REFERRAL)
                for flag, condition in ways if flags.get(flag)]
    return judge


def _is_research_body(company: dict) -> bool:
    """Return True for a university or research institute (a new R&D institution counts as an institute)."""
    return company["entity_type"] in ("university", "research_institute")


def _is_research_institute(company: dict) -> bool:
    """Return True for a research institute or new R&D institution: 科研院所、新型研发机构 (no universities)."""
    return company["entity_type"] == "research_institute"


JUDGES: dict[str, Callable[[dict], list[Outcome]]] = {
    "rd_subsidy": rd_subsidy,
    "key_lab_award": key_lab_award,
    "service_platform_subsidy": service_platform_subsidy,
    "common_platform_subsidy": common_platform_subsidy,
    "testing_subsidy": testing_subsidy,
    "scenario_subsidy": scenario_subsidy,
    "talent_team_funding": talent_team_funding,
    "incubator_bonus": incubator_bonus,
    "standards_award": standards_award,
    # 一: a national or provincial AI major special project → the rules of that project (enterprises).
    "major_project_referral": _referral(("national_or_provincial_major_project", _is_enterprise)),
    # 一: frontier basic research → the natural science fund's AI special (no applicant named: anyone).
    "natural_science_fund_referral": _referral(("frontier_basic_research", None)),
    # 二: newly approved to lead a national innovation carrier → city finances (any organisation).
    "innovation_carrier_referral": _referral(("national_innovation_carrier", None)),
    # 四: first-of-a-kind product, software or own chips → 114号 / 94号 (AI enterprises).
    "product_application_referral": _referral(("first_of_kind_product", _is_ai_enterprise)),
    # 六: an enterprise raising R&D investment, or an AI enterprise scaling up or renovating → 市委〔2019〕17号.
    "enterprise_growth_referral": _referral(("raising_rd_investment", _is_enterprise),
                                            ("scaling_or_renovation", _is_ai_enterprise)),
    # 七: an AI start-up seeking equity, or an enterprise seeking a listing, M&A or bonds → funds, 凤凰行动.
    "finance_referral": _referral(("startup_seeking_equity", _is_ai_enterprise),
                                  ("seeking_listing_or_bonds", _is_enterprise)),
    # 八: researchers of a university, institute or new R&D institution → the leading-talent programme.
    "leading_talent_referral": _referral(("basic_or_core_ai_researchers", _is_research_body)),
    # 八: top talent or team with a major project → case by case.
    "top_talent_referral": _referral(("top_talent", None)),
    # 八: high-end talent of a research institute, new R&D institution or AI enterprise → 市委〔2019〕17号.
    "high_end_talent_referral": _referral(("high_end_talent", _is_research_institute),
                                          ("high_end_talent", _is_ai_enterprise)),
    # 九: operates an AI industry carrier → 市委〔2019〕17号 and 杭政办〔2018〕1号.
    "carrier_referral": _referral(("operates_ai_carrier", None)),
    # 十一: organises a certified major AI event → as the rules provide.
    "major_event_referral": _referral(("organises_major_ai_event", None)),
}


def clause_status(items: list[Outcome]) -> Outcome:
    """Return a clause's (status, amount) from its items' outcomes."""
    statuses = {status for status, _amount in items}
    for status in (ELIGIBLE, REFERRAL, INCOMPLETE, INELIGIBLE):
        if status in statuses:
            amount = sum(a for s, a in items if s == ELIGIBLE) if status == ELIGIBLE else 0
            return status, amount
    return NOT_APPLICABLE, 0


def reference_evaluate(profile: dict) -> dict[str, Outcome]:
    """Return clause id → (status, amount_fen) for a typed profile, in catalogue order."""
    if not profile["company"]["registered_in_hangzhou"]:
        return {clause_id: (INELIGIBLE, 0) for clause_id in CLAUSE_IDS}
    return {clause_id: clause_status(JUDGES[clause_id](profile)) for clause_id in CLAUSE_IDS}
