"""Money entry that cannot be misread, and a form that asks less and guides more, in a real browser."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from subsidy.amounts import AmountError, read_amount
from subsidy.money import format_yuan, to_capital
from tests.browser.test_firm_journey import fill_company, submit

SAVE = "button[name=action][value=save] >> nth=0"
RESULT_URL = re.compile(r"/a/[^/?#]+$")
EXAMPLE = json.loads((Path(__file__).parents[1] / "data" / "contract_example.json").read_text(encoding="utf-8"))


def _save_rd(page, typed: str, unit: str, query: str = "?topic=rd") -> str:
    page.goto(f"/{query}&unit={unit}")
    fill_company(page)
    page.fill("#f-rd_projects-0-name", "工业缺陷检测大模型")
    page.select_option("#f-rd_projects-0-in_city_ai_special", "true")
    page.select_option("#f-rd_projects-0-expert_recommended_core_tech", "false")
    page.fill("#f-rd_projects-0-rd_investment", typed)
    assert submit(page).status == 200
    assert submit(page, SAVE).status == 303
    page.wait_for_url(RESULT_URL)
    return page.url


def test_amounts_typed_either_way_save_the_same_and_reopen_as_typed(page):
    for typed, unit in (("120万", "wan"), ("1,200,000", "yuan")):
        url = _save_rd(page, typed, unit)
        expect(page.locator("#c-rd_subsidy .amount")).to_have_text("¥240,000.00")  # 20 % of ¥1,200,000
        page.goto(url + "/edit")
        expect(page.locator("#f-rd_projects-0-rd_investment")).to_have_value(typed)
        expect(page.locator(f"input[name=unit][value={unit}]")).to_be_checked()
        label = "（万元）" if unit == "wan" else "（元）"
        expect(page.locator("label[for=f-rd_projects-0-rd_investment] .unit")).to_have_text(label)
        expect(page.locator("#f-rd_projects-0-rd_investment-echo")).to_have_text("读作：¥1,200,000.00（壹佰贰拾万元整）")


def test_flipping_the_unit_on_edit_asks_before_a_tenfold_change(page):
    url = _save_rd(page, "120", "wan")
    page.goto(url + "/edit")
    page.check("input[name=unit][value=yuan]")
    # The labels and the echo follow the unit at once.
    expect(page.locator("label[for=f-rd_projects-0-rd_investment] .unit")).to_have_text("（元）")
    expect(page.locator("#f-rd_projects-0-rd_investment-echo")).to_have_text("读作：¥120.00（壹佰贰拾元整）")
    assert submit(page).status == 200
    warning = page.locator("#tenfold")
    expect(warning).to_contain_text("相差十倍以上")
    expect(warning.locator("tbody tr")).to_have_text(re.compile(r"研发项目 1「工业缺陷检测大模型」：项目研发投入\s*¥1,200,000.00\s*¥120.00"))
    assert submit(page, SAVE).status == 400  # not confirmed: nothing saved
    expect(page.locator("#tenfold")).to_be_focused()
    expect(page.locator("#confirm-error")).to_be_visible()
    page.goto(url)
    expect(page.locator("#c-rd_subsidy .amount")).to_have_text("¥240,000.00")
    expect(page.locator(".meta")).to_contain_text("第 1 版")


def test_live_echo_reads_like_the_server(page):
    page.goto("/?topic=rd")
    samples = ["1,200,000", "1200000.5", "120万", "120万元", "1.2亿", "１２０万", "１，２００，０００．５", "¥3,000",
               "0.01", "7", "100100", "10001000", "100000001", "1234567890.12", "-0", "-5", "1,2000", "1e5",
               "0.001", "12.345678万", "1 200 000", "壹佰", "", "3亿元", "0.5元", "20000000000.01"]
    for unit in ("yuan", "wan"):
        for text in samples:
            js = page.evaluate("([t, u]) => { const r = window.SubsidyAmount.read(t, u); return r.error ? "
                               "{error: r.error} : {fen: r.fen.toString(), yuan: window.SubsidyAmount.yuan(r.fen), "
                               "capital: window.SubsidyAmount.capital(r.fen)}; }", [text, unit])
            try:
                fen = read_amount(text, unit)
            except AmountError as error:
                assert js == {"error": error.code}, (text, unit, js)
                continue
            assert js == {"fen": str(fen), "yuan": format_yuan(fen), "capital": to_capital(fen)}, (text, unit, js)
    page.fill("#f-rd_projects-0-rd_investment", "1.2亿")
    expect(page.locator("#f-rd_projects-0-rd_investment-echo")).to_have_text("读作：¥120,000,000.00（壹亿贰仟万元整）")


def test_screening_first_then_sections_that_matter_and_the_rest_added_back(page):
    page.goto("/")
    page.check("input[name=kind][value=university]")
    page.check("input[name=topic][value=platforms]")
    page.get_by_role("button", name="开始填写").click()
    expect(page.locator("#f-company-entity_type")).to_have_value("university")
    expect(page.locator("fieldset.section")).to_have_count(2)
    page.get_by_role("button", name="添加：标准与重大活动（第十一条）").click()
    expect(page.locator("#s-standards")).to_be_in_viewport()
    expect(page.locator("fieldset.section")).to_have_count(3)
    # Every field has an example, required fields say so.
    for field in page.locator("main input:not([type=hidden]):not([type=radio]), main select").all():
        fid = field.get_attribute("id")
        expect(page.locator(f"#{fid}-hint")).not_to_be_empty()
    expect(page.locator("label[for=f-company-name] .req")).to_have_text("（必填）")


def test_enter_checks_rows_move_in_place_and_errors_name_their_row(page):
    page.goto("/?topic=rd")
    add = page.get_by_role("button", name="再添加一项：研发项目")
    # With script a row is added in place: no reload, focus in the new row, the page stays where it was.
    page.fill("#f-rd_projects-0-name", "视觉芯片")
    page.evaluate("window.__marker = 1")
    add.click()
    expect(page.locator("#f-rd_projects-1-name")).to_be_focused()
    assert page.evaluate("window.__marker") == 1
    add.click()
    page.fill("#f-rd_projects-2-name", "语音大模型")
    page.get_by_role("button", name="删除 研发项目 2").click()
    expect(page.locator("fieldset.row")).to_have_count(2)
    expect(page.locator("fieldset.row legend").nth(1)).to_have_text("研发项目 2")
    expect(page.locator("#f-rd_projects-2-name")).to_be_focused()
    page.fill("#f-rd_projects-2-name", "工业缺陷检测大模型")
    page.fill("#f-rd_projects-2-rd_investment", "-5")
    # Enter in a text field checks the answers (it does not add a project).
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.press("#f-rd_projects-2-rd_investment", "Enter")
    assert posted.value.status == 400
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("研发项目 2「工业缺陷检测大模型」：项目研发投入不能为负数。")
    expect(summary).to_contain_text("企业信息：请填写企业名称。")
    summary.get_by_role("link", name=re.compile("研发项目 2")).click()
    expect(page.locator("#f-rd_projects-1-rd_investment")).to_be_focused()


def test_rows_without_script_keep_the_place_and_the_form_works_at_360(no_script_phone_page):
    page = no_script_phone_page
    page.goto("/?topic=rd")
    fill_company(page)
    page.fill("#f-rd_projects-0-name", "视觉芯片")
    page.get_by_role("button", name="再添加一项：研发项目").click()
    page.wait_for_url(re.compile(r"#r-rd_projects-1$"))
    expect(page.locator("#r-rd_projects-1")).to_be_in_viewport()
    page.select_option("#f-rd_projects-0-in_city_ai_special", "true")
    page.select_option("#f-rd_projects-0-expert_recommended_core_tech", "false")
    page.fill("#f-rd_projects-0-rd_investment", "１２００万")
    page.fill("#f-rd_projects-1-name", "语音大模型")
    page.select_option("#f-rd_projects-1-in_city_ai_special", "true")
    page.select_option("#f-rd_projects-1-expert_recommended_core_tech", "false")
    page.fill("#f-rd_projects-1-rd_investment", "300万")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert submit(page).status == 200
    expect(page.locator("main")).to_contain_text("¥12,000,000.00（壹仟贰佰万元整）")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert submit(page, SAVE).status == 303
    page.wait_for_url(RESULT_URL)
    expect(page.locator("#c-rd_subsidy .amount")).to_have_text("¥3,000,000.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_revision_says_what_changed(page):
    url = _save_rd(page, "1200万", "yuan")
    page.goto(url + "/edit")
    page.fill("#f-rd_projects-0-rd_investment", "1000万")
    assert submit(page).status == 200
    assert submit(page, SAVE).status == 303
    changes = page.locator("#changes")
    expect(changes.locator("h2")).to_have_text("与第 1 版相比")
    expect(changes).to_contain_text("研发项目 1「工业缺陷检测大模型」：项目研发投入")
    expect(changes).to_contain_text("-¥400,000.00")


def test_the_firms_journey_by_keyboard_only(page):
    """Screening, the form, the check and saving with the keyboard alone: Tab, Space, arrows, typing and Enter."""
    page.goto("/")
    keys = page.keyboard

    def tab_to(selector, limit=80):
        for _ in range(limit):
            keys.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached by Tab")

    tab_to("input[name=kind][value=enterprise]")
    tab_to("input[name=topic][value=rd]")
    keys.press("Space")
    tab_to("button[type=submit]")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"topic=rd"))
    tab_to("#f-company-name")
    keys.type("杭州键盘科技有限公司")
    tab_to("#f-company-credit_code")
    keys.type(EXAMPLE["company"]["credit_code"])
    expect(page.locator("#f-company-entity_type")).to_have_value("enterprise")  # from the screening answer
    for selector in ("#f-company-registered_in_hangzhou", "#f-company-is_ai_enterprise"):
        tab_to(selector)
        keys.press("ArrowDown")  # — 请选择 — → 是
        expect(page.locator(selector)).to_have_value("true")
    tab_to("#f-rd_projects-0-name")
    keys.type("视觉芯片")
    tab_to("#f-rd_projects-0-in_city_ai_special")
    keys.press("ArrowDown")
    tab_to("#f-rd_projects-0-expert_recommended_core_tech")
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    expect(page.locator("#f-rd_projects-0-expert_recommended_core_tech")).to_have_value("false")
    tab_to("#f-rd_projects-0-rd_investment")
    keys.type("1200万")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        keys.press("Enter")
    page.wait_for_load_state()
    assert posted.value.status == 200, page.locator("main").inner_text()[:600]
    expect(page.locator("h1")).to_contain_text("检查填写内容")
    tab_to("button[value=save]")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        keys.press("Enter")
    assert posted.value.status == 303
    page.wait_for_url(RESULT_URL)
    expect(page.locator("#c-rd_subsidy .amount")).to_have_text("¥2,400,000.00")
    tab_to("button.primary[type=submit]")
    keys.press("Enter")
    expect(page.locator("#status-h")).to_have_text("申报状态：已提交")
