"""Rule tests written as data, in the OpenFisca manner.

Every file ``tests/cases/*.yaml`` holds a YAML list of cases worked out by hand from
``CLAUSES.md`` (never from the code).  A case is::

    - name: A full English sentence saying what the case shows
      profile: {...}                 # a profile as in CONTRACT.md (only `company` is required)
      expect:                        # clause id -> expectations; only the clauses listed are checked
        rd_subsidy: {status: eligible, amount_fen: 240000000}
      expect_total_fen: 240000000          # optional
      expect_total_exact_fen: 240000000    # optional
      expect_total_up_to_fen: 0            # optional

An expectation may also check the words of the result, in the case's `lang` (zh unless it says en)::

        rd_subsidy:
          status: incomplete
          missing: [rd_projects.0.expert_recommended_core_tech]       # the machine paths, exactly
          missing_labels: [研发项目 1「芯片」的“是否经专家委员会审定推荐”]   # their labels, exactly
          item_outcomes: {0: [若“是否经专家委员会审定推荐”为“否”：可获 ¥5,000,000.00。, …]}
          hints: [「芯片」如满足…]                                     # every hint's text, exactly, in order
          may_rise: true                                              # an eligible clause with incomplete items
          needs_confirmation_paths: [company.is_ai_enterprise]
          refers_to: 市委〔2019〕17号                                   # words the referral must name
          readings: [“在杭”]                                           # words some reading must hold
          reasons: [这一条件是本计算器采用的解读]                           # words some reason must hold

or, for input the calculator must reject::

    - name: ...
      profile: {...}
      expect_errors: [rd_projects.0.rd_investment]   # field paths that must be reported
      expect_error_messages: {company.name: U+202E}  # optional: words the message for a path must hold

Each case is its own pytest test whose id is the case name.  ``test_clause_coverage``
checks that, for every clause of the rulebook, the cases reach both the positive status
(``eligible``, or ``referral`` for the *_referral clauses) and ``ineligible``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"

# The clause ids of CLAUSES.md, in catalogue order.  Used as a fallback only when the
# rulebook (subsidy.rulebook.load_rulebook().clause_ids) cannot be imported, and as the
# list the rulebook is compared against.
CATALOGUE_CLAUSE_IDS = [
    "rd_subsidy",
    "key_lab_award",
    "service_platform_subsidy",
    "common_platform_subsidy",
    "testing_subsidy",
    "scenario_subsidy",
    "talent_team_funding",
    "incubator_bonus",
    "standards_award",
    "major_project_referral",
    "natural_science_fund_referral",
    "innovation_carrier_referral",
    "product_application_referral",
    "enterprise_growth_referral",
    "finance_referral",
    "leading_talent_referral",
    "top_talent_referral",
    "high_end_talent_referral",
    "carrier_referral",
    "major_event_referral",
]

STATUSES = {"eligible", "ineligible", "incomplete", "not_applicable", "referral"}
CASE_KEYS = {
    "name",
    "lang",
    "profile",
    "expect",
    "expect_errors",
    "expect_error_messages",
    "expect_total_fen",
    "expect_total_exact_fen",
    "expect_total_up_to_fen",
}
EXACT_KEYS = {"missing", "missing_labels", "may_rise", "needs_confirmation_paths"}
WORDS_KEYS = {"refers_to", "readings", "reasons"}
EXPECT_KEYS = {"status", "amount_fen", "hints", "item_outcomes", *EXACT_KEYS, *WORDS_KEYS}
TOTAL_KEYS = {
    "expect_total_fen": "total_fen",
    "expect_total_exact_fen": "total_exact_fen",
    "expect_total_up_to_fen": "total_up_to_fen",
}


def _load_cases() -> list[tuple[str, dict]]:
    """Every case of every file, as (file name, case), in file then list order."""
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if not isinstance(data, list):
            raise ValueError(f"{path.name}: a case file must be a YAML list of cases")
        for index, case in enumerate(data):
            if not isinstance(case, dict) or "name" not in case:
                raise ValueError(f"{path.name}[{index}]: a case must be a mapping with a `name`")
            cases.append((path.name, case))
    return cases


CASES = _load_cases()


def _clause_ids() -> list[str]:
    """The clause ids in catalogue order, from the rulebook when it can be loaded."""
    try:
        from subsidy.rulebook import load_rulebook
    except ImportError:
        # Fallback while the rulebook is not importable: the ids of CLAUSES.md.
        return list(CATALOGUE_CLAUSE_IDS)
    return list(load_rulebook().clause_ids)


def _is_referral(clause_id: str) -> bool:
    return clause_id.endswith("_referral")


def _check_case_shape(source: str, case: dict) -> None:
    """Catch typos in the case data itself, so that a misspelt key cannot pass silently."""
    where = f"{source}: case {case['name']!r}"
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"{where}: unknown case keys {sorted(unknown)}"
    assert isinstance(case.get("profile"), dict), f"{where}: `profile` must be a mapping"
    has_expect = "expect" in case or any(k in case for k in TOTAL_KEYS)
    assert has_expect != ("expect_errors" in case), (
        f"{where}: give either `expect`/`expect_total_*` or `expect_errors`, not both or neither"
    )
    for clause_id, exp in (case.get("expect") or {}).items():
        assert clause_id in CATALOGUE_CLAUSE_IDS, f"{where}: unknown clause id {clause_id!r}"
        assert isinstance(exp, dict) and set(exp) <= EXPECT_KEYS and "status" in exp, (
            f"{where}: expectation for {clause_id} must be {{status, amount_fen?}}, got {exp!r}"
        )
        assert exp["status"] in STATUSES, f"{where}: {clause_id}: unknown status {exp['status']!r}"
        if "amount_fen" in exp:
            assert isinstance(exp["amount_fen"], int), f"{where}: {clause_id}: amount_fen must be an integer"


@pytest.mark.parametrize(
    "source, case",
    [pytest.param(source, case, id=case["name"]) for source, case in CASES],
)
def test_case(source: str, case: dict) -> None:
    _check_case_shape(source, case)
    from subsidy.errors import ProfileError
    from subsidy.schemas import render_errors
    from subsidy.service import evaluate_profile

    name = case["name"]
    profile = copy.deepcopy(case["profile"])

    lang = case.get("lang", "zh")
    if "expect_errors" in case:
        with pytest.raises(ProfileError) as excinfo:
            evaluate_profile(profile, lang)
        reported = excinfo.value.errors or {}
        missing = [path for path in case["expect_errors"] if path not in reported]
        assert not missing, (
            f"[{source}] {name}\n  the profile was rejected, but no error was reported at "
            f"{missing}; errors reported: {reported!r}"
        )
        rendered = render_errors(reported, lang)
        for path, words in (case.get("expect_error_messages") or {}).items():
            assert any(words in message for message in rendered.get(path, [])), (
                f"[{source}] {name}\n  the message for {path} does not say {words!r}: {rendered.get(path)!r}")
        return

    try:
        result = evaluate_profile(profile, lang)
    except ProfileError as exc:
        pytest.fail(f"[{source}] {name}\n  the profile was rejected unexpectedly: {exc.errors!r}")

    problems = []
    clauses = {c.get("id"): c for c in result.get("clauses", [])}
    for clause_id, exp in (case.get("expect") or {}).items():
        got = clauses.get(clause_id)
        if got is None:
            problems.append(f"{clause_id}: missing from the result")
            continue
        if got.get("status") != exp["status"]:
            detail = got.get("reasons") or got.get("missing") or ""
            problems.append(
                f"{clause_id}: status {got.get('status')!r}, expected {exp['status']!r}"
                + (f" (reasons/missing: {detail})" if detail else "")
            )
        if "amount_fen" in exp and got.get("amount_fen") != exp["amount_fen"]:
            problems.append(
                f"{clause_id}: amount_fen {got.get('amount_fen')!r}, expected {exp['amount_fen']!r}"
            )
        problems += _word_problems(clause_id, exp, got)
    for case_key, result_key in TOTAL_KEYS.items():
        if case_key in case and result.get(result_key) != case[case_key]:
            problems.append(f"{result_key}: {result.get(result_key)!r}, expected {case[case_key]!r}")

    # Invariants of CONTRACT.md that every result must satisfy.
    ids_in_result = [c.get("id") for c in result.get("clauses", [])]
    if ids_in_result != CATALOGUE_CLAUSE_IDS:
        problems.append(f"contract: clause ids {ids_in_result} are not the catalogue, in order")
    totals = [result.get(k) for k in ("total_fen", "total_exact_fen", "total_up_to_fen")]
    if all(isinstance(t, int) for t in totals):
        if totals[0] != totals[1] + totals[2]:
            problems.append(f"contract: total_fen {totals[0]} != exact {totals[1]} + up_to {totals[2]}")
    else:
        problems.append(f"contract: totals are not all integers: {totals}")
    for c in result.get("clauses", []):
        if c.get("status") != "eligible" and c.get("amount_fen") != 0:
            problems.append(f"contract: {c.get('id')} is {c.get('status')} but amount_fen is {c.get('amount_fen')}")

    assert not problems, f"[{source}] {name}\n  " + "\n  ".join(problems)


def _word_problems(clause_id: str, exp: dict, got: dict) -> list[str]:
    """Return how the words of a clause differ from what a case expects of them."""
    problems = []
    for key in EXACT_KEYS & set(exp):
        if got.get(key, False if key == "may_rise" else None) != exp[key]:
            problems.append(f"{clause_id}: {key} {got.get(key)!r}, expected {exp[key]!r}")
    if "hints" in exp and [hint["text"] for hint in got["hints"]] != exp["hints"]:
        problems.append(f"{clause_id}: hints {[hint['text'] for hint in got['hints']]!r}, expected {exp['hints']!r}")
    for index, lines in (exp.get("item_outcomes") or {}).items():
        found = got["items"][index].get("outcomes_text")
        if found != lines:
            problems.append(f"{clause_id}: item {index} outcomes {found!r}, expected {lines!r}")
    if "refers_to" in exp and exp["refers_to"] not in got.get("refers_to", ""):
        problems.append(f"{clause_id}: refers_to {got.get('refers_to')!r} does not name {exp['refers_to']!r}")
    for key in ("readings", "reasons"):
        everything = got[key] + ([r for item in got["items"] for r in item["reasons"]] if key == "reasons" else [])
        for words in exp.get(key, []):
            if not any(words in line for line in everything):
                problems.append(f"{clause_id}: no {key[:-1]} holds {words!r}: {everything!r}")
    return problems


def test_case_names_are_unique() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for source, case in CASES:
        if case["name"] in seen:
            duplicates.append(f"{case['name']!r} ({seen[case['name']]} and {source})")
        seen[case["name"]] = source
    assert not duplicates, "case names must be unique: " + "; ".join(duplicates)


def test_clause_coverage() -> None:
    """For each clause of the rulebook, the cases reach eligible (or referral) and ineligible."""
    clause_ids = _clause_ids()
    problems = []
    if clause_ids != CATALOGUE_CLAUSE_IDS:
        problems.append(f"rulebook clause ids {clause_ids} differ from CLAUSES.md {CATALOGUE_CLAUSE_IDS}")

    reached: dict[str, set[str]] = {clause_id: set() for clause_id in clause_ids}
    for _source, case in CASES:
        for clause_id, exp in (case.get("expect") or {}).items():
            reached.setdefault(clause_id, set()).add(exp.get("status"))

    not_reached = []
    for clause_id in clause_ids:
        positive = "referral" if _is_referral(clause_id) else "eligible"
        lacking = [s for s in (positive, "ineligible") if s not in reached[clause_id]]
        if lacking:
            not_reached.append(f"{clause_id} (never {' nor '.join(lacking)})")
        if not (CASES_DIR / f"{clause_id}.yaml").exists():
            not_reached.append(f"{clause_id} (no file tests/cases/{clause_id}.yaml)")
    if not_reached:
        problems.append("clauses not reached by the cases: " + ", ".join(not_reached))
    assert not problems, "\n".join(problems)
