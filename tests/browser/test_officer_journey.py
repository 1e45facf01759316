"""An officer's journey in a real browser: log in, find filings in the queue, review against evidence, decide,
download the decision, screen a batch file; and the officer's pages at phone width.

Filings are made the way firms make them: through the JSON API (tests/data/contract_example.json), submitted
through the API or through the result page's 提交审核 button. The officer account is created straight in the
live server's database (conftest.py: officer_account). CSRF is on, as in production.
"""

import csv
import io
import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from benchmarks.profiles import generate
from subsidy.flat import flatten, template_columns

EXAMPLE = json.loads((Path(__file__).parents[1] / "data" / "contract_example.json").read_text(encoding="utf-8"))
CREDIT_CODE = EXAMPLE["company"]["credit_code"]
PHONE = {"width": 360, "height": 740}  # as conftest.phone_page
QUEUE_URL = re.compile(r"/officer/$")
LOGIN_URL = re.compile(r"/login(\?.*)?$")
JOB_URL = re.compile(r"/officer/batch/[A-Za-z0-9_-]{16,}$")


# --- Helpers ----------------------------------------------------------------------------------------------


def _post_json(url: str, body=None) -> tuple[int, dict]:
    data = json.dumps(body).encode("utf-8") if body is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"{}")


def file_assessment(live_server: str, company_name: str, submit: bool = True) -> dict:
    """Save the example as a firm would through the API (renamed), and submit it unless told not to."""
    profile = json.loads(json.dumps(EXAMPLE))
    profile["company"]["name"] = company_name
    status, saved = _post_json(live_server + "/api/v1/assessments", profile)
    assert status == 201, (status, saved)
    if submit:
        status, _ = _post_json(saved["links"]["submit"])
        assert status == 200, status
    return saved


def log_in(page, username: str, password: str):
    """Fill the login form and send it; return the response to the POST."""
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return posted.value


def queue_row(page, reference: str):
    return page.locator("table.queue tbody tr").filter(has=page.get_by_role("link", name=reference, exact=True))


def filter_queue(page, query: str = "", status: str = ""):
    page.fill("#f-q", query)
    page.select_option("#f-status", status)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"/officer/\?"))


def download(page, link, timeout=30_000):
    """Click a link that answers with an attachment; return (suggested name, bytes). An error page fails at once."""
    refused = []
    page.on("response", lambda r: refused.append(r) if r.status >= 400 else None)
    with page.expect_download(timeout=timeout) as downloading:
        link.click()
        deadline = time.monotonic() + timeout / 1000
        while not downloading.is_done() and not refused and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert not refused, f"{refused[0].url} answered {refused[0].status}, not a download"
    done = downloading.value
    assert done.failure() is None, done.failure()
    return done.suggested_filename, Path(done.path()).read_bytes()


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _wider_than_page(page, width: int) -> list[str]:
    """Elements not inside a scrolling box whose right edge passes the viewport: what widens the page."""
    return page.evaluate("""(width) => {
        const out = [];
        const clipped = (el) => {
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
                if (getComputedStyle(up).overflowX !== 'visible') return true;
            return false;
        };
        for (const el of document.querySelectorAll('main *, header *, footer *')) {
            if (clipped(el)) continue;
            const r = el.getBoundingClientRect();
            if (r.right > width + 0.5) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')
                + ' right=' + Math.round(r.right));
        }
        return out.slice(0, 10);
    }""", width)


# --- Fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def officer_page(new_context, officer_state):
    """A desktop page in a context already logged in as the officer."""
    return new_context(storage_state=officer_state).new_page()


@pytest.fixture
def officer_phone_page(new_context, officer_state):
    """A 360 px phone page in a context already logged in as the officer."""
    return new_context(storage_state=officer_state, viewport=PHONE, is_mobile=True, has_touch=True,
                       device_scale_factor=2).new_page()


# --- (a) Logging in and the queue -------------------------------------------------------------------------


def test_login_and_the_queue_with_search_and_status_filter(page, live_server, officer_account):
    first = file_assessment(live_server, "杭州甲乙智能科技有限公司")
    second = file_assessment(live_server, "杭州丙丁智能科技有限公司")
    draft = file_assessment(live_server, "杭州草稿智能科技有限公司", submit=False)

    # Logged out, the queue sends the visitor to the login page.
    page.goto("/officer/")
    page.wait_for_url(LOGIN_URL)
    assert "next=" in page.url and "/officer/" in urllib.request.unquote(page.url)
    expect(page.locator("h1")).to_have_text("经办人员登录")

    # A wrong password is refused with a message; the username is kept.
    response = log_in(page, officer_account["username"], "not the password")
    assert response.status == 401, response.status
    expect(page.locator(".error-summary")).to_have_text("用户名或密码不正确。")
    expect(page.locator("#f-username")).to_have_value(officer_account["username"])
    expect(page.locator("#f-password")).to_have_value("")

    response = log_in(page, officer_account["username"], officer_account["password"])
    assert response.status == 303, response.status
    page.wait_for_url(QUEUE_URL)
    expect(page.locator("h1")).to_have_text("待审列表")
    expect(page.locator(".officer-nav .who")).to_have_text(officer_account["username"])

    # Submitted filings are listed with reference, company, credit code, claimed total and status; drafts are not.
    row = queue_row(page, first["reference"])
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("杭州甲乙智能科技有限公司")
    expect(cells.nth(2)).to_have_text(re.compile(rf"^{CREDIT_CODE}"))  # then, here, the other filings of the code
    expect(cells.nth(3)).to_have_text("¥10,020,000.00最高 ¥4,600,000.00")  # exact and up-to apart
    expect(cells.nth(4)).to_have_text("已提交")
    expect(queue_row(page, second["reference"])).to_have_count(1)
    expect(queue_row(page, draft["reference"])).to_have_count(0)

    # Search by company name.
    filter_queue(page, query="丙丁智能")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(queue_row(page, second["reference"])).to_have_count(1)
    expect(page.locator("p.meta")).to_have_text("共 1 件")
    expect(page.locator("#f-q")).to_have_value("丙丁智能")

    # Search by reference, typed in lower case.
    filter_queue(page, query=first["reference"].lower())
    expect(rows).to_have_count(1)
    expect(queue_row(page, first["reference"])).to_have_count(1)

    # Filter by status: both are "submitted", none is "approved".
    filter_queue(page, status="submitted")
    expect(queue_row(page, first["reference"])).to_have_count(1)
    expect(queue_row(page, second["reference"])).to_have_count(1)
    expect(page.locator("#f-status")).to_have_value("submitted")
    filter_queue(page, status="approved")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("没有符合条件的申报。")
    filter_queue(page, query="甲乙智能", status="submitted")
    expect(rows).to_have_count(1)
    expect(queue_row(page, first["reference"])).to_have_count(1)

    # The reference links to the review page.
    page.get_by_role("link", name=first["reference"], exact=True).click()
    page.wait_for_url(re.compile(rf"/officer/a/{first['reference']}$"))
    expect(page.locator("h1")).to_contain_text("杭州甲乙智能科技有限公司")
    page.go_back()  # end on the queue, for its screenshot
    expect(queue_row(page, first["reference"])).to_have_count(1)


# --- (b) Review, decision, decision PDF -------------------------------------------------------------------


def test_review_with_verified_values_then_decide_and_download(officer_page, new_context, live_server):
    # The firm submits with the result page's button.
    saved = file_assessment(live_server, "杭州审核示例科技有限公司", submit=False)
    firm = new_context().new_page()
    firm.goto(saved["links"]["page"])
    with firm.expect_response(lambda r: r.request.method == "POST") as posted:
        firm.get_by_role("button", name=re.compile("提交审核")).click()
    assert posted.value.status == 303, posted.value.status
    firm.wait_for_load_state()
    expect(firm.locator("main")).to_contain_text("已提交")
    firm.close()  # the officer's page is the one to look at afterwards
    reference = saved["reference"]

    page = officer_page
    page.goto(f"/officer/a/{reference}")
    expect(page.locator("h1")).to_contain_text("杭州审核示例科技有限公司")
    expect(page.locator("h1 .ref")).to_have_text(reference)
    expect(page.locator("p.meta strong")).to_have_text("已提交")
    row = page.locator("#row-rd_subsidy td")
    expect(row.nth(2)).to_have_text("¥2,400,000.00")
    expect(row.nth(4)).to_have_text("—")  # nothing verified yet
    expect(page.locator("#decide-h")).to_have_count(0)  # no decision before a review

    # Verify: R&D investment 9,800,000; the platform's good results not confirmed; evidence for rd_subsidy.
    page.fill("#v-rd_projects-0-rd_investment", "9800000")
    page.select_option("#c-service_platforms-0-good_service_results", "false")
    page.check("input[name='evidence.rd_subsidy']")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="保存并重新计算").click()
    assert posted.value.status == 303, posted.value.status
    page.wait_for_url(re.compile(rf"/officer/a/{reference}#comparison$"))

    expect(page.locator("p.meta strong")).to_have_text("审核中")
    row = page.locator("#row-rd_subsidy td")
    expect(row.nth(2)).to_have_text("¥2,400,000.00")
    expect(row.nth(4)).to_have_text("¥1,960,000.00")
    expect(row.nth(5)).to_have_text("-¥440,000.00")
    expect(row.nth(6)).to_have_text("已核")
    platform = page.locator("#row-service_platform_subsidy td")
    expect(platform.nth(3)).to_contain_text("不符合")
    expect(platform.nth(5)).to_have_text("-¥1,500,000.00")
    # What was entered is shown again, and the saved choices stay chosen.
    expect(page.locator("#v-rd_projects-0-rd_investment")).to_have_value("9800000")
    expect(page.locator("#c-service_platforms-0-good_service_results")).to_have_value("false")
    expect(page.locator("input[name='evidence.rd_subsidy']")).to_be_checked()

    # Decide per clause, then the final decision.
    page.select_option("#d-rd_subsidy", "approve")
    page.fill("#n-rd_subsidy", "审计报告一致")
    page.select_option("#d-service_platform_subsidy", "reject")
    page.fill("#n-service_platform_subsidy", "成效材料不足")
    page.select_option("#f-final", "partly_approved")
    page.fill("#f-final-note", "研发投入按审计报告核减，平台成效不予认定")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="作出决定").click()
    assert posted.value.status == 303, posted.value.status
    page.wait_for_load_state()

    expect(page.locator("p.meta strong")).to_have_text("部分批准")
    verdict = page.locator("p.verdict-line")
    expect(verdict).to_contain_text("最终决定：部分批准")
    expect(verdict).to_contain_text("研发投入按审计报告核减，平台成效不予认定")
    expect(verdict).to_contain_text("li.officer")
    expect(page.locator("#row-rd_subsidy td").nth(7)).to_have_text("同意：审计报告一致")
    expect(page.locator("#row-service_platform_subsidy td").nth(7)).to_have_text("不同意：成效材料不足")
    # A decided filing has no review or decision forms any more.
    expect(page.get_by_role("button", name="保存并重新计算")).to_have_count(0)
    expect(page.get_by_role("button", name="作出决定")).to_have_count(0)

    actions = page.locator("table.audit tbody tr td:nth-child(3)")
    expect(actions).to_have_text(["创建测算", "提交审核", "核实并重新计算", "作出决定"])

    name, data = download(page, page.get_by_role("link", name="下载审核决定 PDF"))
    assert name == f"{reference}-decision-zh.pdf", name
    assert data.startswith(b"%PDF"), data[:20]
    assert len(data) > 10_000, len(data)


# --- (c) Batch screening ----------------------------------------------------------------------------------


def _batch_rows(n: int, seed: int) -> tuple[list[str], list[dict]]:
    """n generated profiles as flat rows, and the columns: the template's, then any extra list rows."""
    rows = [flatten(profile) for profile in generate(n, seed)]
    columns = template_columns()
    for row in rows:
        columns += [column for column in row if column not in columns]
    return columns, rows


def _bad(row: dict, **cells) -> dict:
    return {**row, **cells}


def upload_and_finish(page, name: str, mime: str, body: bytes, total: int, errors: int) -> list[int]:
    """Upload a batch file, follow its progress page to the end (reloading once if it is still running);
    return the processed counts seen along the way."""
    page.goto("/officer/batch/")
    expect(page.locator("h1")).to_have_text("批量筛查")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": body}])
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="上传并开始").click()
    assert posted.value.status == 303, posted.value.status
    page.wait_for_url(JOB_URL)
    expect(page.locator("h1")).to_contain_text(name)

    progress = page.locator("#progress progress")
    expect(progress).to_have_attribute("max", str(total))
    seen, reloaded = [], False
    deadline = time.monotonic() + 30
    while True:
        try:
            done = page.locator("p.done").count() > 0
            seen.append(int(page.locator("#progress .processed").inner_text(timeout=2_000)))
        except PlaywrightError:  # the page's script reloads it when the job ends: read again on the new page
            assert time.monotonic() < deadline, f"the job page did not settle in 30 s; seen {seen}"
            page.wait_for_load_state()
            continue
        if done:
            break
        if not reloaded:  # the progress lives in the database: a reload carries on where it was
            reloaded = True
            try:
                page.reload()
            except PlaywrightError:  # the page's own script reloaded it that moment, as the job ended
                page.wait_for_load_state()
            continue
        assert time.monotonic() < deadline, f"the job did not finish in 30 s; seen {seen}"
        page.wait_for_timeout(100)

    assert seen == sorted(seen), f"progress went backwards: {seen}"
    assert seen[-1] == total, seen
    expect(progress).to_have_attribute("value", str(total))
    expect(page.locator("#progress [role=status]")).to_have_text(f"{total} / {total} 行已测算，{errors} 行有错误")
    expect(page.locator("p.done")).to_have_text("已完成。")
    return seen


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[dict]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def test_batch_csv_with_bad_rows_progresses_and_downloads(officer_page):
    columns, rows = _batch_rows(300, seed=20240601)
    rows.insert(5, _bad(rows[5], **{"testing.fees": "-1", "company.name": "坏行甲"}))
    rows.insert(200, _bad(rows[200], **{"rd_projects.0.rd_investment": "-250000", "company.name": "坏行乙"}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    bad_lines = {"7", "202"}  # the header is line 1

    page = officer_page
    upload_and_finish(page, "firms-302.csv", "text/csv", out.getvalue().encode("utf-8"), total=302, errors=2)

    name, data = download(page, page.get_by_role("link", name="下载结果 CSV", exact=True))
    assert name.endswith(".csv"), name
    results = _csv_rows(data)
    assert len(results) == 302
    assert [r["行号"] for r in results] == [str(n) for n in range(2, 304)]
    errors = {r["行号"]: r for r in results if r["outcome"] == "error"}
    assert set(errors) == bad_lines, sorted(errors)
    assert errors["7"]["企业名称"] == "坏行甲" and "testing.fees" in errors["7"]["错误"]
    assert errors["202"]["企业名称"] == "坏行乙" and "rd_projects.0.rd_investment" in errors["202"]["错误"]
    assert all(r["outcome"] == "ok" and r["total_fen"].isdigit() for r in results if r["行号"] not in bad_lines)
    # Money in yuan with two decimals beside the fen kept for machines.
    first = results[0]
    assert first["确定金额合计（元）"] == f"{int(first['total_exact_fen']) // 100}.{int(first['total_exact_fen']) % 100:02d}"
    # The summary on the page counts the rows.
    summary = page.locator(".batch-summary")
    expect(summary).to_contain_text("行数302")  # dt and dd read together
    expect(summary.locator("table tbody tr")).to_have_count(9)

    name, data = download(page, page.get_by_role("link", name="下载结果 XLSX"))
    assert name.endswith(".xlsx"), name
    book_rows = _xlsx_rows(data)
    assert len(book_rows) == 302
    assert [r["outcome"] for r in book_rows] == [r["outcome"] for r in results]
    assert {str(r["行号"]) for r in book_rows if r["outcome"] == "error"} == bad_lines


def test_batch_xlsx_progresses_and_downloads(officer_page):
    columns, rows = _batch_rows(49, seed=7)
    rows.append(_bad(rows[0], **{"testing.fees": "-0.01", "company.name": "坏行丙"}))
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:  # flags as real booleans, the way a spreadsheet holds them; everything else as text
        sheet.append([{"true": True, "false": False}.get(row.get(c), row.get(c)) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)

    page = officer_page
    upload_and_finish(page, "firms-50.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      buffer.getvalue(), total=50, errors=1)

    _, data = download(page, page.get_by_role("link", name="下载结果 XLSX"))
    book_rows = _xlsx_rows(data)
    assert len(book_rows) == 50
    assert [r["outcome"] for r in book_rows] == ["ok"] * 49 + ["error"]
    assert book_rows[-1]["企业名称"] == "坏行丙" and "testing.fees" in book_rows[-1]["错误"]
    _, data = download(page, page.get_by_role("link", name="下载结果 CSV", exact=True))
    assert [r["outcome"] for r in _csv_rows(data)] == ["ok"] * 49 + ["error"]


# --- (d) Phone width --------------------------------------------------------------------------------------


def test_officer_pages_fit_a_phone(officer_phone_page, live_server):
    saved = file_assessment(live_server, "杭州手机审核科技有限公司")
    page = officer_phone_page
    width = PHONE["width"]

    page.goto("/officer/")
    expect(queue_row(page, saved["reference"])).to_have_count(1)
    assert _scroll_width(page) <= width, (f"the queue is {_scroll_width(page)} px wide at {width}: "
                                          f"{_wider_than_page(page, width)}")

    review = page.context.new_page()
    review.goto(f"/officer/a/{saved['reference']}")
    expect(review.locator("#row-rd_subsidy")).to_be_visible()
    assert _scroll_width(review) <= width, (f"the review page is {_scroll_width(review)} px wide at {width}: "
                                            f"{_wider_than_page(review, width)}")
    # Wide tables scroll inside their own box, and the save button is reachable and a touch target.
    button = review.get_by_role("button", name="保存并重新计算")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44, box
