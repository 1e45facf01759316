"""The firm's pages through the test client: the form, its errors, saving, editing, languages, CSRF."""

import re
import sqlite3

import pytest

from app import create_app
from subsidy.flat import flatten


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "pages.sqlite3")})


def csrf(client, url="/"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_of(example, **changes):
    data = flatten(example)
    data.update(action="save", unit="yuan")
    data.update(changes)
    return data


def save(client, example, **changes):
    return client.post("/", data=form_of(example, csrf_token=csrf(client), **changes))


def test_the_form_asks_every_section_with_its_clause(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("company.credit_code", "rd_projects.0.rd_investment", "service_platforms.0.actual_investment",
                 "testing.fees", "scenario_projects.0.total_investment", "incubator.incubated_ai",
                 "standards.national", "referrals.top_talent", "talent_team", "new_national_key_labs"):
        assert f'name="{name}"' in html, name
    assert "按项目研发投入的20%给予补助" in html  # the quoted clause
    assert '<label for="f-rd_projects-0-rd_investment">' in html
    assert html.count("<legend>") >= 10


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
    assert 'id="f-rd_projects-0-rd_investment-error">金额必须 ≥ 0。' in html
    assert "统一社会信用代码校验位不正确。" in html and 'value="91330106MA2H3K7Q1A"' in html
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone()[0] == 0


def test_errors_in_english(client, example):
    client.get("/?lang=en")
    html = save(client, example, **{"testing.fees": "1.234"}).get_data(as_text=True)
    assert "At most two decimals (fen)." in html and "Problems to fix: 1" in html


def test_amounts_in_wan(client, example):
    data = {k: v for k, v in flatten(example).items() if not re.search(r"investment|fees|total$", k)}
    data.update({"rd_projects.0.rd_investment": "1200", "unit": "wan", "action": "save", "csrf_token": csrf(client)})
    location = client.post("/", data=data).headers["Location"]
    assert "¥2,400,000.00" in client.get(location).get_data(as_text=True)


def test_add_another_row_without_javascript(client, example):
    data = form_of(example, action="add:rd_projects", csrf_token=csrf(client))
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'name="rd_projects.1.name"' in html and 'value="视觉芯片"' in html
    data["action"] = "remove:rd_projects:0"
    html = client.post("/", data=data).get_data(as_text=True)
    assert 'value="视觉芯片"' not in html


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
