"""The product's named exceptions. Each maps to one HTTP status and one JSON error shape in api.py."""


class SubsidyError(Exception):
    """Base of every error the product raises on purpose."""


class RulebookError(SubsidyError):
    """A rule file is broken: names the file, the line, the field and the problem."""

    def __init__(self, problems):
        self.problems = problems  # list of "rules/x.yaml:12: conditions.0.field: unknown field 'foo'"
        super().__init__("the rulebook is invalid:\n" + "\n".join(f"  {p}" for p in problems))


class ProfileError(SubsidyError):
    """A company profile failed validation; `errors` maps field paths to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"invalid profile: {sorted(errors)}")


class RequestError(SubsidyError):
    """A request the API cannot read (not JSON, empty, wrong content type)."""

    def __init__(self, code, status=400, field="_request", headers=None, **params):
        self.code = code
        self.status = status
        self.field = field
        self.headers = headers or {}  # e.g. Accept-Encoding on a 415 for a compressed body (RFC 7694)
        self.params = params
        super().__init__(code)


class SubmittedError(SubsidyError):
    """An assessment was submitted for review: no revision may be written after that."""

    def __init__(self, assessment: dict):
        self.assessment = assessment
        super().__init__(f"{assessment['reference']} is {assessment['status']}: it can no longer be revised")


class EngineError(SubsidyError):
    """The rule engine failed or disagreed with the why-not walker: a defect, never the user's fault."""
