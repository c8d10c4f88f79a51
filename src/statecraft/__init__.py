"""statecraft: model a conflict's actors, simulate their bargaining, forecast and score outcomes.

In a notebook, ``statecraft.load(path_or_bundled_name)`` returns a ``Study`` whose methods
forecast, edit (a what-if), compare, explain and report (``statecraft.api.study``); the
full API is ``statecraft.api``. Importing the package imports nothing else: ``load`` and
``Study`` are imported on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False  # read as typing.TYPE_CHECKING by type checkers; importing typing
# here would cost start-up time for nothing

__version__ = "0.1.0"
"""The package's version: the one place it is written (pyproject.toml reads it from here),
so reading it costs nothing at start-up (importlib.metadata took 40-80 ms)."""

if TYPE_CHECKING:
    from statecraft.api.study import Study, load

__all__ = ["Study", "__version__", "load"]

_LAZY = {"load": "statecraft.api.study", "Study": "statecraft.api.study"}


def __getattr__(name: str) -> object:
    """``load`` and ``Study``, imported the first time they are asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'statecraft' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
