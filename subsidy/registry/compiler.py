"""Compile a Rulebook into a numpy evaluator over a validated registry: every clause, tier and number from rules/.

The evaluator reads the rulebook's Condition, Tier and Amount objects (never a copy of a clause) and does
what evaluation.judge_item does, for all items at once:
- an item is not applicable unless every `applies_when` condition holds; ineligible if a condition is unmet;
  incomplete if a fact it needs is missing; else eligible (a referral for a referral clause);
- the tier is the first whose `when` holds; the amount is min(rate × base half-up, cap) or per_unit × quantity;
- a clause takes the best status of its items (eligible > incomplete > ineligible > not applicable) and the
  sum of its eligible items; an applicant that fails the policy's preconditions is ineligible everywhere.
Money is int64 fen throughout; rate × base is rounded half-up in integers. Anything the evaluator cannot do
exactly stops compilation with a CompileError naming the rule file and the field.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..errors import RulebookError
from ..rulebook import Clause, Condition, Rulebook
from . import THREADS
from .layout import layout

NOT_APPLICABLE, INELIGIBLE, INCOMPLETE, POSITIVE = 0, 1, 2, 3  # the order a clause picks its items' best by
STATUS_NAMES = ("not_applicable", "ineligible", "incomplete")
_COMPARE = {"eq": np.equal, "ne": np.not_equal, "gt": np.greater, "ge": np.greater_equal, "lt": np.less,
            "le": np.less_equal}
HANDLED = {"money": {"eq", "ne", "gt", "ge", "lt", "le"}, "count": {"eq", "ne", "gt", "ge", "lt", "le"},
           "flag": {"eq", "ne"}, "choice": {"eq", "ne", "in"}}
SUBJECTS = ("list", "object", "value", "counts")
_SAFE = 2 ** 62  # every product the evaluator forms stays below this, so int64 never wraps


class CompileError(RulebookError):
    """A rule the columnar evaluator cannot express exactly."""

    def __init__(self, source: str, where: str, problem: str):
        super().__init__([f"rules/{source}: {where}: {problem} (the registry's columnar evaluator)"])


@dataclass
class Items:
    """The items one clause judges across the registry: each item's company row and its `item.*` values.

    A company-level subject (a value or an object section) has at most one item per company: its items are then
    the registry's rows themselves (owner is None) and `present` says which rows have one, so nothing is gathered
    from the company columns nor scattered back.
    """

    owner: np.ndarray | None
    fields: dict  # "value", leaf or "kind" → cells.Col-like (values, present)
    choices: dict  # field name → the codes its values index
    present: np.ndarray | None = None  # owner is None: the rows that have an item
    unique: bool = False  # no company has two items

    def __len__(self) -> int:
        return len(self.present) if self.owner is None else len(self.owner)


@dataclass
class ClauseResult:
    clause: Clause
    status: np.ndarray  # per company: NOT_APPLICABLE … POSITIVE
    amount: np.ndarray  # per company, fen

    @property
    def words(self) -> tuple[str, ...]:
        """The status word of each code, in code order."""
        return (*STATUS_NAMES, "referral" if self.clause.is_referral else "eligible")

    def status_word(self, row: int) -> str:
        return self.words[int(self.status[row])]


# A company-level subject given for fewer than this share of the companies is judged on its own rows (gathered
# and scattered back); a more common one on every row, masked, which saves the gathering.
SPARSE = 1 / 4


def _one_per_company(present: np.ndarray, fields: dict, choices: dict) -> Items:
    """Return the items of a subject a company has at most one of, dense or gathered by how common it is."""
    if present.sum() >= SPARSE * len(present):
        return Items(None, fields, choices, present)
    owner = np.flatnonzero(present)
    return Items(owner, {name: _Col(col.values[owner], col.present[owner]) for name, col in fields.items()}, choices,
                 unique=True)


class _Col:
    __slots__ = ("values", "present")

    def __init__(self, values, present):
        self.values, self.present = values, present


def _conditions(clause: Clause):
    yield "applies_when", clause.applies_when
    yield "conditions", clause.conditions
    for index, route in enumerate(clause.routes):
        yield f"routes.{index}.applies_when", route.applies_when
        yield f"routes.{index}.conditions", route.conditions
    if clause.amount:
        for index, tier in enumerate(clause.amount.tiers):
            yield f"amount.tiers.{index}.when", tier.when


class CompiledClause:
    """One clause, ready to run over Items."""

    def __init__(self, clause: Clause):
        self.clause = clause
        if clause.subject_kind not in SUBJECTS:
            raise CompileError(clause.source_file, "subject", f"the subject kind {clause.subject_kind!r} has no "
                               f"columnar reading; known: {', '.join(SUBJECTS)}")
        for where, conditions in _conditions(clause):
            for index, condition in enumerate(conditions):
                _check_condition(clause.source_file, f"{where}.{index}", condition)
        amount = clause.amount
        if amount and amount.rate is not None:
            rate = amount.rate
            if rate.numerator * rate.denominator * 2 >= _SAFE or rate > 1:
                raise CompileError(clause.source_file, "amount.rate", f"{rate} is too fine to compute in int64 fen")
            if any(tier.cap_fen is None for tier in amount.tiers):
                raise CompileError(clause.source_file, "amount.tiers", "a rate clause needs a cap on every tier")
        elif amount:
            if any(tier.per_unit_fen is None or tier.per_unit_fen * 100_000 >= _SAFE for tier in amount.tiers):
                raise CompileError(clause.source_file, "amount.tiers", "a flat amount needs a per_unit that times "
                                   "the largest count stays within int64 fen")

    def items(self, typed, sections: dict | None = None) -> Items:
        """Return the items this clause judges in a validated registry (validate.Typed).

        sections, shared by the clauses of one run, keeps where each object section is given.
        """
        clause, shape = self.clause, layout()
        kind, subject = clause.subject_kind, clause.subject
        if kind == "list":
            table = typed.lists[subject]
            return Items(table.owner, dict(table.fields),
                         {f"item.{leaf}": shape.choices(shape.item_path(subject, leaf))
                          for leaf in table.fields if shape.kinds[shape.item_path(subject, leaf)] == "choice"})
        if kind == "object":
            sections = {} if sections is None else sections
            if subject not in sections:
                sections[subject] = typed.section_present(subject)
            present = sections[subject]
            paths = shape.sections[subject]
            choices = {f"item.{path.split('.', 1)[1]}": shape.choices(path)
                       for path in paths if shape.kinds[path] == "choice"}
            return _one_per_company(present, {path.split(".", 1)[1]: typed.columns[path] for path in paths}, choices)
        if kind == "value":
            column = typed.columns[subject]
            choices = {"item.value": shape.choices(subject)} if shape.kinds[subject] == "choice" else {}
            return _one_per_company(column.present, {"value": column}, choices)
        # counts: one item per counted kind that is given, in the section's order.
        paths = shape.sections[subject]
        owners, kinds, counts = [], [], []
        for code, path in enumerate(paths):
            column = typed.columns[path]
            rows = np.flatnonzero(column.present)
            owners.append(rows)
            kinds.append(np.full(len(rows), code, dtype=np.int16))
            counts.append(column.values[rows])
        owner = np.concatenate(owners)
        ones = np.ones(len(owner), dtype=bool)
        return Items(owner, {"kind": _Col(np.concatenate(kinds), ones), "count": _Col(np.concatenate(counts), ones)},
                     {"item.kind": tuple(path.split(".", 1)[1] for path in paths)})

    def run(self, typed, items: Items, n: int, passes: np.ndarray | None = None,
            shared: dict | None = None) -> ClauseResult:
        """Judge every item, then give each company its clause's status and amount.

        passes: where a company meets the policy's preconditions (elsewhere it is ineligible, with no amount).
        shared: judgements of company-level conditions, kept across the clauses of one run.
        """
        clause = self.clause
        gathered = {}
        allowed = None
        if passes is not None:
            allowed = passes if items.owner is None else passes[items.owner]

        def column(name):
            if name.startswith("item."):
                return items.fields[name[5:]]
            if items.owner is None:
                return typed.columns[name]
            if name not in gathered:
                source = typed.columns[name]
                gathered[name] = _Col(source.values[items.owner], source.present[items.owner])
            return gathered[name]

        judged = {}

        def judge(condition: Condition):
            """Return (met, missing) for every item; a condition met in several places is judged once."""
            company = items.owner is None and shared is not None and not condition.field.startswith("item.") \
                and not (condition.share_of or "").startswith("item.")
            found, key = (shared, _key(condition)) if company else (judged, id(condition))
            if key not in found:
                found[key] = self._compare(condition, column, items)
            return found[key]

        # A clause with routes judges each item once per route (evaluation.judge_item, facts.subject_items):
        # the company takes the best status over its items and routes. Routes are referrals: no amount.
        status = amount = None
        for route in range(len(clause.routes)) if clause.routes else (None,):
            found, money = self._judge(judge, column, clause.applies_for(route), clause.conditions_for(route),
                                       items, allowed)
            status = found if status is None else np.maximum(status, found)
            amount = money if amount is None else amount + money
        # An item has an amount only where it is eligible, so a company has one only where its clause is.
        if items.owner is None:
            company_status, company_amount = status, amount
        elif items.unique:
            company_status = np.zeros(n, dtype=np.int8)
            company_status[items.owner] = status
            company_amount = np.zeros(n, dtype=np.int64)
            if amount is not None:
                company_amount[items.owner] = amount
        else:
            company_status = np.zeros(n, dtype=np.int8)
            np.maximum.at(company_status, items.owner, status)
            company_amount = np.zeros(n, dtype=np.int64)
            if amount is not None:
                np.add.at(company_amount, items.owner, amount)
        if company_amount is None:
            company_amount = np.zeros(n, dtype=np.int64)
        if passes is not None:
            company_status[np.flatnonzero(~passes)] = INELIGIBLE
        return ClauseResult(clause, company_status, company_amount)

    @staticmethod
    def _compare(condition: Condition, column, items: Items):
        left = column(condition.field)
        missing = ~left.present
        if condition.share_of:
            whole = column(condition.share_of)
            missing |= ~whole.present
            share = condition.value
            met = _COMPARE[condition.op](left.values * share.denominator, whole.values * share.numerator)
        elif condition.kind == "choice":
            choices = items.choices.get(condition.field) or layout().choices(condition.field)
            codes = [choices.index(v) for v in (condition.value if condition.op == "in" else (condition.value,))]
            met = left.values == codes[0]
            for code in codes[1:]:
                met |= left.values == code
            met = ~met if condition.op == "ne" else met
        else:
            met = _COMPARE[condition.op](left.values, condition.value)
        met &= left.present if not condition.share_of else ~missing
        return met, missing

    def _judge(self, judge, column, applies_when, conditions, items: Items, allowed: np.ndarray | None):
        """Return each item's status code and amount in fen under these conditions (priced only where allowed)."""
        clause = self.clause
        count = len(items)
        applies = np.ones(count, dtype=bool) if items.owner is not None else items.present.copy()
        for condition in applies_when:
            applies &= judge(condition)[0]
        unmet = np.zeros(count, dtype=bool)
        missing = np.zeros(count, dtype=bool)
        for condition in conditions:
            met, absent = judge(condition)
            unmet |= ~(met | absent)
            missing |= absent
        spec = clause.amount
        if spec:
            for name in (spec.base, spec.quantity):
                if name:
                    missing |= ~column(name).present
            tier = np.full(count, -1, dtype=np.int8)
            tier_missing = np.zeros(count, dtype=bool)
            for index, step in enumerate(spec.tiers):
                holds = np.ones(count, dtype=bool)
                for condition in step.when:
                    met, absent = judge(condition)
                    holds &= met
                    tier_missing |= absent
                tier[(tier < 0) & holds] = index
            missing |= (tier < 0) & tier_missing
        # Not applicable, else ineligible, else incomplete, else eligible: 3 - 2·unmet - (missing and not unmet).
        status = (POSITIVE - 2 * unmet.view(np.int8) - (missing & ~unmet).view(np.int8)) * applies.view(np.int8)
        if not spec:
            return status, None
        positive = status == POSITIVE
        gap = positive & (tier < 0)
        if gap.any():
            raise CompileError(clause.source_file, "amount.tiers",
                               f"{int(gap.sum())} item(s) meet every condition but no tier's `when`")
        return status, self._money(column, tier, positive if allowed is None else positive & allowed)

    def _money(self, column, tier: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """Return each eligible item's amount in fen: min(half-up(rate × base), cap), or per_unit × quantity."""
        spec = self.clause.amount
        rows = np.flatnonzero(positive)  # only eligible items are priced
        chosen = tier[rows]
        amount = np.zeros(len(positive), dtype=np.int64)
        if spec.rate is not None:
            caps = np.array([t.cap_fen for t in spec.tiers], dtype=np.int64)[chosen]
            base = column(spec.base).values[rows]
            num, den = spec.rate.numerator, spec.rate.denominator
            # base × num/den = q × num + r × num/den with r < den: no product passes num × den × 2.
            whole, rest = np.divmod(base, den)
            raw = whole * num + (2 * rest * num + den) // (2 * den)
            amount[rows] = np.minimum(raw, caps)
            return amount
        per_unit = np.array([t.per_unit_fen for t in spec.tiers], dtype=np.int64)[chosen]
        amount[rows] = per_unit * column(spec.quantity).values[rows] if spec.quantity else per_unit
        return amount


def _key(condition: Condition) -> tuple:
    """Return what makes two conditions the same test (their wording may differ)."""
    return condition.field, condition.op, repr(condition.value), condition.share_of


def _check_condition(source: str, where: str, condition: Condition):
    """Refuse a condition the evaluator has no exact reading of, naming the file and the field."""
    ops = HANDLED.get(condition.kind)
    if ops is None:
        raise CompileError(source, f"{where}.field", f"{condition.field!r} is a {condition.kind} field, which the "
                           "columnar evaluator cannot compare")
    if condition.op not in ops:
        raise CompileError(source, f"{where}.op", f"{condition.op!r} on the {condition.kind} field "
                           f"{condition.field!r} has no columnar reading")
    if condition.share_of:
        share = condition.value
        if condition.kind != "count" or share.numerator >= 2 ** 40 or share.denominator >= 2 ** 40:
            raise CompileError(source, f"{where}.share_of", "a share compares two counts with a percentage of at "
                               "most 12 significant digits")
    elif condition.kind in ("money", "count") and not (isinstance(condition.value, int) and
                                                       0 <= condition.value < _SAFE):
        raise CompileError(source, f"{where}.value", f"{condition.value!r} is not a whole number within int64")


class CompiledRulebook:
    """Every clause of a rulebook, compiled; run() gives each company's status and amount per clause."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        for index, condition in enumerate(rulebook.preconditions):
            _check_condition("_policy.yaml", f"preconditions.{index}", condition)
            if not condition.field.startswith("company."):
                raise CompileError("_policy.yaml", f"preconditions.{index}.field", "a precondition reads company.*")
        self.clauses = [CompiledClause(clause) for clause in rulebook.clauses]

    def run(self, typed) -> dict:
        """Return clause id → ClauseResult for every company of a validated registry."""
        n = typed.n
        passes = np.ones(n, dtype=bool)
        for condition in self.rulebook.preconditions:
            passes &= _precondition(condition, typed.columns[condition.field])
        sections, shared = {}, {}

        def one(compiled: CompiledClause) -> ClauseResult:
            return compiled.run(typed, compiled.items(typed, sections), n, passes, shared)

        # Clauses are independent and numpy lets go of the GIL: two threads share them (the caches they share
        # only ever gain the same value for a key).
        with ThreadPoolExecutor(THREADS) as pool:
            return {compiled.clause.id: result for compiled, result in zip(self.clauses, pool.map(one, self.clauses),
                                                                          strict=True)}


def _precondition(condition: Condition, column) -> np.ndarray:
    """Return where a company-level precondition holds (a missing fact does not hold)."""
    if condition.kind == "choice":
        choices = layout().choices(condition.field)
        codes = [choices.index(v) for v in (condition.value if condition.op == "in" else (condition.value,))]
        met = np.isin(column.values, codes)
        met = ~met if condition.op == "ne" else met
    else:
        met = _COMPARE[condition.op](column.values, condition.value)
    return met & column.present
