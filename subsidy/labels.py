"""Names of the profile's fields in Chinese and English, for reasons, missing facts, hints and the form."""

from functools import lru_cache

FIELD_LABELS = {
    "company.name": ("企业名称", "company name"),
    "name": ("名称", "name"),
    "credit_code": ("统一社会信用代码", "unified social credit code"),
    "entity_type": ("主体类型", "type of applicant"),
    "registered_in_hangzhou": ("在杭州注册", "registered in Hangzhou"),
    "is_ai_enterprise": ("人工智能企业", "AI enterprise"),
    "in_city_ai_special": ("列入市重大科技创新计划人工智能专项", "in the city's AI special programme"),
    "expert_recommended_core_tech": ("经专家委员会审定推荐的基础核心技术项目", "recommended by the expert committee"),
    "rd_investment": ("项目研发投入", "R&D investment"),
    "actual_investment": ("实际投入", "actual investment"),
    "hw_sw_investment": ("软硬件投入", "software and hardware investment"),
    "good_service_results": ("服务产业取得良好成效", "good results serving industry"),
    "new_equipment_total": ("新购置研发设备总价", "new R&D equipment total"),
    "fees": ("测试评估验证费用", "testing fees"),
    "provider_accredited": ("第三方平台具有授权资质", "accredited third-party provider"),
    "total_investment": ("项目总投资", "total investment"),
    "selected_as_demo": ("入选示范应用场景项目", "selected as a demonstration project"),
    "new_national_key_labs": ("新创建国家重点实验室数", "new national key laboratories"),
    "talent_team": ("领军型创新创业团队", "leading innovation team"),
    "certified": ("经认定的孵化器或众创空间", "certified incubator"),
    "incubated_total": ("在孵企业总数", "firms incubated"),
    "incubated_ai": ("在孵人工智能企业数", "AI firms incubated"),
    "international": ("主导制定的国际标准数", "international standards led"),
    "national": ("主导制定的国家标准数", "national standards led"),
    "national_or_provincial_major_project": ("入选国省人工智能重大专项", "national or provincial major project"),
    "frontier_basic_research": ("开展人工智能前沿基础理论研究", "does frontier basic AI research"),
    "national_innovation_carrier": ("牵头承担国家级重大创新载体", "leads a national innovation carrier"),
    "first_of_kind_product": ("首台套、软件产品或自主芯片", "first-of-a-kind product"),
    "raising_rd_investment": ("加大研发投入", "raising its R&D investment"),
    "scaling_or_renovation": ("上规模或技术改造投入", "scaling up or renovation"),
    "startup_seeking_equity": ("初创企业寻求股权（创业、天使）投资", "start-up seeking equity investment"),
    "seeking_listing_or_bonds": ("寻求上市、并购重组或发行债券", "seeking a listing, merger or bond issue"),
    "basic_or_core_ai_researchers": ("科技人员开展人工智能基础理论或关键核心技术研究",
                                     "researchers in basic or key core AI research"),
    "top_talent": ("顶尖人才或团队重大项目", "top talent project"),
    "high_end_talent": ("有达到相应条件的高端人才", "high-end talent meeting the conditions"),
    "operates_ai_carrier": ("运营人工智能产业载体", "operates an AI carrier"),
    "organises_major_ai_event": ("举办经认定的人工智能重大活动", "organises a certified major AI event"),
}

# A yes/no field named as the question the firm answers, where the plain label would read as a statement.
QUESTIONS = {
    "registered_in_hangzhou": ("是否在杭州注册", "registration in Hangzhou"),
    "is_ai_enterprise": ("是否为人工智能企业", "AI-enterprise status"),
    "in_city_ai_special": ("是否列入市重大科技创新计划人工智能专项", "inclusion in the city's AI special programme"),
    "expert_recommended_core_tech": ("是否经专家委员会审定推荐", "recommendation by the expert committee"),
    "good_service_results": ("服务产业是否取得良好成效", "good results serving industry"),
    "provider_accredited": ("第三方平台是否具有授权资质", "accreditation of the third-party provider"),
    "selected_as_demo": ("是否入选示范应用场景项目", "selection as a demonstration project"),
    "certified": ("是否为经认定的孵化器或众创空间", "certification as an incubator or maker space"),
}

# What one entry of a section is called, in the singular and (English) plural: "R&D project 2 …".
SECTION_NOUNS = {
    "company": ("申请主体", "applicant", "applicants"),
    "rd_projects": ("研发项目", "R&D project", "R&D projects"),
    "service_platforms": ("科技创新服务平台", "service platform", "service platforms"),
    "common_tech_platforms": ("共性技术研发平台", "common-technology platform", "common-technology platforms"),
    "testing": ("第三方测试", "testing", "testing entries"),
    "scenario_projects": ("应用场景项目", "scenario project", "scenario projects"),
    "incubator": ("孵化载体", "incubator", "incubators"),
    "standards": ("标准", "standards", "standards"),
    "referrals": ("其他政策事项", "other support", "other support"),
}

VALUE_LABELS = {
    "enterprise": ("企业", "enterprise"),
    "university": ("高校", "university"),
    "research_institute": ("科研机构", "research institute"),
    "none": ("无", "none"),
    "provincial": ("省级", "provincial"),
    "municipal": ("市级", "municipal"),
    "international": ("国际标准", "international standards"),
    "national": ("国家标准", "national standards"),
}


# A result names the same few paths many times over: labels are kept per path and language, never per entry name.
@lru_cache(maxsize=4096)
def field_label(path: str, lang: str) -> str:
    """Return the label of a profile path such as "rd_projects.0.rd_investment"."""
    parts = [part for part in path.split(".") if not (part.isascii() and part.isdigit())]
    zh, en = FIELD_LABELS.get(".".join(parts)) or FIELD_LABELS.get(parts[-1], (parts[-1], parts[-1]))
    return en if lang == "en" else zh


def heading_label(path: str, lang: str) -> str:
    """Return a field label as it stands alone on a page: "R&D investment", capitalised in English."""
    label = field_label(path, lang)
    return label[:1].upper() + label[1:]


def value_label(value: str, lang: str) -> str:
    zh, en = VALUE_LABELS.get(value, (value, value))
    return en if lang == "en" else zh


def section_noun(section: str, lang: str, count: int = 1) -> str:
    """Return what an entry of a section is called: 研发项目, "R&D project" or "R&D projects"."""
    zh, one, other = SECTION_NOUNS.get(section, (section, section, section))
    return zh if lang != "en" else (one if count == 1 else other)


def path_label(path: str, lang: str, name: str | None = None) -> str:
    """Return a profile path as the firm reads it, naming the entry it belongs to.

    "rd_projects.1.expert_recommended_core_tech" with name 工业缺陷检测大模型 →
    研发项目 2「工业缺陷检测大模型」的“是否经专家委员会审定推荐” / R&D project 2 “工业缺陷检测大模型”: recommendation by
    the expert committee.
    """
    unnamed, before, after = _path_words(path, lang)
    return f"{before}{name}{after}" if name and before else unnamed


@lru_cache(maxsize=4096)
def _path_words(path: str, lang: str) -> tuple[str, str, str]:
    """Return a path's label without an entry name, and the words either side of the name for a numbered entry
    ("" for a path whose label takes no name): the name is the firm's own text, so it stays out of the cache."""
    parts = path.split(".")
    leaf = parts[-1]
    zh, en = QUESTIONS.get(leaf) or (field_label(path, "zh"), field_label(path, "en"))
    if len(parts) == 1:
        return (f"“{zh}”" if lang != "en" else en[:1].upper() + en[1:]), "", ""
    noun = section_noun(parts[0], lang)
    noun = noun[:1].upper() + noun[1:]
    if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit():
        number = int(parts[1]) + 1
        if lang != "en":
            return f"{noun} {number} 的“{zh}”", f"{noun} {number}「", f"」的“{zh}”"
        return f"{noun} {number}: {en}", f"{noun} {number} “", f"”: {en}"
    return (f"{noun}的“{zh}”" if lang != "en" else f"{noun}: {en}"), "", ""
