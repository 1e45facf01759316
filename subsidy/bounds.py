"""The last guard on the append-only audit log: no stored text longer than it could legitimately be.

Every field a person types is bounded where it is typed, with a message (usernames at login, notes, profile
texts by the schema). The audit log can never be cleaned up afterwards, so whatever reaches it through a path
nobody bounded (a 1 MB username was once stored whole) is cut here, visibly.
"""

MAX_ACTOR = 64  # a username (logins.MAX_USERNAME), or "firm", "api", "cli"
MAX_TEXT = 4000  # above the longest legitimate text: a final decision's note (2,000)


def bounded(value, limit: int = MAX_TEXT):
    """Return value with every string in it (nested in dicts and lists too) cut to limit characters, marked "…"."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit - 1] + "…"
    if isinstance(value, dict):
        return {bounded(key, limit): bounded(item, limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [bounded(item, limit) for item in value]
    return value
