"""Turn an Evaluation into the result JSON of CONTRACT.md, in Chinese or English.

Every profile path the result names (`missing`, `to_confirm`, a hint's `field`) keeps its machine form and has a
label beside it in the result's language (`missing_labels`, …): pages and the PDF show only the labels.
"""

from .evaluation import ELIGIBLE, INCOMPLETE, REFERRAL, ClauseOutcome, Evaluation, ItemOutcome
from .explain import hint_json, item_name, may_rise_text, outcome_lines, shown
from .hints import hints_for
from .labels import path_label
from .messages import pick, text
from .money import format_percent, format_yuan
from .outcomes import outcomes_for
from .rulebook import Condition


def _reason(condition: Condition, values: dict, lang: str, code="reason_unmet") -> str:
    value = shown(values.get(condition.field), condition.kind, lang)
    if condition.share_of:
        value = f"{value} / {values.get(condition.share_of)}"
    return text(code, lang, requires=pick(condition.requires, lang), value=value)


def _precondition_reason(rulebook, condition: Condition, values: dict, lang: str) -> str:
    """Say which general condition failed, and that it is a reading where the rulebook says so."""
    code = "reason_precondition_reading" if rulebook.readings_about(condition.field) else "reason_precondition"
    return _reason(condition, values, lang, code)


def _formula(clause, outcome: ItemOutcome, words: dict, lang: str) -> str:
    money = outcome.money
    if money is None:
        return text("formula_none", lang)
    spec = clause.amount
    amount = format_yuan(money.amount_fen)
    if spec.rate is not None:
        code = "formula_rate_capped" if money.capped else "formula_rate_free"
        if money.raw_fen == money.cap_fen:
            code = "formula_rate_at_cap"
        # A wording shows the amount or, capped, the product before the cap: only that one is formatted.
        figure = {"raw": format_yuan(money.raw_fen)} if code == "formula_rate_capped" else {"amount": amount}
        formula = text(code, lang, rate=words["rate"], base=format_yuan(outcome.item.values[spec.base]),
                       cap=format_yuan(money.cap_fen), **figure)
    else:
        formula = text("formula_flat", lang, per_unit=format_yuan(money.per_unit_fen), quantity=money.quantity,
                       amount=amount)
    if clause.basis == "up_to":
        formula = text("formula_with_up_to", lang, formula=formula, up_to=text("formula_up_to", lang, amount=amount))
    return formula


def _labelled(paths: list[str], item_name_: str | None, lang: str) -> list[str]:
    return [path_label(path, lang, item_name_) for path in paths]


def _item_json(evaluation, clause_outcome: ClauseOutcome, outcome: ItemOutcome, words: dict, lang: str) -> dict:
    clause, precondition_unmet = clause_outcome.clause, clause_outcome.precondition_unmet
    item = outcome.item
    values = item.values
    reasons = [_precondition_reason(evaluation.rulebook, c, values, lang) for c in precondition_unmet]
    reasons += [_reason(c, values, lang) for c in outcome.unmet]
    missing = [item.paths[f] for f in outcome.missing]
    confirm = [item.paths[c.field] for c in outcome.confirm] if outcome.status in (ELIGIBLE, REFERRAL) else []
    entry = {
        "name": item_name(clause, outcome, lang),
        "status": outcome.status,
        "amount_fen": outcome.amount_fen,
        "formula": _formula(clause, outcome, words, lang),
        "reasons": reasons,
        "missing": missing,
        "missing_labels": _labelled(missing, item.name, lang),
        "to_confirm": confirm,
        "to_confirm_labels": _labelled(confirm, item.name, lang),
    }
    if outcome.money is not None:
        entry["tier"] = pick(clause.amount.tiers[outcome.tier].name, lang)
        entry["cap_fen"] = outcome.money.cap_fen
        entry["capped"] = outcome.money.capped
        if clause.amount.rate is not None:
            entry["rate"] = words["rate"]
            entry["base_fen"] = outcome.item.values[clause.amount.base]
        else:
            entry["per_unit_fen"] = outcome.money.per_unit_fen
            entry["quantity"] = outcome.money.quantity
    if outcome.status == INCOMPLETE:
        key = ("outcomes", item.key)  # worked out once, worded in each language
        if key not in clause_outcome.derived:
            clause_outcome.derived[key] = outcomes_for(clause, outcome)
        found = clause_outcome.derived[key]
        entry["outcomes"] = [{"answers": {item.paths[field]: answer for field, answer in o.answers},
                              "status": o.status, "amount_fen": o.amount_fen} for o in found]
        entry["outcomes_text"] = outcome_lines(clause, outcome, found, lang)
    return entry


def _confirmations(outcome: ClauseOutcome, lang: str) -> tuple[list[str], list[str], list[str]]:
    """Return the self-declared facts an officer must confirm: (sentences, paths, labels), one per fact."""
    sentences, paths, labels = [], [], []
    for item in outcome.items:
        if item.status not in (ELIGIBLE, REFERRAL):
            continue
        for condition in item.confirm:
            path = item.item.paths[condition.field]
            if path in paths:
                continue
            requires = pick(condition.requires, lang)
            named = condition.field.startswith("item.") and item.item.name
            sentence = (text("confirm_item", lang, name=item.item.name, requires=requires) if named
                        else text("confirm", lang, requires=requires))
            sentences.append(sentence[:1].upper() + sentence[1:])
            paths.append(path)
            labels.append(path_label(path, lang, item.item.name))
    return sentences, paths, labels


_STATIC: dict[tuple, tuple] = {}


def _static(rulebook, clause, lang: str) -> dict:
    """Return the words of a clause that no profile changes (title, rate, readings, notes, referral), once per
    language.

    The readings beside a clause are its own and those of the policy about a field its conditions name.
    """
    known = _STATIC.get((id(clause), lang))
    if known is None or known[0] is not clause:
        fields = {c.field for c in (*clause.conditions, *(c for r in clause.routes for c in r.conditions))}
        shared = [r for field in sorted(fields) for r in rulebook.readings_about(field)]
        words = {"title": pick(clause.title, lang), "readings": [pick(r, lang) for r in (*shared, *clause.readings)],
                 "notes": [pick(note, lang) for note in clause.notes]}
        if clause.amount is not None and clause.amount.rate is not None:
            words["rate"] = format_percent(clause.amount.rate)
        if clause.refers_to:
            words["refers_to"] = pick(clause.refers_to, lang)
            words["documents"] = [{"number": pick(d["number"], lang), "title": pick(d["title"], lang)}
                                  for d in clause.documents]
        known = _STATIC[(id(clause), lang)] = (clause, words)
    return known[1]


def _readings(evaluation, outcome: ClauseOutcome, words: dict, lang: str) -> list[str]:
    """Return the readings shown beside a clause, with the reading behind a general condition the applicant fails."""
    if not outcome.precondition_unmet:
        return list(words["readings"])
    failed = [pick(r, lang) for c in outcome.precondition_unmet for r in evaluation.rulebook.readings_about(c.field)]
    return [*failed, *(r for r in words["readings"] if r not in failed)]


def clause_json(evaluation: Evaluation, outcome: ClauseOutcome, company: dict, lang: str) -> dict:
    """Return one clause of the result."""
    clause = outcome.clause
    words = _static(evaluation.rulebook, clause, lang)
    items = [_item_json(evaluation, outcome, item, words, lang) for item in outcome.items]
    reasons, missing, labels = [], [], []
    if outcome.status not in (ELIGIBLE, REFERRAL):
        if outcome.precondition_unmet:
            reasons = [_precondition_reason(evaluation.rulebook, c, company, lang) for c in outcome.precondition_unmet]
        else:
            for item in items:
                reasons += [r for r in item["reasons"] if r not in reasons]
    # The gaps of every incomplete item, also where other items already make the clause eligible.
    for item in items:
        if item["status"] == INCOMPLETE:
            for path, label in zip(item["missing"], item["missing_labels"], strict=True):
                if path not in missing:
                    missing.append(path)
                    labels.append(label)
    sentences, confirm_paths, confirm_labels = _confirmations(outcome, lang)
    result = {
        "id": clause.id,
        "title": words["title"],
        "status": outcome.status,
        "basis": clause.basis,
        "amount_fen": outcome.amount_fen,
        "per": clause.per,
        "items": items,
        "reasons": reasons,
        "missing": missing,
        "missing_labels": labels,
        "needs_confirmation": sentences,
        "needs_confirmation_paths": confirm_paths,
        "needs_confirmation_labels": confirm_labels,
        "hints": [hint_json(outcome, hint, lang) for hint in hints_for(outcome)],
        "readings": _readings(evaluation, outcome, words, lang),
        "notes": list(words["notes"]),
        "citation": {"clause": clause.clause, "text": clause.citation},
    }
    if outcome.status == ELIGIBLE and missing:
        result["may_rise"] = True
        result["may_rise_text"] = may_rise_text(outcome, items, lang)
    if clause.refers_to:
        result["refers_to"] = words["refers_to"]
        result["documents"] = [dict(document) for document in words["documents"]]
    return result


def result_json(evaluation: Evaluation, lang: str) -> dict:
    """Return the contract's result JSON for an evaluation, with all words in lang."""
    company = {f"company.{k}": v for k, v in evaluation.profile["company"].items()}
    policy = evaluation.rulebook.policy
    exact = evaluation.total("exact")
    up_to = evaluation.total("up_to")
    return {
        "policy": {"id": policy["id"], "version": policy["version"], "date": policy["date"].isoformat(),
                   "title": pick(policy["title"], lang), "source": policy["source"]},
        "lang": lang,
        "clauses": [clause_json(evaluation, outcome, company, lang) for outcome in evaluation.clauses],
        "readings": [pick(reading, lang) for reading in evaluation.rulebook.readings],
        "total_fen": exact + up_to,
        "total_exact_fen": exact,
        "total_up_to_fen": up_to,
    }


def summary_json(evaluation: Evaluation) -> dict:
    """Return only the figures of a result (status and amount per clause, the totals): what a batch file needs.

    Built straight from the evaluation, without the words, so screening thousands of firms stays fast.
    """
    exact, up_to = evaluation.total("exact"), evaluation.total("up_to")
    return {"total_fen": exact + up_to, "total_exact_fen": exact, "total_up_to_fen": up_to,
            "clauses": [{"id": o.clause.id, "status": o.status, "amount_fen": o.amount_fen}
                        for o in evaluation.clauses]}
