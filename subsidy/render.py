"""Turn an Evaluation into the result JSON of CONTRACT.md, in Chinese or English."""

from .evaluation import ELIGIBLE, REFERRAL, ClauseOutcome, Evaluation, ItemOutcome
from .hints import Hint, hints_for
from .labels import field_label, value_label
from .messages import pick, text
from .money import apply_rate, format_percent, format_yuan
from .rulebook import Condition


def _shown(value, kind, lang):
    if value is None:
        return text("absent", lang)
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if kind == "money":
        return format_yuan(value)
    if isinstance(value, str):
        return value_label(value, lang)
    return str(value)


def _reason(condition: Condition, values: dict, lang: str, code="reason_unmet") -> str:
    shown = _shown(values.get(condition.field), condition.kind, lang)
    if condition.share_of:
        shown = f"{shown} / {values.get(condition.share_of)}"
    return text(code, lang, requires=pick(condition.requires, lang), value=shown)


def _formula(clause, outcome: ItemOutcome, lang: str) -> str:
    money = outcome.money
    if money is None:
        return text("formula_none", lang)
    spec = clause.amount
    if spec.rate is not None:
        params = dict(rate=format_percent(spec.rate), base=format_yuan(outcome.item.values[spec.base]),
                      amount=format_yuan(money.amount_fen), raw=format_yuan(money.raw_fen),
                      cap=format_yuan(money.cap_fen))
        code = "formula_rate_capped" if money.capped else "formula_rate_free"
        if money.raw_fen == money.cap_fen:
            code = "formula_rate_at_cap"
        formula = text(code, lang, **params)
    else:
        formula = text("formula_flat", lang, per_unit=format_yuan(money.per_unit_fen), quantity=money.quantity,
                       amount=format_yuan(money.amount_fen))
    if clause.basis == "up_to":
        formula = text("formula_with_up_to", lang, formula=formula,
                       up_to=text("formula_up_to", lang, amount=format_yuan(money.amount_fen)))
    return formula


def _item_name(clause, outcome: ItemOutcome, lang: str) -> str:
    item = outcome.item
    if item.name:
        return item.name
    if item.label:
        return value_label(item.label, lang)
    return pick(clause.title, lang)


def _item_json(clause, outcome: ItemOutcome, precondition_unmet, lang: str) -> dict:
    values = outcome.item.values
    reasons = [_reason(c, values, lang, "reason_precondition") for c in precondition_unmet]
    reasons += [_reason(c, values, lang) for c in outcome.unmet]
    entry = {
        "name": _item_name(clause, outcome, lang),
        "status": outcome.status,
        "amount_fen": outcome.amount_fen,
        "formula": _formula(clause, outcome, lang),
        "reasons": reasons,
        "missing": [outcome.item.paths[f] for f in outcome.missing],
        "to_confirm": [outcome.item.paths[c.field] for c in outcome.confirm] if outcome.status == ELIGIBLE else [],
    }
    if outcome.money is not None:
        entry["tier"] = pick(clause.amount.tiers[outcome.tier].name, lang)
        entry["cap_fen"] = outcome.money.cap_fen
        entry["capped"] = outcome.money.capped
        if clause.amount.rate is not None:
            entry["rate"] = format_percent(clause.amount.rate)
            entry["base_fen"] = outcome.item.values[clause.amount.base]
        else:
            entry["per_unit_fen"] = outcome.money.per_unit_fen
            entry["quantity"] = outcome.money.quantity
    return entry


def _rate_per_yuan(rate) -> str:
    """Return what one more yuan of base adds: Fraction(1, 5) → "¥0.20"."""
    return format_yuan(apply_rate(rate, 100))


def _hint_json(clause, hint: Hint, lang: str) -> dict:
    item = hint.item.item
    path = item.paths.get(hint.field, hint.field) if hint.field else None
    label = field_label(path, lang) if path else ""
    kind = hint.condition.kind if hint.condition is not None else "money"
    show = lambda value: _shown(value, kind, lang)  # noqa: E731
    effect = (text("effect_amount", lang, amount=format_yuan(hint.amount_after_fen))
              if hint.amount_after_fen is not None else text("effect_other_conditions", lang))
    if hint.kind == "threshold":
        code = {"ge": "hint_short_ge", "gt": "hint_short_gt"}.get(hint.condition.op, "hint_over_le")
        words = text(code, lang, field_label=label, value=show(hint.current), threshold=show(hint.threshold),
                     delta=show(abs(hint.delta)), target=show(hint.target), effect=effect)
    elif hint.kind == "share":
        whole = item.values.get(hint.condition.share_of)
        percent = format_percent(hint.condition.value)
        if hint.target is None:
            words = text("hint_share_impossible", lang, percent=percent, ai=hint.current, total=whole)
        else:
            words = text("hint_share", lang, more=hint.delta, target=hint.target, total=whole, percent=percent,
                         effect=effect)
    elif hint.kind in ("cap_binds", "cap_headroom"):
        words = text(f"hint_{hint.kind}", lang, base_label=label, binds_at=show(hint.target),
                     cap=format_yuan(hint.threshold), base=show(hint.current), delta=show(hint.delta),
                     rate=_rate_per_yuan(clause.amount.rate))
    else:  # a tier with a higher cap
        words = text("hint_tier_flag" if kind == "flag" else "hint_tier", lang, field_label=label,
                     target=show(hint.target), tier=pick(clause.amount.tiers[hint.tier].name, lang),
                     cap=format_yuan(hint.threshold), amount=format_yuan(hint.amount_after_fen))
    if item.name:
        words = text("hint_item", lang, name=item.name, words=words)
    entry = {"kind": hint.kind, "item": _item_name(clause, hint.item, lang), "field": path,
             "current": hint.current, "target": hint.target, "text": words}
    if hint.delta is not None:
        entry["delta"] = hint.delta
    if hint.amount_after_fen is not None:
        entry["amount_after_fen"] = hint.amount_after_fen
    return entry


def clause_json(outcome: ClauseOutcome, company: dict, lang: str) -> dict:
    """Return one clause of the result."""
    clause = outcome.clause
    items = [_item_json(clause, item, outcome.precondition_unmet, lang) for item in outcome.items]
    reasons, missing = [], []
    if outcome.status not in (ELIGIBLE, REFERRAL):
        if outcome.precondition_unmet:
            reasons = [_reason(c, company, lang, "reason_precondition") for c in outcome.precondition_unmet]
        else:
            for item in items:
                reasons += [r for r in item["reasons"] if r not in reasons]
                missing += [m for m in item["missing"] if m not in missing]
    confirm = [text("confirm", lang, requires=pick(c.requires, lang))
               for item in outcome.items if item.status == ELIGIBLE for c in item.confirm]
    result = {
        "id": clause.id,
        "title": pick(clause.title, lang),
        "status": outcome.status,
        "basis": clause.basis,
        "amount_fen": outcome.amount_fen,
        "per": clause.per,
        "items": items,
        "reasons": reasons,
        "missing": missing,
        "needs_confirmation": list(dict.fromkeys(confirm)),
        "hints": [_hint_json(clause, hint, lang) for hint in hints_for(outcome)],
        "readings": [pick(reading, lang) for reading in clause.readings],
        "citation": {"clause": clause.clause, "text": clause.citation},
    }
    if clause.refers_to:
        result["refers_to"] = pick(clause.refers_to, lang)
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
        "clauses": [clause_json(outcome, company, lang) for outcome in evaluation.clauses],
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
