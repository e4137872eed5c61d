"""Shared helpers of the Form.io core tests: the schema corpus and builders."""

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
CASES = HERE / "cases"
CORPUS = sorted(path.stem for path in SCHEMAS.glob("*.json"))


def load_schema(name):
    return json.loads((SCHEMAS / f"{name}.json").read_text())


def load_cases(name):
    return json.loads((CASES / f"{name}.json").read_text())


def form(*components, display="form"):
    """A minimal schema around ``components``."""
    return {"display": display, "components": list(components)}


def component(component_type, key, **settings):
    """A component as the builder writes it, minus the noise."""
    raw = {"type": component_type, "key": key, "label": key, "input": True}
    raw.update(settings)
    return raw


@pytest.fixture(params=CORPUS)
def corpus_name(request):
    return request.param
