"""The profile's field types: money in yuan to integer fen, strict counts and flags, clean text, codes.

Each refuses what it cannot read exactly, with a message code (Msg) rendered later in the user's language.
"""

import re
import unicodedata

from marshmallow import ValidationError, fields
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from .money import MoneyFormatError, format_yuan, parse_yuan

# The service's own limits (CONTRACT.md): each is in the README, in the OpenAPI document and in its error message.
MAX_MONEY_FEN = 100_000_000_000 * 100  # ¥100 billion per money field: far above any project, far below 2^63 fen
MAX_COUNT = 100_000  # per count
MAX_ITEMS = 50  # per list
MAX_TEXT = 200  # characters (Unicode code points) per name

# Refused in text: control characters (category Cc), surrogates (Cs), line and paragraph separators (Zl, Zp),
# and the bidirectional embeddings, overrides and isolates that can make a name read differently from what it
# holds ("Trojan Source"). Every other character is accepted, emoji with their joiners (U+200D) and variation
# selectors included. One character class finds the first of them in C rather than a category lookup per
# character in Python; tests/test_inputs.py checks it against the category of every code point.
_REFUSED_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028-\u202e\u2066-\u2069]")
# Characters that show nothing by themselves: a name made only of these is blank.
_INVISIBLE_CATEGORIES = {"Cf", "Mn", "Me", "Zs", "Cn"}

ENTITY_TYPES = ("enterprise", "university", "research_institute")
TALENT_TEAMS = ("none", "provincial", "municipal")


class Msg(str):
    """An error message carried as a catalogue code with parameters, rendered later in either language."""

    def __new__(cls, code, **params):
        obj = super().__new__(cls, code)
        obj.code = code
        obj.params = params
        return obj


def _codes(**codes):
    return {key: Msg(code) for key, code in codes.items()}


_BASE_ERRORS = _codes(required="required", null="null", validator_failed="money_format")


class _ValidatorsIfAny:
    """Run marshmallow's validator chain only for a field given validators.

    Field._validate builds an And() of the field's validators for every value, even when there are none; these
    fields refuse bad values in _deserialize and take validators only if a caller passes validate=.
    """

    def _validate(self, value):
        if self.validators:
            super()._validate(value)


class Money(_ValidatorsIfAny, fields.Field):
    """Yuan in, integer fen out: a decimal string or number, ≥ 0, at most two decimals."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            fen = parse_yuan(value)
        except MoneyFormatError as error:
            if str(error) == "too_large":
                raise ValidationError(Msg("money_max", max=format_yuan(MAX_MONEY_FEN))) from error
            code = {"negative": "money_negative", "too_many_decimals": "money_decimals"}.get(str(error), "money_format")
            raise ValidationError(Msg(code)) from error
        if fen > MAX_MONEY_FEN:
            raise ValidationError(Msg("money_max", max=format_yuan(MAX_MONEY_FEN)))
        return fen


class Count(_ValidatorsIfAny, fields.Field):
    """A whole number ≥ 0; booleans, fractions and text are refused rather than coerced."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(Msg("int"))
        if value > MAX_COUNT:
            raise ValidationError(Msg("int_max", max=MAX_COUNT))
        return value


class Flag(_ValidatorsIfAny, fields.Field):
    """A real JSON boolean: "true", 1 and "yes" are refused, since the engine would read them loosely."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(Msg("bool"))
        return value


def refused_character(text: str) -> str | None:
    """Return the first character text may not hold, or None: a control, separator or bidi control."""
    found = _REFUSED_TEXT.search(text)
    return found[0] if found else None


# Control characters have no Unicode name, only aliases: the common ones, so the message can say which it is.
_CONTROL_NAMES = {0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN",
                  0x1B: "ESCAPE", 0x7F: "DELETE"}


def describe_character(ch: str) -> str:
    """Return a character as a reader can look it up: "U+202E RIGHT-TO-LEFT OVERRIDE", "U+0000 NULL"."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ord(ch), "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


class Text(_ValidatorsIfAny, fields.Field):
    """Text of at most MAX_TEXT characters, stripped: any printable Unicode, no control or bidi-control character."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(Msg("str"))
        value = value.strip()
        bad = refused_character(value)
        if bad is not None:
            raise ValidationError(Msg("str_control", char=describe_character(bad)))
        # A name that starts with a letter or digit (categories L and N) shows something: only other names need
        # the category of each character.
        if not value[:1].isalnum() and all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in value):
            raise ValidationError(Msg("str_blank"))
        if len(value) > MAX_TEXT:
            raise ValidationError(Msg("str_long", max=MAX_TEXT))
        return value


class Choice(_ValidatorsIfAny, fields.Field):
    """One of a fixed set of codes."""

    default_error_messages = _BASE_ERRORS

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value, attr, data, **kwargs):
        if value not in self.choices:
            raise ValidationError(Msg("one_of", choices=", ".join(self.choices)))
        return value


class CreditCode(Text):
    """The 18-character 统一社会信用代码, with its GB 32100-2015 check character verified."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).upper()
        try:
            return uscc.validate(value)
        except InvalidLength as error:
            raise ValidationError(Msg("credit_code_length")) from error
        except InvalidChecksum as error:
            raise ValidationError(Msg("credit_code_checksum")) from error
        except InvalidFormat as error:
            raise ValidationError(Msg("credit_code_format")) from error


class Items(_ValidatorsIfAny, fields.List):
    """A list of nested sections, at most MAX_ITEMS long."""

    default_error_messages = {**_BASE_ERRORS, "invalid": Msg("list")}

    def __init__(self, schema, **kwargs):
        super().__init__(Section(schema), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(result) > MAX_ITEMS:
            raise ValidationError(Msg("too_many_items", max=MAX_ITEMS))
        return result


class Section(_ValidatorsIfAny, fields.Nested):
    """A nested section object."""

    default_error_messages = {**_BASE_ERRORS, "type": Msg("type")}
