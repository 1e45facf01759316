"""The words the product says, in Chinese and English, looked up by a short code.

Validation errors, reasons, hints and status names are built as codes with parameters and turned into text
only at the edge, in the language asked for, so the same evaluation can be shown in either language.
"""

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

CATALOGUE = {
    # Profile validation.
    "required": ("必填项，请填写。", "Required."),
    "null": ("列表中的一项不能为 null；不需要的项请直接删除。", "A list entry may not be null; leave the entry out."),
    "unknown": ("不认识的字段，请删除。", "Unknown field; remove it."),
    "type": ("应为对象（键值对）。", "Must be an object."),
    "list": ("应为列表。", "Must be a list."),
    "bool": ("应为 true 或 false。", "Must be true or false."),
    "int": ("应为不小于 0 的整数。", "Must be a whole number ≥ 0."),
    "int_max": ("不能超过 {max}。", "Must be at most {max}."),
    "str": ("应为文本。", "Must be text."),
    "str_blank": ("不能为空。", "May not be blank."),
    "str_long": ("不能超过 {max} 个字符。", "Must be at most {max} characters."),
    "str_control": ("含有不允许的字符 {char}（控制字符或方向控制字符）。",
                    "Contains {char}, a control or direction-override character, which is not allowed."),
    "money_negative": ("金额必须 ≥ 0。", "must be ≥ 0"),
    "money_decimals": ("金额最多保留两位小数（到分）。", "At most two decimals (fen)."),
    "money_format": ("应为以元为单位的金额，例如 12000000 或 12000000.50。",
                     "Must be an amount in yuan, e.g. 12000000 or 12000000.50."),
    "money_max": ("金额不能超过 {max}。", "Must be at most {max}."),
    # Money as typed into the form (subsidy/amounts.py), said with the field's name.
    "entry_format": ("{label}应为金额，例如 1,200,000、1200000.5、120万 或 1.2亿。",
                     "{label} must be an amount, e.g. 1,200,000, 1200000.5, 120万 (1.2 million) or 1.2亿."),
    "entry_negative": ("{label}不能为负数。", "{label} cannot be negative."),
    "entry_decimals": ("{label}最多精确到分（0.01 元）。", "{label} can be exact to the fen (¥0.01) at most."),
    "entry_grouping": ("{label}的千位分隔符位置不对，应每三位一个，例如 1,200,000。",
                       "{label} has its thousands separators in the wrong place; e.g. 1,200,000."),
    "entry_too_long": ("{label}太长，请只填写金额。", "{label} is too long; give only the amount."),
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
    "content_encoding": ("请求体不接受压缩（Content-Encoding: {encoding}），请以未压缩的 JSON 提交。",
                         "Compressed bodies (Content-Encoding: {encoding}) are not accepted; send the JSON uncompressed."),
    "lang_unsupported": ("不支持该语言：lang 只能取 {supported}。", "Unsupported language: lang must be one of {supported}."),
    "query_int": ("{name} 应为 {minimum} 到 {maximum} 之间的整数。", "{name} must be a whole number from {minimum} to {maximum}."),
    "body_too_large": ("请求体过大。", "The request body is too large."),
    "not_found": ("找不到该地址。", "No such address."),
    "method_not_allowed": ("不支持该请求方法。", "This method is not allowed here."),
    "submitted_locked": ("已提交审核，不能再修改。", "Submitted for review: it can no longer be edited."),
    "email": ("邮箱地址格式不正确，例如 finance@example.com。", "Not an email address, e.g. finance@example.com."),
    "busy": ("服务繁忙，请稍后重试。", "The service is busy; try again in a moment."),
    "rate_limited": ("请求过于频繁，请稍后再试。", "Too many requests; try again shortly."),
    "login_required": ("请先以经办人员身份登录。", "Log in as an officer first."),
    "internal": ("服务器内部错误，已记录。", "Internal error; it has been logged."),
    # Evaluation.
    "reason_unmet": ("不满足条件：{requires}（申报值：{value}）。", "Condition not met: {requires} (declared: {value})."),
    "reason_precondition": ("不满足总体条件：{requires}（申报值：{value}）。",
                            "General condition not met: {requires} (declared: {value})."),
    "reason_precondition_reading": ("不满足总体条件：{requires}（申报值：{value}）。这一条件是本计算器采用的解读，"
                                    "不是政策原文对本条的字面要求，见本条“采用的解读”。",
                                    "General condition not met: {requires} (declared: {value}). This condition is a "
                                    "reading the calculator takes, not the words of this clause: see its readings."),
    "confirm": ("{requires}：自行申报，需经办人员核实确认。", "{requires}: self-declared, to be confirmed by an officer."),
    "confirm_item": ("「{name}」{requires}：自行申报，需经办人员核实确认。",
                     "“{name}”: {requires} - self-declared, to be confirmed by an officer."),
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
    "list_separator": ("、", "; "),
    "and_separator": ("、", " and "),
    # Both outcomes of a missing yes/no fact.
    "outcome_if": ("若{answers}：{effect}。", "With {answers}: {effect}."),
    "outcome_answer": ("“{question}”为“{answer}”", "“{answer}” for {question}"),
    "outcome_same": ("无论{questions}如何回答，结果相同：{effect}。", "Whatever the answer on {questions}: {effect}."),
    "outcome_amount": ("可获 {amount}", "{amount}"),
    "outcome_amount_up_to": ("最高可获 {amount}", "up to {amount}"),
    "outcome_ineligible": ("不符合", "not eligible"),
    "outcome_referral": ("可按其他政策申请", "may be supported under another policy"),
    "outcome_incomplete": ("仍需补充其他信息", "still incomplete"),
    "may_rise": ("另有{entries}信息不完整（{labels}）：补全后本条合计可能增加{up_to}。",
                 "{entries} incomplete ({labels}): once completed, the clause total may rise{up_to}."),
    "may_rise_up_to": ("，最多增加 {amount}", ", by up to {amount}"),
    # Hints: what would change the result, each a change the engine has checked.
    "hint_if": ("如{changes}，{effect}", "if {changes}, {effect}"),
    "hint_item": ("「{name}」{words}", "“{name}”: {words}"),
    "hint_alternative": ("{words}；或者{changes}，结果相同", "{words}; the same if {changes}"),
    "change_condition": ("满足“{requires}”（目前：{current}）", "{requires} (now: {current})"),
    "change_reach": ("{label}达到 {target}（目前 {current}，还差 {delta}）", "{label} reached {target} (now {current}, {delta} short)"),
    "change_above": ("{label}超过 {threshold}，即至少 {target}（目前 {current}）",
                     "{label} were above {threshold}, at least {target} (now {current})"),
    "change_at_most": ("{label}不超过 {target}（目前 {current}）", "{label} were at most {target} (now {current})"),
    "change_companion": ("（{label}相应增至 {target}）", " (with {label} rising to {target})"),
    "effect_gives": ("可获 {amount}（本条合计 +{increase}）", "it would give {amount} (+{increase} for the clause)"),
    "effect_gives_up_to": ("最高可获 {amount}（本条合计最多 +{increase}）",
                           "it would give up to {amount} (up to +{increase} for the clause)"),
    "effect_referral": ("可按其他政策申请支持", "it may be supported under another policy"),
    "effect_still_missing": ("但仍需补充：{labels}", "it would still need: {labels}"),
    "hint_cap_binds": ("{base_label}超过 {binds_at} 后不再增加补助：上限 {cap} 已封顶（目前 {base}）。",
                       "beyond {binds_at} of {base_label}, more adds nothing: the {cap} cap binds (now {base})."),
    "hint_cap_headroom": ("{base_label}每增加 ¥1 补助增加 {rate}，至 {binds_at} 时达到上限 {cap}（目前 {base}，还差 {delta}）{companion}。",
                          "each extra ¥1 of {base_label} adds {rate}, up to {binds_at} where the {cap} cap is reached "
                          "(now {base}, {delta} to go){companion}."),
    "hint_tier": ("如{changes}，适用“{tier}”，上限为 {cap}，{effect}",
                  "if {changes}, the “{tier}” tier applies with a cap of {cap}: {effect}"),
    "hint_tier_onward": ("{words}；此后{base_label}每增加 ¥1 补助增加 {rate}，至 {binds_at} 时达到上限",
                         "{words}; from there each extra ¥1 of {base_label} adds {rate}, up to the cap at {binds_at}"),
    # Statuses.
    "status_eligible": ("符合", "eligible"),
    "status_ineligible": ("不符合", "ineligible"),
    "status_incomplete": ("信息不完整", "incomplete"),
    "status_not_applicable": ("不适用", "not applicable"),
    "status_referral": ("可按其他政策申请", "may be supported elsewhere"),
    # A filing's progress, on the firm's page and in the API.
    "step_saved": ("保存测算", "Saved"),
    "step_revised": ("修改为第 {revision} 版", "Revised (revision {revision})"),
    "step_submitted": ("提交审核", "Submitted for review"),
    "step_under_review": ("开始审核", "Review started"),
    "step_decided": ("作出决定", "Decided"),
    "decision_approved": ("批准", "Approved"),
    "decision_partly_approved": ("部分批准", "Partly approved"),
    "decision_rejected": ("不予批准", "Rejected"),
    "clause_approve": ("同意", "Approved"),
    "clause_reject": ("不同意", "Not approved"),
    "next_draft": ("请核对测算结果，需要时修改。确认无误后提交审核；提交后不能再修改。",
                   "Check the estimate and edit it if needed. Submit it for review when it is right; it cannot be edited after that."),
    "next_submitted": ("已提交，等待经办人员审核。审核期间不能修改，凭本页地址可随时查看进度。",
                       "Submitted: waiting for an officer. It cannot be edited during review; this page's address shows its progress."),
    "next_under_review": ("经办人员正在审核。如需补充材料，经办人员会与贵单位联系；审核期间不能修改。",
                          "An officer is reviewing it. If more evidence is needed the officer will contact you; it cannot be edited during review."),
    "next_approved": ("请下载审核决定 PDF 并妥善保存。资金按程序拨付，请留意主管部门的通知；联系时请注明编号 {reference}。",
                      "Download the decision PDF and keep it. The money is paid out in the usual way; watch for the department's notice and quote {reference}."),
    "next_partly_approved": ("请下载审核决定 PDF，查看未同意条款的说明。同意的部分按程序拨付；对未同意部分如有异议，请联系主管部门并注明编号 {reference}。",
                             "Download the decision PDF and read the notes on the clauses not approved. The approved part is paid out in the usual way; to query the rest, contact the department and quote {reference}."),
    "next_rejected": ("请下载审核决定 PDF，查看各条款的说明。如有异议，请联系主管部门并注明编号 {reference}。",
                      "Download the decision PDF and read the notes on each clause. To query the decision, contact the department and quote {reference}."),
    "basis_exact": ("确定金额", "exact"),
    "basis_up_to": ("最高金额", "up to"),
}


# Words whose English form depends on a number: code → (Chinese, English for one, English for any other number).
PLURALS = {
    "more_ai_firms": ("再增加 {n} 家人工智能在孵企业（{total} 家中 {ai} 家）",
                      "{n} more AI firm joined ({ai} of {total})", "{n} more AI firms joined ({ai} of {total})"),
    "fewer_other_firms": ("减少 {n} 家非人工智能在孵企业（{total} 家中 {ai} 家）",
                          "{n} fewer other firm were incubated ({ai} of {total})",
                          "{n} fewer other firms were incubated ({ai} of {total})"),
    "more_entries": (" {n} 个{noun}", "{n} {noun} is still", "{n} {noun} are still"),
}


def plural(code: str, n: int, lang: str, **params) -> str:
    """Return the catalogue text for a count n, in the English singular or plural as n asks."""
    zh, one, other = PLURALS[code]
    template = zh if lang != "en" else (one if n == 1 else other)
    return template.format(n=n, **params)


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
    return template.format_map(params) if params else template


def pick(bilingual, lang: str) -> str:
    """Return the lang entry of a {"zh": …, "en": …} mapping from the rulebook."""
    return bilingual.get(lang) or bilingual.get(DEFAULT_LANGUAGE) or ""
