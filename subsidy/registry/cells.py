"""Validate one column of cells at a time, with the schema's own rules and messages.

Each kind has a vectorised fast path for the ordinary shape of a cell (plain digits, an 18-character code,
printable text); any cell off that shape goes through the schema's own field (and flat.py's reading of a text
cell), one by one, so its value or message is exactly what load_profile gives. The registry's files are
typed: a text column is read as the batch CSV is, a bool, integer or decimal column as the JSON value would be.
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from marshmallow import ValidationError

from ..flat import FALSE_WORDS, TRUE_WORDS, _cell
from ..profile_fields import MAX_COUNT, MAX_MONEY_FEN, MAX_TEXT
from . import textscan
from .layout import schema_field

MONEY_FAST = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"  # everything within the limit, and a little above it
COUNT_FAST = r"^[0-9]{1,12}$"  # flat.py reads these as numbers; anything else stays text for the schema
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015
CODE_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int64)


class ColumnTypeError(ValueError):
    """A whole column has a type the registry cannot read exactly (for example money as a float)."""


@dataclass
class Col:
    """A validated column: values (numpy, or Arrow for text) and where a value is present."""

    values: object
    present: np.ndarray


def stripped(array: pa.Array) -> pa.Array:
    """Return text cells stripped as str.strip() does, blank cells as null (flat.py: an empty cell is absent)."""
    if pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    odd = np.flatnonzero(textscan.may_need_strip(array) & pc.is_valid(array).to_numpy(zero_copy_only=False))
    if not len(odd):
        return array
    fixed = [cell.strip() or None for cell in array.take(pa.array(odd)).to_pylist()]
    mask = np.zeros(len(array), dtype=bool)
    mask[odd] = True
    return pc.replace_with_mask(array, pa.array(mask), pa.array(fixed, pa.string()))


def _bits(buffer, offset: int, n: int) -> np.ndarray:
    """Return n bits of an Arrow bitmap from offset as bools (Arrow's bit order is little-endian)."""
    first, skip = divmod(offset, 8)
    packed = np.frombuffer(buffer, dtype=np.uint8, count=(skip + n + 7) // 8, offset=first)
    return np.unpackbits(packed, bitorder="little", count=skip + n)[skip:].view(bool)


def _present(array: pa.Array) -> np.ndarray:
    """Return where a cell is not null, from the validity bitmap."""
    validity = array.buffers()[0]
    if validity is None or array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    return _bits(validity, array.offset, len(array))


def _bools(array: pa.BooleanArray) -> np.ndarray:
    """Return a boolean column's values, False where null."""
    values = _bits(array.buffers()[1], array.offset, len(array))
    return values & _present(array) if array.null_count else values.copy()


def _slow(path: str, kind: str, cells: dict, from_text: bool, errors: dict, store):
    """Load each odd cell through the schema's field; keep its value or its messages."""
    field = schema_field(path)
    for row, raw in cells.items():
        try:
            store(row, field.deserialize(_cell(kind, raw) if from_text else raw))
        except ValidationError as error:
            errors[row] = list(error.messages)


def _odd_rows(mask: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.flatnonzero(present & ~mask)


def _money_text(array: pa.Array, fast: np.ndarray) -> np.ndarray:
    """Return the fen of text cells of the plain shape (where fast holds): yuan × 100 + fen, in integers."""
    text = pc.if_else(pa.array(fast), array, pa.scalar(None, pa.string()))
    whole = pc.cast(pc.replace_substring_regex(text, r"\..*$", ""), pa.int64())
    frac = pc.cast(pc.utf8_rpad(pc.replace_substring_regex(text, r"^[0-9]*\.?", ""), 2, "0"), pa.int64())
    fen = pc.add(pc.multiply(whole, 100), frac)
    return pc.fill_null(fen, 0).to_numpy(zero_copy_only=False).astype(np.int64)


def _decimal_fen(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (fen, exact) for a decimal column of scale ≤ 2: its unscaled integers, read from the buffer."""
    scaled = pc.cast(array, pa.decimal128(38, 2))
    words = np.frombuffer(scaled.buffers()[1], dtype=np.int64, count=2 * (len(scaled) + scaled.offset))
    low, high = words[2 * scaled.offset::2], words[2 * scaled.offset + 1::2]
    fits = high == (low >> 63)  # the 128-bit value is the sign extension of its low word
    return np.where(fits, low, 0), fits


def _to_fen_scale(value):
    """Return a decimal cell with the zeros past the fen dropped (a finer non-zero digit is kept, and refused)."""
    if value is None or not value.is_finite():
        return value
    fen = value.quantize(_FEN) if value.adjusted() < 30 else value
    return fen if fen == value else value


_FEN = Decimal("0.01")


def money(path: str, array: pa.Array, errors: dict) -> Col:
    """Yuan cells → integer fen; every refusal is the Money field's own."""
    n = len(array)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = stripped(array)
        present = _present(array)
        fast = pc.fill_null(pc.match_substring_regex(array, MONEY_FAST), False).to_numpy(zero_copy_only=False)
        fen = _money_text(array, fast) if fast.any() else np.zeros(n, dtype=np.int64)
        cells = lambda odd: {int(r): array[int(r)].as_py() for r in odd}  # noqa: E731
        from_text = True
    elif pa.types.is_integer(array.type):
        present = _present(array)
        yuan = pc.fill_null(array, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        fast = present & (yuan >= 0) & (yuan <= MAX_MONEY_FEN // 100)
        fen = np.where(fast, yuan * 100, 0)
        cells = lambda odd: {int(r): int(yuan[r]) for r in odd}  # noqa: E731
        from_text = False
    elif pa.types.is_decimal(array.type) and array.type.scale <= 2:
        present = _present(array)
        fen, fast = _decimal_fen(array)
        fast &= present
        cells = lambda odd: {int(r): array[int(r)].as_py() for r in odd}  # noqa: E731
        from_text = False
    elif pa.types.is_decimal(array.type):
        present = _present(array)
        fen, fast = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        # The column's scale is its type, not what was written: 1.500 in a scale-3 column is ¥1.50.
        cells = lambda odd: {int(r): _to_fen_scale(array[int(r)].as_py()) for r in odd}  # noqa: E731
        from_text = False
    else:
        raise ColumnTypeError(f"{path}: money must be a text, integer or decimal column, not {array.type}: "
                              "a binary float cannot hold every amount in fen exactly")
    fast = fast & present & (fen >= 0) & (fen <= MAX_MONEY_FEN)
    fen = np.where(fast, fen, 0)
    _slow(path, "money", cells(_odd_rows(fast, present)), from_text, errors, fen.__setitem__)
    return Col(fen, _without(present, errors))


def _without(present: np.ndarray, errors: dict) -> np.ndarray:
    """Return present, less the rows that were refused."""
    if errors:
        present = present.copy()
        present[list(errors)] = False
    return present


def count(path: str, array: pa.Array, errors: dict) -> Col:
    """Whole numbers ≥ 0 and ≤ MAX_COUNT; text cells as flat.py reads them."""
    n = len(array)
    values = np.zeros(n, dtype=np.int64)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = stripped(array)
        present = _present(array)
        fast = pc.fill_null(pc.match_substring_regex(array, COUNT_FAST), False).to_numpy(zero_copy_only=False)
        if fast.any():
            parsed = pc.cast(pc.if_else(fast, array, pa.scalar(None, pa.string())), pa.int64())
            values = pc.fill_null(parsed, 0).to_numpy(zero_copy_only=False).astype(np.int64)
            fast &= values <= MAX_COUNT
            values[~fast] = 0
        odd = _odd_rows(fast, present)
        _slow(path, "count", {int(r): array[int(r)].as_py() for r in odd}, True, errors, values.__setitem__)
    elif pa.types.is_integer(array.type):
        present = _present(array)
        raw = pc.fill_null(array, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        fast = present & (raw >= 0) & (raw <= MAX_COUNT)
        values = np.where(fast, raw, 0)
        odd = _odd_rows(fast, present)
        _slow(path, "count", {int(r): int(raw[r]) for r in odd}, False, errors, values.__setitem__)
    else:
        raise ColumnTypeError(f"{path}: a count must be a text or integer column, not {array.type}")
    return Col(values, _without(present, errors))


def flag(path: str, array: pa.Array, errors: dict) -> Col:
    """true/false, or the words flat.py reads (是/否, yes/no, 1/0) in a text column."""
    if pa.types.is_boolean(array.type):
        return Col(_bools(array), _present(array))
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise ColumnTypeError(f"{path}: a flag must be a boolean or text column, not {array.type}")
    array = stripped(array)
    present = _present(array)
    low = pc.ascii_lower(array)
    yes = pc.fill_null(pc.is_in(low, pa.array(sorted(TRUE_WORDS))), False).to_numpy(zero_copy_only=False)
    no = pc.fill_null(pc.is_in(low, pa.array(sorted(FALSE_WORDS))), False).to_numpy(zero_copy_only=False)
    values = yes.copy()
    odd = _odd_rows(yes | no, present)
    _slow(path, "flag", {int(r): array[int(r)].as_py() for r in odd}, True, errors, values.__setitem__)
    return Col(values, _without(present, errors))


def choice(path: str, array: pa.Array, choices: tuple, errors: dict) -> Col:
    """One of the field's codes, as its index in choices (−1 where absent or refused)."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise ColumnTypeError(f"{path}: a choice must be a text column, not {array.type}")
    array = stripped(array)
    present = _present(array)
    codes = pc.fill_null(pc.index_in(array, value_set=pa.array(choices)), -1).to_numpy(zero_copy_only=False)
    codes = codes.astype(np.int16)
    odd = _odd_rows(codes >= 0, present)
    _slow(path, "choice", {int(r): array[int(r)].as_py() for r in odd}, True, errors, lambda r, v: None)
    return Col(codes, present & (codes >= 0))


def text(path: str, array: pa.Array, errors: dict) -> Col:
    """Printable text of at most MAX_TEXT characters, stripped; the credit code also passes its check character."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise ColumnTypeError(f"{path}: text must be a text column, not {array.type}")
    array = stripped(array)
    present = _present(array)
    if path.endswith("credit_code"):
        fast = present & plain_codes(array)
    else:
        offsets, _ = textscan.parts(array)
        # At most MAX_TEXT bytes is at most MAX_TEXT characters; longer cells are counted exactly below.
        fast = present & (np.diff(offsets) <= MAX_TEXT) & ~textscan.may_hold_control(array)
    odd = _odd_rows(fast, present)
    if len(odd):
        values = array.to_pylist()
        _slow(path, "text", {int(r): values[r] for r in odd}, True, errors, values.__setitem__)
        array = pa.array(values, pa.string())
    return Col(array, _without(present, errors))


_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[np.frombuffer(b"0123456789", dtype=np.uint8)] = True
_CODE_CHAR = np.zeros(256, dtype=bool)
_CODE_CHAR[np.frombuffer(CODE_ALPHABET.encode(), dtype=np.uint8)] = True
_CODE_VALUE = np.zeros(256, dtype=np.int32)
_CODE_VALUE[np.frombuffer(CODE_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(CODE_ALPHABET))


def plain_codes(array: pa.Array) -> np.ndarray:
    """Return where a cell is 18 characters of the GB 32100 form (8 digits, 10 of its alphabet) whose check
    character is right: exactly the codes uscc.validate accepts unchanged. Anything else is checked one by one."""
    offsets, data = textscan.parts(array)
    ok = np.diff(offsets) == 18
    if not ok.any():
        return ok
    rows = np.flatnonzero(ok)
    # The 18-byte cells as a (18, rows) matrix of bytes: one contiguous row per character position.
    positions = np.ascontiguousarray(textscan.fixed_width(offsets, data, rows, 18).T)
    shaped = np.ones(len(rows), dtype=bool)
    total = np.zeros(len(rows), dtype=np.int32)
    for position, char in enumerate(positions):
        shaped &= (_DIGIT if position < 8 else _CODE_CHAR)[char]
        if position < 17:
            total += _CODE_VALUE[char] * int(CODE_WEIGHTS[position])
    ok[rows] = shaped & ((31 - total % 31) % 31 == _CODE_VALUE[positions[17]])
    return ok
