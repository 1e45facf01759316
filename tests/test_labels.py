"""Labels, not paths: result pages and PDFs name every missing fact, confirmation and hint in words; results stored
before labels existed still render."""

import copy
import io
import json
import re
import sqlite3
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from app import create_app
from benchmarks.profiles import generate
from subsidy.db import connect
from subsidy.labels import path_label
from subsidy.users import create_user

SECTIONS = ("company", "rd_projects", "service_platforms", "common_tech_platforms", "testing", "scenario_projects",
            "incubator", "standards", "referrals", "new_national_key_labs", "talent_team")
# A profile path as the JSON writes it (rd_projects.0.expert_recommended_core_tech), or any snake_case field name.
DOTTED_PATH = re.compile(rf"\b(?:{'|'.join(SECTIONS)})\.[A-Za-z0-9_.]+|\b[a-z]+_[a-z0-9_]+\b")
COMPANY = {"name": "杭州示例智能科技有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
           "registered_in_hangzhou": True, "is_ai_enterprise": True}


class _Text(HTMLParser):
    """Collect the text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


PROFILES = {
    "the contract example, self-declared facts to confirm": None,
    "facts missing: expert recommendation, investment, good results, the incubator's total": {
        "company": COMPANY,
        "rd_projects": [{"name": "视觉芯片", "in_city_ai_special": True, "expert_recommended_core_tech": False,
                         "rd_investment": "12000000"},
                        {"name": "工业缺陷检测大模型", "in_city_ai_special": True, "rd_investment": "30000000"},
                        {"name": "语音识别", "in_city_ai_special": True}],
        "service_platforms": [{"name": "开放平台", "actual_investment": "6000000", "hw_sw_investment": "5000000"}],
        "incubator": {"certified": True, "incubated_ai": 3},
        "testing": {"provider_accredited": True},
    },
    "outside Hangzhou, every referral asked": {
        "company": dict(COMPANY, registered_in_hangzhou=False, is_ai_enterprise=False),
        "referrals": {"raising_rd_investment": True, "scaling_or_renovation": True, "high_end_talent": True,
                      "startup_seeking_equity": True, "organises_major_ai_event": True},
    },
    "not an AI enterprise, referrals along some routes": {
        "company": dict(COMPANY, is_ai_enterprise=False),
        "standards": {"international": 1, "national": 2},
        "referrals": {"raising_rd_investment": True, "scaling_or_renovation": True, "high_end_talent": True,
                      "seeking_listing_or_bonds": True, "first_of_kind_product": True},
    },
    **{f"generated profile {n}": raw for n, raw in enumerate(generate(4, seed=10))},
}


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_no_result_page_or_pdf_shows_a_dotted_path(client, example, profile):
    saved = client.post("/api/v1/assessments", json=copy.deepcopy(profile or example)).get_json()
    for lang in ("zh", "en"):
        page = visible_text(client.get(f"{saved['links']['page']}?lang={lang}").get_data(as_text=True))
        assert not DOTTED_PATH.findall(page), (lang, DOTTED_PATH.findall(page))
        pdf = pdf_text(client.get(f"{saved['links']['pdf']}&lang={lang}").data)
        assert not DOTTED_PATH.findall(pdf), (lang, DOTTED_PATH.findall(pdf))


def test_the_result_page_names_missing_facts_by_their_labels(client):
    saved = client.post("/api/v1/assessments", json=PROFILES[
        "facts missing: expert recommendation, investment, good results, the incubator's total"]).get_json()
    page = visible_text(client.get(saved["links"]["page"]).get_data(as_text=True))
    assert "研发项目 2「工业缺陷检测大模型」的“是否经专家委员会审定推荐”" in page
    assert "若“是否经专家委员会审定推荐”为“否”：可获 ¥5,000,000.00。" in page
    assert "另有 2 个研发项目信息不完整" in page
    english = visible_text(client.get(saved["links"]["page"] + "?lang=en").get_data(as_text=True))
    assert "R&D project 2 “工业缺陷检测大模型”: recommendation by the expert committee" in english
    assert "With “yes” for recommendation by the expert committee: ¥6,000,000.00." in english


def test_the_officer_confirms_an_ai_enterprise_once_by_its_label(tmp_path, example):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "officer.sqlite3"), "WTF_CSRF_ENABLED": False})
    db = connect(app.config["DATABASE"])
    create_user(db, "li.officer", "correct horse battery", "officer")
    db.close()
    client = app.test_client()
    example["standards"] = {"international": 1, "national": 1}
    example["referrals"]["first_of_kind_product"] = True
    saved = client.post("/api/v1/assessments", json=example).get_json()
    assert client.post(saved["links"]["submit"]).status_code == 200
    assert client.post("/login", data={"username": "li.officer", "password": "correct horse battery"}).status_code == 303
    review = client.get(f"/officer/a/{saved['reference']}").get_data(as_text=True)
    assert review.count('name="confirm.company.is_ai_enterprise"') == 1
    assert not DOTTED_PATH.findall(visible_text(review.split('id="audit-h"')[0]))


def _as_stored_before_labels(result: dict) -> dict:
    """Return a result as it was stored before this change: 15 clauses, no labels, outcomes, readings or notes."""
    old = copy.deepcopy(result)
    old.pop("readings")
    old["clauses"] = [c for c in old["clauses"] if c["id"] not in (
        "natural_science_fund_referral", "finance_referral", "leading_talent_referral", "high_end_talent_referral",
        "major_event_referral")]
    for clause in old["clauses"]:
        for key in ("missing_labels", "needs_confirmation_paths", "needs_confirmation_labels", "notes", "may_rise",
                    "may_rise_text", "documents"):
            clause.pop(key, None)
        for item in clause["items"]:
            for key in ("missing_labels", "to_confirm_labels", "outcomes", "outcomes_text"):
                item.pop(key, None)
        clause["hints"] = [{k: h[k] for k in ("kind", "item", "field", "current", "target", "text")}
                           for h in clause["hints"]]
    return old


def test_a_result_stored_before_labels_still_renders_in_page_pdf_and_verification(client, app):
    profile = PROFILES["facts missing: expert recommendation, investment, good results, the incubator's total"]
    saved = client.post("/api/v1/assessments", json=profile).get_json()
    with sqlite3.connect(app.config["DATABASE"]) as db:
        for lang in ("zh", "en"):
            stored = json.loads(db.execute(f"SELECT result_{lang} FROM revisions").fetchone()[0])
            db.execute(f"UPDATE revisions SET result_{lang} = ?",
                       [json.dumps(_as_stored_before_labels(stored), ensure_ascii=False)])
    for lang in ("zh", "en"):
        page = client.get(f"{saved['links']['page']}?lang={lang}")
        assert page.status_code == 200
        assert not DOTTED_PATH.findall(visible_text(page.get_data(as_text=True)))
        pdf = client.get(f"{saved['links']['pdf']}&lang={lang}")
        assert pdf.status_code == 200 and not DOTTED_PATH.findall(pdf_text(pdf.data))
    assert "缺少：" in visible_text(client.get(saved["links"]["page"] + "?lang=zh").get_data(as_text=True))
    answer = client.get(saved["links"]["verify"])
    assert answer.status_code == 200


def test_a_path_label_names_the_entry_it_is_asked_for_each_time():
    """Labels are cached per path and language, not per entry name: each call inserts its own name, or none."""
    path = "rd_projects.1.expert_recommended_core_tech"
    assert path_label(path, "zh", "甲") == "研发项目 2「甲」的“是否经专家委员会审定推荐”"
    assert path_label(path, "zh", "乙") == "研发项目 2「乙」的“是否经专家委员会审定推荐”"
    assert path_label(path, "zh") == "研发项目 2 的“是否经专家委员会审定推荐”"
    assert path_label(path, "en", "{x}") == "R&D project 2 “{x}”: recommendation by the expert committee"
    assert path_label(path, "en") == "R&D project 2: recommendation by the expert committee"
    assert path_label("testing.fees", "en", "甲") == "Testing: testing fees"
