"""Every hint keeps its promise, checked by the engine itself; the English of every result is English.

Over the differential test's generated profiles (benchmarks/profiles.py), each hint's change is applied to the
profile, the profile is validated as input and evaluated again with the real engine, and the item and its clause
must come out with the status and amount the hint promised. The same holds for each outcome an incomplete item
gives under an answer to its missing yes/no facts.
"""

import copy
import re
from functools import cache

from benchmarks.profiles import generate
from subsidy.render import result_json
from subsidy.rulebook import load_rulebook
from subsidy.schemas import dump_profile, load_profile
from subsidy.service import evaluate_profile, evaluate_typed

GENERATED = 3_000
COMPANY = {"name": "杭州测试科技有限公司", "credit_code": "91330106MA2H3K7Q1F", "entity_type": "enterprise",
           "registered_in_hangzhou": True, "is_ai_enterprise": True}


@cache
def generated_results() -> tuple:
    """Return (typed profile, English result) for each generated profile, worked out once for this module."""
    found = []
    for raw in generate(GENERATED):
        profile = load_profile(copy.deepcopy(raw))
        found.append((profile, result_json(evaluate_typed(profile), "en")))
    return tuple(found)


def _changed(profile: dict, changes: list[dict]) -> dict:
    """Return the profile with each change applied, validated as input again (a hint must propose valid input)."""
    changed = copy.deepcopy(profile)
    for change in changes:
        *parents, leaf = change["field"].split(".")
        node = changed
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = change["target"]
    return load_profile(dump_profile(changed))


def _figures(profile: dict, clause_index: int, item_index: int) -> tuple:
    """Evaluate a profile with the engine: (item status, item amount, clause status, clause amount)."""
    clause = evaluate_typed(profile).clauses[clause_index]
    item = clause.items[item_index]
    return item.status, item.amount_fen, clause.status, clause.amount_fen


def _promise_problems(profile: dict, clause_index: int, clause: dict, hint: dict) -> list[str]:
    """Return how a hint and its alternatives break their promises, or change nothing."""
    item = clause["items"][hint["item_index"]]
    where = f"{clause['id']}/{hint['item_index']}: {hint['text']}"
    if hint["kind"] == "cap_binds":  # no change proposed: the edge it names must be exact
        at = _changed(profile, [{"field": hint["field"], "target": hint["binds_at_fen"]}])
        below = _changed(profile, [{"field": hint["field"], "target": hint["binds_at_fen"] - 1}])
        at_cap = _figures(at, clause_index, hint["item_index"])[1]
        below_cap = _figures(below, clause_index, hint["item_index"])[1]
        return [] if at_cap == hint["cap_fen"] > below_cap else [f"{where}: {at_cap} at the edge, {below_cap} below"]
    problems = []
    for option in (hint, *hint.get("alternatives", [])):
        got = _figures(_changed(profile, option["changes"]), clause_index, hint["item_index"])
        promised = (option["status_after"], option["amount_after_fen"], option["clause_status_after"],
                    option["clause_amount_after_fen"])
        if got != promised:
            problems.append(f"{where}: the engine gives {got}, the hint promised {promised}")
        if got[:2] == (item["status"], item["amount_fen"]):
            problems.append(f"{where}: the change leaves the item as it was, {got[:2]}")
    return problems


def _outcome_problems(profile: dict, clause_index: int, clause: dict) -> list[str]:
    problems = []
    for index, item in enumerate(clause["items"]):
        for outcome in item.get("outcomes", []):
            answers = [{"field": path, "target": answer} for path, answer in outcome["answers"].items()]
            got = _figures(_changed(profile, answers), clause_index, index)[:2]
            if got != (outcome["status"], outcome["amount_fen"]):
                problems.append(f"{clause['id']}/{index} with {outcome['answers']}: engine {got}, said {outcome}")
    return problems


def test_every_hint_and_outcome_keeps_its_promise_when_the_engine_evaluates_it():
    """Apply every hint of ~3,000 generated profiles and re-evaluate: each keeps its promise, and each changes
    the result; the generator reaches every kind of hint and both outcomes of a missing fact."""
    failures, kinds = [], {}
    for number, (profile, result) in enumerate(generated_results()):
        for clause_index, clause in enumerate(result["clauses"]):
            for hint in clause["hints"]:
                kind = hint["kind"] + ("+alternative" if hint.get("alternatives") else "")
                kinds[kind] = kinds.get(kind, 0) + 1
                failures += [f"profile #{number}: {p}" for p in _promise_problems(profile, clause_index, clause, hint)]
            outcomes = _outcome_problems(profile, clause_index, clause)
            kinds["outcomes"] = kinds.get("outcomes", 0) + sum(bool(i.get("outcomes")) for i in clause["items"])
            failures += [f"profile #{number}: {p}" for p in outcomes]
    assert not failures, f"{len(failures)} broken promises; first ones:\n" + "\n".join(failures[:10])
    wanted = {"eligibility", "eligibility+alternative", "tier", "cap_headroom", "cap_binds", "outcomes"}
    assert wanted <= set(kinds), f"the generator never reaches {sorted(wanted - set(kinds))}: {kinds}"


# ---- English as good as Chinese -----------------------------------------------------------------------------

CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
QUOTED = re.compile(r"“[^“”]*(?:“[^“”]*”[^“”]*)*”|「[^「」]*」|《[^《》]*》")
NOT_ENGLISH_SENTENCES = {"name", "item", "citation"}  # the firm's own names, and the policy's own Chinese text


def _english_strings(node):
    """Yield every string of an English result that is the calculator's words (not the firm's names or the
    policy's own Chinese text)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_ENGLISH_SENTENCES:
                yield from _english_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _english_strings(value)
    elif isinstance(node, str):
        yield node


def chinese_outside_quotes(sentence: str) -> list[str]:
    """Return the Chinese characters a sentence holds outside “quotes”, 「quotes」 and 《titles》."""
    return CJK.findall(QUOTED.sub("", sentence))


def test_every_english_string_of_every_result_has_chinese_only_in_quotes_and_titles():
    """Every English sentence of ~3,000 generated results: Chinese only inside quotes and 《titles》, plurals
    spelled out (never "firm(s)")."""
    problems = []
    for number, (_profile, result) in enumerate(generated_results()):
        for sentence in _english_strings(result):
            if chinese_outside_quotes(sentence) or "(s)" in sentence:
                problems.append(f"profile #{number}: {sentence}")
    assert not problems, f"{len(problems)} sentences; first ones:\n" + "\n".join(dict.fromkeys(problems[:10]))


def test_the_checker_sees_chinese_outside_quotes():
    assert chinese_outside_quotes("the applicant is an enterprise (支持企业开展关键核心技术研究)") != []
    assert chinese_outside_quotes("“在杭” (registered in Hangzhou) applies; “视觉芯片”: if …") == []
    assert chinese_outside_quotes("“Opinions on the “new plan”” (《关于实施“新制造业计划”的若干意见》, No. 17)") == []


def test_every_english_text_of_the_rulebook_glosses_the_chinese_it_quotes():
    """A Chinese quotation in the rulebook's English is followed by its translation in brackets, or is itself the
    original beside an English name: “在杭” (registered in Hangzhou), the “Phoenix Action” plan (“凤凰行动”)."""
    rulebook = load_rulebook()
    texts = [r["en"] for r in rulebook.readings]
    for clause in rulebook.clauses:
        texts += [clause.title["en"], *(r["en"] for r in clause.readings), *(n["en"] for n in clause.notes)]
        texts += [c.requires["en"] for c in (*clause.applies_when, *clause.conditions)]
        texts += [c.requires["en"] for r in clause.routes for c in (*r.applies_when, *r.conditions)]
        texts += [r.name["en"] for r in clause.routes]
        texts += [clause.refers_to["en"]] if clause.refers_to else []
        if clause.amount:
            texts += [t.name["en"] for t in clause.amount.tiers]
            texts += [c.requires["en"] for t in clause.amount.tiers for c in t.when]
    problems = []
    for text in texts:
        if chinese_outside_quotes(text):
            problems.append(f"Chinese outside quotes: {text}")
        for match in QUOTED.finditer(text):
            if CJK.search(match.group()) and not (text[match.end():].startswith(" (")
                                                   or text[:match.start()].endswith(("(", ", "))):
                problems.append(f"{match.group()} is not glossed: {text}")
    assert not problems, "\n".join(problems)


# ---- The edges the issue found, by hand ---------------------------------------------------------------------


def hints(profile, clause_id, lang="en"):
    result = evaluate_profile({"company": COMPANY, **profile}, lang)
    return next(c for c in result["clauses"] if c["id"] == clause_id)["hints"]


def test_the_incubator_share_grows_by_adding_ai_firms_to_both_numbers():
    [hint] = hints({"incubator": {"certified": True, "incubated_total": 5, "incubated_ai": 2}}, "incubator_bonus")
    assert [(c["field"], c["current"], c["target"]) for c in hint["changes"]] == [
        ("incubator.incubated_ai", 2, 5), ("incubator.incubated_total", 5, 8)]  # 5 of 8 = 62.5 %; 4 of 7 is 57 %
    [other] = hint["alternatives"]
    assert [(c["field"], c["target"]) for c in other["changes"]] == [("incubator.incubated_total", 3)]  # 2 of 3
    [hint] = hints({"incubator": {"certified": True, "incubated_total": 1, "incubated_ai": 0}}, "incubator_bonus")
    assert [c["target"] for c in hint["changes"]] == [2, 3] and "alternatives" not in hint  # 1 of 2 is only 50 %


def test_an_incubator_at_the_count_limit_is_offered_only_what_the_limit_allows():
    # 0 AI firms of 100,000 would need 150,001 more: past the 100,000 limit, and no other way exists.
    assert hints({"incubator": {"certified": True, "incubated_total": 100_000, "incubated_ai": 0}},
                 "incubator_bonus") == []
    [hint] = hints({"incubator": {"certified": True, "incubated_total": 100_000, "incubated_ai": 59_000}},
                   "incubator_bonus")
    assert [(c["field"], c["target"]) for c in hint["changes"]] == [("incubator.incubated_total", 98_333)]


def test_the_cap_binds_where_half_up_rounding_reaches_it():
    platform = {"name": "P", "actual_investment": "20000000", "good_service_results": True}
    [binds] = hints({"service_platforms": [dict(platform, hw_sw_investment="16666666.66")]}, "service_platform_subsidy")
    assert (binds["kind"], binds["binds_at_fen"], binds["changes"]) == ("cap_binds", 1_666_666_665, [])
    [headroom] = hints({"service_platforms": [dict(platform, hw_sw_investment="16666666.64")]},
                       "service_platform_subsidy")
    assert (headroom["kind"], headroom["target"], headroom["amount_after_fen"]) == ("cap_headroom", 1_666_666_665,
                                                                                  500_000_000)


def test_a_threshold_hint_meets_every_unmet_condition_at_once():
    platform = {"name": "P", "actual_investment": "4000000", "hw_sw_investment": "4000000",
                "good_service_results": False}
    [hint] = hints({"service_platforms": [platform]}, "service_platform_subsidy")
    assert [(c["field"], c["target"]) for c in hint["changes"]] == [
        ("service_platforms.0.actual_investment", 500_000_000), ("service_platforms.0.good_service_results", True)]
    assert (hint["status_after"], hint["amount_after_fen"]) == ("eligible", 120_000_000)
    assert hint["changes"][0]["label"] == "Service platform 1 “P”: actual investment"


def test_no_hints_where_the_firm_cannot_act():
    assert hints({"standards": {"international": 1, "national": 0}}, "standards_award") == []
    outside = evaluate_profile({"company": dict(COMPANY, registered_in_hangzhou=False),
                                "testing": {"fees": "1", "provider_accredited": False}}, "en")
    assert all(not c["hints"] for c in outside["clauses"])
