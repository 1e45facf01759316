"""The 20 clauses of CLAUSES.md encoded in OpenFisca-core, exact in int64 fen, to measure it beside the registry path.

A peer's encoding written by hand for the benchmark (benchmarks/registry_bench.py), following PEERS-NOTES.md:
- every int variable is int64 (OpenFisca's default is int32, which overflows at ¥21,474,836.47 in fen);
- money is integer fen; rates are fractions; half-up is (base·2·num + den) // (2·den);
- lists become the one person entity ("item") with a role per list, and each company is also its own member
  (a company with no items is otherwise refused); members are given sorted by company;
- OpenFisca has no "absent": each optional input has a companion `…_given`, and "incomplete" is hand-coded.
Statuses are codes: 0 not applicable, 1 ineligible, 2 incomplete, 3 eligible (or referral).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable, config

config.VALUE_TYPES[int]["dtype"] = np.int64  # not an option OpenFisca offers: the default is int32
PERIOD = "2019"
WAN = 1_000_000  # fen per 万元
ROLES = ("self", "rd", "sp", "cp", "sc")
LISTS = {"rd_projects": "rd", "service_platforms": "sp", "common_tech_platforms": "cp", "scenario_projects": "sc"}
ITEM_FIELDS = {  # list → (leaf, kind) inputs of its items
    "rd_projects": (("rd_investment", int), ("in_city_ai_special", bool), ("expert_recommended_core_tech", bool)),
    "service_platforms": (("actual_investment", int), ("hw_sw_investment", int), ("good_service_results", bool)),
    "common_tech_platforms": (("new_equipment_total", int),),
    "scenario_projects": (("selected_as_demo", bool), ("total_investment", int)),
}
COMPANY_FIELDS = (("entity_type", int), ("registered_in_hangzhou", bool), ("is_ai_enterprise", bool),
                  ("testing_present", bool), ("fees", int), ("provider_accredited", bool),
                  ("new_national_key_labs", int), ("talent_team", int), ("incubator_present", bool),
                  ("certified", bool), ("incubated_total", int), ("incubated_ai", int),
                  ("international", int), ("national", int))
ENTERPRISE, UNIVERSITY, INSTITUTE = 0, 1, 2  # company.entity_type's codes, in the profile's order
# Referral clause → (the referral flag that is its subject, or None for the whole referrals section; its routes,
# each the flag that brings it (None: the subject's own) and what the applicant must be). A company takes the
# best route: eligible if one route brings it and its requirement holds, ineligible if every route that
# brings it fails its requirement, not applicable if no route brings it.
REFERRALS = {
    "major_project_referral": ("national_or_provincial_major_project", ((None, "enterprise"),)),
    "natural_science_fund_referral": ("frontier_basic_research", ((None, None),)),
    "innovation_carrier_referral": ("national_innovation_carrier", ((None, None),)),
    "product_application_referral": ("first_of_kind_product", ((None, "ai_enterprise"),)),
    "enterprise_growth_referral": (None, (("raising_rd_investment", "enterprise"),
                                          ("scaling_or_renovation", "ai_enterprise"))),
    "finance_referral": (None, (("startup_seeking_equity", "ai_enterprise"),
                                ("seeking_listing_or_bonds", "enterprise"))),
    "leading_talent_referral": ("basic_or_core_ai_researchers", ((None, "university_or_institute"),)),
    "top_talent_referral": ("top_talent", ((None, None),)),
    "high_end_talent_referral": ("high_end_talent", ((None, "institute"), (None, "ai_enterprise"))),
    "carrier_referral": ("operates_ai_carrier", ((None, None),)),
    "major_event_referral": ("organises_major_ai_event", ((None, None),)),
}
REFERRAL_FLAGS = tuple(dict.fromkeys(flag for subject, routes in REFERRALS.values()
                                     for flag in (subject, *(route for route, _ in routes)) if flag))
CLAUSES = ("rd_subsidy", "key_lab_award", "service_platform_subsidy", "common_platform_subsidy", "testing_subsidy",
           "scenario_subsidy", "talent_team_funding", "incubator_bonus", "standards_award", *REFERRALS)

Item = build_entity(key="item", plural="items", label="a project or platform, or the company itself", is_person=True)
Company = build_entity(key="company", plural="companies", label="an applicant", roles=[
    {"key": role, "plural": f"{role}s", "label": role} for role in ROLES])


def half_up(base, num: int, den: int):
    return (base * (2 * num) + den) // (2 * den)


def _input(name: str, entity, kind):
    return type(name, (Variable,), {"value_type": kind, "entity": entity, "definition_period": DateUnit.YEAR,
                                    "label": name})


def _status(unmet, missing):
    return np.where(unmet, 1, np.where(missing, 2, 3))


def _formula(name: str, entity, kind, function):
    return type(name, (Variable,), {"value_type": kind, "entity": entity, "definition_period": DateUnit.YEAR,
                                    "label": name, "formula": function})


def _given(item, name, period):
    return item(f"{name}_given", period)


def _rate_items(role, base, num, den, caps, unmet_of, needs):
    """Return formulas (status, amount) of a rate clause's items: its conditions, then min(half-up, cap)."""
    def status(item, period):
        mine = item.has_role(getattr(Company, role.upper()))
        unmet = unmet_of(item, period)
        missing = np.zeros(len(mine), dtype=bool)
        for field in needs:
            missing |= ~_given(item, field, period)
        return np.where(mine, _status(unmet, missing), 0)

    def amount(item, period):
        eligible = item(f"{role}_status", period) == 3
        raw = half_up(item(base, period), num, den)
        return np.where(eligible, np.minimum(raw, caps(item, period)), 0)
    return status, amount


def _company_clause(role):
    def status(company, period):
        item_status = company.members(f"{role}_status", period)
        counts = {code: company.sum((item_status == code).astype(np.int64)) for code in (1, 2, 3)}
        found = np.where(counts[3] > 0, 3, np.where(counts[2] > 0, 2, np.where(counts[1] > 0, 1, 0)))
        return np.where(company("registered_in_hangzhou", period), found, 1)

    def amount(company, period):
        total = company.sum(company.members(f"{role}_amount", period)).astype(np.int64)  # bincount: float64
        eligible = company(f"{role}_clause_status", period) == 3
        return np.where(eligible & company("registered_in_hangzhou", period), total, 0)
    return status, amount


def _variables():
    found = []
    for fields in ITEM_FIELDS.values():
        for name, kind in fields:
            found += [_input(name, Item, kind), _input(f"{name}_given", Item, bool)]
    for name, kind in COMPANY_FIELDS:
        found += [_input(name, Company, kind), _input(f"{name}_given", Company, bool)]
    for flag in REFERRAL_FLAGS:
        found += [_input(flag, Company, bool), _input(f"{flag}_given", Company, bool)]

    def enterprise(item, period):
        return item.company("entity_type", period) == 0

    lists = {
        "rd": _rate_items("rd", "rd_investment", 1, 5,
                          lambda i, p: np.where(i("expert_recommended_core_tech", p), 2_000 * WAN, 500 * WAN),
                          lambda i, p: ~enterprise(i, p) | (_given(i, "in_city_ai_special", p)
                                                           & ~i("in_city_ai_special", p)),
                          ("in_city_ai_special", "rd_investment", "expert_recommended_core_tech")),
        "sp": _rate_items("sp", "hw_sw_investment", 3, 10, lambda i, p: np.full(i.count, 500 * WAN),
                          lambda i, p: (_given(i, "actual_investment", p) & (i("actual_investment", p) < 500 * WAN))
                          | (_given(i, "good_service_results", p) & ~i("good_service_results", p)),
                          ("actual_investment", "good_service_results", "hw_sw_investment")),
        "cp": _rate_items("cp", "new_equipment_total", 1, 2, lambda i, p: np.full(i.count, 3_000 * WAN),
                          lambda i, p: np.zeros(i.count, dtype=bool), ("new_equipment_total",)),
        "sc": _rate_items("sc", "total_investment", 1, 5,
                          lambda i, p: np.where(i("total_investment", p) <= 1_500 * WAN, 300 * WAN, 1_000 * WAN),
                          lambda i, p: _given(i, "selected_as_demo", p) & ~i("selected_as_demo", p),
                          ("selected_as_demo", "total_investment")),
    }
    for role, (status, amount) in lists.items():
        found += [_formula(f"{role}_status", Item, int, status), _formula(f"{role}_amount", Item, int, amount)]
        status, amount = _company_clause(role)
        found += [_formula(f"{role}_clause_status", Company, int, status),
                  _formula(f"{role}_clause_amount", Company, int, amount)]
    for clause_id, (status, amount) in _company_clauses().items():
        found += [_formula(f"{clause_id}_status", Company, int, status),
                  _formula(f"{clause_id}_amount", Company, int, amount)]
    return found


def _company_clauses():
    def c(company, name, period):
        return company(name, period)

    def given(company, name, period):
        return company(f"{name}_given", period)

    def hangzhou(function):
        return lambda company, period: np.where(c(company, "registered_in_hangzhou", period),
                                                function(company, period), 1)

    def testing(company, period):
        unmet = (c(company, "entity_type", period) != 0) | ~c(company, "is_ai_enterprise", period) | (
            given(company, "provider_accredited", period) & ~c(company, "provider_accredited", period))
        missing = ~given(company, "provider_accredited", period) | ~given(company, "fees", period)
        return np.where(c(company, "testing_present", period), _status(unmet, missing), 0)

    def labs(company, period):
        return np.where(given(company, "new_national_key_labs", period) & (c(company, "new_national_key_labs",
                                                                             period) > 0), 3, 0)

    def team(company, period):
        return np.where(given(company, "talent_team", period) & (c(company, "talent_team", period) != 0), 3, 0)

    def incubator(company, period):
        both = given(company, "incubated_ai", period) & given(company, "incubated_total", period)
        share = c(company, "incubated_ai", period) * 5 > c(company, "incubated_total", period) * 3
        unmet = (given(company, "certified", period) & ~c(company, "certified", period)) | (both & ~share)
        missing = ~given(company, "certified", period) | ~both
        return np.where(c(company, "incubator_present", period), _status(unmet, missing), 0)

    def standards(company, period):
        some = np.zeros(company.count, dtype=bool)
        for kind in ("international", "national"):
            some |= given(company, kind, period) & (c(company, kind, period) > 0)
        unmet = (c(company, "entity_type", period) != 0) | ~c(company, "is_ai_enterprise", period)
        return np.where(some, _status(unmet, np.zeros(company.count, dtype=bool)), 0)

    def amount_of(clause_id, function):
        return lambda company, period: np.where(company(f"{clause_id}_status", period) == 3,
                                                function(company, period), 0)

    found = {
        "testing_subsidy": (hangzhou(testing), amount_of("testing_subsidy", lambda co, p: np.minimum(
            half_up(c(co, "fees", p), 3, 10), 300 * WAN))),
        "key_lab_award": (hangzhou(labs), amount_of("key_lab_award", lambda co, p: c(co, "new_national_key_labs", p)
                                                    * 3_000 * WAN)),
        "talent_team_funding": (hangzhou(team), amount_of("talent_team_funding", lambda co, p: np.full(co.count,
                                                                                                      500 * WAN))),
        "incubator_bonus": (hangzhou(incubator), amount_of("incubator_bonus", lambda co, p: np.full(co.count,
                                                                                                   100 * WAN))),
        "standards_award": (hangzhou(standards), amount_of("standards_award", lambda co, p: c(
            co, "international", p) * 100 * WAN + c(co, "national", p) * 30 * WAN)),
    }
    def unmet_by(requirement, company, period):
        """Return where the applicant is not what a referral route requires."""
        entity = c(company, "entity_type", period)
        if requirement is None:
            return np.zeros(company.count, dtype=bool)
        if requirement == "enterprise":
            return entity != ENTERPRISE
        if requirement == "ai_enterprise":
            return (entity != ENTERPRISE) | ~c(company, "is_ai_enterprise", period)
        if requirement == "institute":
            return entity != INSTITUTE
        assert requirement == "university_or_institute", requirement
        return entity == ENTERPRISE

    for clause_id, (subject, routes) in REFERRALS.items():
        def referral(company, period, subject=subject, routes=routes):
            best = np.zeros(company.count, dtype=np.int64)
            for flag, requirement in routes:
                flag = flag or subject
                brought = given(company, flag, period) & c(company, flag, period)
                route = np.where(brought, np.where(unmet_by(requirement, company, period), 1, 3), 0)
                best = np.maximum(best, route)
            return best
        found[clause_id] = (hangzhou(referral), lambda company, period: np.zeros(company.count, dtype=np.int64))
    return found


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Item, Company])
    tbs.add_variables(*_variables())
    return tbs


OUTPUTS = {"rd_subsidy": "rd_clause", "service_platform_subsidy": "sp_clause", "common_platform_subsidy": "cp_clause",
           "scenario_subsidy": "sc_clause"}


def simulate(tbs: TaxBenefitSystem, inputs: dict):
    """Build a simulation from column inputs (see registry_bench.openfisca_inputs) and return it."""
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("item", inputs["item_ids"])
    companies = builder.declare_entity("company", inputs["company_ids"])
    builder.join_with_persons(companies, inputs["item_company"], inputs["item_roles"])
    simulation = builder.build(tbs)
    for name, values in inputs["values"].items():
        simulation.set_input(name, PERIOD, values)
    return simulation


def results(simulation) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return clause id → (status codes, amounts in fen) per company."""
    found = {}
    for clause_id in CLAUSES:
        prefix = OUTPUTS.get(clause_id, clause_id)
        found[clause_id] = (np.asarray(simulation.calculate(f"{prefix}_status", PERIOD)),
                            np.asarray(simulation.calculate(f"{prefix}_amount", PERIOD)).astype(np.int64))
    return found
