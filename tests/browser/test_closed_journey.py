"""The journey closed: a firm files through the form and is told by email; an officer approves two clauses and
rejects one; the firm's page then shows the decision, the approved amounts, the notes and the decision PDF."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_firm_journey import COMPANY, PROJECT, fill_company, fill_rd_project, fill_testing, submit
from tests.browser.test_officer_journey import download

RESULT_URL = re.compile(r"/a/[^/?#]+(#status)?$")


def file_through_the_form(page, company_name: str) -> str:
    """Answer the screening questions, fill R&D and testing, check and save; return the result page's URL."""
    page.goto("/")
    expect(page.locator("h1")).to_have_text("企业政策补助自评测算")
    page.check("input[name=kind][value=enterprise]")
    page.check("input[name=topic][value=rd]")
    page.check("input[name=topic][value=platforms]")
    page.get_by_role("button", name="开始填写").click()
    expect(page.locator("#s-rd")).to_be_visible()
    expect(page.locator("#s-standards")).to_have_count(0)
    fill_company(page)
    page.fill("#f-company-name", company_name)
    fill_rd_project(page, 0, PROJECT["name"], "12,000,000")
    fill_testing(page)
    page.fill("#f-common_tech_platforms-0-name", "共性平台")
    page.fill("#f-common_tech_platforms-0-new_equipment_total", "1000万")
    assert submit(page).status == 200
    expect(page.locator("h1")).to_contain_text("检查填写内容")
    expect(page.locator("main")).to_contain_text("壹仟贰佰万元整")
    assert submit(page, "button[name=action][value=save] >> nth=0").status == 303
    page.wait_for_url(RESULT_URL)
    return page.url


def test_the_decision_reaches_the_firm(page, new_context, officer_state, mailbox):
    name = "杭州决定送达科技有限公司"
    url = file_through_the_form(page, name)
    before = len(mailbox.messages)
    expect(page.locator("#status-h")).to_have_text("申报状态：草稿")
    page.fill("#f-email", "cfo@example.com")
    page.get_by_role("button", name=re.compile("提交审核")).click()
    expect(page.locator("#status-h")).to_have_text("申报状态：已提交")
    to, message = mailbox.wait_for(before + 1)[before]
    assert to == ["cfo@example.com"] and "已收到您的补助申报" in message["Subject"]
    assert url.split("#")[0] in message.get_content()
    reference = page.locator("main > p.meta .ref").inner_text()

    officer = new_context(storage_state=officer_state).new_page()
    officer.goto(f"/officer/a/{reference}")
    officer.fill("#v-rd_projects-0-rd_investment", "9800000")
    officer.check("input[name='evidence.rd_subsidy']")
    officer.check("input[name='evidence.testing_subsidy']")
    # The testing subsidy rests on the applicant being an AI enterprise: asked once, among the general conditions.
    officer.select_option("#c-company-is_ai_enterprise", "true")
    officer.get_by_role("button", name="保存并重新计算").click()
    expect(officer.locator("p.meta strong")).to_have_text("审核中")

    # While the officer works, the firm's page says so.
    page.reload()
    expect(page.locator(".status-block .banner")).to_contain_text("审核中")

    officer.select_option("#d-rd_subsidy", "approve")
    officer.fill("#n-rd_subsidy", "按审计报告核减为 980 万元")
    officer.select_option("#d-testing_subsidy", "approve")
    officer.fill("#n-testing_subsidy", "检测报告与发票一致")
    officer.select_option("#d-common_platform_subsidy", "reject")
    officer.fill("#n-common_platform_subsidy", "未提供设备购置发票")
    officer.select_option("#f-final", "partly_approved")
    officer.fill("#f-final-note", "请于 30 日内提交盖章纸质材料")
    officer.get_by_role("button", name="作出决定").click()
    expect(officer.locator("p.meta strong")).to_have_text("部分批准")

    page.goto(url.split("#")[0])
    decision = page.locator("#decision")
    expect(decision.locator("#decision-h")).to_have_text("审核决定：部分批准")
    expect(decision).to_contain_text("请于 30 日内提交盖章纸质材料")
    rd = decision.locator("#d-rd_subsidy td")
    expect(rd.nth(0)).to_have_text("¥2,400,000.00")
    expect(rd.nth(1)).to_have_text("¥1,960,000.00")
    expect(rd.nth(2)).to_have_text("同意")
    expect(rd.nth(3)).to_have_text("¥1,960,000.00")
    expect(rd.nth(4)).to_have_text("按审计报告核减为 980 万元")
    expect(decision.locator("#d-testing_subsidy td").nth(3)).to_have_text("¥120,000.00")
    common = decision.locator("#d-common_platform_subsidy td")
    expect(common.nth(2)).to_have_text("不同意")
    expect(common.nth(3)).to_have_text("—")
    expect(common.nth(4)).to_have_text("未提供设备购置发票")
    expect(decision.locator(".approved-totals")).to_contain_text("¥2,080,000.00")
    expect(page.locator(".status-block .next")).to_contain_text("下载审核决定 PDF")
    expect(page.locator("ol.timeline li.todo")).to_have_count(0)

    name_, data = download(page, decision.get_by_role("link", name="下载审核决定 PDF"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert name_ == f"{reference}-decision-zh.pdf" and "部分批准" in text and "¥1,960,000.00" in text
    assert "未提供设备购置发票" in text

    to, message = mailbox.wait_for(before + 2)[before + 1]
    assert to == ["cfo@example.com"] and "部分批准" in message["Subject"]
    assert "同意的确定金额 ¥2,080,000.00" in message.get_content()
    page.evaluate("window.scrollTo(0, 0)")
    assert COMPANY["credit_code"] in page.locator("main > p.meta").inner_text()


def test_an_officer_cannot_approve_by_accident(new_context, officer_state, live_server):
    from tests.browser.test_officer_journey import file_assessment

    saved = file_assessment(live_server, "杭州防误批科技有限公司")
    again = file_assessment(live_server, "杭州防误批科技有限公司（第二次）")
    page = new_context(storage_state=officer_state).new_page()

    # The queue flags the two filings of one credit code.
    page.goto("/officer/?q=防误批")
    expect(page.locator("table.queue a.flag").first).to_contain_text("同一信用代码另有")
    expect(page.locator("th[aria-sort]")).to_have_count(1)

    page.goto(f"/officer/a/{saved['reference']}")
    expect(page.locator("#same-code")).to_contain_text(again["reference"])
    # The self-declared fact starts pending.
    expect(page.locator("#c-service_platforms-0-good_service_results")).to_have_value("")
    group = page.locator("#g-rd_subsidy")
    expect(group.locator(".claimed")).to_contain_text("20% × ¥12,000,000.00 = ¥2,400,000.00")
    page.fill("#v-service_platforms-0-actual_investment", "4000000")
    page.fill("#v-service_platforms-0-hw_sw_investment", "3000000")
    page.check("input[name='evidence.service_platform_subsidy']")
    page.check("input[name='evidence.rd_subsidy']")
    page.get_by_role("button", name="保存并重新计算").click()
    platform = page.locator("#g-service_platform_subsidy")
    expect(platform.locator(".recomputed")).to_contain_text("不符合")
    expect(platform.locator(".recomputed")).to_contain_text("实际投入 500 万元以上")

    # 已批准 with a rejected clause is refused with the reason, and everything chosen is kept.
    page.select_option("#d-rd_subsidy", "approve")
    page.select_option("#d-service_platform_subsidy", "reject")
    page.fill("#n-service_platform_subsidy", "投入不足 500 万元")
    page.select_option("#f-final", "approved")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="作出决定").click()
    assert posted.value.status == 400
    problems = page.locator("#decision-problems")
    expect(problems).to_be_focused()
    expect(problems).to_contain_text("应为“部分批准”")
    expect(problems).to_contain_text("仍为待确认")  # the platform's self-declared fact
    expect(page.locator("#d-rd_subsidy")).to_have_value("approve")
    expect(page.locator("#n-service_platform_subsidy")).to_have_value("投入不足 500 万元")
    expect(page.locator("#f-final")).to_have_value("approved")
    expect(page.locator("p.meta strong")).to_have_text("审核中")
