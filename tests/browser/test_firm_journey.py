"""A firm's journey in a real browser: fill the form, read the result, switch language, reopen, download, edit.

The app runs under gunicorn (tests/browser/conftest.py) with CSRF on; pages are driven through Chromium.
"""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

EXAMPLE = json.loads((Path(__file__).parents[1] / "data" / "contract_example.json").read_text(encoding="utf-8"))
COMPANY = EXAMPLE["company"]
PROJECT = EXAMPLE["rd_projects"][0]
CHECK = "button.primary[name=action][value=check]"
SAVE = "button[name=action][value=save] >> nth=0"
ADD_RD = "button[name=action][value='add:rd_projects']"
RD_CARD = "#c-rd_subsidy"
RESULT_URL = re.compile(r"/a/[^/?#]+$")
MONEY = re.compile(r"^¥\d{1,3}(,\d{3})*\.\d{2}$")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def fill_company(page, credit_code=COMPANY["credit_code"]):
    page.fill("#f-company-name", COMPANY["name"])
    page.fill("#f-company-credit_code", credit_code)
    page.select_option("#f-company-entity_type", COMPANY["entity_type"])
    page.select_option("#f-company-registered_in_hangzhou", _flag(COMPANY["registered_in_hangzhou"]))
    page.select_option("#f-company-is_ai_enterprise", _flag(COMPANY["is_ai_enterprise"]))


def fill_rd_project(page, index, name, investment, in_special=True, expert=False):
    row = f"#f-rd_projects-{index}-"
    page.fill(row + "name", name)
    page.select_option(row + "in_city_ai_special", _flag(in_special))
    page.select_option(row + "expert_recommended_core_tech", _flag(expert))
    page.fill(row + "rd_investment", investment)


def fill_testing(page):
    page.fill("#f-testing-fees", EXAMPLE["testing"]["fees"])
    page.select_option("#f-testing-provider_accredited", _flag(EXAMPLE["testing"]["provider_accredited"]))


def submit(page, button=CHECK):
    """Press a submit button; return the response to the POST (200 on check or add, 400 on errors, 303 on save)."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click(button)
    page.wait_for_load_state()
    return posted.value


def check_and_save(page):
    """Check the answers, then save them from the check page; return the response to the save (303)."""
    checked = submit(page)
    assert checked.status == 200, checked.status
    expect(page.locator("h1")).to_contain_text("检查填写内容")
    return submit(page, SAVE)


def fill_example(page, investment="12000000"):
    """Fill the form with the example's company, one R&D project and the testing section."""
    fill_company(page)
    fill_rd_project(page, 0, PROJECT["name"], investment, PROJECT["in_city_ai_special"],
                    PROJECT["expert_recommended_core_tech"])
    fill_testing(page)


def save_example(page, investment="12000000"):
    """Fill and save the example on a fresh form; return the result page's URL."""
    page.goto("/?topic=all")
    fill_example(page, investment)
    response = check_and_save(page)
    assert response.status == 303, response.status
    page.wait_for_url(RESULT_URL)
    return page.url


def grand_total(page) -> str:
    return page.locator(".totals .grand dd").inner_text().split("\n")[0].strip()


def test_chinese_form_to_result(page):
    page.goto("/?topic=all")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("企业政策补助自评测算")
    fill_example(page)
    response = check_and_save(page)
    assert response.status == 303
    page.wait_for_url(RESULT_URL)

    expect(page.locator("h1")).to_have_text(COMPANY["name"])
    expect(page.locator("#totals-h")).to_have_text("测算合计")
    total = grand_total(page)
    assert MONEY.match(total), total
    assert total == "¥2,520,000.00"  # 20 % of ¥12M R&D + 30 % of ¥400,000 testing fees
    card = page.locator(RD_CARD)
    expect(card.locator(".amount")).to_have_text("¥2,400,000.00")
    expect(card.locator("header .status")).to_have_text("符合")
    expect(page.locator("#c-testing_subsidy .amount")).to_have_text("¥120,000.00")
    expect(page.locator(".meta")).to_contain_text("第 1 版")
    expect(page.get_by_role("link", name="下载 PDF 测算单")).to_be_visible()


def test_switch_to_english_is_remembered(page):
    url = save_example(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"[?&]lang=en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#totals-h")).to_have_text("Estimated total")
    assert any(cookie["name"] == "lang" and cookie["value"] == "en" for cookie in page.context.cookies())

    # The next page loads without ?lang= stay in English: the form, and the result.
    page.goto("/?topic=all")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#s-company legend").first).to_have_text("Company")
    page.goto(url)
    assert "lang=" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#totals-h")).to_have_text("Estimated total")
    expect(page.locator(f"{RD_CARD} h3")).to_contain_text("R&D subsidy for key core AI technology projects")
    expect(page.locator(f"{RD_CARD} header .status")).to_have_text("Eligible")
    expect(page.get_by_role("link", name="Download the PDF estimate")).to_be_visible()

    # The other link goes back to Chinese, and that is remembered too.
    page.get_by_role("link", name="中文").click()
    expect(page.locator("#totals-h")).to_have_text("测算合计")
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # End on the English result, so that its screenshot can be looked at.
    page.get_by_role("link", name="English").click()
    expect(page.locator("#totals-h")).to_have_text("Estimated total")


def test_saved_link_opens_in_new_context(page, new_context):
    url = save_example(page)
    total = grand_total(page)
    rd_amount = page.locator(f"{RD_CARD} .amount").inner_text()

    stranger = new_context()
    assert stranger.cookies() == []
    other = stranger.new_page()
    other.goto(url)
    expect(other.locator("h1")).to_have_text(COMPANY["name"])
    assert grand_total(other) == total == "¥2,520,000.00"
    expect(other.locator(f"{RD_CARD} .amount")).to_have_text(rd_amount)
    expect(other.locator(f"{RD_CARD} header .status")).to_have_text("符合")


def test_download_pdf_estimate(page):
    save_example(page)
    link = page.get_by_role("link", name="下载 PDF 测算单")
    assert re.search(r"/estimate\.pdf\?revision=1$", link.get_attribute("href"))
    # An error answer is a page, not a download: notice it at once instead of waiting out the timeout.
    refused = []
    page.on("response", lambda r: refused.append(r) if "/estimate.pdf" in r.url and r.status >= 400 else None)
    with page.expect_download(timeout=30_000) as downloading:
        link.click()
        while not downloading.is_done() and not refused:
            page.wait_for_timeout(100)
        assert not refused, f"the PDF link answered {refused[0].status}, not a download"
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    assert len(data) > 10_000, len(data)


def test_validation_errors_are_shown_and_linked(page):
    page.goto("/?topic=all")
    fill_company(page, credit_code="91330106MA2H3K7Q1G")  # the check character should be F
    fill_rd_project(page, 0, PROJECT["name"], "-5")
    response = submit(page)
    assert response.status == 400

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text("有 2 处需要修改")
    field = page.locator("#f-rd_projects-0-rd_investment")
    expect(page.locator("#f-rd_projects-0-rd_investment-error")).to_have_text("项目研发投入不能为负数。")
    expect(summary.locator("li").nth(1)).to_have_text(f"研发项目 1「{PROJECT['name']}」：项目研发投入不能为负数。")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bf-rd_projects-0-rd_investment-error\b"))
    expect(summary).to_be_focused()  # the summary takes focus
    expect(page.locator("#f-company-credit_code-error")).to_have_text("统一社会信用代码校验位不正确。")

    # What the firm typed is kept.
    expect(field).to_have_value("-5")
    expect(page.locator("#f-company-credit_code")).to_have_value("91330106MA2H3K7Q1G")
    expect(page.locator("#f-company-name")).to_have_value(COMPANY["name"])
    expect(page.locator("#f-rd_projects-0-name")).to_have_value(PROJECT["name"])
    expect(page.locator("#f-company-entity_type")).to_have_value("enterprise")
    expect(page.locator("#f-rd_projects-0-in_city_ai_special")).to_have_value("true")

    # The summary link takes the firm to the field.
    page.evaluate("window.scrollTo(0, 0)")
    expect(field).not_to_be_in_viewport()
    summary.locator('a[href="#f-rd_projects-0-rd_investment"]').click()
    expect(field).to_be_in_viewport()
    expect(field).to_be_focused()


def test_add_project_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/?topic=all")
    assert page.locator("#f-rd_projects-1-name").count() == 0
    fill_company(page)
    fill_rd_project(page, 0, PROJECT["name"], "12000000")
    response = submit(page, ADD_RD)
    assert response.status == 200
    expect(page.locator("#f-rd_projects-1-name")).to_be_visible()
    expect(page.locator("#f-rd_projects-0-name")).to_have_value(PROJECT["name"])
    expect(page.locator("#f-company-credit_code")).to_have_value(COMPANY["credit_code"])

    fill_rd_project(page, 1, "语音大模型", "3000000")
    response = check_and_save(page)
    assert response.status == 303
    page.wait_for_url(RESULT_URL)
    items = page.locator(f"{RD_CARD} .items > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(PROJECT["name"])
    expect(items.nth(1)).to_contain_text("语音大模型")
    expect(page.locator(f"{RD_CARD} .amount")).to_have_text("¥3,000,000.00")  # 20 % of ¥12M + 20 % of ¥3M


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_phone_width_has_no_horizontal_scroll(phone_page):
    # First the form with errors (saved as the -1 screenshot): the error summary and messages must fit too.
    form = phone_page
    form.goto("/?topic=all")
    assert _scroll_width(form) <= 360, f"form is {_scroll_width(form)} px wide at 360"
    fill_company(form, credit_code="91330106MA2H3K7Q1G")
    fill_rd_project(form, 0, PROJECT["name"], "-5")
    assert submit(form).status == 400
    expect(form.locator("#error-summary")).to_be_visible()
    assert _scroll_width(form) <= 360, f"form with errors is {_scroll_width(form)} px wide at 360"

    page = form.context.new_page()
    page.goto("/?topic=all")
    fill_example(page)
    button = page.locator(CHECK)
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()
    expect(button).to_be_in_viewport()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert box["height"] >= 44, box  # a touch target
    response = check_and_save(page)
    assert response.status == 303
    page.wait_for_url(RESULT_URL)
    expect(page.locator(f"{RD_CARD} .amount")).to_have_text("¥2,400,000.00")
    assert _scroll_width(page) <= 360, f"result is {_scroll_width(page)} px wide at 360"
    # The citations are folded away; opened, they must not widen the page either.
    for summary in page.locator("details.citation > summary").all():
        summary.click()
    assert _scroll_width(page) <= 360, f"result with citations open is {_scroll_width(page)} px wide at 360"
    expect(page.get_by_role("link", name="下载 PDF 测算单")).to_be_visible()


def test_edit_makes_revision_2(page):
    url = save_example(page)
    page.get_by_role("link", name="修改并重新测算").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/edit$"))
    expect(page.locator("h1")).to_contain_text("修改测算")
    field = page.locator("#f-rd_projects-0-rd_investment")
    expect(field).to_have_value(re.compile(r"^12000000(\.00)?$"))
    expect(page.locator("#f-company-name")).to_have_value(COMPANY["name"])
    field.fill("20000000")
    response = check_and_save(page)
    assert response.status == 303
    page.wait_for_url(RESULT_URL)
    assert page.url == url

    expect(page.locator(".meta")).to_contain_text("第 2 版")
    expect(page.locator(f"{RD_CARD} .amount")).to_have_text("¥4,000,000.00")  # 20 % of ¥20M, under the ¥5M cap
    assert grand_total(page) == "¥4,120,000.00"
    revisions = page.locator("ul.revisions")
    expect(revisions.locator("strong")).to_have_text("第 2 版")
    expect(revisions.get_by_role("link", name="第 1 版")).to_be_visible()
