"""The operations of /api/v1 in the OpenAPI document: what each takes, answers and may refuse, and why.

Every route under /api/v1 is here (tests/test_openapi.py checks it against the app's URL map), each with an
operationId (the name a generated client gives its function), a tag, a summary, typed bodies and examples.
"""

from .messages import LANGUAGES
from .openapi_examples import request_error
from .review import STATUSES as FILING_STATUSES
from .views.officer import PAGE_SIZE, SORTS

TAGS = [
    {"name": "evaluation", "description": "Evaluate a company profile, clause by clause; nothing is stored."},
    {"name": "assessments", "description": "Save a profile as an assessment, revise it while it is a draft, "
                                           "submit it for an officer's review."},
    {"name": "verification", "description": "Check that a PDF estimate's reference and code are genuine."},
    {"name": "catalogue", "description": "The policy's clauses with their numbers, readings and citations."},
    {"name": "officers", "description": "The officers' queue of submitted filings (logged-in officers only)."},
    {"name": "meta", "description": "This document."},
]

PUBLIC_MAX_AGE = 3600  # seconds the catalogue and this document may be cached (subsidy/views/api.py)

# status → (component name, description, message code of the example, headers)
ERRORS = {
    400: ("BadRequest", "The profile or the request is invalid: every problem at once, by field path (a profile path "
                        "such as rd_projects.0.rd_investment, a parameter's name such as lang, or _request). "
                        "Nothing was saved.", None, ()),
    401: ("Unauthorized", "Not logged in as an officer. Log in at /login (a form) for a session cookie; the "
                          "WWW-Authenticate header names the cookie and the form.", "login_required",
          ("WWW-Authenticate",)),
    404: ("NotFound", "No assessment has this token, or it has no such revision.", "not_found", ()),
    405: ("MethodNotAllowed", "The path does not take this method; the Allow header lists the methods it takes.",
          "method_not_allowed", ("Allow",)),
    409: ("Conflict", "The assessment has been submitted for review: it can no longer be revised. Nothing was "
                      "saved.", "submitted_locked", ()),
    413: ("PayloadTooLarge", "The body is larger than the service reads ({limit} bytes).", "body_too_large", ()),
    415: ("UnsupportedMediaType", "The body is not sent as Content-Type: application/json, or it is compressed "
                                  "(Content-Encoding, e.g. gzip): send uncompressed JSON. For a compressed body "
                                  "Accept-Encoding: identity says so.", "content_type", ()),
    429: ("TooManyRequests", "Too many requests from this client: wait the Retry-After seconds and try again.",
          "rate_limited", ("Retry-After",)),
    503: ("ServiceUnavailable", "The database is busy: nothing was saved; try again after Retry-After seconds.",
          "busy", ("Retry-After",)),
}

HEADERS = {
    "Content-Language": {"description": "The language of the answer's words (zh or en).",
                         "schema": {"type": "string", "enum": list(LANGUAGES)}},
    "ETag": {"description": "A weak validator of the content: send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": f"public, max-age={PUBLIC_MAX_AGE}", "schema": {"type": "string"}},
    "Location": {"description": "The new assessment in the API (links.self).",
                 "schema": {"type": "string", "format": "uri"}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
    "WWW-Authenticate": {"description": 'Cookie realm="officers", with the session cookie\'s name and the login '
                                        "form's address.", "schema": {"type": "string"}},
    "Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}},
}

PARAMETERS = {
    "lang": {"name": "lang", "in": "query", "required": False,
             "description": "The answer's language: zh (default) or en; anything else is a 400. Without it, "
                            "Accept-Language decides (falling back to zh).",
             "schema": {"type": "string", "enum": list(LANGUAGES)}},
    "token": {"name": "token", "in": "path", "required": True,
              "description": "The assessment's unguessable token (Assessment.token).", "schema": {"type": "string"}},
    "revision": {"name": "revision", "in": "query", "required": False,
                 "description": "An earlier revision; the latest by default.",
                 "schema": {"type": "integer", "minimum": 1}},
    "reference": {"name": "reference", "in": "path", "required": True,
                  "description": "The reference printed on the estimate, e.g. HZAI-2026-000123.",
                  "schema": {"type": "string"}},
    "code": {"name": "code", "in": "query", "required": False,
             "description": "The verification code printed on the estimate (hyphens and case do not matter).",
             "schema": {"type": "string"}},
    "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                      "description": "The ETag of a copy you hold: 304 if it is still current.",
                      "schema": {"type": "string"}},
    "status": {"name": "status", "in": "query", "required": False, "description": "Only filings in this status.",
               "schema": {"type": "string", "enum": list(FILING_STATUSES[1:])}},
    "q": {"name": "q", "in": "query", "required": False,
          "description": "Search the company name, credit code or reference.",
          "schema": {"type": "string", "maxLength": 100}},
    "sort": {"name": "sort", "in": "query", "required": False, "description": "The order of the list.",
             "schema": {"type": "string", "enum": list(SORTS)}},
    "order": {"name": "order", "in": "query", "required": False,
              "schema": {"type": "string", "enum": ["asc", "desc"]}},
    "page": {"name": "page", "in": "query", "required": False, "description": f"{PAGE_SIZE} filings a page, from 1.",
             "schema": {"type": "integer", "minimum": 1}},
}


# What a client does next with a saved assessment: OpenAPI links from every answer that is one.
NEXT_STEPS = {
    "getAssessment": ("Read it back", {"token": "$response.body#/token"}, None),
    "reviseAssessment": ("Save its profile, edited, as the next revision", {"token": "$response.body#/token"},
                         "$response.body#/profile"),
    "submitAssessment": ("Submit it for review", {"token": "$response.body#/token"}, None),
    "verifyEstimate": ("Verify its estimate", {"reference": "$response.body#/reference",
                                               "code": "$response.body#/code"}, None),
}


def _json(schema: str, examples: list[str]) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"},
                                 "examples": {name: {"$ref": f"#/components/examples/{name}"} for name in examples}}}


def _answer(description: str, schema: str, examples: list[str], headers=()) -> dict:
    answer = {"description": description, "content": _json(schema, examples),
              "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in ("Content-Language", *headers)}}
    if schema == "Assessment":
        answer["links"] = {}
        for name, (description, parameters, body) in NEXT_STEPS.items():
            link = answer["links"][name] = {"operationId": name, "description": description, "parameters": parameters}
            if body:
                link["requestBody"] = body
    return answer


def _operation(operation_id, tag, summary, description, answers, errors, parameters=(), body=None,
               security=()) -> dict:
    operation = {
        "operationId": operation_id, "tags": [tag], "summary": summary, "description": description,
        "parameters": [*parameters, "lang"],  # component names: apispec makes them references
        "security": list(security),
        "responses": {**answers, **{str(status): {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
                                    for status in sorted({400, 429, *errors})}},
    }
    if body:
        operation["requestBody"] = {"required": True, "description": body, "content": _json("Profile",
                                                                                           ["ContractProfile"])}
    return operation


def _components(spec, app):
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    for name, parameter in PARAMETERS.items():
        spec.components.parameter(name, parameter["in"], parameter)
    for name, description, code, headers in ERRORS.values():
        content = _json("Errors", ["InvalidProfile"] if code is None else [])
        if code:
            content["application/json"]["examples"] = {code: {"summary": "In Chinese, the default",
                                                              "value": request_error(code)}}
        spec.components.response(name, {
            "description": description.format(limit=app.config["MAX_CONTENT_LENGTH"]),
            "content": content,
            "headers": {header: {"$ref": f"#/components/headers/{header}"} for header in ("Content-Language",
                                                                                         *headers)}})
    spec.components.security_scheme("officerSession", {
        "type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session"),
        "description": "The session cookie an officer gets by logging in at /login."})


def add(spec, app):
    """Add every operation of /api/v1, and the parameters, headers and responses they share, to spec."""
    _components(spec, app)
    assessment = ["ContractAssessment"]
    body = "The company profile (CONTRACT.md). Unknown fields are refused; null means left out."
    cached = ("ETag", "Cache-Control")
    not_modified = {"304": {"description": "Not modified: the copy with this ETag is current.",
                            "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in cached}}}
    spec.path(path="/api/v1/evaluate", operations={"post": _operation(
        "evaluateProfile", "evaluation", "Evaluate a company profile",
        "Every clause's status, amount, formula, reasons, what is missing and what would change the result. "
        "Stores nothing.",
        {"200": _answer("The result, clause by clause", "Result", ["ContractResult"])},
        [413, 415], body=body)})
    spec.path(path="/api/v1/assessments", operations={"post": _operation(
        "createAssessment", "assessments", "Save a profile as a new assessment",
        "Evaluates the profile and saves it as revision 1 of a draft assessment. Keep `token`: it is the key to "
        "read, revise and submit it.",
        {"201": _answer("Saved", "Assessment", assessment, headers=("Location",))},
        [413, 415, 503], body=body)})
    spec.path(path="/api/v1/assessments/{token}", operations={
        "get": _operation(
            "getAssessment", "assessments", "Read a saved assessment",
            "The latest revision, or an earlier one with ?revision=N.",
            {"200": _answer("The assessment", "Assessment", assessment)}, [404], parameters=("token", "revision")),
        "put": _operation(
            "reviseAssessment", "assessments", "Save an edited profile as the next revision",
            "Only while the assessment is a draft: after submitting, a 409.",
            {"200": _answer("The new revision", "Assessment", assessment)},
            [404, 409, 413, 415, 503], parameters=("token",), body=body),
    })
    submit = _operation(
        "submitAssessment", "assessments", "Submit an assessment for an officer's review",
        "Draft → submitted. Submitting again changes nothing and answers the same. An optional body gives an email "
        "address to be told at submission and at decision.",
        {"200": _answer("The submitted assessment", "Assessment", assessment)}, [404, 413, 415, 503],
        parameters=("token",))
    submit["requestBody"] = {"required": False, "description": "Optional: where to tell the firm.",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}}}
    spec.path(path="/api/v1/assessments/{token}/submit", operations={"post": submit})
    spec.path(path="/api/v1/verify/{reference}", operations={"get": _operation(
        "verifyEstimate", "verification", "Check an estimate's reference and code",
        "genuine is true when the code belongs to a revision of this reference and its stored content is "
        "unchanged; the stored result is recomputed with the pinned policy version.",
        {"200": _answer("Whether it is genuine", "Verification", ["Verification", "NotGenuine"])}, [],
        parameters=("reference", "code"))})
    spec.path(path="/api/v1/rules", operations={"get": _operation(
        "getRules", "catalogue", "List the policy's clauses",
        "Every clause with its rate, tiers and caps, readings and citation.",
        {"200": _answer("The catalogue", "Catalogue", ["Catalogue"], headers=cached), **not_modified},
        [], parameters=("If-None-Match",))})
    spec.path(path="/api/v1/officer/queue", operations={"get": _operation(
        "getOfficerQueue", "officers", "List submitted filings",
        "The officers' queue as JSON, with the filters of the officer's page. Needs an officer's session.",
        {"200": _answer("A page of filings", "Queue", ["Queue"])}, [401],
        parameters=("status", "q", "sort", "order", "page"), security=[{"officerSession": []}])})
    spec.path(path="/api/v1/openapi.json", operations={"get": _operation(
        "getOpenApiDocument", "meta", "Get this OpenAPI document",
        "Generated from the service's own schemas.",
        {"200": {"description": "OpenAPI 3.1", "headers": {name: {"$ref": f"#/components/headers/{name}"}
                                                            for name in cached},
                 "content": {"application/json": {"schema": {"type": "object"}}}}, **not_modified},
        [], parameters=("If-None-Match",))})
