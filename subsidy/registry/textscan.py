"""Byte-level scans of UTF-8 text columns with numpy: which cells could need stripping or hold a control character.

Both scans are conservative: a cell they flag goes through the exact (regular-expression) check, a cell they
pass certainly needs none. UTF-8 is self-synchronising, so a cell ends with a whitespace character exactly when
its last bytes are that character's encoding; and a cell can hold a control, format or private-use character
only if it has a byte that starts one, worked out here from Python's own unicodedata for every lead byte.
"""

import sys
import unicodedata

import numpy as np
import pyarrow as pa

_REFUSED = ("Cc", "Cf", "Co", "Cs")


def _lead_ranges():
    """Yield (lead byte, first code point, last code point) for every UTF-8 lead byte."""
    for lead in range(0xC2, 0xE0):
        yield lead, (lead - 0xC0) << 6, ((lead - 0xC0) << 6) | 0x3F
    for lead in range(0xE0, 0xF0):
        yield lead, (lead - 0xE0) << 12, ((lead - 0xE0) << 12) | 0xFFF
    for lead in range(0xF0, 0xF5):
        yield lead, (lead - 0xF0) << 18, min(sys.maxunicode, ((lead - 0xF0) << 18) | 0x3FFFF)


def refused_leads() -> tuple[int, ...]:
    """Return the lead bytes some character the Text field refuses starts with, from unicodedata (slow: ~1 s)."""
    return tuple(lead for lead, first, last in _lead_ranges()
                 if any(unicodedata.category(chr(p)) in _REFUSED for p in range(first, last + 1)))


def spaces() -> str:
    """Return every character str.strip() removes, from Python itself (slow)."""
    return "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())


# Worked out once with refused_leads() and spaces() and written here, since working them out takes a second at
# every start; tests/test_registry_validate.py checks them against this Python's unicodedata.
REFUSED_LEADS = (0xC2, 0xD8, 0xDB, 0xDC, 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF4)
SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"
_PLAIN = np.zeros(256, dtype=bool)
_PLAIN[0x20:0x7F] = True
_PLAIN[0x80:0xF5] = True
_PLAIN[0x80:0xC2] = np.arange(0x80, 0xC2) < 0xC0  # continuation bytes; C0 and C1 never start a character
_PLAIN[list(REFUSED_LEADS)] = False
_SPACES = [ch.encode() for ch in SPACES]


def parts(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets, bytes) of a string array, without copying."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4)
    data = array.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets.astype(np.int64), data


def fixed_width(offsets: np.ndarray, data: np.ndarray, rows: np.ndarray, width: int) -> np.ndarray:
    """Return the bytes of the cells at rows, each width bytes long, as a (len(rows), width) matrix (a view when
    they are every cell, side by side in the buffer)."""
    if len(rows) == len(offsets) - 1:
        return data[offsets[0]:offsets[0] + width * len(rows)].reshape(-1, width)
    return data[offsets[rows, None] + np.arange(width)]


def _row_any(offsets: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Return, per cell, whether any of its bytes is flagged (flagged bytes are rare: find them, then their rows)."""
    found = np.zeros(len(offsets) - 1, dtype=bool)
    positions = np.flatnonzero(flags)
    positions = positions[(positions >= offsets[0]) & (positions < offsets[-1])]
    found[np.searchsorted(offsets, positions, side="right") - 1] = True
    return found


def may_hold_control(array: pa.Array) -> np.ndarray:
    """Return where a cell may hold a character the Text field refuses (never misses one)."""
    offsets, data = parts(array)
    return _row_any(offsets, ~_PLAIN[data])


_HEADS = np.zeros(256, dtype=bool)  # bytes a whitespace character can start with
_TAILS = np.zeros(256, dtype=bool)  # one-byte whitespace characters
for _encoded in _SPACES:
    _HEADS[_encoded[0]] = True
    if len(_encoded) == 1:
        _TAILS[_encoded[0]] = True
_LEADS = {width: np.zeros(256, dtype=bool) for width in {len(e) for e in _SPACES}}
for _encoded in _SPACES:
    _LEADS[len(_encoded)][_encoded[0]] = True


def may_need_strip(array: pa.Array) -> np.ndarray:
    """Return where a cell is empty, or may start or end with a character str.strip() removes."""
    offsets, data = parts(array)
    start, stop = offsets[:-1], offsets[1:]
    length = stop - start
    flagged = length == 0
    if not len(data):
        return flagged
    some = ~flagged
    flagged |= some & _HEADS[data[np.where(some, start, 0)]]
    flagged |= some & _TAILS[data[np.where(some, stop - 1, 0)]]
    for width, leads in _LEADS.items():
        if width > 1:
            fits = length >= width
            lead = data[np.where(fits, stop - width, 0)]
            flagged |= fits & leads[lead]
    return flagged
