"""KTAB's CSV scenario format, in and out."""

from __future__ import annotations

from pathlib import Path

import yaml

from statecraft.atomic import write_output
from statecraft.errors import OptionError
from statecraft.files import InputFileError, read_input_text
from statecraft.scenario import (
    Loaded,
    load_scenario_text,
)
from statecraft.scenario.ktab import read_ktab_csv, write_ktab_csv
from statecraft.scenario.ktab_scenario import ktab_to_scenario, scenario_to_ktab
from statecraft.scenario.yamlsafe import MAX_BYTES

KTAB_LIMIT = MAX_BYTES
"""Largest KTAB CSV file read, in bytes (its scenario is larger still, and a scenario file
is limited to the same)."""


def ktab_import(path: str | Path, out: str | Path | None = None, *,
                force: bool = False) -> tuple[str, Path | None]:
    """A KTAB CSV file as validated scenario YAML; written to ``out`` when given.

    The scenario is validated before anything is written, and written whole or not at
    all (``write_output``); an existing ``out`` is replaced only with ``force``.
    """
    p = Path(path)
    try:
        data = read_ktab_csv(read_input_text(p, limit=KTAB_LIMIT, what="KTAB CSV file"))
    except InputFileError:
        raise
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None
    text = yaml.safe_dump(ktab_to_scenario(data, f"KTAB scenario file {p.name}"),
                          sort_keys=False, allow_unicode=True)
    load_scenario_text(text, str(out or p.with_suffix(".yaml")), strict=True)
    if out is None:
        return text, None
    target = Path(out)
    try:
        write_output(target, text, replace=force)
    except FileExistsError:
        raise OptionError(f"{target} exists; to replace it, say so", "force") from None
    return text, target


def ktab_export(loaded: Loaded, *, normalise: bool = False) -> str:
    """A scenario in KTAB's CSV format."""
    return write_ktab_csv(scenario_to_ktab(loaded.scenario, normalise=normalise))
