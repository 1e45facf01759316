"""The officer's workspace through the test client: accounts, the queue, review, decisions, audit, batches."""

import csv
import io
import json
import re
import sqlite3
import time

import pytest
from openpyxl import Workbook, load_workbook

from app import create_app
from subsidy.db import connect
from subsidy.flat import flatten, template_columns
from subsidy.logins import wait_before_next_attempt
from subsidy.users import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "officer.sqlite3"), "WTF_CSRF_ENABLED": False})
    db = connect(app.config["DATABASE"])
    create_user(db, "li.officer", PASSWORD, "officer")
    db.close()
    return app


@pytest.fixture
def officer(client):
    response = client.post("/login", data={"username": "li.officer", "password": PASSWORD})
    assert response.status_code == 303
    return client


def submitted(client, example, **company):
    example = json.loads(json.dumps(example))
    example["company"].update(company)
    saved = client.post("/api/v1/assessments", json=example).get_json()
    assert client.post(saved["links"]["submit"]).status_code == 200
    return saved


def audit_actions(app, reference=None):
    with sqlite3.connect(app.config["DATABASE"]) as db:
        if reference:
            return [r[0] for r in db.execute("SELECT action FROM audit_log WHERE reference = ? ORDER BY id", [reference])]
        return [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")]


def test_users_are_created_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "wang", "--role", "admin", "--password-stdin"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "Created admin wang." in result.output
    again = runner.invoke(args=["users", "create", "wang", "--password-stdin"], input="s3cret-pass\n")
    assert again.exit_code != 0 and "exists already" in again.output
    short = runner.invoke(args=["users", "create", "zhao", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    with sqlite3.connect(app.config["DATABASE"]) as db:
        stored = db.execute("SELECT password_hash, role FROM users WHERE username = 'wang'").fetchone()
    assert stored[1] == "admin" and "s3cret-pass" not in stored[0] and stored[0].startswith(("scrypt:", "pbkdf2:"))


def test_officer_pages_need_a_login(client, example):
    saved = submitted(client, example)
    for url in ("/officer/", f"/officer/a/{saved['reference']}", "/officer/verify", "/officer/batch/",
                "/officer/audit.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    api = client.get("/api/v1/officer/queue")
    assert api.status_code == 401 and set(api.get_json()) == {"errors"}


def test_a_firms_link_never_opens_an_officer_page(client, example):
    saved = submitted(client, example)
    token = saved["links"]["self"].rsplit("/", 1)[1]
    assert client.get(f"/officer/a/{token}").status_code == 302
    client.get(saved["links"]["page"])  # the firm's own page sets no officer session
    assert client.get("/officer/").status_code == 302


def test_login_sets_a_safe_cookie_and_logout_ends_it(client, app):
    response = client.post("/login", data={"username": "li.officer", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/officer/").status_code == 200
    client.post("/logout")
    assert client.get("/officer/").status_code == 302
    assert audit_actions(app)[-2:] == ["login", "logout"]


def test_repeated_failed_logins_are_slowed_down(client, app):
    for _ in range(3):
        assert client.post("/login", data={"username": "li.officer", "password": "wrong"}).status_code == 401
    slowed = client.post("/login", data={"username": "li.officer", "password": PASSWORD})
    assert slowed.status_code == 429 and "秒后再试" in slowed.get_data(as_text=True)
    db = connect(app.config["DATABASE"])
    assert wait_before_next_attempt(db, "li.officer", "127.0.0.1") > 0
    assert wait_before_next_attempt(db, "li.officer", "127.0.0.1", at=time.time() + 60) == 0
    assert wait_before_next_attempt(db, "li.officer", "127.0.0.2") == 0
    db.close()
    assert audit_actions(app).count("login_failed") == 3


def test_an_open_redirect_after_login_is_refused(client):
    response = client.post("/login?next=https://evil.example/", data={"username": "li.officer", "password": PASSWORD})
    assert response.headers["Location"] == "/officer/"


def test_the_queue_lists_submitted_filings_with_filters_search_sort_and_pages(officer, example):
    drafts = officer.post("/api/v1/assessments", json=example).get_json()
    big = json.loads(json.dumps(example))
    big["new_national_key_labs"] = 1
    first = submitted(officer, example, name="杭州甲科技有限公司")
    second = submitted(officer, big, name="杭州乙科技有限公司")
    page = officer.get("/officer/").get_data(as_text=True)
    assert first["reference"] in page and second["reference"] in page and drafts["reference"] not in page
    assert "91330106MA2H3K7Q1F" in page and "¥10,020,000.00" in page and "最高 ¥4,600,000.00" in page  # kept apart
    found = officer.get("/officer/?q=乙科技").get_data(as_text=True)
    assert second["reference"] in found and first["reference"] not in found
    by_reference = officer.get(f"/officer/?q={first['reference'].lower()}").get_data(as_text=True)
    assert first["reference"] in by_reference and second["reference"] not in by_reference
    ordered = officer.get("/officer/?sort=total&order=asc").get_data(as_text=True)
    assert ordered.index(first["reference"]) < ordered.index(second["reference"])
    assert officer.get("/officer/?status=approved").get_data(as_text=True).count("HZAI-") == 0
    for _ in range(21):
        submitted(officer, example)
    assert "第 1 / 2 页" in officer.get("/officer/").get_data(as_text=True)
    assert officer.get("/api/v1/officer/queue?page=2").get_json()["total"] == 23


def test_review_recomputes_with_verified_values_and_shows_the_difference(officer, example, app):
    saved = submitted(officer, example)
    reference = saved["reference"]
    response = officer.post(f"/officer/a/{reference}/review", data={
        "verified.rd_projects.0.rd_investment": "9800000",
        "confirm.service_platforms.0.good_service_results": "false",
        "evidence.rd_subsidy": "1",
    })
    assert response.status_code == 303
    page = officer.get(f"/officer/a/{reference}").get_data(as_text=True)
    row = re.search(r'<tr id="row-rd_subsidy">(.*?)</tr>', page, re.S).group(1)
    assert "¥2,400,000.00" in row and "¥1,960,000.00" in row and "-¥440,000.00" in row and "已核" in row
    platform = re.search(r'<tr id="row-service_platform_subsidy">(.*?)</tr>', page, re.S).group(1)
    assert "-¥1,500,000.00" in platform and "不符合" in platform
    assert "审核中" in page
    assert audit_actions(app, reference)[-1] == "review_update"


def test_an_invalid_verified_value_is_refused_next_to_its_field(officer, example, app):
    saved = submitted(officer, example)
    response = officer.post(f"/officer/a/{saved['reference']}/review", data={"verified.testing.fees": "-1"})
    assert response.status_code == 400
    assert 'id="v-testing-fees-error">金额必须 ≥ 0。' in response.get_data(as_text=True)
    assert "review_update" not in audit_actions(app, saved["reference"])


def test_decisions_per_clause_and_final_are_recorded_and_audited(officer, example, app):
    saved = submitted(officer, example)
    reference = saved["reference"]
    officer.post(f"/officer/a/{reference}/review", data={"evidence.rd_subsidy": "1",
                                                         "confirm.service_platforms.0.good_service_results": "true"})
    officer.post(f"/officer/a/{reference}/decide", data={
        "decision.rd_subsidy": "approve", "note.rd_subsidy": "审计报告一致",
        "decision.service_platform_subsidy": "reject", "note.service_platform_subsidy": "成效材料不足",
        "final": "partly_approved", "final_note": "部分批准"})
    page = officer.get(f"/officer/a/{reference}").get_data(as_text=True)
    assert "部分批准" in page and "审计报告一致" in page and "成效材料不足" in page
    assert audit_actions(app, reference) == ["create", "submit", "review_update", "decide"]
    with sqlite3.connect(app.config["DATABASE"]) as db:
        before, after = db.execute("SELECT before, after FROM audit_log WHERE action = 'decide'").fetchone()
    assert json.loads(before)["status"] == "under_review" and json.loads(after)["status"] == "partly_approved"
    # a decided filing can no longer change
    officer.post(f"/officer/a/{reference}/review", data={"verified.testing.fees": "1"})
    assert audit_actions(app, reference)[-1] == "decide"


def test_a_draft_cannot_be_reviewed_and_a_submitted_one_cannot_be_edited(officer, client, example):
    draft = officer.post("/api/v1/assessments", json=example).get_json()
    assert officer.get(f"/officer/a/{draft['reference']}").status_code == 404
    officer.post(draft["links"]["submit"])
    locked = client.put(draft["links"]["self"], json=example)
    assert locked.status_code == 409 and set(locked.get_json()) == {"errors"}
    token = draft["links"]["self"].rsplit("/", 1)[1]
    assert client.get(f"/a/{token}/edit").status_code == 409


def test_submitting_from_the_page(client, example):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    token = saved["links"]["self"].rsplit("/", 1)[1]
    assert "提交审核" in client.get(f"/a/{token}").get_data(as_text=True)
    assert client.post(f"/a/{token}/submit").status_code == 303
    page = client.get(f"/a/{token}").get_data(as_text=True)
    assert "已提交" in page and "修改并重新测算" not in page


def test_the_audit_log_exports_as_csv(officer, example, app):
    saved = submitted(officer, example)
    rows = list(csv.DictReader(io.StringIO(officer.get("/officer/audit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["action"] for r in rows][:3] == ["user_create", "login", "create"]
    per = officer.get(f"/officer/a/{saved['reference']}/audit.csv").get_data(as_text=True)
    assert "submit" in per
    assert audit_actions(app)[-2:] == ["export_audit_all", "export_audit"]


def test_verify_by_reference_and_code(officer, example):
    saved = submitted(officer, example)
    page = officer.post("/officer/verify", data={"reference": saved["reference"], "code": saved["code"]})
    assert "核验码有效" in page.get_data(as_text=True)
    bad = officer.post("/officer/verify", data={"reference": saved["reference"], "code": "AAAA-BBBB-CCCC-DDDD"})
    assert "无法核验" in bad.get_data(as_text=True)


def _csv_upload(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=template_columns(), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_batch_screening_from_csv_with_bad_rows_listed(officer, example, app):
    good = flatten(example)
    bad = dict(good, **{"testing.fees": "-1"})
    data = _csv_upload([good, bad, good])
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(data), "firms.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 303
    job = response.headers["Location"]
    page = officer.get(job).get_data(as_text=True)
    assert "3 / 3" in page and "下载结果 CSV" in page
    token = job.rstrip("/").rsplit("/", 1)[1]
    rows = list(csv.DictReader(io.StringIO(officer.get(f"/officer/batch/{token}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["outcome"] for r in rows] == ["ok", "error", "ok"] and [r["行号"] for r in rows] == ["2", "3", "4"]
    assert rows[0]["rd_subsidy.amount_fen"] == "240000000" and rows[0]["rd_subsidy.status"] == "eligible"
    assert rows[0]["第一条 人工智能关键核心技术研发补助：金额（元）"] == "2400000.00"
    assert rows[0]["第一条 人工智能关键核心技术研发补助：状态"] == "符合" and rows[1]["结果"] == "有错误"
    assert rows[0]["确定金额合计（元）"] == "10020000.00" and rows[0]["最高金额合计（元）"] == "4600000.00"
    assert "testing.fees" in rows[1]["错误"]
    english = officer.get(f"/officer/batch/{token}/results.csv?lang=en").get_data(as_text=True).lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(english)))
    assert header[:4] == ["Line", "Company", "Credit code", "Outcome"]
    assert "Art. 1 R&D subsidy for key core AI technology projects: amount (yuan)" in header and "total_fen" in header
    gb = officer.get(f"/officer/batch/{token}/results.csv?encoding=gb18030&lang=zh")
    assert "gb18030" in gb.headers["Content-Type"]
    assert gb.data.decode("gb18030").startswith("行号,企业名称") and not gb.data.startswith(b"\xef\xbb\xbf")
    book = load_workbook(io.BytesIO(officer.get(f"/officer/batch/{token}/results.xlsx?lang=zh").data), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][:4] == ("行号", "企业名称", "统一社会信用代码", "结果") and len(values) == 4
    summary = page.split('id="summary-h"')[1]
    assert "行数</dt><dd>3" in summary and "有错误</dt><dd>1" in summary and "¥20,040,000.00" in summary
    rd = re.search(r"第一条 人工智能关键核心技术研发补助</th>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\">([^<]+)</td>", summary)
    assert rd.groups() == ("2", "¥4,800,000.00")
    assert "batch_upload" in audit_actions(app) and "batch_export" in audit_actions(app)


def test_batch_screening_from_xlsx_progresses_in_chunks(officer, example, app):
    app.config["BATCH_CHUNK_SECONDS"] = 0.0  # one slice of rows per visit
    book = Workbook()
    sheet = book.active
    columns = template_columns()
    sheet.append(columns)
    row = flatten(example)
    for _ in range(450):
        sheet.append([row.get(c, None) if c not in row or row[c] not in ("true", "false") else row[c] == "true"
                      for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(buffer.getvalue()), "firms.xlsx")},
                            content_type="multipart/form-data")
    job = response.headers["Location"]
    seen = []
    for _ in range(10):
        page = officer.get(job).get_data(as_text=True)
        seen.append(int(re.search(r'<progress max="450" value="(\d+)"', page).group(1)))
        if seen[-1] == 450:
            break
    assert seen[0] < 450 and seen[-1] == 450 and seen == sorted(seen)
    assert '<meta http-equiv="refresh"' not in page


@pytest.mark.parametrize("name, body, words", [
    ("notes.txt", b"hello", "只接受"), ("empty.csv", b"company.name\n", "没有数据行"),
    ("broken.xlsx", b"not a workbook", "无法读取"), ("latin.csv", "company.name\n\xe9\n".encode("latin-1"), "UTF-8"),
])
def test_bad_batch_files_get_a_clear_message(officer, name, body, words):
    response = officer.post("/officer/batch/", data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_the_batch_templates_download_in_both_formats(officer):
    text = officer.get("/officer/batch/template.csv").get_data(as_text=True).lstrip("\ufeff")
    assert text.strip().split(",") == template_columns()
    book = load_workbook(io.BytesIO(officer.get("/officer/batch/template.xlsx").data), read_only=True)
    assert list(next(book.worksheets[0].iter_rows(values_only=True))) == template_columns()


def test_the_decision_pdf_reads_back(officer, example):
    from pypdf import PdfReader

    saved = submitted(officer, example)
    reference = saved["reference"]
    assert officer.get(f"/officer/a/{reference}/decision.pdf").status_code == 404  # nothing decided yet
    officer.post(f"/officer/a/{reference}/review", data={"verified.rd_projects.0.rd_investment": "9800000",
                                                         "evidence.rd_subsidy": "1",
                                                         "confirm.company.is_ai_enterprise": "true"})
    officer.post(f"/officer/a/{reference}/decide", data={"decision.rd_subsidy": "approve", "note.rd_subsidy": "审计一致",
                                                          "decision.testing_subsidy": "reject", "note.testing_subsidy": "无资质证明",
                                                          "final": "partly_approved", "final_note": "部分批准"})
    response = officer.get(f"/officer/a/{reference}/decision.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert reference in text and "部分批准" in text and "¥1,960,000.00" in text and "审计一致" in text
    assert "-¥440,000.00" in text


def test_verify_by_uploading_the_firms_pdf(officer, example):
    saved = submitted(officer, example)
    token = saved["links"]["self"].rsplit("/", 1)[1]
    pdf = officer.get(f"/a/{token}/estimate.pdf").data
    page = officer.post("/officer/verify", data={"mode": "pdf", "pdf": (io.BytesIO(pdf), "estimate.pdf")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "真实有效" in page and saved["reference"] in page
    junk = officer.post("/officer/verify", data={"mode": "pdf", "pdf": (io.BytesIO(b"%PDF-1.4 junk"), "x.pdf")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "无法读取" in junk


def _review(officer, reference, **data):
    return officer.post(f"/officer/a/{reference}/review", data=data)


def _decide(officer, reference, **data):
    return officer.post(f"/officer/a/{reference}/decide", data=data)


def _status(app, reference):
    with sqlite3.connect(app.config["DATABASE"]) as db:
        return db.execute("SELECT status FROM assessments WHERE reference = ?", [reference]).fetchone()[0]


def test_self_declared_facts_start_pending_and_block_a_decision(officer, example, app):
    reference = submitted(officer, example)["reference"]
    page = officer.get(f"/officer/a/{reference}").get_data(as_text=True)
    select = re.search(r'<select id="c-service_platforms-0-good_service_results".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>待确认</option>', select)
    _review(officer, reference, **{"evidence.service_platform_subsidy": "1"})
    refused = _decide(officer, reference, **{"decision.service_platform_subsidy": "approve", "final": "approved"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "自行申报的“科技创新服务平台 1「开放平台」：服务产业取得良好成效”仍为待确认" in html
    assert _status(app, reference) == "under_review" and "decide" not in audit_actions(app, reference)
    # The choices come back as sent.
    assert re.search(r'<option value="approve" selected>', html) and re.search(r'<option value="approved" selected>', html)
    _review(officer, reference, **{"evidence.service_platform_subsidy": "1",
                                   "confirm.service_platforms.0.good_service_results": "true",
                                   "confirm.company.is_ai_enterprise": "true"})
    assert _decide(officer, reference, **{"decision.service_platform_subsidy": "approve", "final": "approved"}).status_code == 303
    assert _status(app, reference) == "approved"


@pytest.mark.parametrize("final, expected", [("approved", "部分批准"), ("rejected", "部分批准")])
def test_the_final_decision_must_agree_with_the_clauses(officer, example, app, final, expected):
    reference = submitted(officer, example)["reference"]
    _review(officer, reference, **{"evidence.rd_subsidy": "1", "evidence.testing_subsidy": "1"})
    refused = _decide(officer, reference, **{"decision.rd_subsidy": "approve", "note.rd_subsidy": "审计一致",
                                             "decision.testing_subsidy": "reject", "note.testing_subsidy": "资质过期",
                                             "final": final, "final_note": "说明"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "与各条款的决定不一致（同意 1 条，不同意 1 条），应为“" + expected + "”" in html
    assert 'value="审计一致"' in html and 'value="资质过期"' in html and 'value="说明"' in html
    assert _status(app, reference) == "under_review"


def test_a_clause_is_approved_only_with_its_evidence_and_a_verified_result(officer, example, app):
    reference = submitted(officer, example)["reference"]
    _review(officer, reference, **{"verified.testing.provider_accredited": "false", "evidence.testing_subsidy": "1"})
    html = _decide(officer, reference, **{"decision.rd_subsidy": "approve", "decision.testing_subsidy": "approve",
                                          "final": "approved"}).get_data(as_text=True)
    assert "第一条 人工智能关键核心技术研发补助：尚未勾选“已核对证据”" in html
    assert "核实后的结果为“不符合”，不能同意" in html
    assert _status(app, reference) == "under_review"


def test_ticks_values_and_answers_survive_a_refused_review(officer, example):
    reference = submitted(officer, example)["reference"]
    response = _review(officer, reference, **{"verified.testing.fees": "-1", "verified.rd_projects.0.rd_investment": "9800000",
                                              "evidence.rd_subsidy": "1",
                                              "confirm.service_platforms.0.good_service_results": "false"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'name="evidence.rd_subsidy" value="1" checked', html)
    assert 'name="verified.rd_projects.0.rd_investment" value="9800000"' in html
    assert re.search(r'<option value="false" selected>不予确认</option>', html)


def test_values_are_grouped_by_clause_with_both_results(officer, example):
    reference = submitted(officer, example)["reference"]
    _review(officer, reference, **{"verified.rd_projects.0.rd_investment": "9800000",
                                   "confirm.service_platforms.0.good_service_results": "false"})
    html = officer.get(f"/officer/a/{reference}").get_data(as_text=True)
    rd = re.search(r'<section class="clause-review" id="g-rd_subsidy".*?</section>', html, re.S).group(0)
    assert "20% × ¥12,000,000.00 = ¥2,400,000.00" in rd and "20% × ¥9,800,000.00 = ¥1,960,000.00" in rd
    assert 'name="verified.rd_projects.0.rd_investment"' in rd and "/estimate.pdf?revision=1" in rd
    platform = re.search(r'<section class="clause-review" id="g-service_platform_subsidy".*?</section>', html, re.S).group(0)
    assert "不满足条件：服务产业取得良好成效" in platform and 'name="verified.service_platforms.0.actual_investment"' in platform


def test_the_queue_flags_other_filings_with_the_same_credit_code(officer, example):
    first = submitted(officer, example)
    submitted(officer, example, name="杭州另一家公司")
    other = json.loads(json.dumps(example))
    other["company"]["credit_code"] = "91330100MA27XL0X0R"
    alone = submitted(officer, other)
    page = officer.get("/officer/").get_data(as_text=True)
    row = re.search(rf'<tr>\s*<td><a href="/officer/a/{first["reference"]}">.*?</tr>', page, re.S).group(0)
    assert "同一信用代码另有 1 件" in row
    lone = re.search(rf'<tr>\s*<td><a href="/officer/a/{alone["reference"]}">.*?</tr>', page, re.S).group(0)
    assert "同一信用代码" not in lone
    review = officer.get(f"/officer/a/{first['reference']}").get_data(as_text=True)
    assert "同一统一社会信用代码另有 1 件申报" in review and "杭州另一家公司" in review


def test_the_firm_sees_the_decision(officer, client, example, app):
    saved = submitted(officer, example)
    reference, token = saved["reference"], saved["links"]["self"].rsplit("/", 1)[1]
    _review(officer, reference, **{"verified.rd_projects.0.rd_investment": "9800000", "evidence.rd_subsidy": "1",
                                   "evidence.testing_subsidy": "1", "evidence.scenario_subsidy": "1",
                                   "confirm.service_platforms.0.good_service_results": "true",
                                   "confirm.company.is_ai_enterprise": "true"})
    assert _decide(officer, reference, **{
        "decision.rd_subsidy": "approve", "note.rd_subsidy": "按审计报告核减",
        "decision.testing_subsidy": "approve", "decision.service_platform_subsidy": "reject",
        "note.service_platform_subsidy": "成效材料不足", "final": "partly_approved", "final_note": "请按通知提交纸质材料"}
    ).status_code == 303
    firm = app.test_client()
    page = firm.get(f"/a/{token}").get_data(as_text=True)
    assert "审核决定：部分批准" in page and "请按通知提交纸质材料" in page
    rd = re.search(r'<tr id="d-rd_subsidy".*?</tr>', page, re.S).group(0)
    assert "¥2,400,000.00" in rd and "¥1,960,000.00" in rd and "同意" in rd and "按审计报告核减" in rd
    platform = re.search(r'<tr id="d-service_platform_subsidy".*?</tr>', page, re.S).group(0)
    assert "不同意" in platform and "成效材料不足" in platform
    assert "批准的确定金额" in page and "¥2,080,000.00" in page  # ¥1,960,000 + ¥120,000 testing
    assert f"/a/{token}/decision.pdf" in page and "下一步" in page
    pdf = firm.get(f"/a/{token}/decision.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    api = firm.get(f"/api/v1/assessments/{token}").get_json()
    assert api["decision"]["final"] == "partly_approved" and api["decision"]["approved_exact_fen"] == 208000000
    by_id = {c["id"]: c for c in api["decision"]["clauses"]}
    assert by_id["rd_subsidy"]["approved_fen"] == 196000000 and by_id["rd_subsidy"]["note"] == "按审计报告核减"
    assert by_id["service_platform_subsidy"]["decision"] == "reject" and by_id["service_platform_subsidy"]["approved_fen"] == 0
    assert api["links"]["decision_pdf"].endswith(f"/a/{token}/decision.pdf")
    assert [s["step"] for s in api["timeline"]] == ["saved", "submitted", "under_review", "decided"]
    assert all(s["done"] for s in api["timeline"])
