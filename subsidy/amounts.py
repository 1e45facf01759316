"""Read an amount of money as a person types it into the form: "1,200,000", "120万", "1.2亿", "１２０万元".

The form's unit (元 or 万元) applies to a bare number; a number written with its own unit (万, 万元, 亿, 亿元, 元)
means what it says whatever the form's unit. Full-width digits and punctuation count as their ASCII forms.
The answer is integer fen, or an AmountError whose code names what is wrong; nothing here is ever a float.
The same grammar runs live in the browser (static/amount.js); tests check that both read alike.
"""

import re
import unicodedata
from decimal import Decimal

FEN_PER_YUAN = 100
UNITS = {"yuan": 1, "wan": 10_000}
SUFFIXES = (("亿元", 100_000_000), ("亿", 100_000_000), ("万元", 10_000), ("万", 10_000), ("元", 1))
MAX_TEXT = 40
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u3000]+")
_PLAIN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


class AmountError(ValueError):
    """Text that is not an amount: code is one of format, negative, decimals, grouping, too_long."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def normalise(text: str) -> str:
    """Return text with full-width characters as ASCII (NFKC), spaces between digit groups as commas."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.replace("￥", "¥").replace("。", ".")
    return _SPACES.sub(",", text)


def read_amount(text: str, unit: str = "yuan") -> int:
    """Return the fen an entry means, reading a bare number in unit ("yuan" or "wan")."""
    if len(text) > MAX_TEXT:
        raise AmountError("too_long")
    number = normalise(text)
    multiplier = UNITS.get(unit, 1)
    if number.startswith("¥"):  # the sign says yuan, unless a 万 or 亿 follows the number
        number, multiplier = number[1:].lstrip(","), 1
    for suffix, value in SUFFIXES:
        if number.endswith(suffix):
            number, multiplier = number[: -len(suffix)].rstrip(","), value
            break
    negative = number.startswith("-")
    if negative:
        number = number[1:]
    if "," in number:
        if not _GROUPED.match(number):
            raise AmountError("grouping")
        number = number.replace(",", "")
    if not _PLAIN.match(number):
        raise AmountError("format")
    fen = Decimal(number) * multiplier * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise AmountError("decimals")
    if negative and fen:
        raise AmountError("negative")
    return int(fen)


def as_unit(fen: int, unit: str) -> str:
    """Return fen as a plain number in unit, the way the form shows a stored amount: 120000000, "wan" → "120"."""
    value = Decimal(fen) / FEN_PER_YUAN / UNITS.get(unit, 1)
    return format(value.normalize(), "f")
