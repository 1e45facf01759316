"""The firm's pages through the test client: the form, its errors, saving, editing, languages, CSRF."""

import re
import sqlite3

import pytest

from app import create_app
from subsidy.flat import flatten


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "pages.sqlite3")})


def csrf(client, url="/?topic=all"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


ALL_SECTIONS = ["company", "rd", "labs", "platforms", "products", "scenarios", "growth", "talent", "carriers", "standards"]


def form_of(example, **changes):
    data = flatten(example)
    data.update(action="save", unit="yuan", section=ALL_SECTIONS)
    data.update(changes)
    return data


def save(client, example, **changes):
    return client.post("/", data=form_of(example, csrf_token=csrf(client), **changes))


def test_the_form_asks_every_section_with_its_clause(client):
    html = client.get("/?topic=all").get_data(as_text=True)
    for name in ("company.credit_code", "rd_projects.0.rd_investment", "service_platforms.0.actual_investment",
                 "testing.fees", "scenario_projects.0.total_investment", "incubator.incubated_ai",
                 "standards.national", "referrals.top_talent", "talent_team", "new_national_key_labs"):
        assert f'name="{name}"' in html, name
    assert "按项目研发投入的20%给予补助" in html  # the quoted clause
    assert '<label for="f-rd_projects-0-rd_investment">' in html
    assert html.count("<legend>") >= 10
    # Every field has an example tied to it, and the required ones say so.
    inputs = re.findall(r'<(?:input|select) id="(f-[^"]+)"', html)
    assert len(inputs) > 30
    for fid in inputs:
        assert f'id="{fid}-hint"' in html and re.search(rf'id="{fid}-hint"[^>]*>例如|id="{fid}-hint"[^>]*>18 位', html), fid
    assert re.search(r'<label for="f-company-name">企业名称<span class="req">（必填）</span>', html)
    assert re.search(r'<label for="f-rd_projects-0-name">名称<span class="req">（必填）</span>', html)
    assert not re.search(r'<label for="f-testing-fees">[^<]*<span class="unit"[^>]*>[^<]*</span><span class="req">', html)


def test_saving_redirects_to_the_stored_result(client, example, app):
    response = save(client, example)
    assert response.status_code == 303 and response.headers["Location"].startswith("/a/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "杭州示例智能科技有限公司" in page and "¥14,620,000.00" in page and "壹仟肆佰陆拾贰万元整" in page
    assert "¥10,020,000.00" in page and "¥4,600,000.00" in page  # exact and up-to kept apart
    assert "<svg class=\"chart\"" in page
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 1


def test_errors_come_back_next_to_their_fields_keeping_what_was_typed(client, example, app):
    response = save(client, example, **{"rd_projects.0.rd_investment": "-5", "company.credit_code": "91330106MA2H3K7Q1A"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'href="#f-rd_projects-0-rd_investment"' in html
    assert re.search(r'id="f-rd_projects-0-rd_investment" name="rd_projects.0.rd_investment" value="-5"[^>]*'
                     r'aria-invalid="true"', html)
    assert 'id="f-rd_projects-0-rd_investment-error">项目研发投入不能为负数。' in html
    assert '研发项目 1「视觉芯片」：项目研发投入不能为负数。' in html  # the summary names the row
    assert "统一社会信用代码校验位不正确。" in html and 'value="91330106MA2H3K7Q1A"' in html
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone()[0] == 0


def test_errors_in_english(client, example):
    client.get("/?lang=en")
    html = save(client, example, **{"testing.fees": "1.234"}).get_data(as_text=True)
    assert "Third-party testing: Testing fees can be exact to the fen (¥0.01) at most." in html
    assert "Problems to fix: 1" in html


def test_amounts_in_wan(client, example):
    data = {k: v for k, v in flatten(example).items() if not re.search(r"(investment|fees|equipment_total)$", k)}
    data.update({"rd_projects.0.rd_investment": "1200", "unit": "wan", "action": "save", "csrf_token": csrf(client)})
    location = client.post("/", data=data).headers["Location"]
    assert "¥2,400,000.00" in client.get(location).get_data(as_text=True)


def test_add_another_row_without_javascript(client, example):
    data = form_of(example, action="add:rd_projects", csrf_token=csrf(client))
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'name="rd_projects.1.name"' in html and 'value="视觉芯片"' in html
    # The next add lands on the new row's anchor, a removal on the list's.
    assert 'formaction="/#r-rd_projects-2"' in html and 'formaction="/#g-rd_projects"' in html
    data["action"] = "remove:rd_projects:0"
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'value="视觉芯片"' not in html


def test_add_works_while_the_last_row_is_blank(client):
    data = {"csrf_token": csrf(client), "section": ["company", "rd"], "action": "add:rd_projects",
            **{f"rd_projects.0.{leaf}": "" for leaf in ("name", "in_city_ai_special", "rd_investment")}}
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'name="rd_projects.1.name"' in html


def test_blank_rows_are_dropped_and_rows_renumbered(client, example):
    data = form_of(example, csrf_token=csrf(client))
    moved = {k.replace("rd_projects.0.", "rd_projects.3."): v for k, v in data.items() if k.startswith("rd_projects.0.")}
    data = {k: v for k, v in data.items() if not k.startswith("rd_projects.0.")} | moved | {"rd_projects.1.name": " "}
    location = client.post("/", data=data).headers["Location"]
    assert "视觉芯片" in client.get(location).get_data(as_text=True)


def test_editing_makes_a_new_revision_and_keeps_the_old(client, example):
    location = save(client, example).headers["Location"]
    edit = location + "/edit"
    html = client.get(edit).get_data(as_text=True)
    assert 'value="12000000.00"' in html
    data = form_of(example, csrf_token=csrf(client, edit), **{"rd_projects.0.rd_investment": "13000000"})
    assert client.post(edit, data=data).status_code == 303
    latest = client.get(location).get_data(as_text=True)
    assert "¥2,600,000.00" in latest and "第 2 版" in latest
    assert "¥2,400,000.00" in client.get(location + "?revision=1").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(client, example):
    response = client.post("/", data=form_of(example))
    assert response.status_code == 400
    assert "页面可能已过期" in response.get_data(as_text=True)


def test_the_language_switch_is_remembered_and_pages_do_not_mix(client, example):
    location = save(client, example).headers["Location"]
    english = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Estimated total" in english and "R&amp;D subsidy for key core AI technology projects" in english
    assert not re.search(r"[符合测算合计]", re.sub(r"<blockquote.*?</blockquote>|杭州示例智能科技有限公司|视觉芯片|开放平台|共性平台|未来社区|中文|壹仟肆佰陆拾贰万元整", "", english, flags=re.S))
    again = client.get(location).get_data(as_text=True)
    assert "Estimated total" in again  # the cookie remembers English
    assert "测算合计" in client.get(location + "?lang=zh").get_data(as_text=True)


def test_unknown_links_are_a_friendly_404(client):
    response = client.get("/a/not-a-real-token")
    assert response.status_code == 404 and "找不到该页面" in response.get_data(as_text=True)


def test_user_text_is_escaped_on_the_page(client, example):
    example["company"]["name"] = '<script>alert(1)</script><img src="x">'
    location = save(client, example).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _location(response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_screening_questions_come_first_then_only_the_sections_chosen(client):
    start = client.get("/").get_data(as_text=True)
    assert 'name="kind"' in start and 'name="topic"' in start and 'name="unit"' in start
    assert 'name="company.name"' not in start
    html = client.get("/?kind=university&topic=platforms&unit=wan").get_data(as_text=True)
    assert 'id="s-platforms"' in html and 'id="s-rd"' not in html and 'id="s-company"' in html
    assert re.search(r'<option value="university" selected>', html)
    assert 'name="unit" value="wan" checked' in html
    assert 'value="show:rd"' in html  # the rest can be added back
    data = {"csrf_token": csrf(client), "section": ["company", "platforms"], "action": "show:rd", "unit": "wan",
            "company.name": "杭州某大学"}
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'id="s-rd"' in html and 'value="杭州某大学"' in html and 'name="unit" value="wan" checked' in html


@pytest.mark.parametrize("typed, unit", [("120万", "wan"), ("1,200,000", "yuan"), ("120万元", "yuan"), ("120", "wan"),
                                         ("１，２００，０００", "yuan"), ("0.012亿", "yuan"), ("¥1,200,000", "wan")])
def test_amounts_mean_what_they_say_and_reopen_as_typed(client, example, typed, unit):
    in_yuan = {k: v + "元" for k, v in flatten(example).items() if re.search(r"(investment|fees|equipment_total)$", k)}
    location = _location(save(client, example, unit=unit, **{**in_yuan, "rd_projects.0.rd_investment": typed}))
    page = client.get(location).get_data(as_text=True)
    assert "¥240,000.00" in page  # 20 % of ¥1,200,000
    api = client.get("/api/v1/assessments/" + location.rsplit("/", 1)[1]).get_json()
    assert api["profile"]["rd_projects"][0]["rd_investment"] == "1200000.00"
    edit = client.get(location + "/edit").get_data(as_text=True)
    assert f'name="rd_projects.0.rd_investment" value="{typed}"' in edit
    assert f'name="unit" value="{unit}" checked' in edit


def test_the_check_page_echoes_amounts_in_yuan_and_capitals(client, example):
    in_yuan = {k: v + "元" for k, v in flatten(example).items() if re.search(r"(investment|fees|equipment_total)$", k)}
    html = client.post("/", data=form_of(example, csrf_token=csrf(client), action="check", unit="wan",
                                         **{**in_yuan, "rd_projects.0.rd_investment": "1200"})).get_data(as_text=True)
    assert "检查填写内容" in html and "¥12,000,000.00" in html and "壹仟贰佰万元整" in html and "您填写的是：1200 万元" in html
    assert 'name="rd_projects.0.rd_investment" value="1200"' in html and 'value="save"' in html
    # Nothing is stored before the firm confirms.
    assert client.get("/api/v1/officer/queue").status_code == 401


def test_a_tenfold_change_on_edit_asks_for_confirmation(client, example, app):
    in_yuan = {k: v + "元" for k, v in flatten(example).items() if re.search(r"(investment|fees|equipment_total)$", k)}
    location = _location(save(client, example, unit="wan", **{**in_yuan, "rd_projects.0.rd_investment": "1200"}))
    edit = location + "/edit"
    flipped = form_of(example, csrf_token=csrf(client, edit), unit="yuan",
                      **{**in_yuan, "rd_projects.0.rd_investment": "1200"})
    refused = client.post(edit, data=flipped)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "相差十倍以上" in html and "¥12,000,000.00" in html and "¥1,200.00" in html
    assert "研发项目 1「视觉芯片」：项目研发投入" in html
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 1
    assert _location(client.post(edit, data={**flipped, "confirm_tenfold": "1"})) == location
    assert "¥240.00" in client.get(location).get_data(as_text=True)


def test_a_revision_says_what_changed(client, example):
    location = _location(save(client, example))
    edit = location + "/edit"
    _location(client.post(edit, data=form_of(example, csrf_token=csrf(client, edit),
                                             **{"rd_projects.0.rd_investment": "10000000"})))
    page = client.get(location).get_data(as_text=True)
    assert "与第 1 版相比" in page and "研发项目 1「视觉芯片」：项目研发投入" in page
    assert "¥12,000,000.00" in page and "¥10,000,000.00" in page and "-¥400,000.00" in page
    api = client.get("/api/v1/assessments/" + location.rsplit("/", 1)[1]).get_json()
    changes = api["changes"]
    assert changes["against_revision"] == 1
    assert [c["path"] for c in changes["fields"]] == ["rd_projects.0.rd_investment"]
    assert changes["clauses"] == [{"id": "rd_subsidy", "clause": "一", "title": changes["clauses"][0]["title"],
                                   "basis": "exact", "before_status": "eligible", "after_status": "eligible",
                                   "before_fen": 240000000, "after_fen": 200000000, "difference_fen": -40000000}]


def test_the_result_page_shows_the_filing_status_and_timeline(client, example):
    location = _location(save(client, example))
    page = client.get(location).get_data(as_text=True)
    assert "申报状态：草稿" in page and "保存测算" in page and "尚未进行" in page and "下一步" in page
    token = location.rsplit("/", 1)[1]
    bad = client.post(f"/a/{token}/submit", data={"csrf_token": csrf(client, location), "email": "not an address"})
    assert bad.status_code == 400 and "邮箱地址格式不正确" in bad.get_data(as_text=True)
    assert "申报状态：草稿" in client.get(location).get_data(as_text=True)
    client.post(f"/a/{token}/submit", data={"csrf_token": csrf(client, location), "email": "cfo@example.com"})
    page = client.get(location).get_data(as_text=True)
    assert "申报状态：已提交" in page and "等待经办人员审核" in page
    api = client.get(f"/api/v1/assessments/{token}").get_json()
    assert [step["step"] for step in api["timeline"]] == ["saved", "submitted", "under_review", "decided"]
    assert [step["done"] for step in api["timeline"]] == [True, True, False, False]
    assert api["decision"] is None and "等待经办人员审核" in api["next_steps"]
