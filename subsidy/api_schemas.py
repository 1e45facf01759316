"""What the JSON API answers, as marshmallow schemas: the OpenAPI document's response types.

They only describe: the views build plain dicts. Every response schema allows fields it does not list
(unknown=INCLUDE → additionalProperties: true), so a field added to an answer later breaks no generated client.
Request schemas are the profile's own (subsidy/schemas.py), which refuse unknown fields.
"""

from marshmallow import INCLUDE, RAISE, Schema, fields

from .review import STATUSES as FILING_STATUSES

STATUSES = ["eligible", "ineligible", "incomplete", "not_applicable", "referral"]
BASES = ["exact", "up_to"]
LANGUAGES = ["zh", "en"]


def _url(description: str) -> fields.String:
    return fields.String(required=True, metadata={"format": "uri", "description": description})


def _fen(description: str, **kwargs) -> fields.Integer:
    return fields.Integer(metadata={"description": f"{description} In integer fen (分): 100 fen = ¥1."}, **kwargs)


class Document(Schema):
    """Base of every response schema: more fields may come."""

    class Meta:
        unknown = INCLUDE


class ItemOutcome(Document):
    answers = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount_fen = _fen("The item's amount under these answers.", required=True)


class ItemResult(Document):
    name = fields.String(required=True, metadata={"description": "The project, platform or unit the line is for."})
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount_fen = _fen("The amount for this item.", required=True)
    formula = fields.String(required=True, metadata={"description": "How the amount was computed, in words."})
    reasons = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True, metadata={"description": "Profile paths still needed."})
    missing_labels = fields.List(fields.String(), metadata={"description": "Each missing path, in words."})
    to_confirm = fields.List(fields.String(), metadata={"description": "Profile paths of self-declared facts."})
    to_confirm_labels = fields.List(fields.String(), metadata={"description": "Each path to confirm, in words."})
    outcomes = fields.List(fields.Nested(ItemOutcome), metadata={
        "description": "For an item incomplete only for yes/no facts: its status and amount under each answer."})
    outcomes_text = fields.List(fields.String())
    tier = fields.String()
    cap_fen = _fen("The cap that applies, or null where the clause has none.", allow_none=True)
    capped = fields.Boolean(metadata={"description": "Whether the cap bound."})
    rate = fields.String(metadata={"description": "The clause's rate, e.g. 20%, where it has one."})
    base_fen = _fen("The base the rate applies to.")
    per_unit_fen = _fen("The flat amount per unit.")
    quantity = fields.Integer()


class Change(Document):
    field = fields.String(required=True, metadata={"description": "The profile path to change."})
    label = fields.String(required=True, metadata={"description": "The same path, in words."})
    current = fields.Raw(allow_none=True)
    target = fields.Raw(required=True, metadata={"description": "Money in fen, counts, flags."})


class Promise(Document):
    changes = fields.List(fields.Nested(Change), required=True)
    status_after = fields.String(metadata={"enum": STATUSES})
    amount_after_fen = _fen("The item's amount once the changes are made.")
    clause_status_after = fields.String(metadata={"enum": STATUSES})
    clause_amount_after_fen = _fen("The clause's amount once the changes are made.")


class Hint(Promise):
    kind = fields.String(required=True, metadata={"enum": ["eligibility", "tier", "cap_headroom", "cap_binds"]})
    item = fields.String(required=True)
    item_index = fields.Integer()
    field = fields.String(allow_none=True, metadata={"description": "The profile path the hint is about."})
    current = fields.Raw(allow_none=True)
    target = fields.Raw(allow_none=True)
    delta = fields.Integer()
    cap_fen = _fen("The cap the hint is about.")
    binds_at_fen = _fen("The base from which the cap binds.")
    alternatives = fields.List(fields.Nested(Promise), metadata={"description": "Other ways to the same result."})
    text = fields.String(required=True)


class ReferralDocument(Document):
    number = fields.String(required=True, metadata={"description": "The document's number, e.g. 市委〔2019〕17号."})
    title = fields.String(required=True)


class Citation(Document):
    clause = fields.String(required=True, metadata={"description": "The clause number in the policy: 一, 二 …"})
    text = fields.String(required=True, metadata={"description": "The quoted policy text."})


class ClauseResult(Document):
    id = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    basis = fields.String(required=True, metadata={"enum": BASES, "description": "exact, or up_to: a ceiling."})
    amount_fen = _fen("The clause's amount.", required=True)
    per = fields.String(required=True, metadata={"description": "What one amount is for: project, platform …"})
    items = fields.List(fields.Nested(ItemResult), required=True)
    reasons = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True)
    missing_labels = fields.List(fields.String(), metadata={"description": "Each missing path, in words."})
    needs_confirmation = fields.List(fields.String(), required=True)
    needs_confirmation_paths = fields.List(fields.String())
    needs_confirmation_labels = fields.List(fields.String())
    may_rise = fields.Boolean(metadata={"description": "Eligible, with incomplete items that may add to it."})
    may_rise_text = fields.String()
    hints = fields.List(fields.Nested(Hint), required=True,
                        metadata={"description": "The smallest changes that would change the result."})
    readings = fields.List(fields.String(), required=True,
                           metadata={"description": "Readings taken where the text leaves room: not the text."})
    notes = fields.List(fields.String())
    citation = fields.Nested(Citation, required=True)
    refers_to = fields.String(metadata={"description": "Where a referral clause is supported instead."})
    documents = fields.List(fields.Nested(ReferralDocument))


class Policy(Document):
    id = fields.String(required=True)
    version = fields.String(required=True)
    date = fields.Date(required=True)
    title = fields.String(required=True)
    source = fields.String(required=True)


class Result(Document):
    policy = fields.Nested(Policy, required=True)
    lang = fields.String(required=True, metadata={"enum": LANGUAGES})
    clauses = fields.List(fields.Nested(ClauseResult), required=True)
    total_fen = _fen("Every clause's amount added up.", required=True)
    total_exact_fen = _fen("The exact amounts added up.", required=True)
    total_up_to_fen = _fen("The ceilings (basis up_to) added up.", required=True)
    readings = fields.List(fields.String(), metadata={"description": "Readings the whole policy takes."})


class Tier(Document):
    name = fields.String(required=True)
    cap_fen = _fen("The tier's cap, or null.", required=True, allow_none=True)
    per_unit_fen = _fen("The tier's flat amount per unit, or null.", required=True, allow_none=True)


class CatalogueClause(Document):
    id = fields.String(required=True)
    clause = fields.String(required=True, metadata={"description": "The clause number in the policy: 一, 二 …"})
    kind = fields.String(required=True, metadata={"enum": ["amount", "referral"]})
    title = fields.String(required=True)
    basis = fields.String(required=True, allow_none=True,
                          metadata={"enum": [*BASES, None], "description": "null for a referral clause."})
    per = fields.String(required=True)
    citation = fields.Nested(Citation, required=True)
    readings = fields.List(fields.String(), required=True)
    effective = fields.Date(required=True)
    rate = fields.String(allow_none=True, metadata={"description": "e.g. 20%; null for a flat amount."})
    tiers = fields.List(fields.Nested(Tier))
    refers_to = fields.String()


class Catalogue(Document):
    policy = fields.Nested(Policy, required=True)
    clauses = fields.List(fields.Nested(CatalogueClause), required=True)


class PolicyVersion(Document):
    id = fields.String(required=True)
    version = fields.String(required=True)


class AssessmentLinks(Document):
    self = _url("This assessment in the API (GET, PUT).")
    page = _url("The result page for people.")
    pdf = _url("The PDF estimate of this revision.")
    verify = _url("The verification page for people.")
    verify_api = _url("The JSON verification (verifyEstimate).")
    submit = _url("POST here to submit for review.")
    decision_pdf = fields.String(metadata={"format": "uri", "description": "The decision PDF, once decided."})


class TimelineStep(Document):
    step = fields.String(required=True, metadata={"enum": ["saved", "revised", "submitted", "under_review", "decided"]})
    at = fields.DateTime(required=True, allow_none=True, metadata={"description": "null for a step still to come."})
    done = fields.Boolean(required=True)
    text = fields.String(required=True)
    revision = fields.Integer()


class ClauseDecision(Document):
    id = fields.String(required=True)
    clause = fields.String(required=True)
    title = fields.String(required=True)
    basis = fields.String(required=True, metadata={"enum": BASES})
    estimate_status = fields.String(required=True, metadata={"enum": STATUSES})
    estimate_fen = _fen("The firm's estimate for the clause.", required=True)
    verified_status = fields.String(required=True, metadata={"enum": STATUSES})
    verified_fen = _fen("The amount recomputed from the verified values.", required=True)
    decision = fields.String(required=True, allow_none=True, metadata={"enum": ["approve", "reject", None]})
    decision_text = fields.String(required=True, allow_none=True)
    approved_fen = _fen("The approved amount.", required=True)
    note = fields.String(required=True, metadata={"description": "The officer's note on the clause."})


class Decision(Document):
    final = fields.String(required=True, metadata={"enum": ["approved", "partly_approved", "rejected"]})
    final_text = fields.String(required=True)
    note = fields.String(required=True)
    decided_at = fields.DateTime(required=True)
    clauses = fields.List(fields.Nested(ClauseDecision), required=True)
    approved_exact_fen = _fen("The approved exact amounts added up.", required=True)
    approved_up_to_fen = _fen("The approved ceilings added up.", required=True)


class FieldChange(Document):
    path = fields.String(required=True, metadata={"description": "The profile path."})
    label = fields.String(required=True, metadata={"description": "The same path, in words."})
    before = fields.Raw(required=True, allow_none=True, metadata={"description": "As stored; null if absent."})
    after = fields.Raw(required=True, allow_none=True)
    before_text = fields.String(required=True, allow_none=True)
    after_text = fields.String(required=True, allow_none=True)
    before_fen = fields.Integer()
    after_fen = fields.Integer()
    tenfold = fields.Boolean(metadata={"description": "A money change of more than tenfold either way."})


class ClauseChange(Document):
    id = fields.String(required=True)
    clause = fields.String(required=True)
    title = fields.String(required=True)
    basis = fields.String(required=True, metadata={"enum": BASES})
    before_status = fields.String(required=True, metadata={"enum": STATUSES})
    after_status = fields.String(required=True, metadata={"enum": STATUSES})
    before_fen = fields.Integer(required=True)
    after_fen = fields.Integer(required=True)
    difference_fen = fields.Integer(required=True)


class TotalChange(Document):
    before_fen = fields.Integer(required=True)
    after_fen = fields.Integer(required=True)
    difference_fen = fields.Integer(required=True)


class Changes(Document):
    against_revision = fields.Integer(required=True)
    fields_ = fields.List(fields.Nested(FieldChange), required=True, data_key="fields")
    clauses = fields.List(fields.Nested(ClauseChange), required=True)
    totals = fields.Dict(keys=fields.String(), values=fields.Nested(TotalChange), required=True)


class Submission(Schema):
    """The optional body of a submission: where to tell the firm of its progress."""

    class Meta:
        unknown = RAISE

    email = fields.Email(metadata={"description": "Told by email at submission and at decision, when the "
                                                  "service sends mail."})


class Assessment(Document):
    token = fields.String(required=True, metadata={"description": "The unguessable key of this assessment: keep "
                                                                  "it private; it is the {token} of the paths."})
    reference = fields.String(required=True, metadata={"description": "The readable reference printed on the PDF."})
    revision = fields.Integer(required=True)
    revisions = fields.List(fields.Integer(), required=True)
    status = fields.String(required=True, metadata={"enum": list(FILING_STATUSES)})
    code = fields.String(required=True, metadata={"description": "The verification code printed on the PDF."})
    created_at = fields.DateTime(required=True)
    revision_created_at = fields.DateTime(required=True)
    policy = fields.Nested(PolicyVersion, required=True)
    profile = fields.Raw(required=True)  # typed as StoredProfile by subsidy/openapi.py
    result = fields.Nested(Result, required=True)
    links = fields.Nested(AssessmentLinks, required=True)
    timeline = fields.List(fields.Nested(TimelineStep), required=True,
                           metadata={"description": "Saved, each revision, submitted, under review, decided."})
    decision = fields.Nested(Decision, required=True, allow_none=True,
                             metadata={"description": "The officer's decision; null until decided."})
    next_steps = fields.String(required=True, metadata={"description": "What the firm does next, in words."})
    changes = fields.Nested(Changes, required=True, allow_none=True,
                            metadata={"description": "Against the previous revision; null for revision 1."})


class Recomputed(Document):
    available = fields.Boolean(required=True,
                               metadata={"description": "false when the service no longer runs the pinned policy."})
    matches = fields.Boolean()
    total_fen = _fen("The recomputed total.")
    differs = fields.List(fields.String(), metadata={"description": "Clauses whose status or amount differ."})
    policy_version = fields.String()


class Verification(Document):
    reference = fields.String(required=True)
    genuine = fields.Boolean(required=True, metadata={"description": "The code is right and the content unchanged."})
    outcome = fields.String(metadata={
        "enum": ["genuine", "superseded", "not_genuine"],
        "description": "genuine; superseded (genuine, but a later revision exists); not_genuine (not a code of ours "
                       "for this reference). A code proves the record exists and what it says; only the signed PDF "
                       "proves what a firm handed in."})
    kind = fields.String(metadata={"enum": ["estimate", "decision"], "description": "What the code was printed on."})
    latest_total_fen = _fen("The latest revision's total, when this one is superseded.")
    latest_created_at = fields.DateTime()
    final_decision = fields.String(metadata={"enum": ["approved", "partly_approved", "rejected"]})
    decided_at = fields.DateTime()
    verified_total_fen = _fen("A decision's verified total.")
    approved_exact_fen = _fen("A decision's approved exact amounts.")
    approved_up_to_fen = _fen("A decision's approved ceilings.")
    approved_total_fen = _fen("Both added.")
    unchanged = fields.Boolean()
    revision = fields.Integer()
    latest_revision = fields.Integer()
    created_at = fields.DateTime()
    company_name = fields.String()
    credit_code = fields.String()
    policy_id = fields.String()
    policy_version = fields.String()
    total_fen = _fen("The stored total.")
    total_exact_fen = _fen("The stored exact total.")
    total_up_to_fen = _fen("The stored up-to total.")
    recomputed = fields.Nested(Recomputed)
    result = fields.Nested(Result)


class QueueItem(Document):
    reference = fields.String(required=True)
    company_name = fields.String(required=True)
    credit_code = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(FILING_STATUSES[1:])})
    updated_at = fields.DateTime(required=True)
    latest_revision = fields.Integer(required=True)
    total_fen = _fen("The latest revision's total.", required=True)
    total_exact_fen = _fen("Its exact total.", required=True)
    total_up_to_fen = _fen("Its up-to total.", required=True)


class Queue(Document):
    total = fields.Integer(required=True, metadata={"description": "Filings matching, over all pages."})
    items = fields.List(fields.Nested(QueueItem), required=True)


class Errors(Document):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Field path (rd_projects.0.rd_investment, or _request for the "
                                                  "request as a whole, or a parameter's name) → messages."})
