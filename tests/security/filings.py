"""Helpers of the security suite: a filing made through the API, its PDFs, and pdfsig's verdict on a file."""

import subprocess
from pathlib import Path


def local(url: str) -> str:
    """Return the path of an absolute link, for the test client."""
    return "/" + url.split("/", 3)[3]


def file_firm(client, example) -> dict:
    """Save the example profile as a filing through the API; return the API's document."""
    response = client.post("/api/v1/assessments", json=example)
    assert response.status_code == 201
    return response.get_json()


def estimate(client, filing: dict, lang: str = "zh", revision: int | None = None) -> bytes:
    url = local(filing["links"]["pdf"]).split("?")[0] + f"?lang={lang}"
    if revision is not None:
        url += f"&revision={revision}"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.data


def decide(officer, filing: dict) -> None:
    """Submit a filing, review it and decide it as the logged-in officer."""
    officer.post(local(filing["links"]["submit"]))
    reference = filing["reference"]
    assert officer.post(f"/officer/a/{reference}/review", data={"evidence.rd_subsidy": "1"}).status_code == 303
    assert officer.post(f"/officer/a/{reference}/decide", data={
        "decision.rd_subsidy": "approve", "final": "approved", "final_note": "审计报告一致"}).status_code == 303


def decision(officer, filing: dict, lang: str = "zh") -> bytes:
    response = officer.get(f"/officer/a/{filing['reference']}/decision.pdf?lang={lang}")
    assert response.status_code == 200
    return response.data


def pdfsig(pdf: bytes, tmp_path: Path, name: str = "document.pdf") -> str:
    """Return what poppler's pdfsig says about a PDF's signatures."""
    path = tmp_path / name
    path.write_bytes(pdf)
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return run.stdout + run.stderr


def one_byte_changed(pdf: bytes) -> bytes:
    """Return pdf with one byte inside its first content stream changed (a byte the signature covers)."""
    at = pdf.index(b"stream\n") + 20
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


__all__ = ["decide", "decision", "estimate", "file_firm", "local", "one_byte_changed", "pdfsig"]
