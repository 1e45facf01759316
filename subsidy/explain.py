"""The words of hints and outcomes: each change a hint proposes, what it would give, and the answers an incomplete
item waits for, in Chinese or English. Nothing here decides: hints.py and outcomes.py have judged every case.
"""

from .evaluation import ELIGIBLE, INCOMPLETE, INELIGIBLE, REFERRAL, ClauseOutcome, ItemOutcome
from .hints import Change, Hint, Option
from .labels import QUESTIONS, field_label, path_label, section_noun, value_label
from .messages import pick, plural, text
from .money import base_where_cap_binds, format_per_yuan, format_yuan
from .outcomes import Outcome, most_fen, same_everywhere


def shown(value, kind, lang):
    """Return a value as words: yes/no, ¥ amounts, codes by their label."""
    if value is None:
        return text("absent", lang)
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if kind == "money":
        return format_yuan(value)
    if isinstance(value, str):
        return value_label(value, lang)
    return str(value)


def item_name(clause, outcome: ItemOutcome, lang: str) -> str:
    """Return how the result names an item: the firm's name for it, its kind, its route, or the clause title."""
    item = outcome.item
    if item.name:
        return item.name
    if item.label:
        return value_label(item.label, lang)
    if item.route is not None:
        return pick(clause.routes[item.route].name, lang)
    return pick(clause.title, lang)


def _sentence(words: str, lang: str) -> str:
    """Finish a sentence: capitalised and with a full stop in English, a 。 in Chinese."""
    if lang == "en":
        words = words[:1].upper() + words[1:]
        return words if words.endswith(".") else words + "."
    return words if words.endswith("。") else words + "。"


def _change_words(change: Change, changes: tuple[Change, ...], item, lang: str) -> str | None:
    """Return one proposed change in words, or None for a change another one already says."""
    path = item.paths.get(change.field, change.field)
    label = field_label(path, lang)
    show = lambda value: shown(value, change.kind, lang)  # noqa: E731
    if change.way == "share_add":
        if change.field != change.condition.field:
            return None  # the whole grows with the part: the part's words say both
        whole = next(c for c in changes if c.field == change.condition.share_of)
        return plural("more_ai_firms", change.target - change.current, lang, ai=change.target, total=whole.target)
    if change.way == "share_fewer":
        part = item.values[change.condition.field]
        return plural("fewer_other_firms", change.current - change.target, lang, ai=part, total=change.target)
    if change.way == "companion":
        return None
    if change.kind == "flag":
        return text("change_condition", lang, requires=pick(change.condition.requires, lang),
                    current=show(change.current))
    op = change.condition.op if change.condition is not None else "ge"
    if change.way == "base" or op == "ge":
        return text("change_reach", lang, label=label, target=show(change.target), current=show(change.current),
                    delta=show(change.target - change.current))
    if op == "gt":
        return text("change_above", lang, label=label, threshold=show(change.condition.value),
                    target=show(change.target), current=show(change.current))
    return text("change_at_most", lang, label=label, target=show(change.target), current=show(change.current))


def _changes_words(changes: tuple[Change, ...], item, lang: str) -> str:
    words = [w for w in (_change_words(c, changes, item, lang) for c in changes) if w]
    joined = ("，且" if lang != "en" else " and ").join(words)
    return joined + _companions_words(changes, item, lang)


def _companions_words(changes: tuple[Change, ...], item, lang: str) -> str:
    return "".join(text("change_companion", lang, label=field_label(item.paths.get(c.field, c.field), lang),
                        target=shown(c.target, c.kind, lang)) for c in changes if c.way == "companion")


def _effect(outcome: ClauseOutcome, hint: Hint, option: Option, lang: str) -> str:
    after = option.item_after
    up_to = outcome.clause.basis == "up_to"
    increase = format_yuan(option.clause_amount_after_fen - outcome.amount_fen)
    if after.status == ELIGIBLE:
        amount = option.clause_amount_after_fen if hint.company_only else after.amount_fen
        return text("effect_gives_up_to" if up_to else "effect_gives", lang, amount=format_yuan(amount),
                    increase=increase)
    if after.status == REFERRAL:
        return text("effect_referral", lang)
    labels = [path_label(after.item.paths[f], lang, after.item.name) for f in after.missing]
    return text("effect_still_missing", lang, labels=text("list_separator", lang).join(labels))


def _hint_words(outcome: ClauseOutcome, hint: Hint, lang: str) -> str:
    clause, item = outcome.clause, hint.item.item
    if hint.kind in ("cap_binds", "cap_headroom"):
        base = item.values[clause.amount.base]
        label = field_label(item.paths[clause.amount.base], lang)
        companion = _companions_words(hint.options[0].changes, item, lang) if hint.options else ""
        words = text(f"hint_{hint.kind}", lang, base_label=label, binds_at=format_yuan(hint.binds_at_fen),
                     cap=format_yuan(hint.cap_fen), base=format_yuan(base),
                     delta=format_yuan(hint.binds_at_fen - base),
                     rate=format_per_yuan(clause.amount.rate), companion=companion)
    elif hint.kind == "tier":
        option = hint.options[0]
        words = text("hint_tier", lang, changes=_changes_words(option.changes, item, lang),
                     tier=pick(clause.amount.tiers[hint.tier].name, lang), cap=format_yuan(hint.cap_fen),
                     effect=_effect(outcome, hint, option, lang))
        if option.item_after.amount_fen < hint.cap_fen:  # the new tier pays more with every further yuan
            binds_at = base_where_cap_binds(clause.amount.rate, hint.cap_fen)
            words = text("hint_tier_onward", lang, words=words, rate=format_per_yuan(clause.amount.rate),
                         base_label=field_label(item.paths[clause.amount.base], lang), binds_at=format_yuan(binds_at))
    else:
        first, *others = hint.options
        words = text("hint_if", lang, changes=_changes_words(first.changes, item, lang),
                     effect=_effect(outcome, hint, first, lang))
        for other in others:
            words = text("hint_alternative", lang, words=words, changes=_changes_words(other.changes, item, lang))
    if item.name and not hint.company_only:
        words = text("hint_item", lang, name=item.name, words=words)
    return _sentence(words, lang)


def _changes_json(changes: tuple[Change, ...], item, lang: str) -> list[dict]:
    paths = [item.paths.get(c.field, c.field) for c in changes]
    return [{"field": path, "label": path_label(path, lang, item.name), "current": c.current, "target": c.target}
            for path, c in zip(paths, changes, strict=True)]


def _promise(option: Option) -> dict:
    return {"status_after": option.item_after.status, "amount_after_fen": option.item_after.amount_fen,
            "clause_status_after": option.clause_status_after,
            "clause_amount_after_fen": option.clause_amount_after_fen}


def hint_json(outcome: ClauseOutcome, hint: Hint, lang: str) -> dict:
    """Return one hint of a clause: what to change (paths, labels, values), what it gives, and its words."""
    item = hint.item.item
    entry = {"kind": hint.kind, "item": item_name(outcome.clause, hint.item, lang), "item_index": item.index,
             "text": _hint_words(outcome, hint, lang)}
    if hint.options:
        first, *others = hint.options
        main = next(c for c in first.changes if c.way != "companion")
        entry.update(field=item.paths.get(main.field, main.field), current=main.current, target=main.target,
                     changes=_changes_json(first.changes, item, lang), **_promise(first))
        if main.kind in ("money", "count"):
            entry["delta"] = main.target - main.current
        if others:
            entry["alternatives"] = [{"changes": _changes_json(o.changes, item, lang), **_promise(o)} for o in others]
    else:  # where the cap binds: nothing to change, only the edge to know
        base = outcome.clause.amount.base
        entry.update(field=item.paths[base], current=item.values[base], target=hint.binds_at_fen, changes=[])
    if hint.cap_fen is not None:
        entry["cap_fen"] = hint.cap_fen
    if hint.binds_at_fen is not None:
        entry["binds_at_fen"] = hint.binds_at_fen
    return entry


def _question(path: str, lang: str) -> str:
    zh, en = QUESTIONS.get(path.rsplit(".", 1)[-1]) or (field_label(path, "zh"), field_label(path, "en"))
    return zh if lang != "en" else en


def _outcome_effect(clause, outcome: Outcome, lang: str) -> str:
    if outcome.status == ELIGIBLE:
        code = "outcome_amount_up_to" if clause.basis == "up_to" else "outcome_amount"
        return text(code, lang, amount=format_yuan(outcome.amount_fen))
    return text({REFERRAL: "outcome_referral", INELIGIBLE: "outcome_ineligible",
                 INCOMPLETE: "outcome_incomplete"}[outcome.status], lang)


def outcome_lines(clause, item: ItemOutcome, outcomes: list[Outcome], lang: str) -> list[str]:
    """Return what an incomplete item gives under each answer to its missing yes/no facts, one line each; one line
    only when the answers cannot change it."""
    if not outcomes:
        return []
    paths = item.item.paths
    if same_everywhere(outcomes):
        questions = text("and_separator", lang).join(f"“{_question(paths[f], lang)}”" if lang != "en"
                                                      else _question(paths[f], lang) for f, _ in outcomes[0].answers)
        return [text("outcome_same", lang, questions=questions, effect=_outcome_effect(clause, outcomes[0], lang))]
    lines = []
    for outcome in outcomes:
        answers = text("and_separator", lang).join(
            text("outcome_answer", lang, question=_question(paths[f], lang), answer=text("yes" if a else "no", lang))
            for f, a in outcome.answers)
        lines.append(text("outcome_if", lang, answers=answers, effect=_outcome_effect(clause, outcome, lang)))
    return lines


def may_rise_text(outcome: ClauseOutcome, items: list[dict], lang: str) -> str:
    """Say that an eligible clause's total may rise once its incomplete items are completed, and by how much."""
    incomplete = [item for item in items if item["status"] == INCOMPLETE]
    count = len(incomplete)
    noun = section_noun(outcome.clause.subject.split(".")[0], lang, count)
    labels = text("list_separator", lang).join(label for item in incomplete for label in item["missing_labels"])
    up_to = ""
    if all(item.get("outcomes") for item in incomplete):
        most = sum(most_fen([Outcome((), o["status"], o["amount_fen"]) for o in item["outcomes"]])
                   for item in incomplete)
        up_to = text("may_rise_up_to", lang, amount=format_yuan(most))
    return _sentence(text("may_rise", lang, entries=plural("more_entries", count, lang, noun=noun), labels=labels,
                          up_to=up_to), lang)
