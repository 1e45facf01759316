"""Every estimate and decision PDF carries a PAdES signature, is rendered once and served as the same bytes."""

import asyncio
import datetime
import io
import os
import sqlite3
import stat
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask
from pypdf import PdfReader
from weasyprint import HTML

from app import create_app
from subsidy import documents, signing
from subsidy.db import connect
from tests.security.filings import (
    decide,
    decision,
    estimate,
    file_firm,
    local,
    one_byte_changed,
    pdfsig,
)

VALID = "Signature Validation: Signature is Valid."


def test_the_first_run_makes_a_key_and_certificate_only_the_service_can_read(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path))
    signing.configure(app)
    path = tmp_path / "signing.p12"
    assert app.config["SIGNING_PKCS12"] == str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    made = path.read_bytes()
    signing.configure(Flask(__name__, instance_path=str(tmp_path)))
    assert path.read_bytes() == made  # kept, never replaced: estimates already issued stay verifiable


def test_the_estimate_is_signed_and_pdfsig_finds_a_changed_byte(client, example, tmp_path):
    filing = file_firm(client, example)
    for lang in ("zh", "en"):
        pdf = estimate(client, filing, lang)
        report = pdfsig(pdf, tmp_path, f"estimate-{lang}.pdf")
        assert VALID in report, report
        assert "Total document signed" in report
        assert "ETSI.CAdES.detached" in report  # PAdES
        changed = pdfsig(one_byte_changed(pdf), tmp_path, f"changed-{lang}.pdf")
        assert "Signature Validation:" in changed and VALID not in changed, changed


def test_the_decision_is_signed_and_carries_its_own_code_and_qr(officer, example, tmp_path):
    filing = file_firm(officer, example)
    decide(officer, filing)
    pdf = decision(officer, filing)
    assert VALID in pdfsig(pdf, tmp_path, "decision.pdf")
    assert VALID not in pdfsig(one_byte_changed(pdf), tmp_path, "changed.pdf")
    text = "".join("".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "补助申报审核决定" in text and "核验码" in text
    printed = text.split(f"/verify/{filing['reference']}?code=")[1][:19]
    assert printed != filing["code"]  # the decision's code, not the estimate's
    answer = officer.get(f"/api/v1/verify/{filing['reference']}?code={printed}").get_json()
    assert answer["genuine"] and answer["kind"] == "decision" and answer["final_decision"] == "approved"
    page = officer.get(f"/verify/{filing['reference']}?code={printed}").get_data(as_text=True)
    assert "系统中有这份审核决定" in page and "已批准" in page


def test_each_revision_and_language_is_rendered_once_and_served_as_the_same_bytes(app, client, example):
    filing = file_firm(client, example)
    first = [estimate(client, filing, "zh") for _ in range(3)]
    assert first[0] == first[1] == first[2]  # a re-render would carry another signing time
    response = client.get(local(filing["links"]["pdf"]) + "&lang=zh")
    assert response.headers["ETag"] == f'"{documents.sha256(first[0])}"'
    english = estimate(client, filing, "en")
    assert english != first[0]
    db = connect(app.config["DATABASE"])
    rows = list(db.query("SELECT kind, revision, lang, sha256, pdf FROM documents ORDER BY id"))
    assert [(r["kind"], r["revision"], r["lang"]) for r in rows] == [("estimate", 1, "zh"), ("estimate", 1, "en")]
    assert rows[0]["pdf"] == first[0] and rows[0]["sha256"] == documents.sha256(first[0])
    issued = list(db.query("SELECT after FROM audit_log WHERE action = 'issue_document'"))
    assert len(issued) == 2 and documents.sha256(first[0]) in issued[0]["after"]
    db.close()


def test_an_issued_document_cannot_be_changed_or_deleted_in_the_database(app, client, example):
    estimate(client, file_firm(client, example))
    db = connect(app.config["DATABASE"])
    for statement in ("UPDATE documents SET pdf = x'00'", "DELETE FROM documents"):
        with pytest.raises(sqlite3.IntegrityError, match="issued documents cannot change"):
            db.execute(statement)
    db.close()


def _organisation_p12(path, password: bytes, name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"org", key, cert, None, serialization.BestAvailableEncryption(password)))


def test_an_organisation_signs_with_its_own_pkcs12_file_and_password(tmp_path, example):
    p12 = tmp_path / "org.p12"
    _organisation_p12(p12, b"s3cret-org", "Hangzhou Economic and Information Bureau")
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "org.sqlite3"), "SIGNING_PKCS12": str(p12),
                      "SIGNING_PKCS12_PASSWORD": "s3cret-org"})
    client = app.test_client()
    report = pdfsig(estimate(client, file_firm(client, example)), tmp_path)
    assert VALID in report and "Hangzhou Economic and Information Bureau" in report


def test_a_wrong_password_stops_start_up_with_a_clear_message(tmp_path):
    p12 = tmp_path / "org.p12"
    _organisation_p12(p12, b"right", "Org")
    with pytest.raises(signing.SigningSetupError, match="SIGNING_PKCS12_PASSWORD"):
        create_app({"TESTING": True, "DATABASE": str(tmp_path / "x.sqlite3"), "SIGNING_PKCS12": str(p12),
                    "SIGNING_PKCS12_PASSWORD": "wrong"})


def test_signing_and_checking_work_inside_a_running_event_loop(app):
    # pyHanko runs asyncio.run() inside; an async server (or Playwright in the tests) has a loop running already.
    signer = signing.signer_of(app)
    pdf = HTML(string="<p>测算单</p>").write_pdf()

    async def inside():
        signed = signing.sign(pdf, signer, "test")
        return signed, signing.check(signed, signer)

    # A thread of its own, whose loop this test starts: the test runner's thread may have one running already.
    results = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(inside())))
    thread.start()
    thread.join(timeout=120)
    signed, checked = results[0]
    assert checked == {"signed": True, "intact": True, "whole_file": True, "ours": True, "problem": None}
