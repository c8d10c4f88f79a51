"""statecraft: model a conflict's actors, simulate their bargaining, forecast and score outcomes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("statecraft")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
