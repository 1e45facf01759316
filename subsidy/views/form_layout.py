"""The firm's form: its sections by clause family, the fields each asks (only what the clauses need), which
are required, and an example for every field."""

from dataclasses import dataclass, field

from ..paths import ROW_TITLES
from ..schemas import field_kinds


@dataclass(frozen=True)
class Group:
    """A repeatable list of rows (R&D projects, platforms, scenario projects)."""

    section: str  # rd_projects
    title: tuple[str, str]
    fields: tuple[str, ...]  # leaf names


@dataclass(frozen=True)
class Section:
    key: str
    title: tuple[str, str]
    help: tuple[str, str]
    clauses: tuple[str, ...]
    fields: tuple[str, ...] = ()
    groups: tuple[Group, ...] = field(default_factory=tuple)


SECTIONS = (
    Section("company", ("企业信息", "Company"),
            ("按营业执照填写。须在杭州注册，才能享受本政策的各项支持。",
             "As on the business licence. Every measure of this policy is for applicants registered in Hangzhou."),
            (), ("company.name", "company.credit_code", "company.entity_type", "company.registered_in_hangzhou",
                 "company.is_ai_enterprise")),
    Section("rd", ("关键核心技术研发（第一条）", "Key core technology R&D (clause 一)"),
            ("列入市重大科技创新计划人工智能专项的项目，按研发投入的 20% 补助，每个项目最高 500 万元；经专家委员会审定推荐的基础核心技术项目最高 2000 万元。",
             "Projects in the city's AI special programme get 20 % of their R&D investment, up to ¥5M each, or up to "
             "¥20M for basic core technology projects recommended by the expert committee."),
            ("rd_subsidy", "major_project_referral", "natural_science_fund_referral"),
            ("referrals.national_or_provincial_major_project", "referrals.frontier_basic_research"),
            (Group("rd_projects", ROW_TITLES["rd_projects"],
                   ("name", "in_city_ai_special", "expert_recommended_core_tech", "rd_investment")),)),
    Section("labs", ("基础研究平台（第二条）", "Basic research platforms (clause 二)"),
            ("新创建人工智能方向的国家重点实验室，每个资助 3000 万元。", "A newly founded national key laboratory in AI: ¥30M each."),
            ("key_lab_award", "innovation_carrier_referral"),
            ("new_national_key_labs", "referrals.national_innovation_carrier")),
    Section("platforms", ("服务平台、共性平台与测试（第三条）", "Platforms and testing (clause 三)"),
            ("服务平台实际投入 500 万元以上且服务成效良好的，按软硬件投入 30% 补助（最高 500 万元）；共性技术研发平台按新购设备总价 50% 补助（最高 3000 万元）；第三方测试费用按 30% 补助（最高 300 万元）。",
             "Service platforms with ¥5M or more actual investment and good results: 30 % of hardware and software "
             "investment (up to ¥5M). Common-technology platforms: 50 % of new R&D equipment (up to ¥30M). "
             "Accredited third-party testing: 30 % of the fees (up to ¥3M)."),
            ("service_platform_subsidy", "common_platform_subsidy", "testing_subsidy"),
            ("testing.fees", "testing.provider_accredited"),
            (Group("service_platforms", ROW_TITLES["service_platforms"],
                   ("name", "actual_investment", "hw_sw_investment", "good_service_results")),
             Group("common_tech_platforms", ROW_TITLES["common_tech_platforms"],
                   ("name", "new_equipment_total")))),
    Section("products", ("产品在地应用（第四条）", "Local use of AI products (clause 四)"),
            ("首台套、软件产品、自主芯片或模组，按其他专项政策支持。",
             "First-of-a-kind equipment, software products and own chips are supported under other policies."),
            ("product_application_referral",), ("referrals.first_of_kind_product",)),
    Section("scenarios", ("应用场景（第五条）", "Application scenarios (clause 五)"),
            ("入选示范应用场景的项目，最高可获总投资 20% 的资助：总投资 1500 万元及以下最高 300 万元，以上最高 1000 万元。",
             "Selected demonstration scenarios may get up to 20 % of total investment: up to ¥3M at ¥15M or less, "
             "up to ¥10M above."),
            ("scenario_subsidy",), (),
            (Group("scenario_projects", ROW_TITLES["scenario_projects"],
                   ("name", "selected_as_demo", "total_investment")),)),
    Section("growth", ("企业发展与金融支撑（第六、七条）", "Enterprise growth and finance (clauses 六 and 七)"),
            ("加大研发投入、上规模和技术改造投入按“新制造业计划”政策支持；初创企业的股权投资和企业上市、并购重组、发行债券另有基金和“凤凰行动”计划支持。",
             "Raising R&D investment, scaling up and renovation are supported under the new manufacturing plan; "
             "equity for start-ups, listings, mergers and bond issues under the funds and the Phoenix Action plan."),
            ("enterprise_growth_referral", "finance_referral"),
            ("referrals.raising_rd_investment", "referrals.scaling_or_renovation", "referrals.startup_seeking_equity",
             "referrals.seeking_listing_or_bonds")),
    Section("talent", ("人才团队（第八条）", "Talent teams (clause 八)"),
            ("入选省市领军型创新创业团队的，最高 500 万元项目资助；顶尖人才项目一事一议。",
             "Teams selected as provincial or municipal leading teams: up to ¥5M. Top talent: case by case."),
            ("talent_team_funding", "leading_talent_referral", "top_talent_referral", "high_end_talent_referral"),
            ("talent_team", "referrals.basic_or_core_ai_researchers", "referrals.top_talent",
             "referrals.high_end_talent")),
    Section("carriers", ("孵化器与产业载体（第九条）", "Incubators and carriers (clause 九)"),
            ("经认定的孵化器、众创空间中人工智能企业超过 60% 的，每年再给予 100 万元运营补助。",
             "A certified incubator where AI firms are more than 60 % of those incubated gets ¥1M a year on top."),
            ("incubator_bonus", "carrier_referral"),
            ("incubator.certified", "incubator.incubated_total", "incubator.incubated_ai",
             "referrals.operates_ai_carrier")),
    Section("standards", ("标准与重大活动（第十一条）", "Standards and major events (clause 十一)"),
            ("主导制定完成国际标准的最高 100 万元，国家标准最高 30 万元（每项）；行业、团体标准不适用。",
             "Each completed international standard led: up to ¥1M; national: up to ¥300,000. Industry and group "
             "standards do not count."),
            ("standards_award", "major_event_referral"),
            ("standards.international", "standards.national", "referrals.organises_major_ai_event")),
)

LIST_SECTIONS = tuple(group.section for section in SECTIONS for group in section.groups)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
# What the schema refuses to go without: the company's facts, and a name for every row of a list.
REQUIRED = {"company.name", "company.credit_code", "company.entity_type", "company.registered_in_hangzhou",
            "company.is_ai_enterprise", "name"}

# An example for every field (by path, or by the leaf name of a list's field), in Chinese and English.
EXAMPLES = {
    "company.name": ("例如：杭州示例智能科技有限公司", "e.g. 杭州示例智能科技有限公司, as on the business licence"),
    "company.credit_code": ("18 位，例如：91330106MA2H3K7Q1F", "18 characters, e.g. 91330106MA2H3K7Q1F"),
    "company.entity_type": ("例如：企业（公司选“企业”）", "e.g. Enterprise (a company is an enterprise)"),
    "company.registered_in_hangzhou": ("例如：是（营业执照登记机关在杭州市）", "e.g. Yes (registered with a Hangzhou authority)"),
    "company.is_ai_enterprise": ("例如：是（主营人工智能产品或服务）", "e.g. Yes (AI products or services are its main business)"),
    "name": ("例如：工业缺陷检测大模型", "e.g. Industrial defect detection model"),
    "in_city_ai_special": ("例如：是（已列入市重大科技创新计划人工智能专项）", "e.g. Yes (listed in the city's AI special programme)"),
    "expert_recommended_core_tech": ("例如：否（未经专家委员会审定推荐）", "e.g. No (not recommended by the expert committee)"),
    "good_service_results": ("例如：是（有服务企业的合同或证明）", "e.g. Yes (contracts or letters from firms served)"),
    "selected_as_demo": ("例如：是（已入选示范应用场景）", "e.g. Yes (selected as a demonstration scenario)"),
    "testing.provider_accredited": ("例如：是（测试机构具有 CMA/CNAS 资质）", "e.g. Yes (the lab is CMA/CNAS accredited)"),
    "new_national_key_labs": ("例如：1（本政策期内新创建的个数）", "e.g. 1 (founded during the policy period)"),
    "talent_team": ("例如：省级", "e.g. Provincial"),
    "incubator.certified": ("例如：是（经认定的孵化器或众创空间）", "e.g. Yes (a certified incubator or maker space)"),
    "incubator.incubated_total": ("例如：20", "e.g. 20"),
    "incubator.incubated_ai": ("例如：13（不超过在孵企业总数）", "e.g. 13 (no more than the firms incubated)"),
    "standards.international": ("例如：1（主导制定并已发布）", "e.g. 1 (led and published)"),
    "standards.national": ("例如：2（主导制定并已发布）", "e.g. 2 (led and published)"),
}
MONEY_EXAMPLES = {"yuan": ("例如：1,200,000 或 120万", "e.g. 1,200,000 or 120万 (1.2 million)"),
                  "wan": ("例如：120（即 120 万元）或 1.2亿", "e.g. 120 (= ¥1.2 million) or 1.2亿")}
FLAG_EXAMPLE = ("例如：是", "e.g. Yes")


def example_for(path: str, unit: str, lang: str) -> str:
    """Return the example shown under a field, in lang; money examples follow the form's unit."""
    leaf = path.rsplit(".", 1)[-1]
    kind = kind_of(path)
    pair = (MONEY_EXAMPLES[unit if unit in MONEY_EXAMPLES else "yuan"] if kind == "money"
            else EXAMPLES.get(path) or EXAMPLES.get(leaf) or (FLAG_EXAMPLE if kind == "flag" else ("", "")))
    return pair[1] if lang == "en" else pair[0]


def is_required(path: str) -> bool:
    return path in REQUIRED or (path.count(".") == 2 and path.rsplit(".", 1)[-1] in REQUIRED)


def sections_for(keys) -> list[Section]:
    """Return the sections with these keys, in the form's order."""
    return [section for section in SECTIONS if section.key in keys]


def kind_of(path: str) -> str:
    """Return the kind of a form field path ("rd_projects.0.rd_investment" → money)."""
    parts = path.split(".")
    if len(parts) == 3 and ((parts[1].isascii() and parts[1].isdigit()) or parts[1] == "__i__"):  # __i__: the row template's index
        path = f"{parts[0]}[].{parts[2]}"
    return field_kinds().get(path, "text")
