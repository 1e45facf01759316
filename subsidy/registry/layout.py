"""The registry's column layout, read from the profile schema: company columns, lists, sections, kinds.

The companies table has one column per non-list profile path (`company.name`, `testing.fees`,
`new_national_key_labs`, `referrals.top_talent`); each list of the profile (`rd_projects` …) is a table of
its own whose rows carry `company.credit_code` and the item's fields by their leaf names. Nothing here names a
field by hand: a field added to the schema is a column here.
"""

from dataclasses import dataclass
from functools import cache

from ..schemas import PROFILE_SCHEMA, Items, choices_of, field_kinds

KEY = "company.credit_code"


@dataclass(frozen=True)
class Layout:
    kinds: dict  # every profile path ("rd_projects[].rd_investment") → money, count, flag, choice, text
    company_paths: tuple  # non-list paths, in schema order
    lists: dict  # list name → tuple of leaf names, in schema order
    sections: dict  # object section name → its paths ("incubator" → ("incubator.certified", …))

    def kind(self, path: str) -> str:
        return self.kinds[path]

    def item_path(self, list_name: str, leaf: str) -> str:
        return f"{list_name}[].{leaf}"

    def choices(self, path: str) -> tuple:
        return choices_of(path)


@cache
def layout() -> Layout:
    """Return the layout of the profile schema, worked out once per process."""
    kinds = field_kinds()
    lists = {name: tuple(p.split("[].")[1] for p in kinds if p.startswith(f"{name}[]."))
             for name, field in PROFILE_SCHEMA.fields.items() if isinstance(field, Items)}
    company_paths = tuple(p for p in kinds if "[]" not in p)
    sections = {}
    for path in company_paths:
        head, _, rest = path.partition(".")
        if rest and head != "company":
            sections.setdefault(head, []).append(path)
    return Layout(kinds, company_paths, lists, {k: tuple(v) for k, v in sections.items()})


def schema_field(path: str):
    """Return the marshmallow field object of a profile path: the one that validates it in load_profile."""
    schema = PROFILE_SCHEMA
    *heads, leaf = path.replace("[]", "").split(".")
    for head in heads:
        field = schema.fields[head]
        schema = field.inner.schema if isinstance(field, Items) else field.schema
    return schema.fields[leaf]
