"""nginx in front, as `make run` serves it: its configuration, the headers it passes, the sizes it allows, what it
compresses, and its answers when the app cannot answer."""

import gzip
import os
import stat
import subprocess

import pytest

from subsidy import serve as serving
from subsidy.uploads import BODY_LIMITS


@pytest.fixture(scope="module")
def live(serve_module):
    return serve_module(workers=2)


def test_the_rendered_configuration_passes_nginx_own_check(tmp_path):
    for tls in (None, {"certificate": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"}):
        conf = serving.render_nginx_conf(listen="127.0.0.1:1", socket_path=str(tmp_path / "g.sock"),
                                         run_dir=str(tmp_path), access_log=str(tmp_path / "access.log"), tls=tls)
        assert "{{" not in conf and "client_body_timeout" in conf
        (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp_path / "nginx-temp" / folder).mkdir(parents=True, exist_ok=True)
        checked = subprocess.run([serving.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                  "-e", "stderr"], capture_output=True, text=True, timeout=60)
        if tls is None:
            assert checked.returncode == 0, checked.stderr
        else:  # the only complaint may be the certificate file this test did not make
            assert checked.returncode == 0 or "cert.pem" in checked.stderr, checked.stderr


def test_the_host_header_reaches_the_app_which_refuses_unknown_hosts(live):
    browser = live.browser()
    assert browser.request("GET", "/api/v1/rules").status == 200
    refused = browser.request("POST", "/api/v1/assessments", json_body={}, headers={"Host": "evil.example"})
    assert refused.status == 400 and set(refused.json()) == {"errors"}
    assert browser.request("GET", "/", headers={"Host": "verify-hzai.evil.example"}).status == 400


def test_headers_only_a_proxy_may_set_are_not_passed_from_clients(live):
    browser = live.browser()
    page = browser.request("GET", "/officer/", headers={"SCRIPT_NAME": "/evil", "X-Forwarded-Prefix": "/evil",
                                                        "X-Forwarded-Host": "evil.example"})
    assert page.status == 302 and page.headers["Location"].startswith("/login?next=")


def test_a_body_slightly_over_the_apps_limit_gets_the_apps_answer(live):
    reply = live.browser().request("POST", "/api/v1/evaluate", data=b'{"a": "' + b"x" * 1_500_000 + b'"}',
                                   headers={"Content-Type": "application/json"})
    assert reply.status == 413 and reply.json() == {"errors": {"_request": ["请求体过大。"]}}


@pytest.mark.parametrize("query, headers, message", [
    ("", {}, "请求体过大。"),
    ("?lang=en", {}, "The request body is too large."),
    ("", {"Accept-Language": "en-GB,en;q=0.9"}, "The request body is too large."),
])
def test_a_body_far_over_it_is_refused_by_nginx_in_the_same_shape(live, query, headers, message):
    reply = live.browser().request("POST", "/api/v1/evaluate" + query, data=b"x" * 3_000_000,
                                   headers={"Content-Type": "application/json", **headers})
    assert reply.status == 413 and reply.json() == {"errors": {"_request": [message]}}


@pytest.mark.parametrize("path", ["/officer/batch/", "/officer/verify"])
def test_the_routes_that_take_files_take_a_body_up_to_the_apps_upload_limit(live, path):
    browser = live.browser()
    token = browser.csrf_token()  # not logged in: the app answers, so nginx let the whole body through
    body = b"company.name\n" + b"x\n" * 1_500_000
    boundary = "----security-suite"
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    assert 2_000_000 < len(data) < BODY_LIMITS["officer_records.verify"] < BODY_LIMITS["officer_batch.upload_post"]
    reply = browser.request("POST", path, data=data,
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    # The app answered (only the app sets a Content-Security-Policy): nginx passed the whole body on. What the app
    # makes of it (a redirect to the login page) is the app's own upload limit's business.
    assert "Content-Security-Policy" in reply.headers and b"<center>nginx</center>" not in reply.body, reply
    same_size_elsewhere = browser.request("POST", "/login", data=data,
                                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert same_size_elsewhere.status == 413 and "Content-Security-Policy" not in same_size_elsewhere.headers


def test_json_css_and_scripts_are_compressed_and_pages_never_are(live):
    browser = live.browser()
    for path in ("/api/v1/rules", "/static/app.css"):
        reply = browser.request("GET", path, headers={"Accept-Encoding": "gzip"})
        assert reply.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in reply.headers["Vary"], path
        assert gzip.decompress(reply.body)
    page = browser.request("GET", "/", headers={"Accept-Encoding": "gzip"})
    assert page.status == 200 and page.headers["Content-Encoding"] is None and b"<html" in page.body


def test_nginx_does_not_say_its_version(live):
    assert live.browser().request("GET", "/api/v1/rules").headers["Server"] == "nginx"


def test_gunicorn_is_reachable_only_through_its_private_socket(live):
    run_dir = live.stack.run_dir
    assert stat.S_IMODE(os.stat(run_dir).st_mode) == 0o700
    sockets = [p for p in run_dir.iterdir() if p.is_socket()]
    assert sockets and all(stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0 for p in sockets)


def test_when_the_app_cannot_answer_the_api_still_answers_in_its_shape(serve):
    live = serve(workers=1)
    live.stack.gunicorn.terminate()  # the gunicorn this test started
    live.stack.gunicorn.wait(timeout=30)
    reply = live.browser().request("GET", "/api/v1/rules?lang=en")
    assert reply.status == 503 and reply.headers["Retry-After"] == "2"
    assert reply.json() == {"errors": {"_request": ["The service is busy; try again in a moment."]}}


def test_links_point_to_the_address_nginx_serves(live, example_profile):
    created = live.browser().request("POST", "/api/v1/assessments", json_body=example_profile)
    assert created.status == 201 and created.headers["Location"].startswith(live.base_url + "/api/v1/assessments/")
    assert all(link.startswith(live.base_url + "/") for link in created.json()["links"].values())


def test_make_runs_default_address_is_the_default_public_url():
    from subsidy.urls import DEFAULT_PUBLIC_URL

    assert DEFAULT_PUBLIC_URL == "http://" + serving.DEFAULT_BIND
