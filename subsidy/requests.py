"""Reading requests the same way everywhere: the language asked for and a JSON body."""

import json
import re
from decimal import Decimal

from flask import request

from .errors import RequestError
from .messages import DEFAULT_LANGUAGE, LANGUAGES

ACCEPTED_TAGS = LANGUAGES + ("zh-CN", "en-US", "en-GB")
_LANGUAGE_KEY = "subsidy.language"  # where request_language keeps its answer in the request's WSGI environ


def _supported(tag: str) -> str | None:
    """Return the supported language a tag names ("en-GB" → "en", "zh_CN" → "zh"), or None."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def request_language() -> str:
    """Return "en" or "zh": a supported ?lang= first, then Accept-Language, Chinese by default.

    Worked out once a request: the view and the response's Content-Language both ask.
    """
    environ = request.environ
    found = environ.get(_LANGUAGE_KEY)
    if found is None:
        asked = _supported(query_value("lang") or "")
        # No Accept-Language (most API clients): nothing to parse and match.
        best = None if asked or not environ.get("HTTP_ACCEPT_LANGUAGE") else request.accept_languages.best_match(
            ACCEPTED_TAGS)
        found = environ[_LANGUAGE_KEY] = asked or (_supported(best) if best else DEFAULT_LANGUAGE)
    return found


def query_value(name: str) -> str | None:
    """Return the query parameter name, or None without it: request.args.get(name) without its cost for an absent
    name (werkzeug raises and catches a KeyError inside get; every request asks for ?lang= two or three times)."""
    args = request.args
    return args[name] if name in args else None


def check_language():
    """Refuse a ?lang= the API does not speak (400 naming the ones it does); Accept-Language only ever prefers."""
    asked = query_value("lang")
    if asked is not None and not _supported(asked):
        raise RequestError("lang_unsupported", field="lang", supported=", ".join(LANGUAGES))


_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and never past 64 bits
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def query_int(name: str, default: int | None = None, minimum: int = 1, maximum: int = 10**9) -> int | None:
    """Return a whole-number query parameter, default when it is absent; 400 when it is anything else.

    int() reads "١٢" and "９" and any length; SQLite stores 64 bits at most: only plain digits in range pass.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise RequestError("query_int", field=name, name=name, minimum=minimum, maximum=maximum)
    return int(raw)


def _has_lone_surrogate(document) -> bool:
    try:
        json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def json_body():
    """Return the request's JSON body with numbers as Decimal (never float); raise RequestError otherwise."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        # The body is not decompressed (no size check could then come before parsing): say so, don't call it bad JSON.
        raise RequestError("content_encoding", status=415, headers={"Accept-Encoding": "identity"},
                           encoding=encoding[:20])
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise RequestError("body_empty")
    if request.mimetype != "application/json":
        raise RequestError("content_type", status=415)
    try:
        document = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RequestError("body_not_json", detail=str(error)[:200]) from error
    # "\ud800" alone is valid JSON but no text: it cannot be stored, shown or encoded again.
    if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(document):
        raise RequestError("body_not_json", detail="a string holds a lone UTF-16 surrogate (\\ud800–\\udfff)")
    return document
