"""Reading requests the same way everywhere: the language asked for and a JSON body."""

import json
from decimal import Decimal

from flask import request

from .errors import RequestError
from .messages import LANGUAGES, normalise_language


def request_language() -> str:
    """Return "en" or "zh": ?lang= first, then Accept-Language, Chinese by default."""
    asked = request.args.get("lang")
    if asked:
        return normalise_language(asked)
    best = request.accept_languages.best_match(LANGUAGES + ("zh-CN", "en-US", "en-GB"))
    return normalise_language(best)


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def json_body():
    """Return the request's JSON body with numbers as Decimal (never float); raise RequestError otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise RequestError("body_empty")
    if request.mimetype != "application/json":
        raise RequestError("content_type", status=415)
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RequestError("body_not_json", detail=str(error)[:200]) from error
