"""Security headers, request size limits, rate limits, and the production configuration."""

import pytest

from app import create_app


@pytest.mark.parametrize("url", ["/", "/api/v1/rules", "/login", "/static/app.css"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_use_no_inline_script_or_style(client, example):
    saved = client.post("/api/v1/assessments", json=example).get_json()
    for url in ("/", saved["links"]["page"], saved["links"]["verify"], "/login"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url
        assert " onclick=" not in html and "javascript:" not in html, url


def test_private_pages_are_not_cached(client, example):
    saved = client.post("/api/v1/assessments", json=example)
    assert saved.headers["Cache-Control"] == "no-store"
    assert client.get(saved.get_json()["links"]["page"]).headers["Cache-Control"] == "no-store"


def test_evaluation_is_rate_limited_in_the_error_shape(tmp_path, example):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "db"), "RATELIMIT_EVALUATE": "3 per minute"})
    client = app.test_client()
    statuses = [client.post("/api/v1/evaluate", json=example).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/api/v1/evaluate", json=example)
    assert set(limited.get_json()) == {"errors"} and "Retry-After" in limited.headers


def test_login_is_rate_limited(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "db"), "RATELIMIT_LOGIN": "2 per minute",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    statuses = [client.post("/login", data={"username": f"u{i}", "password": "x"}).status_code for i in range(3)]
    assert statuses == [401, 401, 429]


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    response = client.post("/api/v1/evaluate", data=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                           content_type="application/json")
    assert response.status_code == 413 and set(response.get_json()) == {"errors"}


def test_the_production_app_runs_without_debug_and_with_its_own_secrets():
    import app as app_module

    real = app_module.app  # what gunicorn serves: instance/config.py, created on first run
    assert real.debug is False and real.testing is False
    assert len(real.config["SECRET_KEY"]) >= 32 and len(real.config["VERIFY_SECRET"]) >= 32
    assert real.config["SESSION_COOKIE_HTTPONLY"] is True and real.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_firms_link_reaches_only_its_own_assessment(client, example):
    first = client.post("/api/v1/assessments", json=example).get_json()
    other = dict(example, company=dict(example["company"], name="杭州另一家科技有限公司"))
    second = client.post("/api/v1/assessments", json=other).get_json()
    first_token = first["links"]["self"].rsplit("/", 1)[1]
    page = client.get(f"/a/{first_token}").get_data(as_text=True)
    assert "杭州示例智能科技有限公司" in page and "杭州另一家科技有限公司" not in page
    assert client.get(f"/a/{first_token}?revision=2").status_code == 404
    # the readable reference opens nothing on the firm's side, and a token opens no officer page
    assert client.get(f"/a/{second['reference']}").status_code == 404
    assert client.get(f"/officer/a/{second['reference']}").status_code == 302
    for url in (f"/a/{first_token}x", f"/api/v1/assessments/{first_token[:-1]}"):
        assert client.get(url).status_code == 404
