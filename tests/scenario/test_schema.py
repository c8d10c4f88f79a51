"""The JSON Schema printed for editors agrees with the loader."""

from __future__ import annotations

import copy

import jsonschema
import yaml

from statecraft.scenario import json_schema
from tests.conftest import DATA


def _as_json(data: object) -> object:
    """YAML allows numeric mapping keys (scale anchors); JSON has only string keys."""
    if isinstance(data, dict):
        return {str(k): _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    return data


def test_small_scenario_matches_schema() -> None:
    data = _as_json(yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8")))
    jsonschema.validate(data, json_schema())


def test_schema_rejects_what_the_loader_rejects() -> None:
    data = _as_json(yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8")))
    schema = json_schema()
    for field, bad in (("position", 120), ("salience", -1), ("salience", [0.1, 0.2, 0.3])):
        broken = copy.deepcopy(data)
        broken["stances"][0][field] = bad  # type: ignore[index]
        validator = jsonschema.Draft202012Validator(schema)
        assert list(validator.iter_errors(broken)), (field, bad)
