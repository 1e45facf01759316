"""The officer's registry pages in real Chromium under gunicorn: screening and simulation run in the background.

A synthetic registry sits in the live server's registry folder; the officer starts a screening, watches its
progress (with script, and without: the page reloads itself), downloads the 免申即享 list, then budgets a 15 %
variant, sees the chart, opens a mover and reads the clause-by-clause why. Screenshots at desktop and 360 px.
"""

import csv
import io

import pytest
from playwright.sync_api import expect

from subsidy.registry import synth
from subsidy.rulebook import default_rulebook
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.test_officer_journey import (  # noqa: F401 - fixtures
    _scroll_width,
    _wider_than_page,
    download,
    officer_page,
    officer_phone_page,
)

NAME = "synthetic-2000"
DONE = 180_000  # ms: a job on this shared machine, with its durable-rules sample


@pytest.fixture(scope="module")
def registry(live_registry_dir):
    synth.write(synth.synthesize(2000, default_rulebook(), seed=99), live_registry_dir / NAME)
    return NAME


def test_screening_runs_in_the_background_and_gives_the_outreach_list(officer_page, registry):  # noqa: F811 - the imported fixtures
    page = officer_page
    page.goto("/officer/registry/")
    expect(page.get_by_role("heading", name="登记库筛查与政策模拟")).to_be_visible()
    page.locator("#f-registry").select_option(registry)
    page.get_by_role("button", name="开始筛查").click()
    expect(page.get_by_role("heading", name=f"免申即享筛查：{registry}")).to_be_visible()
    expect(page.locator("table.totals")).to_be_visible(timeout=DONE)
    expect(page.get_by_text("结果完全一致")).to_be_visible()
    name, data = download(page, page.get_by_role("link", name="免申即享名单 CSV"))
    assert name.endswith("outreach.csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and {"clause", "company.credit_code", "company.name", "amount_fen"} <= set(rows[0])
    assert all(r["company.name"].startswith("合成") for r in rows)


def test_without_javascript_the_job_page_reloads_itself_until_done(new_context, officer_state, registry):  # noqa: F811 - the imported fixtures
    page = new_context(storage_state=officer_state, java_script_enabled=False).new_page()
    page.goto("/officer/registry/")
    page.locator("#f-registry").select_option(registry)
    page.get_by_role("button", name="开始筛查").click()
    expect(page.locator("table.totals")).to_be_visible(timeout=DONE)


def test_a_variant_is_checked_budgeted_and_its_movers_explained(officer_page, registry):  # noqa: F811 - the imported fixtures
    page = officer_page
    page.goto("/officer/registry/?lang=en")
    page.locator("#f-registry2").select_option(registry)
    page.locator("#f-variant").fill("name: rd-rate-15\ntitle: {zh: 比例 15%, en: 15 %}\nchanges:\n"
                                    "  - clause: rd_subsidy\n    rate: 150%\n")
    page.get_by_role("button", name="Start simulation").click()
    expect(page.get_by_text("variant.yaml:5: changes.0.rate: a rate is above 0% and at most 100%")).to_be_visible()
    page.locator("#f-registry2").select_option(registry)
    page.locator("#f-variant").fill("name: rd-rate-15\ntitle: {zh: 研发补助比例 15%, en: R&D subsidy at 15 %}\n"
                                    "changes:\n  - clause: rd_subsidy\n    rate: 15%\n")
    page.get_by_role("button", name="Start simulation").click()
    expect(page.locator("svg.budget")).to_be_visible(timeout=DONE)
    expect(page.get_by_role("heading", name="Largest losses")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "registry-simulation-en.png"), full_page=True)
    mover = page.locator("table.queue a[href*='/firm/']").first
    mover.click()
    expect(page.locator("table.why")).to_be_visible()
    expect(page.locator("table.why tr.moved").first).to_contain_text("20%")
    expect(page.locator("table.why tr.moved").first).to_contain_text("15%")


def test_the_registry_pages_fit_a_phone(officer_phone_page, registry):  # noqa: F811 - the imported fixtures
    page = officer_phone_page
    page.goto("/officer/registry/")
    assert _scroll_width(page) <= PHONE["width"], _wider_than_page(page, PHONE["width"])
    page.locator("#f-registry").select_option(registry)
    page.get_by_role("button", name="开始筛查").click()
    expect(page.locator("table.totals")).to_be_visible(timeout=DONE)
    assert _scroll_width(page) <= PHONE["width"], _wider_than_page(page, PHONE["width"])
    # The budget table reads a clause at a time on a phone: nothing in it needs scrolling sideways, and each
    # figure is named by its column.
    totals = page.locator(".table-wrap:has(table.totals)")
    assert totals.evaluate("e => e.scrollWidth <= e.clientWidth"), totals.evaluate("e => [e.scrollWidth, e.clientWidth]")
    first = page.locator("table.totals tbody tr").first
    expect(first.locator("td").nth(1)).to_have_attribute("data-label", "符合条件")
    page.screenshot(path=str(ARTIFACTS / "registry-totals-phone.png"), full_page=True)
