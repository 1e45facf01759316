"""Differential tests: the engine's answer for every clause equals the hand-written reference's.

Two sources of profiles: ~3,000 from the seeded generator of benchmarks/profiles.py, and a hypothesis property
test with its own strategies. Each result is also checked against the invariants of CONTRACT.md: an eligible
clause has no reasons and nothing missing, an ineligible one gives a reason, an incomplete one names a missing
field, amounts are 0 unless eligible, and each eligible rate item pays min(half-up(rate × base), cap).
"""

from __future__ import annotations

import copy
import unicodedata
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from benchmarks.profiles import BOUNDARIES, CODE_ALPHABET, REFERRAL_FLAGS, fen_of, generate, yuan_text
from benchmarks.reference import CLAUSE_IDS, RATE_CLAUSES, half_up, reference_evaluate
from subsidy.profile_fields import refused_character
from subsidy.render import result_json
from subsidy.schemas import MAX_COUNT, MAX_MONEY_FEN, load_profile
from subsidy.service import evaluate_profile, evaluate_typed

GENERATED = 3_000
POSITIVE = {clause_id: "referral" if clause_id.endswith("_referral") else "eligible" for clause_id in CLAUSE_IDS}
CAN_BE_INCOMPLETE = {*RATE_CLAUSES, "incubator_bonus"}


def _section_items(profile: dict, section: str) -> list[dict]:
    """Return the items a rate clause judges in a typed profile: a list section, or an object as one item."""
    value = profile.get(section)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_rate_items(clause_id: str, clause: dict, profile: dict) -> list[str]:
    """Return problems with the amounts of an eligible rate clause's items, recomputed from the profile."""
    section, base, num, den, cap, _fields = RATE_CLAUSES[clause_id]
    inputs = _section_items(profile, section)
    if len(inputs) != len(clause["items"]):
        return [f"{clause_id}: {len(clause['items'])} items for {len(inputs)} in {section}"]
    problems = []
    for index, (item, data) in enumerate(zip(clause["items"], inputs, strict=True)):
        if item["status"] != "eligible":
            continue
        expected = min(half_up(data[base], num, den), cap(data))
        if item["amount_fen"] != expected or item.get("cap_fen") != cap(data):
            problems.append(f"{clause_id}/{index}: amount {item['amount_fen']} cap {item.get('cap_fen')}, "
                            f"expected min(half-up({num}/{den} × {data[base]}), {cap(data)}) = {expected}")
    return problems


def _check_shape(where: str, entry: dict) -> list[str]:
    """Return problems with the status, reasons, missing and amount of one clause or item."""
    status, reasons, missing, amount = entry["status"], entry["reasons"], entry["missing"], entry["amount_fen"]
    problems = []
    # An eligible clause names the gaps of its incomplete items, and says its total may rise.
    pending = [m for item in entry.get("items", []) if item["status"] == "incomplete" for m in item["missing"]]
    if status == "eligible" and (missing != list(dict.fromkeys(pending)) or bool(pending) != entry.get("may_rise", False)):
        problems.append(f"{where}: eligible with missing={missing}, but its incomplete items lack {pending}")
    if status in ("eligible", "referral") and (reasons or (missing and not pending)):
        problems.append(f"{where}: {status} but reasons={reasons} missing={missing}")
    if len(entry.get("missing_labels", [])) != len(missing):
        problems.append(f"{where}: {len(missing)} missing paths but labels {entry.get('missing_labels')}")
    if status == "ineligible" and not reasons:
        problems.append(f"{where}: ineligible without a reason")
    if status == "incomplete" and not missing:
        problems.append(f"{where}: incomplete without a missing field")
    if status != "eligible" and amount != 0:
        problems.append(f"{where}: {status} with amount_fen {amount}")
    return problems


def result_problems(profile: dict, result: dict) -> list[str]:
    """Return every way result departs from the reference or from the contract's invariants."""
    expected = reference_evaluate(profile)
    ids = [clause["id"] for clause in result["clauses"]]
    if ids != list(CLAUSE_IDS):
        return [f"clause ids {ids} are not the catalogue, in order"]
    problems = []
    totals = {"exact": 0, "up_to": 0}
    for clause in result["clauses"]:
        clause_id = clause["id"]
        got = (clause["status"], clause["amount_fen"])
        if got != expected[clause_id]:
            problems.append(f"{clause_id}: engine {got}, reference {expected[clause_id]}")
        problems += _check_shape(clause_id, clause)
        for index, item in enumerate(clause["items"]):
            problems += _check_shape(f"{clause_id}/{index}", item)
        if clause["status"] == "eligible":
            item_sum = sum(item["amount_fen"] for item in clause["items"] if item["status"] == "eligible")
            if item_sum != clause["amount_fen"]:
                problems.append(f"{clause_id}: amount {clause['amount_fen']} ≠ sum of eligible items {item_sum}")
            totals[clause["basis"]] += clause["amount_fen"]
        if clause_id in RATE_CLAUSES:
            problems += _check_rate_items(clause_id, clause, profile)
    got_totals = (result["total_fen"], result["total_exact_fen"], result["total_up_to_fen"])
    want_totals = (totals["exact"] + totals["up_to"], totals["exact"], totals["up_to"])
    if got_totals != want_totals:
        problems.append(f"totals {got_totals}, expected {want_totals}")
    return problems


def evaluate_and_check(raw: dict) -> list[str]:
    """Validate raw, evaluate it through the engine and return its problems."""
    profile = load_profile(copy.deepcopy(raw))
    return result_problems(profile, result_json(evaluate_typed(profile), "en"))


def test_generated_profiles_agree_with_the_reference() -> None:
    """Check ~3,000 generated profiles against the reference, and that they reach every status of every clause."""
    reached: dict[str, set[str]] = {clause_id: set() for clause_id in CLAUSE_IDS}
    failures = []
    for index, raw in enumerate(generate(GENERATED)):
        profile = load_profile(copy.deepcopy(raw))
        problems = result_problems(profile, result_json(evaluate_typed(profile), "en"))
        if problems:
            failures.append(f"profile #{index}: {raw!r}\n    " + "\n    ".join(problems))
        for clause_id, (status, _amount) in reference_evaluate(profile).items():
            reached[clause_id].add(status)
    assert not failures, f"{len(failures)} of {GENERATED} profiles disagree; first ones:\n" + "\n".join(failures[:5])
    for clause_id, statuses in reached.items():
        wanted = {POSITIVE[clause_id], "ineligible", "not_applicable"}
        wanted |= {"incomplete"} if clause_id in CAN_BE_INCOMPLETE else set()
        assert wanted <= statuses, f"the generator never reaches {sorted(wanted - statuses)} for {clause_id}"


# ---- hypothesis strategies for raw profiles -------------------------------------------------------------

def _visible_name(text: str) -> bool:
    """Return True for a name the profile accepts: something visible, no control or bidi character."""
    text = text.strip()
    return refused_character(text) is None and any(unicodedata.category(ch) not in ("Cf", "Mn", "Me", "Zs", "Cn")
                                                   for ch in text)


# Any printable Unicode: emoji, joiners and variation selectors included (CONTRACT.md).
names = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).filter(
    _visible_name)
flags = st.sampled_from((True, True, False))  # conditions met more often than not, so amounts get checked
counts = st.one_of(st.integers(0, 3), st.integers(0, MAX_COUNT))


@st.composite
def money_fen(draw, field: str, high: int = MAX_MONEY_FEN) -> int:
    """Draw an amount in fen ≤ high: half the time at or one fen beside a boundary of CLAUSES.md for field."""
    kind = draw(st.sampled_from(("boundary", "boundary", "everyday", "any")))
    if kind == "boundary":
        boundary = draw(st.sampled_from(sorted({0, MAX_MONEY_FEN, *(fen_of(yuan) for yuan in BOUNDARIES[field])})))
        return min(high, max(0, boundary + draw(st.sampled_from((0, 0, -1, 1)))))
    return draw(st.integers(0, min(high, 100_000_000_00) if kind == "everyday" else high))


@st.composite
def raw_money(draw, field: str | None = None, fen: int | None = None):
    """Draw the raw form of an amount of field (or of the given fen): yuan text, trimmed text, Decimal or int."""
    fen = draw(money_fen(field)) if fen is None else fen
    text = yuan_text(fen)
    forms = [text, format(Decimal(text).normalize(), "f"), Decimal(text)]
    if fen % 100 == 0:
        forms.append(fen // 100)
    return draw(st.sampled_from(forms))


@st.composite
def credit_codes(draw) -> str:
    """Draw a valid 统一社会信用代码."""
    body = "91" + draw(st.text("0123456789", min_size=6, max_size=6)) + draw(
        st.text(CODE_ALPHABET, min_size=9, max_size=9))
    return body + uscc.calc_check_digit(body)


@st.composite
def service_platforms(draw) -> dict:
    """Draw a service platform whose hardware and software investment is within its actual investment."""
    actual = draw(money_fen("actual_investment"))
    hw_sw = draw(money_fen("hw_sw_investment", actual))
    return draw(st.fixed_dictionaries({"name": names}, optional={
        "actual_investment": raw_money(fen=actual), "hw_sw_investment": raw_money(fen=hw_sw),
        "good_service_results": flags}))


@st.composite
def incubators(draw) -> dict:
    """Draw an incubator section, AI firms never more than the firms incubated."""
    total = draw(counts)
    share = st.sampled_from(sorted({total * 3 // 5, min(total, total * 3 // 5 + 1)}))
    ai = draw(st.one_of(share, st.integers(0, total)))
    return draw(st.fixed_dictionaries({}, optional={
        "certified": flags, "incubated_total": st.just(total), "incubated_ai": st.just(ai)}))


def _items(required: dict, optional: dict):
    """Return a strategy for 0–3 list items with these fields."""
    return st.lists(st.fixed_dictionaries(required, optional=optional), max_size=3)


companies = st.fixed_dictionaries({
    "name": names,
    "credit_code": credit_codes(),
    "entity_type": st.sampled_from(("enterprise", "university", "research_institute")),
    "registered_in_hangzhou": st.sampled_from((True, True, True, False)),  # outside Hangzhou a quarter of the time
    "is_ai_enterprise": flags,
})
raw_profiles = st.fixed_dictionaries({"company": companies}, optional={
    "rd_projects": _items({"name": names}, {"in_city_ai_special": flags, "expert_recommended_core_tech": flags,
                                            "rd_investment": raw_money("rd_investment")}),
    "service_platforms": st.lists(service_platforms(), max_size=3),
    "common_tech_platforms": _items({"name": names}, {"new_equipment_total": raw_money("new_equipment_total")}),
    "testing": st.fixed_dictionaries({}, optional={"fees": raw_money("fees"), "provider_accredited": flags}),
    "scenario_projects": _items({"name": names}, {"selected_as_demo": flags,
                                                  "total_investment": raw_money("total_investment")}),
    "new_national_key_labs": counts,
    "talent_team": st.sampled_from(("none", "provincial", "municipal")),
    "incubator": incubators(),
    "standards": st.fixed_dictionaries({}, optional={"international": counts, "national": counts}),
    "referrals": st.fixed_dictionaries({}, optional={flag: flags for flag in REFERRAL_FLAGS}),
})


@settings(max_examples=300, deadline=None)
@given(raw_profiles)
def test_hypothesis_profiles_agree_with_the_reference(raw: dict) -> None:
    """Check hypothesis-drawn profiles against the reference and the contract's invariants."""
    problems = evaluate_and_check(raw)
    assert not problems, f"profile {raw!r}\n  " + "\n  ".join(problems)


# ---- product bugs the differential tests found ----------------------------------------------------------

def test_incubator_share_without_total_is_incomplete() -> None:
    """Report a missing incubated_total as missing (the engine once read it as 0, fired, and raised EngineError)."""
    raw = {
        "company": {"name": "杭州示例孵化器有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
                    "registered_in_hangzhou": True, "is_ai_enterprise": False},
        "incubator": {"certified": True, "incubated_ai": 13},
    }
    clause = next(c for c in evaluate_profile(raw)["clauses"] if c["id"] == "incubator_bonus")
    assert (clause["status"], clause["missing"]) == ("incomplete", ["incubator.incubated_total"])
