"""Verification checks the content: only the bytes we issued are genuine; a forged PDF with a real code is not."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from subsidy import signing
from subsidy.pdf import render_estimate
from tests.security.filings import decide, decision, estimate, file_firm, local


def upload(officer, pdf: bytes, **fields) -> str:
    response = officer.post("/officer/verify?lang=zh", data={"mode": "pdf", "pdf": (io.BytesIO(pdf), "filed.pdf"), **fields},
                            content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def by_code(officer, reference: str, code: str) -> str:
    response = officer.post("/officer/verify?lang=zh", data={"mode": "code", "reference": reference, "code": code})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def forged_estimate(officer, filing: dict, *, signed_by=None) -> bytes:
    """Rebuild the estimate from scratch with WeasyPrint: the real reference and code, a forged company and total."""
    saved = officer.get(local(filing["links"]["self"])).get_json()
    result = saved["result"]
    result["total_fen"] = 9_999_999_900
    forged = {"reference": saved["reference"], "revision": saved["revision"], "code": saved["code"],
              "created_at": saved["revision_created_at"],
              "profile": {**saved["profile"], "company": {**saved["profile"]["company"],
                                                          "name": "FORGED Holdings Ltd"}},
              "result": result}
    pdf = render_estimate(forged, "zh", filing["links"]["verify"])
    return signing.sign(pdf, signed_by, "forged") if signed_by else pdf


def test_the_forged_pdf_with_a_real_reference_and_code_is_not_the_document_we_issued(officer, example):
    filing = file_firm(officer, example)
    page = upload(officer, forged_estimate(officer, filing))
    assert "不是本系统签发的文件" in page
    assert "真实有效" not in page
    assert "FORGED Holdings Ltd" in page and "杭州示例智能科技有限公司" in page  # what differs: company
    assert "¥99,999,999.00" in page and "¥14,620,000.00" in page  # and the total
    assert "文件没有数字签名" in page


def test_a_forgery_signed_with_another_key_is_not_ours(officer, example, tmp_path):
    signing.ensure_self_signed(str(tmp_path / "attacker.p12"))
    attacker = signing.load_signer(str(tmp_path / "attacker.p12"), None)
    page = upload(officer, forged_estimate(officer, file_firm(officer, example), signed_by=attacker))
    assert "不是本系统签发的文件" in page and "数字签名不是本系统的" in page


def test_the_pdf_we_issued_is_genuine_and_unchanged(officer, example):
    filing = file_firm(officer, example)
    for lang in ("zh", "en"):
        page = upload(officer, estimate(officer, filing, lang))
        assert "真实有效：本系统签发的文件，未被改动" in page and filing["reference"] in page


def test_the_decision_we_issued_is_genuine_and_a_changed_one_is_not(officer, example):
    filing = file_firm(officer, example)
    decide(officer, filing)
    pdf = decision(officer, filing)
    page = upload(officer, pdf)
    assert "真实有效：本系统签发的文件，未被改动" in page and "已批准" in page
    changed = bytearray(pdf)
    changed[pdf.index(b"stream\n") + 20] ^= 1
    assert "真实有效" not in upload(officer, bytes(changed))


def test_a_copy_with_one_byte_changed_is_not_the_document_we_issued(officer, example):
    filing = file_firm(officer, example)
    pdf = estimate(officer, filing)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))  # the same text, rewritten: the bytes differ
    out = io.BytesIO()
    writer.write(out)
    page = upload(officer, out.getvalue())
    assert "不是本系统签发的文件" in page and "能读出的企业名称、金额和版本与记录相同" in page


def test_an_earlier_revision_is_superseded_in_red_with_the_latest_revision_and_total(officer, example):
    filing = file_firm(officer, example)
    first = estimate(officer, filing, revision=1)
    example["testing"]["fees"] = "500000"
    assert officer.put(local(filing["links"]["self"]), json=example).status_code == 200
    page = upload(officer, first)
    assert "已被新版本取代" in page and 'class="verdict not-genuine"' in page
    latest = officer.get(local(filing["links"]["self"])).get_json()
    assert "这是第 1 版，系统中最新为第 2 版" in page and f"¥{latest['result']['total_fen'] / 100:,.2f}" in page


@pytest.mark.parametrize(("data", "reason"), [
    (b"GIF89a not a pdf", "该文件不是 PDF"),
    (b"%PDF-1.7\n%broken beyond reading", "无法读取"),
])
def test_an_unreadable_file_says_why(officer, data, reason):
    page = upload(officer, data)
    assert "无法读取" in page and reason in page


def test_a_pdf_without_our_codes_is_unreadable_with_the_reason(officer):
    pdf = HTML(string="<p>Invoice 2026-001</p>").write_pdf()
    assert "没有本系统的编号和核验码" in upload(officer, pdf)


def test_each_verification_stands_alone(officer, example):
    filing = file_firm(officer, example)
    genuine = upload(officer, estimate(officer, filing))
    assert "真实有效" in genuine
    # The next upload sends the old reference and code too, as a pre-filled form would: they are ignored.
    page = upload(officer, b"GIF89a", reference=filing["reference"], code=filing["code"])
    assert "无法读取" in page and "真实有效" not in page and filing["code"] not in page
    # The forms are never pre-filled with an earlier verification.
    assert f'value="{filing["reference"]}"' not in genuine and f'value="{filing["code"]}"' not in page


def test_a_code_is_compared_whole_junk_after_it_is_not_genuine(officer, example):
    filing = file_firm(officer, example)
    reference, code = filing["reference"], filing["code"]
    junk = code.replace("-", "") + "XXXXXXXX"
    assert officer.get(f"/api/v1/verify/{reference}?code={junk}").get_json()["genuine"] is False
    assert officer.get(f"/api/v1/verify/{reference}?code={code}X").get_json()["genuine"] is False
    assert officer.get(f"/api/v1/verify/{reference}?code={code[:-1]}").get_json()["genuine"] is False
    assert "编号与核验码不符" in officer.get(f"/verify/{reference}?code={junk}").get_data(as_text=True)
    assert "编号与核验码不符" in by_code(officer, reference, junk)
    # Spaces, dashes and case do not matter; the code itself must be whole.
    assert officer.get(f"/api/v1/verify/{reference}?code={code.lower().replace('-', ' ')}").get_json()["genuine"]


def test_a_code_proves_the_record_and_the_page_says_what_only_the_signed_pdf_proves(client, example):
    filing = file_firm(client, example)
    page = client.get(local(filing["links"]["verify"])).get_data(as_text=True)
    assert "核验码有效：系统中有这份记录" in page
    assert "核验码不能证明手中的文件未被改动" in page and "数字签名" in page
    english = client.get(local(filing["links"]["verify"]) + "&lang=en").get_data(as_text=True)
    assert "A code does not prove that the document in your hands is unchanged" in english


def test_an_earlier_revisions_code_says_superseded_on_the_public_page(client, example):
    filing = file_firm(client, example)
    assert client.put(local(filing["links"]["self"]), json=example).status_code == 200
    page = client.get(local(filing["links"]["verify"])).get_data(as_text=True)
    assert "已被新版本取代" in page and "最新为第 2 版" in page
    answer = client.get(f"/api/v1/verify/{filing['reference']}?code={filing['code']}").get_json()
    assert answer["outcome"] == "superseded" and answer["latest_revision"] == 2
