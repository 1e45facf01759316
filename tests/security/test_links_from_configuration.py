"""Absolute links come from PUBLIC_URL, never from the request's Host header; unknown hosts are refused."""

import pytest
from pypdf import PdfReader

from app import create_app

PUBLIC = "https://subsidy.hangzhou.example"


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "links.sqlite3"), "PUBLIC_URL": PUBLIC + "/"})


def test_links_and_location_are_built_on_the_public_url(client, example):
    response = client.post("/api/v1/assessments", json=example)
    assert response.status_code == 201
    assert response.headers["Location"].startswith(PUBLIC + "/api/v1/assessments/")
    links = response.get_json()["links"]
    assert all(link.startswith(PUBLIC + "/") for link in links.values()), links


@pytest.mark.parametrize("host", ["evil.example", "verify-hzai.evil.example", "subsidy.hangzhou.example.evil.example"])
def test_an_unknown_host_header_is_refused(client, example, host):
    response = client.post("/api/v1/assessments", json=example, headers={"Host": host})
    assert response.status_code == 400
    assert set(response.get_json()) == {"errors"}
    assert client.get("/", headers={"Host": host}).status_code == 400


def test_the_public_host_and_loopback_are_served(client):
    for host in ("subsidy.hangzhou.example", "localhost", "127.0.0.1:8000"):
        assert client.get("/api/v1/rules", headers={"Host": host}).status_code == 200, host


def test_the_pdf_prints_the_public_verify_address(client, example):
    links = client.post("/api/v1/assessments", json=example).get_json()["links"]
    pdf = client.get(links["pdf"].removeprefix(PUBLIC))
    import io
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "subsidy.hangzhou.example/verify/" in text.replace("\n", "")


def test_an_https_public_url_makes_the_cookie_secure(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_public_url_that_is_not_an_address_stops_start_up(tmp_path):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"TESTING": True, "DATABASE": str(tmp_path / "x.sqlite3"), "PUBLIC_URL": "subsidy.example"})
