"""statecraft: model a conflict's actors, simulate their bargaining, forecast and score outcomes."""

__version__ = "0.1.0"
"""The package's version: the one place it is written (pyproject.toml reads it from here),
so reading it costs nothing at start-up (importlib.metadata took 40-80 ms)."""

__all__ = ["__version__"]
