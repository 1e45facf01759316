"""Fixtures shared by the tests: the app on a temporary instance, its client and command runner."""

import copy
import json
from pathlib import Path

import pytest

from app import create_app

EXAMPLE_PATH = Path(__file__).parent / "data" / "contract_example.json"


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite3")})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def example():
    """Return a fresh copy of the CONTRACT.md example profile."""
    return copy.deepcopy(_EXAMPLE)


_EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
