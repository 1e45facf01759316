"""Names of the profile's fields in Chinese and English, for reasons, missing facts, hints and the form."""

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
    "national_innovation_carrier": ("牵头承担国家级重大创新载体", "leads a national innovation carrier"),
    "first_of_kind_product": ("首台套、软件产品或自主芯片", "first-of-a-kind product"),
    "scaling_or_renovation": ("上规模或技术改造投入", "scaling up or renovation"),
    "top_talent": ("顶尖人才或团队重大项目", "top talent project"),
    "operates_ai_carrier": ("运营人工智能产业载体", "operates an AI carrier"),
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


def field_label(path: str, lang: str) -> str:
    """Return the label of a profile path such as "rd_projects.0.rd_investment"."""
    parts = [part for part in path.split(".") if not part.isdigit()]
    zh, en = FIELD_LABELS.get(".".join(parts)) or FIELD_LABELS.get(parts[-1], (parts[-1], parts[-1]))
    return en if lang == "en" else zh


def heading_label(path: str, lang: str) -> str:
    """Return a field label as it stands alone on a page: "R&D investment", capitalised in English."""
    label = field_label(path, lang)
    return label[:1].upper() + label[1:]


def value_label(value: str, lang: str) -> str:
    zh, en = VALUE_LABELS.get(value, (value, value))
    return en if lang == "en" else zh
