"""Bargaining models: pure functions from ``ModelInputs`` to a ``Trajectory``; no I/O.

The names below are imported on first use, not with the package: the command line reads
``statecraft.models.registry`` to declare its options, and importing that must not import
NumPy and every model's code (``ModelSpec.load`` imports a model when it is run).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statecraft.models.baselines import compromise, median
    from statecraft.models.eum import eum
    from statecraft.models.inputs import ModelInputs
    from statecraft.models.smp import smp
    from statecraft.models.trajectory import OfferKind, OfferLog, Trajectory

__all__ = ["ModelInputs", "OfferKind", "OfferLog", "Trajectory", "compromise", "eum", "median",
           "smp"]

_WHERE = {"ModelInputs": "inputs", "OfferKind": "trajectory", "OfferLog": "trajectory",
          "Trajectory": "trajectory", "compromise": "baselines", "median": "baselines",
          "eum": "eum", "smp": "smp"}
"""Each public name's module (within this package)."""


def _load(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


if not TYPE_CHECKING:  # mypy reads the names above; an unknown one is an error
    __getattr__ = _load


class _Package(types.ModuleType):
    """This package, whose names ``eum``, ``smp`` and ``median`` stay the model functions:
    importing the module of the same name would otherwise bind the name to the module
    (as the eager imports this package had rebound it to the function)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
