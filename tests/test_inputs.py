"""Inputs as CONTRACT.md says: -0 is zero and more than two decimals is refused in every notation; any printable
Unicode in names; every limit stated in the OpenAPI document, the README and its own error message."""

import json
import sys
import unicodedata
from pathlib import Path

import pytest

from subsidy.errors import ProfileError
from subsidy.profile_fields import _INVISIBLE_CATEGORIES, refused_character
from subsidy.schemas import MAX_COUNT, MAX_ITEMS, MAX_MONEY_FEN, MAX_TEXT, load_profile

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMPANY = {"name": "杭州示例智能科技有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
           "registered_in_hangzhou": True, "is_ai_enterprise": True}


def post_raw(client, body: str, lang="zh"):
    return client.post(f"/api/v1/evaluate?lang={lang}", data=body.encode(), content_type="application/json")


def fees(number_text: str) -> str:
    """Return a profile whose testing fees are the JSON number (or string) written exactly as given."""
    return ('{"company": ' + json.dumps(COMPANY, ensure_ascii=False) +
            ', "testing": {"fees": ' + number_text + ', "provider_accredited": true}}')


@pytest.mark.parametrize("written", ["-0", "-0.0", "-0.00", '"-0"', '"-0.00"', "0E+3", "1E+2"])
def test_minus_zero_and_whole_exponents_are_read_exactly(client, written):
    response = post_raw(client, fees(written))
    assert response.status_code == 200, response.get_data(as_text=True)
    testing = next(c for c in response.get_json()["clauses"] if c["id"] == "testing_subsidy")
    assert testing["items"][0]["base_fen"] == (10000 if written == "1E+2" else 0)


@pytest.mark.parametrize("written", ["1E-999999999", "1E-30", "12.500", "0.001", "-1E-999999999", '"12.500"'])
def test_more_than_two_decimals_is_refused_in_every_notation(client, written):
    response = post_raw(client, fees(written), "en")
    assert response.status_code == 400
    assert response.get_json()["errors"]["testing.fees"] == ["At most two decimals (fen)."]


def test_emoji_with_joiners_and_selectors_are_accepted_and_shown(client):
    name = "杭州👨‍👩‍👧‍👦家庭❤️智能科技有限公司"
    saved = client.post("/api/v1/assessments", json={"company": dict(COMPANY, name=name)})
    assert saved.status_code == 201
    assert name in client.get(saved.get_json()["links"]["page"]).get_data(as_text=True)


@pytest.mark.parametrize("character, words", [("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
                                              ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
                                              ("\x1b", "U+001B ESCAPE"), ("\u2028", "U+2028 LINE SEPARATOR")])
def test_control_and_bidi_characters_are_refused_by_name(client, character, words):
    for lang in ("zh", "en"):
        response = client.post(f"/api/v1/evaluate?lang={lang}", json={"company": dict(COMPANY, name=f"a{character}b")})
        assert response.status_code == 400
        assert words in response.get_json()["errors"]["company.name"][0]


def test_the_refused_characters_are_every_control_surrogate_separator_and_bidi_control_of_unicode():
    refused = {"Cc", "Cs", "Zl", "Zp"}
    bidi_controls = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}  # embeddings, overrides, isolates
    wrong = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
             if (refused_character(chr(code)) is None) == (unicodedata.category(chr(code)) in refused
                                                           or code in bidi_controls)]
    assert not wrong
    assert refused_character("ab\u202ec\x00") == "\u202e"  # the first one is named


def test_a_letter_or_digit_is_never_one_of_the_characters_that_show_nothing():
    assert not [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
                if chr(code).isalnum() and unicodedata.category(chr(code)) in _INVISIBLE_CATEGORIES]


@pytest.mark.parametrize("name, code", [
    ("", "str_blank"), (" \u3000 ", "str_blank"), ("\u200b", "str_blank"), ("\u0301\u20dd", "str_blank"),
    ("\u200b\u0378", "str_blank"), ("\u200ba", None), ("\u0301x", None), ("🤖", None), ("（示例）", None),
    ("_", None), ("7", None), ("a\u200b", None),
])
def test_a_name_of_characters_that_show_nothing_is_blank(name, code):
    try:
        load_profile({"company": dict(COMPANY, name=name)})
    except ProfileError as error:
        assert [m.code for m in error.errors["company.name"]] == [code]
    else:
        assert code is None


def test_every_limit_is_in_the_openapi_document(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    fees = schemas["Testing"]["properties"]["fees"]
    assert fees["maximum"] == MAX_MONEY_FEN // 100 and "¥100,000,000,000.00" in fees["description"]
    assert schemas["Incubator"]["properties"]["incubated_total"]["maximum"] == MAX_COUNT
    assert schemas["Profile"]["properties"]["rd_projects"]["maxItems"] == MAX_ITEMS
    assert schemas["Company"]["properties"]["name"]["maxLength"] == MAX_TEXT


def test_every_limit_is_in_the_readme():
    for words in ("¥100,000,000,000.00", f"at most {MAX_ITEMS} items", "100,000", f"{MAX_TEXT} characters", "`-0`"):
        assert words in README, words


@pytest.mark.parametrize("lang, expected", [
    ("zh", {"testing.fees": "¥100,000,000,000.00", "rd_projects": "最多 50 项", "new_national_key_labs": "100000",
            "company.name": "200 个字符"}),
    ("en", {"testing.fees": "¥100,000,000,000.00", "rd_projects": "At most 50 entries",
            "new_national_key_labs": "100000", "company.name": "200 characters"}),
])
def test_every_limit_is_named_by_its_error_message(client, lang, expected):
    profile = {"company": dict(COMPANY, name="x" * (MAX_TEXT + 1)),
               "testing": {"fees": "100000000000.01"}, "rd_projects": [{"name": "a"}] * (MAX_ITEMS + 1),
               "new_national_key_labs": MAX_COUNT + 1}
    errors = client.post(f"/api/v1/evaluate?lang={lang}", json=profile).get_json()["errors"]
    for path, words in expected.items():
        assert any(words in message for message in errors[path]), (path, errors[path])
