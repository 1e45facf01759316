"""Logs that never hold a firm's token or a verification code.

A firm's token is the only key to its assessment (/a/<token>, /api/v1/assessments/<token>), and a code proves an
estimate genuine (?code=…): whoever reads a log must not be able to open a filing or vouch for one. gunicorn's
access log goes through RedactingLogger (gunicorn.conf.py); the app's own log lines through redact(); nginx's log
has the same redaction in deploy/nginx.conf.j2.
"""

import re

from gunicorn.glogging import Logger, SafeAtoms

TOKEN = "[token]"
CODE = "[code]"
# A token is the path segment after /a/ or /api/v1/assessments/ (POST /api/v1/assessments itself has none).
_TOKEN_PATH = re.compile(r"(/a/|/api/v1/assessments/)[^/?#\s\"]+")
# code= as a query parameter, in any letter case, however many times it appears.
_CODE_PARAM = re.compile(r"([?&;]code=)[^&;#\s\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """Return text with every firm token and code= value replaced by a marker."""
    if "/a" not in text and "code" not in text.lower():
        return text  # the common case (evaluate, rules, static): no regex work
    return _CODE_PARAM.sub(r"\g<1>" + CODE, _TOKEN_PATH.sub(r"\g<1>" + TOKEN, text))


class RedactedAtoms(SafeAtoms):
    """gunicorn's log atoms, redacted as the format reads them (request line, path, query, referer, headers)."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return redact(value) if isinstance(value, str) else value


class RedactingLogger(Logger):
    """gunicorn's logger with redacted access-log lines (gunicorn.conf.py: logger_class)."""

    atoms_wrapper_class = RedactedAtoms
