"""Money as integer fen: parsing, rate arithmetic with half-up rounding, formatting.

Nothing in the product holds money as a float. Input yuan strings become integer fen here, rates are exact
`Fraction`s read from the rulebook, and every product of a rate and a base is rounded half-up to the fen once.
"""

import re
from decimal import Decimal
from fractions import Fraction
from functools import cache

import cn2an

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元

_YUAN_TEXT = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$")
_MANY_DECIMALS_TEXT = re.compile(r"^-?[0-9]+\.[0-9]{3,}$")
_PERCENT_TEXT = re.compile(r"^([0-9]+(\.[0-9]+)?)\s*%$")
_MAX_DIGITS = 30  # far above any limit the profile sets, far below what would make the arithmetic slow
_TOO_LARGE_FEN = 10 ** (_MAX_DIGITS + 1) * FEN_PER_YUAN  # the least fen whose yuan Decimal.adjusted() > _MAX_DIGITS


class MoneyFormatError(ValueError):
    """Raised for text that is not an amount of yuan with at most two decimals."""


def parse_yuan(value) -> int:
    """Return the integer fen of a yuan amount given as a decimal string, int or Decimal.

    Accepts plain decimals only ("12000000", "12000000.5", 12000000): no exponent in text, no separators, NaN or
    infinity, and at most two decimals in every notation (a JSON number 1E-30 or 1E-999999999 has more than two
    decimals, as "1.001" has). Negative values raise, they are never turned into zero; "-0" is zero.
    """
    if isinstance(value, bool):
        raise MoneyFormatError("not_a_number")
    if isinstance(value, int):
        if value < 0:
            raise MoneyFormatError("negative")
        if value > 10 ** _MAX_DIGITS:
            raise MoneyFormatError("too_large")
        return value * FEN_PER_YUAN
    if isinstance(value, float):
        # JSON numbers arrive as Decimal (parse_float=Decimal); a float only comes from Python callers.
        value = Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40:
            raise MoneyFormatError("too_large")
        match = _YUAN_TEXT.match(text)
        if not match:
            raise MoneyFormatError("too_many_decimals" if _MANY_DECIMALS_TEXT.match(text) else "not_a_number")
        # Plain digits: the fen are the yuan digits and the cents padded to two, without building a Decimal; the
        # checks are _decimal_fen's, in its order.
        minus, yuan, cents = match.groups()
        fen = int(yuan + (cents or "").ljust(2, "0"))
        if fen >= _TOO_LARGE_FEN:
            raise MoneyFormatError("too_large")
        if minus and fen:
            raise MoneyFormatError("negative")
        return fen
    if isinstance(value, Decimal):
        return _decimal_fen(value)
    raise MoneyFormatError("not_a_number")


def _decimal_fen(value: Decimal) -> int:
    """Return the fen of a Decimal from its digits and exponent, exactly (Decimal arithmetic would round or
    underflow: 1E-999999999 × 100 is 0 in the default context)."""
    if not value.is_finite():
        raise MoneyFormatError("not_a_number")
    sign, digits, exponent = value.as_tuple()
    if exponent < -2:
        raise MoneyFormatError("too_many_decimals")
    if value.adjusted() > _MAX_DIGITS:
        raise MoneyFormatError("too_large")
    fen = int("".join(map(str, digits))) * 10 ** (exponent + 2)
    if sign and fen:
        raise MoneyFormatError("negative")
    return fen


def parse_percent(text: str) -> Fraction:
    """Return the exact fraction of a percentage written as "20%"."""
    match = _PERCENT_TEXT.match(str(text).strip())
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    return Fraction(Decimal(match.group(1))) / 100


def apply_rate(rate: Fraction, base_fen: int) -> int:
    """Return rate × base in fen, rounded half-up to the fen.

    In integers: p/q × base is whole + remainder/q, rounded up when the remainder is half of q or more (the same
    answer as with the product reduced, without a Fraction made and reduced on every item and every hint).
    """
    whole, remainder = divmod(rate.numerator * base_fen, rate.denominator)
    return whole + (1 if 2 * remainder >= rate.denominator else 0)


def base_for_amount(rate: Fraction, amount_fen: int) -> int:
    """Return the smallest base (fen) whose rate × base, rounded half-up, is at least amount_fen.

    Half-up rounding reaches amount_fen from amount_fen − ½ fen: the base is (amount − ½) ÷ rate, rounded up;
    with rate p/q, that is (2 × amount − 1) × q ÷ 2p, rounded up, in integers.
    """
    return max(0, -(-(2 * amount_fen - 1) * rate.denominator // (2 * rate.numerator)))


def base_where_cap_binds(rate: Fraction, cap_fen: int) -> int:
    """Return the base (fen) from which rate × base, rounded half-up, reaches the cap.

    30 % of ¥16,666,666.65 is ¥4,999,999.995, which rounds to the ¥5,000,000.00 cap: the cap binds from there.
    (Not cached: a Fraction hashes in Python, slower than these few integer operations.)
    """
    return base_for_amount(rate, cap_fen)


def format_yuan(fen: int, symbol: bool = True) -> str:
    """Return fen as yuan with thousands separators and two decimals: 240000000 → "¥2,400,000.00"."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{'¥' if symbol else ''}{yuan:,}.{cents:02d}"


def format_wan(fen: int) -> str:
    """Return fen in 万元 without trailing zeros: 240000000 → "240万元", 1 → "0.000001万元"."""
    wan = Decimal(fen) / FEN_PER_WAN
    text = format(wan.normalize(), "f")
    return f"{text}万元"


@cache
def format_percent(rate: Fraction) -> str:
    """Return an exact rate as a percentage: Fraction(1, 5) → "20%"."""
    value = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return f"{format(value.normalize(), 'f')}%"


def format_per_yuan(rate: Fraction) -> str:
    """Return what each yuan of base gives at a rate, rounded half-up to the fen: Fraction(1, 5) → "¥0.20"."""
    return _per_yuan(rate.numerator, rate.denominator)  # cached by its integers: a Fraction hashes in Python


@cache
def _per_yuan(numerator: int, denominator: int) -> str:
    return format_yuan(apply_rate(Fraction(numerator, denominator), FEN_PER_YUAN))


def to_capital(fen: int) -> str:
    """Return fen in the Chinese capital form used on financial documents: 240000005 → 贰佰肆拾万元零伍分."""
    yuan = Decimal(fen) / FEN_PER_YUAN
    return cn2an.an2cn(format(yuan.quantize(Decimal("0.01")), "f"), "rmb")


def fen_to_yuan_text(fen: int) -> str:
    """Return fen as a plain decimal yuan string, the form the profile accepts: 150 → "1.50"."""
    yuan, cents = divmod(fen, FEN_PER_YUAN)
    return f"{yuan}.{cents:02d}"
