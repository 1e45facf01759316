"""Generate realistic random raw profiles (CONTRACT.md input), deterministically from a seed.

Every profile is valid input for subsidy.schemas.load_profile. The generator leans on the boundaries of
CLAUSES.md (¥5,000,000 actual investment, ¥15,000,000 scenario split, caps reached by one fen, the 60 %
incubator share), leaves sections out, drops fields, and sometimes places the applicant outside Hangzhou.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from stdnum.cn import uscc

FIELD_DROP = 0.07  # chance that an optional field of a present section is left out
SECTION_DROP = 0.3  # chance that an optional section is left out
OUTSIDE_HANGZHOU = 0.1

HANGZHOU_REGIONS = ("330102", "330105", "330106", "330108", "330109", "330110", "330111")
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
NAMES = ("视觉芯片", "语音识别", "开放平台", "算力平台", "共性平台", "未来社区", "城市大脑", "智慧医疗",
         "推荐系统", "类脑计算", "智能制造", "Edge AI Lab", "OCR 引擎", "自动驾驶",
         "👩\u200d💻 编程助手", "❤\ufe0f 健康大模型", "工业缺陷检测大模型")  # emoji with a joiner and a selector
COMPANY_NAMES = ("杭州示例智能科技有限公司", "杭州示例大学", "杭州示例人工智能研究院", "上海示例智能科技有限公司",
                 "杭州示例孵化器有限公司", "杭州🤖示例科技有限公司")

# Boundary amounts in yuan, per money field, next to which the clauses change their answer.
BOUNDARIES = {
    "rd_investment": ("0", "0.01", "0.03", "10000000", "12000000", "24999999.95", "24999999.97", "24999999.98",
                      "25000000", "25000000.05", "30000000", "99999999.95", "99999999.98", "100000000",
                      "100000000.05"),
    "actual_investment": ("4999999.99", "5000000", "5000000.01", "6000000", "20000000"),
    "hw_sw_investment": ("0", "0.15", "4000000", "16666666.60", "16666666.64", "16666666.65", "16666666.66",
                         "16666666.67", "16666666.70"),
    "new_equipment_total": ("0", "0.05", "10000000", "59999999.98", "60000000", "60000000.02", "80000000"),
    "fees": ("0", "0.05", "0.15", "400000", "9999999.90", "10000000", "10000000.10"),
    "total_investment": ("0.01", "4999999.99", "5000000", "14999999.99", "15000000", "15000000.01",
                         "15000000.02", "15000000.03", "16000000", "49999999.98", "50000000", "50000000.05",
                         "60000000"),
}
RANDOM_MAX_FEN = 20_000_000_000  # ¥200,000,000


def credit_code(rng: random.Random) -> str:
    """Return a valid 统一社会信用代码 for a Hangzhou enterprise."""
    body = "91" + rng.choice(HANGZHOU_REGIONS) + "".join(rng.choice(CODE_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def yuan_text(fen: int) -> str:
    """Return fen as yuan text with two decimals: 150 → "1.50"."""
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of(yuan: str) -> int:
    """Return the fen of a yuan text with at most two decimals."""
    return int(Decimal(yuan) * 100)


def money_value(rng: random.Random, fen: int):
    """Return fen as one of the raw forms the contract accepts: text, trimmed text, whole int or Decimal."""
    form = rng.random()
    if form < 0.15 and fen % 100 == 0:
        return fen // 100
    if form < 0.3:
        return Decimal(yuan_text(fen))
    if form < 0.45:
        return format(Decimal(yuan_text(fen)).normalize(), "f")
    return yuan_text(fen)


def money_fen(rng: random.Random, field: str, high: int = RANDOM_MAX_FEN) -> int:
    """Return an amount in fen for field, near a boundary half the time, never above high."""
    choices = [fen_of(y) for y in BOUNDARIES[field] if fen_of(y) <= high]
    if choices and rng.random() < 0.5:
        return rng.choice(choices)
    if rng.random() < 0.3:
        return rng.randrange(0, high + 1, 100)  # whole yuan
    return rng.randint(0, high)


def _section(rng: random.Random, fields: dict) -> dict:
    """Return fields with each one dropped with probability FIELD_DROP."""
    return {key: value for key, value in fields.items() if rng.random() >= FIELD_DROP}


def _items(rng: random.Random, make) -> list[dict]:
    """Return 0–3 items made by make(rng)."""
    return [make(rng) for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3)))]


def _name(rng: random.Random) -> str:
    """Return an item name."""
    return rng.choice(NAMES)


def rd_project(rng: random.Random) -> dict:
    """Return one R&D project."""
    return {"name": _name(rng), **_section(rng, {
        "in_city_ai_special": rng.random() < 0.75,
        "expert_recommended_core_tech": rng.random() < 0.3,
        "rd_investment": money_value(rng, money_fen(rng, "rd_investment")),
    })}


def service_platform(rng: random.Random) -> dict:
    """Return one service platform, its hardware and software investment within its actual investment."""
    actual = money_fen(rng, "actual_investment", 40_000_000_00)
    hw_sw = actual if rng.random() < 0.1 else money_fen(rng, "hw_sw_investment", actual)
    return {"name": _name(rng), **_section(rng, {
        "actual_investment": money_value(rng, actual),
        "hw_sw_investment": money_value(rng, hw_sw),
        "good_service_results": rng.random() < 0.8,
    })}


def common_platform(rng: random.Random) -> dict:
    """Return one common-technology platform."""
    return {"name": _name(rng), **_section(rng, {
        "new_equipment_total": money_value(rng, money_fen(rng, "new_equipment_total")),
    })}


def scenario_project(rng: random.Random) -> dict:
    """Return one application-scenario project."""
    return {"name": _name(rng), **_section(rng, {
        "selected_as_demo": rng.random() < 0.75,
        "total_investment": money_value(rng, money_fen(rng, "total_investment", 80_000_000_00)),
    })}


def testing(rng: random.Random) -> dict:
    """Return the testing section."""
    return _section(rng, {
        "fees": money_value(rng, money_fen(rng, "fees", 15_000_000_00)),
        "provider_accredited": rng.random() < 0.8,
    })


def incubator(rng: random.Random) -> dict:
    """Return the incubator section, its AI share often at or next to 60 %, sometimes near the count limit (where
    adding AI firms would pass it)."""
    total = rng.choice((0, 1, 2, 5, 10, 20, 100, rng.randint(0, 60), 99_999, 100_000))
    at_60 = total * 60 // 100
    ai = min(total, rng.choice((at_60, at_60 + 1, at_60 - 1 if at_60 else 0, 0, rng.randint(0, total))))
    return _section(rng, {"certified": rng.random() < 0.8, "incubated_total": total, "incubated_ai": ai})


def standards(rng: random.Random) -> dict:
    """Return the standards section: counts of completed standards led, mostly zero."""
    return _section(rng, {kind: rng.choice((0, 0, 1, 2, 3)) for kind in ("international", "national")})


REFERRAL_FLAGS = ("national_or_provincial_major_project", "frontier_basic_research", "national_innovation_carrier",
                  "first_of_kind_product", "raising_rd_investment", "scaling_or_renovation", "startup_seeking_equity",
                  "seeking_listing_or_bonds", "basic_or_core_ai_researchers", "top_talent", "high_end_talent",
                  "operates_ai_carrier", "organises_major_ai_event")


def referrals(rng: random.Random) -> dict:
    """Return the referral flags, each true a quarter of the time."""
    return _section(rng, {flag: rng.random() < 0.25 for flag in REFERRAL_FLAGS})


def company(rng: random.Random) -> dict:
    """Return the company section (always complete)."""
    entity_type = rng.choice(("enterprise", "enterprise", "enterprise", "university", "research_institute"))
    return {
        "name": rng.choice(COMPANY_NAMES),
        "credit_code": credit_code(rng),
        "entity_type": entity_type,
        "registered_in_hangzhou": rng.random() >= OUTSIDE_HANGZHOU,
        "is_ai_enterprise": rng.random() < 0.7,
    }


SECTIONS = {
    "rd_projects": lambda rng: _items(rng, rd_project),
    "service_platforms": lambda rng: _items(rng, service_platform),
    "common_tech_platforms": lambda rng: _items(rng, common_platform),
    "testing": testing,
    "scenario_projects": lambda rng: _items(rng, scenario_project),
    "new_national_key_labs": lambda rng: rng.choice((0, 0, 0, 1, 2)),
    "talent_team": lambda rng: rng.choice(("none", "none", "provincial", "municipal")),
    "incubator": incubator,
    "standards": standards,
    "referrals": referrals,
}


def random_profile(rng: random.Random) -> dict:
    """Return one random valid raw profile."""
    profile = {"company": company(rng)}
    for key, make in SECTIONS.items():
        if rng.random() >= SECTION_DROP:
            profile[key] = make(rng)
    return profile


def generate(n: int, seed: int = 20191120) -> Iterator[dict]:
    """Yield n random valid raw profiles, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(n):
        yield random_profile(rng)
