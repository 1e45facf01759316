"""The words the product says, in Chinese and English, looked up by a short code.

Validation errors, reasons, hints and status names are built as codes with parameters and turned into text
only at the edge, in the language asked for, so the same evaluation can be shown in either language.
"""

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

CATALOGUE = {
    # Profile validation.
    "required": ("必填项，请填写。", "Required."),
    "null": ("不能为空值。", "May not be null."),
    "unknown": ("不认识的字段，请删除。", "Unknown field; remove it."),
    "type": ("应为对象（键值对）。", "Must be an object."),
    "list": ("应为列表。", "Must be a list."),
    "bool": ("应为 true 或 false。", "Must be true or false."),
    "int": ("应为不小于 0 的整数。", "Must be a whole number ≥ 0."),
    "int_max": ("不能超过 {max}。", "Must be at most {max}."),
    "str": ("应为文本。", "Must be text."),
    "str_blank": ("不能为空。", "May not be blank."),
    "str_long": ("不能超过 {max} 个字符。", "Must be at most {max} characters."),
    "str_control": ("含有不允许的控制字符或方向控制字符。", "Contains control or direction-override characters."),
    "money_negative": ("金额必须 ≥ 0。", "must be ≥ 0"),
    "money_decimals": ("金额最多保留两位小数（到分）。", "At most two decimals (fen)."),
    "money_format": ("应为以元为单位的金额，例如 12000000 或 12000000.50。",
                     "Must be an amount in yuan, e.g. 12000000 or 12000000.50."),
    "money_max": ("金额不能超过 {max}。", "Must be at most {max}."),
    "one_of": ("应为以下之一：{choices}。", "Must be one of: {choices}."),
    "credit_code_length": ("统一社会信用代码应为 18 位。", "The unified social credit code has 18 characters."),
    "credit_code_format": ("统一社会信用代码含有不允许的字符。", "The unified social credit code has characters it may not have."),
    "credit_code_checksum": ("统一社会信用代码校验位不正确。", "The check character of the unified social credit code is wrong."),
    "duplicate_credit_code": ("统一社会信用代码与第 {line} 行的企业重复。", "The same unified social credit code as the company on line {line}."),
    "no_company": ("企业表中没有该统一社会信用代码的企业。", "No company with this unified social credit code in the companies table."),
    "incubated_ai_over_total": ("人工智能在孵企业数不能超过在孵企业总数。",
                                "The AI firms incubated cannot be more than all firms incubated."),
    "hw_sw_over_actual": ("软硬件投入不能超过实际投入。", "The software and hardware investment cannot exceed the actual investment."),
    "too_many_items": ("最多 {max} 项。", "At most {max} entries."),
    # Request errors (JSON API).
    "body_not_json": ("请求体不是有效的 JSON：{detail}", "The request body is not valid JSON: {detail}"),
    "body_empty": ("请求体为空，请提交企业信息 JSON。", "The request body is empty; send the company profile as JSON."),
    "content_type": ("请以 Content-Type: application/json 提交。", "Send the body with Content-Type: application/json."),
    "body_too_large": ("请求体过大。", "The request body is too large."),
    "not_found": ("找不到该地址。", "No such address."),
    "method_not_allowed": ("不支持该请求方法。", "This method is not allowed here."),
    "submitted_locked": ("已提交审核，不能再修改。", "Submitted for review: it can no longer be edited."),
    "busy": ("服务繁忙，请稍后重试。", "The service is busy; try again in a moment."),
    "rate_limited": ("请求过于频繁，请稍后再试。", "Too many requests; try again shortly."),
    "login_required": ("请先以经办人员身份登录。", "Log in as an officer first."),
    "internal": ("服务器内部错误，已记录。", "Internal error; it has been logged."),
    # Evaluation.
    "reason_unmet": ("不满足条件：{requires}（申报值：{value}）。", "Condition not met: {requires} (declared: {value})."),
    "reason_precondition": ("不满足总体条件：{requires}（申报值：{value}）。",
                            "General condition not met: {requires} (declared: {value})."),
    "confirm": ("{requires}：自行申报，需经办人员核实确认。", "{requires}: self-declared, to be confirmed by an officer."),
    "formula_rate_free": ("{rate} × {base} = {amount}（未达到上限 {cap}）", "{rate} × {base} = {amount} (cap {cap} not reached)"),
    "formula_rate_capped": ("{rate} × {base} = {raw}，超过上限，按上限 {cap} 计",
                            "{rate} × {base} = {raw}, above the cap: {cap} applies"),
    "formula_rate_at_cap": ("{rate} × {base} = {amount}（恰好达到上限 {cap}）", "{rate} × {base} = {amount} (exactly the cap {cap})"),
    "formula_with_up_to": ("{formula}；{up_to}", "{formula}; {up_to}"),
    "formula_flat": ("{per_unit} × {quantity} = {amount}", "{per_unit} × {quantity} = {amount}"),
    "formula_up_to": ("最高 {amount}", "up to {amount}"),
    "formula_none": ("—", "—"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "absent": ("未填写", "not given"),
    # Hints: what would change the result.
    "hint_short_ge": ("{field_label} {value} 距 {threshold} 的门槛还差 {delta}；达到后{effect}",
                      "{field_label} {value} is {delta} short of the {threshold} threshold; reaching it {effect}."),
    "hint_short_gt": ("{field_label} {value} 须超过 {threshold}，至少还需增加 {delta}（达到 {target}）；之后{effect}",
                      "{field_label} {value} must be above {threshold}: {delta} more (to {target}) {effect}."),
    "hint_over_le": ("{field_label} {value} 超过 {threshold}，需不超过该值。", "{field_label} {value} is above {threshold}; it must not exceed it."),
    "hint_share": ("再增加 {more} 家人工智能企业（{target} / {total}）即可使占比超过 {percent}；之后{effect}",
                   "{more} more AI firm(s) ({target} of {total}) take the share above {percent}, which {effect}."),
    "hint_share_impossible": ("在孵企业中人工智能企业须超过 {percent}，目前 {ai} / {total}。",
                              "AI firms must be more than {percent} of those incubated; now {ai} of {total}."),
    "hint_cap_binds": ("{base_label}超过 {binds_at} 后不再增加补助：上限 {cap} 已封顶（目前 {base}）。",
                       "{base_label} above {binds_at} adds nothing: the {cap} cap binds (now {base})."),
    "hint_cap_headroom": ("{base_label}每增加 ¥1 补助增加 {rate}，至 {binds_at} 时达到上限 {cap}（目前 {base}，还差 {delta}）。",
                          "Each extra ¥1 of {base_label} adds {rate}, up to {binds_at} where the {cap} cap is reached "
                          "(now {base}, {delta} to go)."),
    "hint_tier": ("{field_label}为 {target} 时，适用“{tier}”，上限变为 {cap}，补助为 {amount}。",
                  "With {field_label} at {target}, the “{tier}” tier applies: cap {cap}, amount {amount}."),
    "hint_tier_flag": ("如{field_label}，适用“{tier}”，上限变为 {cap}，补助为 {amount}。",
                       "If {field_label}, the “{tier}” tier applies: cap {cap}, amount {amount}."),
    "hint_item": ("「{name}」{words}", "“{name}”: {words}"),
    "effect_amount": ("可获补助 {amount}。", "would give {amount}"),
    "effect_other_conditions": ("仍需满足其他条件。", "would still need the other conditions met"),
    # Statuses.
    "status_eligible": ("符合", "eligible"),
    "status_ineligible": ("不符合", "ineligible"),
    "status_incomplete": ("信息不完整", "incomplete"),
    "status_not_applicable": ("不适用", "not applicable"),
    "status_referral": ("可按其他政策申请", "may be supported elsewhere"),
    "basis_exact": ("确定金额", "exact"),
    "basis_up_to": ("最高金额", "up to"),
}


def normalise_language(lang: str | None) -> str:
    """Return a supported language code for a requested one ("en-GB" → "en"; anything else → zh)."""
    if not lang:
        return DEFAULT_LANGUAGE
    head = lang.strip().lower()[:2]
    return head if head in LANGUAGES else DEFAULT_LANGUAGE


def text(code: str, lang: str, **params) -> str:
    """Return the catalogue text for code in lang, with params filled in."""
    zh, en = CATALOGUE[code]
    template = en if lang == "en" else zh
    return template.format(**params) if params else template


def pick(bilingual, lang: str) -> str:
    """Return the lang entry of a {"zh": …, "en": …} mapping from the rulebook."""
    return bilingual.get(lang) or bilingual.get(DEFAULT_LANGUAGE) or ""
