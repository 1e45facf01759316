"""The page language: ?lang= (remembered in a cookie), then the cookie, then Accept-Language; Chinese by default."""

from flask import g, request
from flask_babel import Babel

from .messages import DEFAULT_LANGUAGE, normalise_language
from .requests import ACCEPTED_TAGS, query_value

COOKIE = "lang"
babel = Babel()


def select_language() -> str:
    asked = query_value("lang") or request.cookies.get(COOKIE)
    if asked:
        return normalise_language(asked)
    best = request.accept_languages.best_match(ACCEPTED_TAGS)
    return normalise_language(best)


def page_language() -> str:
    if "lang" not in g:
        g.lang = select_language()
    return g.lang


def _remember(response):
    asked = query_value("lang")
    if asked and normalise_language(asked) != request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, normalise_language(asked), max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def init_app(app):
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=page_language,
                   default_translation_directories="translations")
    app.after_request(_remember)
    app.jinja_env.globals["page_language"] = page_language
