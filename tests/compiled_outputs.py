"""Print, one line each, what the service answers to many profiles: for tests/test_compiled.py, which runs it once
with the compiled request path and once from source (SUBSIDY_PURE_PYTHON=1) and compares the bytes.

    python tests/compiled_outputs.py COUNT

The first line says which path ran. Then, for the contract example and COUNT generated profiles, and for the
same profiles with one field made invalid: POST /api/v1/evaluate in Chinese and in English, through Flask's test
client (status, the headers that do not carry a time, body).
"""

import copy
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from benchmarks.profiles import generate  # noqa: E402
from subsidy import compiled  # noqa: E402

# Values a firm might type into a money or count field, each refused in its own words (or read, where valid).
ODD_VALUES = ["abc", -1, "1E-30", "１２", "12万", "1,200,000", None, [], {}, 10**30, "10" * 20, True, 1.5, "0.001",
              "-0", "", "=1+1", "x" * 300]
TIMELESS_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Content-Security-Policy",
                    "X-Content-Type-Options", "Referrer-Policy")


def _leaves(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*prefix, index))
    else:
        yield prefix


def _spoiled(profile: dict, rng: random.Random) -> dict:
    spoiled = copy.deepcopy(profile)
    path = rng.choice(list(_leaves(spoiled)))
    node = spoiled
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = rng.choice(ODD_VALUES)
    return spoiled


def main(count: int) -> None:
    print(compiled.status)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE": str(Path(folder, "outputs.sqlite3")),
                          "RATELIMIT_EVALUATE": "100000000 per minute"})
        client = app.test_client()
        example = json.loads((ROOT / "tests" / "data" / "contract_example.json").read_text(encoding="utf-8"))
        rng = random.Random(8)
        profiles = [example, *generate(count, seed=8)]
        for profile in [*profiles, *(_spoiled(p, rng) for p in profiles)]:
            for lang in ("zh", "en"):
                body = json.dumps(profile, ensure_ascii=False, default=str)  # 10**30 too, which orjson refuses; a Decimal as text
                response = client.post(f"/api/v1/evaluate?lang={lang}", data=body, content_type="application/json")
                headers = {name: response.headers.get(name) for name in TIMELESS_HEADERS}
                print(response.status_code, json.dumps(headers, ensure_ascii=False), response.get_data(as_text=True))


if __name__ == "__main__":
    main(int(sys.argv[1]))
