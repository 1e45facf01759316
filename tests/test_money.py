from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy.money import (
    MoneyFormatError,
    apply_rate,
    base_where_cap_binds,
    format_percent,
    format_wan,
    format_yuan,
    parse_percent,
    parse_yuan,
    to_capital,
)


@pytest.mark.parametrize("given, fen", [
    ("12000000", 1200000000), ("12000000.5", 1200000050), ("0.01", 1), (" 7 ", 700), (5, 500),
    (Decimal("4999999.99"), 499999999), (Decimal("1.10"), 110), (0.1, 10),
    # -0 is zero in every notation; an exponent is fine while it leaves at most two decimals
    ("-0", 0), ("-0.00", 0), (" -0.0 ", 0), (-0, 0), (Decimal("-0"), 0), (Decimal("-0.00"), 0), (-0.0, 0),
    (Decimal("1E+5"), 10000000), (Decimal("1.5E+1"), 1500), (Decimal("125E-2"), 125),
])
def test_yuan_becomes_exact_fen(given, fen):
    assert parse_yuan(given) == fen


@pytest.mark.parametrize("given, problem", [
    ("-1", "negative"), (-1, "negative"), (Decimal("-0.01"), "negative"), ("-0.01", "negative"),
    ("1.001", "too_many_decimals"), (Decimal("1.001"), "too_many_decimals"), ("12.500", "too_many_decimals"),
    (Decimal("12.500"), "too_many_decimals"), (Decimal("1E-30"), "too_many_decimals"),
    (Decimal("1E-999999999"), "too_many_decimals"), (Decimal("-1E-999999999"), "too_many_decimals"),
    (1e-05, "too_many_decimals"), (Decimal("1E+31"), "too_large"), ("1e6", "not_a_number"), ("12,000", "not_a_number"), ("", "not_a_number"),
    (True, "not_a_number"), (Decimal("NaN"), "not_a_number"), (Decimal("Infinity"), "not_a_number"), (None, "not_a_number"),
    ("abc", "not_a_number"), ("+5", "not_a_number"),
])
def test_bad_amounts_are_refused_not_zeroed(given, problem):
    with pytest.raises(MoneyFormatError, match=problem):
        parse_yuan(given)


# Decimal text is read from its digits, other amounts through Decimal: both ways give the same fen or problem.
PLAIN_TEXTS = ["0", "00", "-0", "-00.00", "-0.0", "007.5", "0.05", "0.5", "12.3", "12.30", "-0.01", "-12",
               "9" * 31, "1" + "0" * 30, "1" + "0" * 31, "9" * 31 + ".99", "-" + "1" * 35, "-" + "0" * 36 + ".1",
               "0" * 38 + ".5", "0" * 39 + "1", "1" * 40, "100000000000", "100000000000.01"]


def outcome(given):
    try:
        return parse_yuan(given)
    except MoneyFormatError as error:
        return str(error)


@pytest.mark.parametrize("text", PLAIN_TEXTS)
def test_decimal_text_gives_what_its_decimal_gives(text):
    assert outcome(text) == outcome(f" {text}\n") == outcome(Decimal(text))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.from_regex(r"-?[0-9]{1,37}(\.[0-9]{1,2})?", fullmatch=True))
def test_any_decimal_text_gives_what_its_decimal_gives(text):
    assert outcome(text) == outcome(Decimal(text))


@pytest.mark.parametrize("text, problem", [
    ("1" * 41, "too_large"), ("１２", "not_a_number"), ("١٢", "not_a_number"), ("1_000", "not_a_number"),
    (".5", "not_a_number"), ("5.", "not_a_number"), ("1.5.0", "not_a_number"), ("12万", "not_a_number"),
    ("1.2亿", "not_a_number"), ("1,200,000", "not_a_number"), ("0x10", "not_a_number"), ("- 1", "not_a_number"),
    ("12.345", "too_many_decimals"), ("-0.001", "too_many_decimals"),
])
def test_text_that_is_not_plain_decimal_is_refused(text, problem):
    assert outcome(text) == problem


def test_rate_times_base_rounds_half_up_to_the_fen():
    assert apply_rate(Fraction(3, 10), 15) == 5  # 4.5 fen → 5
    assert apply_rate(Fraction(1, 2), 5) == 3  # 2.5 fen → 3 (banker's rounding would give 2)
    assert apply_rate(Fraction(3, 10), 14) == 4  # 4.2 fen → 4
    assert apply_rate(Fraction(1, 5), 1_500_000_001) == 300_000_000  # 300,000,000.2 fen


def test_percentages_are_exact_fractions():
    assert parse_percent("20%") == Fraction(1, 5)
    assert parse_percent("60 %") == Fraction(3, 5)
    assert format_percent(Fraction(3, 10)) == "30%"
    with pytest.raises(ValueError):
        parse_percent("0.2")


def test_cap_binds_where_the_rounded_amount_first_reaches_it():
    # 20 % of ¥24,999,999.98 is ¥4,999,999.996, which rounds half-up to the ¥5,000,000.00 cap.
    assert base_where_cap_binds(Fraction(1, 5), 500_000_000) == 2_499_999_998
    assert apply_rate(Fraction(1, 5), 2_499_999_997) == 499_999_999
    # 30 % of ¥16,666,666.65 is ¥4,999,999.995: half-up gives the cap, so hw/sw of ¥16,666,666.66 is at the cap.
    assert base_where_cap_binds(Fraction(3, 10), 500_000_000) == 1_666_666_665
    assert apply_rate(Fraction(3, 10), 1_666_666_664) == 499_999_999


def test_formats():
    assert format_yuan(240000000) == "¥2,400,000.00"
    assert format_yuan(1, symbol=False) == "0.01"
    assert format_wan(240000000) == "240万元"
    assert format_wan(1234500) == "1.2345万元"
    assert to_capital(240000005) == "贰佰肆拾万元零伍分"
    assert to_capital(146200000000 // 100) == "壹仟肆佰陆拾贰万元整"
    assert to_capital(0) == "零元整"
