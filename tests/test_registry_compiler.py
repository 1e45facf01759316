"""The columnar evaluator compiled from rule files agrees with durable-rules on every condition kind of the format.

A rulebook written here uses every operator on every kind of field (money, count, flag, choice), a share, tiers
chosen by `when`, flat amounts with a quantity, every subject kind, `applies_when`, preconditions and a
self-declared condition; synthetic registries clustered on its own thresholds, and the differential test's
generated profiles, go through both evaluators row by row. A rule the compiler cannot express stops it with
the file and the field.
"""

import copy
import dataclasses

import numpy as np
import pyarrow as pa
import pytest
import yaml

from benchmarks.profiles import generate
from subsidy.engine import Engine
from subsidy.flat import flatten
from subsidy.registry import crosscheck, synth
from subsidy.registry.compiler import CompiledRulebook, CompileError
from subsidy.registry.screen import evaluate_registry
from subsidy.registry.tables import from_flat
from subsidy.registry.validate import RawList, RawRegistry, validate
from subsidy.rulebook import load_rulebook
from subsidy.rulefiles import OPERATORS, SUBJECT_KINDS
from subsidy.schemas import dump_profile, load_profile

WORDS = {"zh": "条件", "en": "condition"}


def cond(field, op, value, **extra):
    return {"field": field, "op": op, "value": value, "requires": WORDS, **extra}


def clause(clause_id, subject, conditions, amount=None, applies=(), kind="amount", basis="exact"):
    data = {"id": clause_id, "clause": "一", "kind": kind, "title": WORDS, "citation": "测试", "effective": "2019-11-20",
            "per": "item", "subject": subject, "applies_when": list(applies), "conditions": conditions}
    if kind == "amount":
        data.update(amount=amount, basis=basis)
    else:
        data["refers_to"] = WORDS
    return data


def tier(cap=None, per_unit=None, when=()):
    found = {"name": WORDS, "when": list(when)}
    found.update({"cap": cap} if cap is not None else {"per_unit": per_unit})
    return found


CLAUSES = [
    clause("list_rate", {"list": "rd_projects"}, [
        cond("item.rd_investment", "ge", 1_000_000),
        cond("company.entity_type", "in", ["enterprise", "university"]),
        cond("item.in_city_ai_special", "ne", False, self_declared=True),
        cond("company.entity_type", "ne", "research_institute"),
    ], {"base": "item.rd_investment", "rate": "12.5%", "tiers": [
        tier(cap=400_000, when=[cond("item.rd_investment", "lt", 5_000_000)]),
        tier(cap=900_000, when=[cond("item.rd_investment", "ge", 5_000_000)])]}),
    clause("list_money_le", {"list": "service_platforms"}, [
        cond("item.actual_investment", "le", 6_000_000),
        cond("item.actual_investment", "gt", 5_000_000),
        cond("item.good_service_results", "eq", True),
    ], {"base": "item.hw_sw_investment", "rate": "33.3333%", "tiers": [tier(cap=1_000_000)]}, basis="up_to"),
    clause("object_share", {"object": "incubator"}, [
        cond("item.incubated_ai", "ge", "50%", share_of="item.incubated_total"),
        cond("item.incubated_total", "le", 150),
        cond("item.incubated_total", "gt", 2),
        cond("item.incubated_ai", "ge", 1),
    ], {"tiers": [tier(per_unit=12_345)]}, applies=[cond("item.certified", "eq", True)]),
    clause("object_money_eq", {"object": "testing"}, [
        cond("item.fees", "ne", 0), cond("item.fees", "eq", 10_000_000),
    ], {"base": "item.fees", "rate": "7%", "tiers": [tier(cap=99)]}),
    clause("value_count", {"value": "new_national_key_labs"}, [
        cond("item.value", "lt", 3), cond("item.value", "ne", 2), cond("item.value", "eq", 1),
    ], {"quantity": "item.value", "tiers": [tier(per_unit=1_000)]}, applies=[cond("item.value", "gt", 0)]),
    clause("counts_tiers", {"counts": "standards"}, [
        cond("company.is_ai_enterprise", "eq", True), cond("item.count", "ge", 1),
    ], {"quantity": "item.count", "tiers": [
        tier(per_unit=500, when=[cond("item.kind", "eq", "international")]),
        tier(per_unit=200, when=[cond("item.kind", "ne", "international")])]},
        applies=[cond("item.count", "gt", 0)], basis="up_to"),
    clause("value_choice", {"value": "talent_team"}, [cond("item.value", "eq", "provincial")],
           {"tiers": [tier(per_unit=7)]}, applies=[cond("item.value", "ne", "none")]),
    clause("value_choice_in", {"value": "talent_team"}, [cond("item.value", "in", ["municipal"])],
           kind="referral"),
    clause("flag_referral", {"value": "referrals.top_talent"}, [cond("company.is_ai_enterprise", "ne", True)],
           kind="referral", applies=[cond("item.value", "eq", True)]),
]
POLICY = {"id": "test", "version": "every-kind", "date": "2019-11-20", "source": "x", "title": WORDS,
          "clauses": [c["id"] for c in CLAUSES],
          "preconditions": [cond("company.registered_in_hangzhou", "eq", True),
                            cond("company.entity_type", "ne", "university")]}


def write_rules(folder, clauses=CLAUSES, policy=POLICY):
    folder.mkdir(exist_ok=True)
    (folder / "_policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    for data in clauses:
        (folder / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_rulebook(folder)


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    rulebook = write_rules(tmp_path_factory.mktemp("rules"))
    return rulebook, Engine(rulebook)


def test_the_test_rulebook_uses_every_operator_subject_and_feature_of_the_format(every_kind):
    rulebook, _ = every_kind
    used, subjects, features = set(), set(), set()
    for found in rulebook.clauses:
        subjects.add(found.subject_kind)
        conditions = [*found.applies_when, *found.conditions]
        if found.amount:
            features.add("rate" if found.amount.rate is not None else "per_unit")
            features |= {"quantity"} if found.amount.quantity else set()
            features |= {"tiers"} if len(found.amount.tiers) > 1 else set()
            conditions += [c for t in found.amount.tiers for c in t.when]
        features |= {"applies_when"} if found.applies_when else set()
        features |= {"referral"} if found.is_referral else set()
        for condition in conditions:
            used.add((condition.kind, condition.op))
            features |= {"share_of"} if condition.share_of else set()
            features |= {"self_declared"} if condition.self_declared else set()
    wanted = {(kind, op) for kind, ops in OPERATORS.items() for op in ops}
    assert wanted <= used, f"not covered: {sorted(wanted - used)}"
    assert set(SUBJECT_KINDS) == subjects
    assert {"rate", "per_unit", "quantity", "tiers", "applies_when", "referral", "share_of", "self_declared"} <= features
    assert len(rulebook.preconditions) == 2


def test_a_registry_on_the_rulebooks_own_thresholds_agrees_row_by_row(every_kind):
    rulebook, engine = every_kind
    tables = synth.synthesize(3_000, rulebook, seed=7)
    typed = validate(_raw_from_tables(tables))
    run = evaluate_registry(typed, rulebook, engine, check=None)
    assert run.checked == typed.ok.sum() == 3_000
    reached = {c.id: set(np.unique(run.results[c.id].status)) for c in rulebook.clauses}
    assert all(len(codes) >= 2 for codes in reached.values()), reached


def test_the_differential_sets_profiles_agree_under_every_kind(every_kind):
    rulebook, engine = every_kind
    rows = [flatten(dump_profile(load_profile(copy.deepcopy(raw)))) for raw in generate(1_500, seed=11)]
    typed = validate(from_flat(_text_table(rows), np.arange(2, len(rows) + 2), "generated.csv"))
    assert not typed.errors
    run = evaluate_registry(typed, rulebook, engine, check=None)
    statuses = {status for c in rulebook.clauses for status in np.unique(run.results[c.id].status)}
    assert statuses == {0, 1, 2, 3}


def _text_table(rows):
    columns = sorted({key for row in rows for key in row})
    return pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})


def _raw_from_tables(tables):
    companies = tables["companies"]
    codes = companies.column("company.credit_code").to_pylist()
    row_of = {code: row for row, code in enumerate(codes)}
    lists = {}
    for name, table in tables.items():
        if name == "companies":
            continue
        owner = np.array([row_of[c] for c in table.column("company.credit_code").to_pylist()], dtype=np.int64)
        order = np.argsort(owner, kind="stable")
        lists[name] = RawList(owner[order], table.drop_columns(["company.credit_code"]).take(pa.array(order)),
                              np.arange(len(owner)) + 1, f"{name}.parquet")
    return RawRegistry(companies, np.arange(1, companies.num_rows + 1), "companies.parquet", lists)


def test_the_shipped_rulebook_compiles(app):
    CompiledRulebook(app.extensions["subsidy.engine"].rulebook)


def test_a_condition_the_compiler_cannot_read_names_the_file_and_field(every_kind):
    rulebook, _ = every_kind
    target = rulebook.by_id["list_rate"]
    odd = dataclasses.replace(target.conditions[0], kind="text")
    broken = dataclasses.replace(rulebook, clauses=(dataclasses.replace(target, conditions=(odd,)),))
    with pytest.raises(CompileError) as caught:
        CompiledRulebook(broken)
    assert "rules/list_rate.yaml: conditions.0.field" in str(caught.value)
    assert "'item.rd_investment'" in str(caught.value)


def test_an_operator_or_subject_the_compiler_does_not_know_stops_it(every_kind):
    rulebook, _ = every_kind
    target = rulebook.by_id["value_choice"]
    odd = dataclasses.replace(target.conditions[0], op="matches")
    with pytest.raises(CompileError, match=r"rules/value_choice.yaml: conditions.0.op: 'matches'"):
        CompiledRulebook(dataclasses.replace(rulebook, clauses=(dataclasses.replace(target, conditions=(odd,)),)))
    with pytest.raises(CompileError, match=r"rules/value_choice.yaml: subject: .*'graph'"):
        CompiledRulebook(dataclasses.replace(rulebook, clauses=(dataclasses.replace(target, subject_kind="graph"),)))


def test_a_rate_too_fine_for_int64_is_refused_with_the_file(every_kind):
    from fractions import Fraction

    rulebook, _ = every_kind
    target = rulebook.by_id["list_rate"]
    amount = dataclasses.replace(target.amount, rate=Fraction(123456789123, 1000000000000))
    with pytest.raises(CompileError, match=r"rules/list_rate.yaml: amount.rate"):
        CompiledRulebook(dataclasses.replace(rulebook, clauses=(dataclasses.replace(target, amount=amount),)))


def test_a_difference_from_the_engine_fails_loudly(every_kind):
    rulebook, engine = every_kind
    tables = synth.synthesize(3_000, rulebook, seed=3)
    typed = validate(_raw_from_tables(tables))
    results = CompiledRulebook(rulebook).run(typed)
    row = int(np.flatnonzero(results["list_rate"].amount > 0)[0])
    results["list_rate"].amount[row] += 1
    differences = crosscheck.compare(typed, results, [row], engine)
    assert len(differences) == 1 and "list_rate" in differences[0] and "durable-rules" in differences[0]
    # A run whose compiled rulebook is not the engine's (another rate) stops with every difference listed.
    from fractions import Fraction
    target = rulebook.by_id["list_rate"]
    other = dataclasses.replace(target, amount=dataclasses.replace(target.amount, rate=Fraction(1, 10)))
    changed = dataclasses.replace(rulebook, clauses=tuple(other if c.id == "list_rate" else c for c in rulebook.clauses))
    with pytest.raises(crosscheck.DifferenceError, match=r"difference\(s\) from the durable-rules engine"):
        evaluate_registry(typed, changed, engine, check=None)
