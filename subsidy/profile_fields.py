"""The profile's field types: money in yuan to integer fen, strict counts and flags, clean text, codes.

Each refuses what it cannot read exactly, with a message code (Msg) rendered later in the user's language.
"""

import unicodedata

from marshmallow import ValidationError, fields
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from .money import MoneyFormatError, format_yuan, parse_yuan

MAX_MONEY_FEN = 100_000_000_000 * 100  # ¥100 billion: far above any project, far below 2^63 fen
MAX_COUNT = 100_000
MAX_ITEMS = 50
MAX_TEXT = 200

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


class Money(fields.Field):
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


class Count(fields.Field):
    """A whole number ≥ 0; booleans, fractions and text are refused rather than coerced."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(Msg("int"))
        if value > MAX_COUNT:
            raise ValidationError(Msg("int_max", max=MAX_COUNT))
        return value


class Flag(fields.Field):
    """A real JSON boolean: "true", 1 and "yes" are refused, since the engine would read them loosely."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(Msg("bool"))
        return value


class Text(fields.Field):
    """Text of at most MAX_TEXT characters, stripped, without control or bidi-override characters."""

    default_error_messages = _BASE_ERRORS

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(Msg("str"))
        value = value.strip()
        if not value:
            raise ValidationError(Msg("str_blank"))
        if len(value) > MAX_TEXT:
            raise ValidationError(Msg("str_long", max=MAX_TEXT))
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
            raise ValidationError(Msg("str_control"))
        return value


class Choice(fields.Field):
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


class Items(fields.List):
    """A list of nested sections, at most MAX_ITEMS long."""

    default_error_messages = {**_BASE_ERRORS, "invalid": Msg("list")}

    def __init__(self, schema, **kwargs):
        super().__init__(Section(schema), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(result) > MAX_ITEMS:
            raise ValidationError(Msg("too_many_items", max=MAX_ITEMS))
        return result


class Section(fields.Nested):
    """A nested section object."""

    default_error_messages = {**_BASE_ERRORS, "type": Msg("type")}
