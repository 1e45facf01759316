"""The company profile of CONTRACT.md as marshmallow 4 schemas, and its errors in the user's language.

Loading returns a plain dict with money as integer fen, counts as int and flags as real booleans: the only
values the engine ever sees. Every field is declared; unknown fields are errors, never dropped.
"""

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validates_schema

from . import messages
from .errors import ProfileError
from .profile_fields import (
    ENTITY_TYPES,
    MAX_COUNT,
    MAX_ITEMS,
    MAX_MONEY_FEN,
    MAX_TEXT,
    TALENT_TEAMS,
    Choice,
    Count,
    CreditCode,
    Flag,
    Items,
    Money,
    Msg,
    Section,
    Text,
)

__all__ = ["ENTITY_TYPES", "MAX_COUNT", "MAX_ITEMS", "MAX_MONEY_FEN", "MAX_TEXT", "TALENT_TEAMS", "Choice", "Count",
           "CreditCode", "Flag", "Items", "Money", "Msg", "PROFILE_SCHEMA", "Section", "Text", "dump_profile",
           "field_kinds", "load_profile", "render_errors"]


class StrictSchema(Schema):
    """Base schema: every field declared, unknown fields an error."""

    error_messages = {"type": Msg("type"), "unknown": Msg("unknown")}

    class Meta:
        unknown = RAISE


class CompanySchema(StrictSchema):
    name = Text(required=True)
    credit_code = CreditCode(required=True)
    entity_type = Choice(ENTITY_TYPES, required=True)
    registered_in_hangzhou = Flag(required=True)
    is_ai_enterprise = Flag(required=True)


class RdProjectSchema(StrictSchema):
    name = Text(required=True)
    in_city_ai_special = Flag()
    expert_recommended_core_tech = Flag()
    rd_investment = Money()


class ServicePlatformSchema(StrictSchema):
    name = Text(required=True)
    actual_investment = Money()
    hw_sw_investment = Money()
    good_service_results = Flag()

    @validates_schema
    def hw_sw_within_actual(self, data, **kwargs):
        hw_sw, actual = data.get("hw_sw_investment"), data.get("actual_investment")
        if hw_sw is not None and actual is not None and hw_sw > actual:
            raise ValidationError(Msg("hw_sw_over_actual"), "hw_sw_investment")


class CommonPlatformSchema(StrictSchema):
    name = Text(required=True)
    new_equipment_total = Money()


class TestingSchema(StrictSchema):
    fees = Money()
    provider_accredited = Flag()


class ScenarioProjectSchema(StrictSchema):
    name = Text(required=True)
    selected_as_demo = Flag()
    total_investment = Money()


class IncubatorSchema(StrictSchema):
    certified = Flag()
    incubated_total = Count()
    incubated_ai = Count()

    @validates_schema
    def ai_within_total(self, data, **kwargs):
        ai, total = data.get("incubated_ai"), data.get("incubated_total")
        if ai is not None and total is not None and ai > total:
            raise ValidationError(Msg("incubated_ai_over_total"), "incubated_ai")


class StandardsSchema(StrictSchema):
    international = Count()
    national = Count()


class ReferralsSchema(StrictSchema):
    """One flag per situation a referral of CLAUSES.md asks about, in catalogue order; absent means false."""

    national_or_provincial_major_project = Flag()  # major_project_referral (一)
    frontier_basic_research = Flag()  # natural_science_fund_referral (一)
    national_innovation_carrier = Flag()  # innovation_carrier_referral (二)
    first_of_kind_product = Flag()  # product_application_referral (四)
    raising_rd_investment = Flag()  # enterprise_growth_referral (六), any enterprise
    scaling_or_renovation = Flag()  # enterprise_growth_referral (六), an AI enterprise
    startup_seeking_equity = Flag()  # finance_referral (七), an AI start-up
    seeking_listing_or_bonds = Flag()  # finance_referral (七), any enterprise
    basic_or_core_ai_researchers = Flag()  # leading_talent_referral (八)
    top_talent = Flag()  # top_talent_referral (八)
    high_end_talent = Flag()  # high_end_talent_referral (八)
    operates_ai_carrier = Flag()  # carrier_referral (九)
    organises_major_ai_event = Flag()  # major_event_referral (十一)


_CONTAINERS = (dict, list, tuple)  # built once: a tuple written in the comprehensions is rebuilt per value


def _without_nulls(node):
    """Return node with every "field": null of every object in it left out, at any depth."""
    if isinstance(node, dict):
        return {key: _without_nulls(value) if isinstance(value, _CONTAINERS) else value
                for key, value in node.items() if value is not None}
    if isinstance(node, (list, tuple)):
        return [_without_nulls(item) if isinstance(item, _CONTAINERS) else item for item in node]
    return node


class ProfileSchema(StrictSchema):
    """The whole profile: a null field, in it or in any of its sections, is read as a field left out."""

    company = Section(CompanySchema, required=True)
    rd_projects = Items(RdProjectSchema)
    service_platforms = Items(ServicePlatformSchema)
    common_tech_platforms = Items(CommonPlatformSchema)
    testing = Section(TestingSchema)
    scenario_projects = Items(ScenarioProjectSchema)
    new_national_key_labs = Count()
    talent_team = Choice(TALENT_TEAMS)
    incubator = Section(IncubatorSchema)
    standards = Section(StandardsSchema)
    referrals = Section(ReferralsSchema)

    @pre_load
    def drop_nulls(self, data, **kwargs):
        """Read "field": null as the field left out (a required one is then missing), in every section at once.

        Clients generated from the OpenAPI document, and most JSON serialisers, send null for every optional field
        left unset; absent already means "not given" here, so null has no other meaning to keep. One pass over the
        whole document here costs less than a pre_load hook on each of the ten nested schemas.
        """
        return _without_nulls(data)


PROFILE_SCHEMA = ProfileSchema()


def field_kinds() -> dict[str, str]:
    """Return every leaf field path of the profile ("rd_projects[].rd_investment") with its kind.

    The rulebook may name only these fields, and compares each only as its kind allows.
    """
    kinds = {}

    def walk(schema, prefix):
        for name, field in schema.fields.items():
            path = f"{prefix}{name}"
            if isinstance(field, Items):
                walk(field.inner.schema, f"{path}[].")
            elif isinstance(field, fields.Nested):
                walk(field.schema, f"{path}.")
            else:
                kinds[path] = {Money: "money", Count: "count", Flag: "flag", Choice: "choice"}.get(type(field), "text")
    walk(PROFILE_SCHEMA, "")
    return kinds


def choices_of(path: str) -> tuple[str, ...]:
    """Return the allowed codes of a Choice field given by its path."""
    schema = PROFILE_SCHEMA
    *sections, leaf = path.replace("[]", "").split(".")
    for section in sections:
        field = schema.fields[section]
        schema = field.inner.schema if isinstance(field, Items) else field.schema
    return schema.fields[leaf].choices


def load_profile(data) -> dict:
    """Validate a profile and return it typed (money in fen); raise ProfileError listing every problem."""
    if not isinstance(data, dict):
        raise ProfileError({"_schema": [Msg("type")]})
    try:
        return PROFILE_SCHEMA.load(data)
    except ValidationError as error:
        raise ProfileError(flatten_errors(error.messages)) from error


def flatten_errors(tree, prefix="") -> dict[str, list]:
    """Flatten marshmallow's nested error dict into {"rd_projects.0.rd_investment": [msg, …]}."""
    flat = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema" and prefix:
                path = prefix
            for sub_path, msgs in flatten_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(msgs)
    elif isinstance(tree, list):
        if all(isinstance(item, str) for item in tree):
            flat[prefix or "_schema"] = list(tree)
        else:
            for item in tree:
                for sub_path, msgs in flatten_errors(item, prefix).items():
                    flat.setdefault(sub_path, []).extend(msgs)
    else:
        flat[prefix or "_schema"] = [tree]
    return flat


def render_errors(errors: dict[str, list], lang: str) -> dict[str, list[str]]:
    """Return the errors with every message in lang."""
    rendered = {}
    for path, msgs in errors.items():
        rendered[path] = [
            messages.text(m.code, lang, **m.params) if isinstance(m, Msg) else str(m) for m in msgs
        ]
    return rendered


def dump_profile(profile: dict) -> dict:
    """Return a validated profile in its input form (money back to yuan strings), the form that is stored.

    load_profile(dump_profile(p)) == p: the stored profile is canonical and reloads to the same values.
    """
    from .money import fen_to_yuan_text

    kinds = field_kinds()

    def walk(node, path):
        if isinstance(node, dict):
            return {key: walk(value, f"{path}.{key}" if path else key) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(element, f"{path}[]") for element in node]
        return fen_to_yuan_text(node) if kinds.get(path) == "money" else node

    return walk(profile, "")
