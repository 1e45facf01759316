"""JSON for responses with orjson: about a tenth of an evaluation request went to encoding its result."""

import orjson
from flask.json.provider import DefaultJSONProvider


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, encoding with orjson (non-ASCII kept, key order kept, no spaces)."""

    def dumps(self, obj, **kwargs):
        return orjson.dumps(obj, default=DefaultJSONProvider.default).decode("utf-8")

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=DefaultJSONProvider.default),
                                        mimetype="application/json")
