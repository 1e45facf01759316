"""HTTP as integrators and caches read it: language headers, caching and ETags, gzip, 401 challenges, 415s."""

import gzip
import json

import pytest

from app import create_app


def test_every_api_answer_says_its_language_and_varies_on_it(client, example):
    answers = [client.post("/api/v1/evaluate", json=example),
               client.post("/api/v1/evaluate?lang=en", json=example),
               client.post("/api/v1/evaluate", json=example, headers={"Accept-Language": "en-GB,en;q=0.8"}),
               client.post("/api/v1/evaluate", json={"company": {}}, headers={"Accept-Language": "en"}),
               client.get("/api/v1/rules?lang=en"), client.get("/api/v1/nothing"), client.get("/api/v1/officer/queue"),
               client.get("/api/v1/openapi.json")]
    assert [answer.headers["Content-Language"] for answer in answers] == ["zh", "en", "en", "en", "en", "zh", "zh",
                                                                          "en"]
    for answer in answers:
        assert "Accept-Language" in answer.headers["Vary"]
    assert answers[3].get_json()["errors"]["company.name"] == ["Required."]


def test_pages_say_their_language_too(client):
    for url, language in (("/", "zh"), ("/?lang=en", "en"), ("/", "en")):  # the last one remembered by cookie
        answer = client.get(url)
        assert answer.headers["Content-Language"] == language
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in answer.headers["Vary"].split(",")}
    static = client.get("/static/app.css")
    static.close()
    assert static.status_code == 200 and "Content-Language" not in static.headers


@pytest.mark.parametrize("url", ["/api/v1/evaluate?lang=fr", "/api/v1/rules?lang=fr", "/api/v1/openapi.json?lang=",
                                 "/api/v1/officer/queue?lang=english", "/api/v1/verify/HZAI-2026-000001?lang=de"])
def test_an_unsupported_lang_is_a_400_naming_the_supported_ones(client, example, url):
    send = client.post if "evaluate" in url else client.get
    answer = send(url, json=example) if send is client.post else send(url, headers={"Accept-Language": "en"})
    assert answer.status_code == 400
    message = answer.get_json()["errors"]["lang"][0]
    assert "zh" in message and "en" in message


def test_lang_takes_a_language_tag_and_accept_language_falls_back_to_chinese(client, example):
    assert client.get("/api/v1/rules?lang=en-GB").headers["Content-Language"] == "en"
    assert client.get("/api/v1/rules?lang=zh_CN").headers["Content-Language"] == "zh"
    french = client.get("/api/v1/rules", headers={"Accept-Language": "fr-FR"})
    assert french.status_code == 200 and french.headers["Content-Language"] == "zh"
    assert french.get_json()["clauses"][0]["title"] == "人工智能关键核心技术研发补助"


@pytest.mark.parametrize("url", ["/api/v1/rules", "/api/v1/rules?lang=en", "/api/v1/openapi.json"])
def test_the_catalogue_and_the_document_are_public_with_an_etag_and_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "public, max-age=3600"
    assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200
    # The gzip form has the same (weak) ETag, so a copy of either revalidates.
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] == etag
    assert json.loads(gzip.decompress(zipped.data)) == first.get_json()
    assert client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code == 304


def test_the_catalogue_has_one_etag_per_language(client):
    assert client.get("/api/v1/rules").headers["ETag"] != client.get("/api/v1/rules?lang=en").headers["ETag"]


def test_private_answers_are_not_stored(client, example):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    local = saved["links"]["verify"].replace("http://127.0.0.1:8000", "")
    answers = [client.post("/api/v1/evaluate", json=example),
               client.get(saved["links"]["self"].replace("http://127.0.0.1:8000", "")),
               client.get(saved["links"]["verify_api"].replace("http://127.0.0.1:8000", "")),
               client.get(local), client.get(saved["links"]["page"].replace("http://127.0.0.1:8000", "")),
               client.get("/api/v1/officer/queue"), client.get("/officer/"), client.get("/login"),
               client.get("/api/v1/rules?lang=fr"), client.post("/api/v1/evaluate", data=b"{")]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store", answer.request.path


def test_a_401_from_the_api_challenges_with_the_session_cookie(client):
    answer = client.get("/api/v1/officer/queue")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == (
        'Cookie realm="officers", cookie-name="session", form-action="http://127.0.0.1:8000/login"')
    assert set(answer.get_json()) == {"errors"}


def test_evaluate_is_gzipped_for_clients_that_accept_it(client, example):
    plain = client.post("/api/v1/evaluate", json=example)
    zipped = client.post("/api/v1/evaluate", json=example, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data) / 3
    assert gzip.decompress(zipped.data) == plain.data
    for answer in (plain, zipped):
        vary = {v.strip() for v in answer.headers["Vary"].split(",")}
        assert {"Accept-Encoding", "Accept-Language"} <= vary


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0", "br", ""])
def test_no_gzip_unless_the_client_accepts_it(client, example, accept):
    answer = client.post("/api/v1/evaluate", json=example, headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in answer.headers and answer.get_json()["total_fen"] == 1462000000


def test_small_answers_pdfs_and_pages_are_not_gzipped(client, example):
    small = client.post("/api/v1/evaluate", json={"company": {}}, headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 400 and "Content-Encoding" not in small.headers
    saved = client.post("/api/v1/assessments", json=example).get_json()
    pdf = client.get(saved["links"]["pdf"].replace("http://127.0.0.1:8000", ""), headers={"Accept-Encoding": "gzip"})
    assert pdf.mimetype == "application/pdf" and "Content-Encoding" not in pdf.headers
    # A page holds a CSRF token next to text a visitor chose: compressing it would leak the token (BREACH).
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers and b"<html" in page.data


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP"])
def test_a_compressed_request_body_is_a_415_saying_so(client, example, encoding):
    body = gzip.compress(json.dumps(example).encode())
    answer = client.post("/api/v1/evaluate?lang=en", data=body, content_type="application/json",
                         headers={"Content-Encoding": encoding})
    assert answer.status_code == 415
    assert answer.headers["Accept-Encoding"] == "identity"
    message = answer.get_json()["errors"]["_request"][0]
    assert "Compressed bodies" in message and encoding.lower() in message and "not valid JSON" not in message


def test_identity_content_encoding_is_fine(client, example):
    answer = client.post("/api/v1/evaluate", json=example, headers={"Content-Encoding": "identity"})
    assert answer.status_code == 200


def test_the_document_is_served_for_the_configured_public_url_only(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "p.sqlite3"),
                      "PUBLIC_URL": "https://subsidy.example.gov.cn"})
    client = app.test_client()
    answer = client.get("/api/v1/openapi.json", headers={"Host": "subsidy.example.gov.cn"})
    assert answer.get_json()["servers"][0]["url"] == "https://subsidy.example.gov.cn"
    assert client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).status_code == 400
