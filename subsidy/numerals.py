"""Chinese clause numerals as numbers: 一 → 1, 十一 → 11 (for "Clause 11" and "Art. 11" in English)."""

NUMERALS = "一二三四五六七八九"


def to_int(numeral: str) -> int:
    """Return the value of a numeral up to 九十九: 一 → 1, 十 → 10, 十一 → 11, 二十三 → 23."""
    value = 0
    for ch in numeral:
        if ch == "十":
            value = value * 10 if value else 10
        else:
            value += NUMERALS.index(ch) + 1
    return value
