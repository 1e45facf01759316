"""The PDF estimate (申报测算单), rendered and read back as text the way an officer's tools would read it."""

import copy
import io
import json
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.profiles import generate
from subsidy.money import format_yuan, to_capital
from subsidy.pdf import TEMPLATE_DIR, AssetFetcher, AssetRefused, html_to_pdf, render_estimate
from subsidy.service import evaluate_profile

EXAMPLE = json.loads((Path(__file__).parent / "data" / "contract_example.json").read_text(encoding="utf-8"))
VERIFY_URL = "https://subsidy.example.gov.cn/verify/ABCD-EFGH-JKLM"
HOSTILE = ('<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
           '<link rel=stylesheet href="http://example.com/a.css"><script>alert(1)</script>')
CSS_URL = (TEMPLATE_DIR / "estimate.css").as_uri()


def assessment(profile: dict, lang: str) -> dict:
    return {"reference": "HZAI-2026-000123", "revision": 2, "code": "ABCD-EFGH-JKLM",
            "created_at": "2026-11-22T08:30:00+08:00", "profile": profile,
            "result": evaluate_profile(profile, lang)}


def flat(text: str) -> str:
    """Return text without any whitespace: the PDF breaks lines wherever the layout wrapped them."""
    return "".join(text.split())


class Rendered:
    """A rendered estimate: its bytes, the text of each page, the fetcher it went through."""

    def __init__(self, profile: dict, lang: str):
        self.assessment = assessment(profile, lang)
        self.result = self.assessment["result"]
        self.fetcher = AssetFetcher()
        self.pdf = render_estimate(self.assessment, lang, VERIFY_URL, fetcher=self.fetcher)
        self.pages = [page.extract_text() for page in PdfReader(io.BytesIO(self.pdf)).pages]
        self.text = flat("\n".join(self.pages))


@pytest.fixture(scope="module")
def zh():
    return Rendered(copy.deepcopy(EXAMPLE), "zh")


@pytest.fixture(scope="module")
def en():
    return Rendered(copy.deepcopy(EXAMPLE), "en")


def test_the_chinese_estimate_reads_back_with_company_reference_amounts_and_capital_total(zh):
    assert zh.pdf.startswith(b"%PDF-")
    for expected in ("申报测算单", "杭州示例智能科技有限公司", "91330106MA2H3K7Q1F", "HZAI-2026-000123", "第2版",
                     "2026年11月22日", "杭州市建设国家新一代人工智能创新发展试验区若干政策", "hangzhou-ai-2019",
                     "2019-11-20-draft", "¥2,400,000.00", "¥14,620,000.00", "¥10,020,000.00", "¥4,600,000.00",
                     "壹仟肆佰陆拾贰万元整", "壹仟零贰万元整", "肆佰陆拾万元整", "ABCD-EFGH-JKLM", VERIFY_URL):
        assert flat(expected) in zh.text, expected


def test_the_estimate_says_it_is_not_a_decision_in_both_languages(zh, en):
    assert "本测算单仅为自评估算，不构成补助决定" in zh.text
    assert flat("This is a self-assessed estimate, not a decision to grant a subsidy.") in en.text
    assert "本测算单仅为自评估算，不构成补助决定" in en.text


def test_every_page_carries_the_reference_and_its_number_of_the_total(zh, en):
    assert len(zh.pages) >= 2
    for number, page in enumerate(zh.pages, start=1):
        assert "HZAI-2026-000123" in page
        assert f"第{number}页/共{len(zh.pages)}页" in flat(page)
    for number, page in enumerate(en.pages, start=1):
        assert "HZAI-2026-000123" in page
        assert f"Page{number}of{len(en.pages)}" in flat(page)


def test_the_english_estimate_shows_the_capital_form_too(en):
    for expected in ("Subsidy estimate", "杭州示例智能科技有限公司", "Revision", "¥2,400,000.00", "¥14,620,000.00",
                     "壹仟肆佰陆拾贰万元整", "ABCD-EFGH-JKLM", "Both added (at most)"):
        assert flat(expected) in en.text, expected


def test_up_to_amounts_are_marked_in_the_amount_column(zh, en):
    # ¥1,600,000.00 is the standards award's clause total: it appears only in the amount column.
    assert "最高¥1,600,000.00" in zh.text
    assert "upto¥1,600,000.00" in en.text
    assert "最高¥2,400,000.00" not in zh.text


def test_every_clause_with_a_formula_hint_reading_or_confirmation_shows_it(zh):
    for clause in zh.result["clauses"]:
        if "refers_to" not in clause:
            assert flat(clause["title"]) in zh.text
            for item in clause["items"]:
                assert flat(item["formula"]) in zh.text
        for hint in clause["hints"]:
            assert flat(hint["text"]) in zh.text
        for line in clause["needs_confirmation"]:
            assert flat(line) in zh.text
        shown = "refers_to" not in clause or clause["status"] == "referral"  # the PDF lists referrals that apply
        if clause["status"] != "not_applicable" and shown:
            for reading in clause["readings"]:
                assert flat(reading) in zh.text
            assert flat(clause["citation"]["text"]) in zh.text


def test_referrals_are_listed_as_may_also_be_supported(zh):
    profile = copy.deepcopy(EXAMPLE)
    profile["referrals"]["top_talent"] = True
    rendered = Rendered(profile, "zh")
    referral = next(c for c in rendered.result["clauses"] if c["id"] == "top_talent_referral")
    assert referral["status"] == "referral"
    section = rendered.text.split("亦可按其他政策申请", 1)[1].split("采用的解读", 1)[0]
    assert flat(referral["title"]) in section
    assert flat(referral["refers_to"]) in section
    assert flat(referral["citation"]["text"]) in rendered.text
    assert flat(referral["refers_to"]) not in zh.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ineligible_incomplete_and_partial_profiles_render(lang):
    outside = copy.deepcopy(EXAMPLE)
    outside["company"]["registered_in_hangzhou"] = False
    for profile in [outside, *generate(3, seed=7)]:
        rendered = Rendered(profile, lang)
        assert len(rendered.pages) >= 2
        assert flat(format_yuan(rendered.result["total_fen"])) in rendered.text
        assert flat(to_capital(rendered.result["total_fen"])) in rendered.text
        for clause in rendered.result["clauses"]:
            if "refers_to" in clause:
                continue  # a referral that does not apply is left out of the filing
            for reason in clause["reasons"] + [r for item in clause["items"] for r in item["reasons"]]:
                assert flat(reason) in rendered.text


def test_an_incomplete_clause_names_the_missing_facts_in_words():
    profile = {"company": copy.deepcopy(EXAMPLE["company"]),
               "rd_projects": [{"name": "视觉芯片", "in_city_ai_special": True}]}
    rendered = Rendered(profile, "zh")
    assert "信息不完整" in rendered.text
    assert "缺少：研发项目1「视觉芯片」的“项目研发投入”、研发项目1「视觉芯片」的“是否经专家委员会审定推荐”" in rendered.text
    assert "rd_projects.0" not in rendered.text


def test_markup_in_every_text_field_prints_literally_and_fetches_nothing():
    profile = copy.deepcopy(EXAMPLE)
    profile["company"]["name"] = HOSTILE
    for section in ("rd_projects", "service_platforms", "common_tech_platforms", "scenario_projects"):
        profile[section][0]["name"] = HOSTILE
    rendered = Rendered(profile, "zh")
    assert rendered.pdf.startswith(b"%PDF-")
    # Printed as text: once as the company, once per named item, once in each hint that names its item.
    assert rendered.text.count(flat(HOSTILE)) >= 5
    # The tags never became elements, so nothing was even asked for: only the bundled stylesheet was read.
    assert rendered.fetcher.fetched == [CSS_URL]
    assert rendered.fetcher.refused == []


def test_the_fetcher_refuses_everything_but_the_bundled_assets():
    fetcher = AssetFetcher()
    refused = ["http://example.com/x.png", "https://example.com/a.css", "ftp://example.com/f", "file:///etc/passwd",
               (TEMPLATE_DIR / ".." / ".." / "pyproject.toml").as_uri(), CSS_URL.replace("estimate.css", "%2e%2e/base.html"),
               "file://example.com" + (TEMPLATE_DIR / "estimate.css").as_posix(), "data:text/css,body{color:red}",
               "data:image/png;base64,iVBORw0KGgo=", (TEMPLATE_DIR / "missing.css").as_uri()]
    for url in refused:
        with pytest.raises(AssetRefused):
            fetcher.fetch(url)
    assert fetcher.refused == refused
    response = fetcher.fetch(CSS_URL)
    assert response.read().startswith(b"/*")
    assert response.content_type == "text/css"
    response.close()
    assert fetcher.fetched == [CSS_URL]


def test_raw_markup_reaching_weasyprint_is_refused_and_counted(caplog):
    # Were autoescape ever lost, the fetcher is the second wall: the PDF still renders, with nothing fetched.
    html = f'<html><head><link rel="stylesheet" href="estimate.css">{HOSTILE}</head><body><p>测试</p>{HOSTILE}</body></html>'
    fetcher = AssetFetcher()
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = html_to_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF-")
    assert fetcher.fetched == [CSS_URL]
    assert set(fetcher.refused) == {"file:///etc/passwd", "http://example.com/x.png", "http://example.com/a.css"}


def test_weasyprint_subsets_fonts_with_harfbuzz_not_the_slow_fonttools_path(caplog):
    # Without Debian's libharfbuzz-subset0, WeasyPrint subsets the 20 MB CJK font in Python: forty times slower.
    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        render_estimate(assessment(copy.deepcopy(EXAMPLE), "zh"), "zh", VERIFY_URL)
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")]
    assert not [m for m in messages if "Using fontTools instead of HarfBuzz-Subset" in m]
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_estimate_carries_a_declaration_with_places_to_seal_sign_and_date(zh, en):
    for expected in ("承诺", "本单位承诺：本测算单所依据的信息和数据真实、准确、完整", "单位盖章", "法定代表人（签字）", "日期", "年月日"):
        assert flat(expected) in zh.text, expected
    for expected in ("Declaration", "We declare that the facts and figures this estimate rests on are true",
                     "Company seal", "Signature of the legal representative", "本单位承诺"):
        assert flat(expected) in en.text, expected


def test_exact_and_up_to_totals_are_kept_apart_and_a_sum_says_what_it_adds(zh, en):
    assert flat("确定金额合计 ¥10,020,000.00") in zh.text and flat("最高金额合计 ¥4,600,000.00") in zh.text
    assert flat("两项相加（最多可获） ¥14,620,000.00") in zh.text and "测算总额" not in zh.text
    assert flat("Both added (at most) ¥14,620,000.00") in en.text


def test_the_english_estimate_numbers_articles_and_prints_no_codes(en):
    import re

    assert "Art.1" in en.text and "Art.11" in en.text and "Clause一" not in en.text
    # "AI enterprise" is English prose (the readings and confirmations use it); the code would stand alone.
    raw = (en.pages[0] + en.pages[1]).replace("AI enterprise", "AI firm")
    for code in ("enterprise", "eligible", "ineligible", "not_applicable", "incomplete", "up_to", "referral"):
        assert not re.search(rf"(?<![A-Za-z_-]){code}(?![A-Za-z_])", raw), code
    assert "Enterprise" in raw and "Eligible" in raw
