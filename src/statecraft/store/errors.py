"""What the run store raises.

Every error carries two messages: ``client_message`` names runs by id and never a path on
this machine (what a web client may be told), and ``str(exc)`` puts the file or directory
concerned in front of it (what the command line prints).
"""

from __future__ import annotations

from pathlib import Path

from statecraft.errors import BusyError, DamagedError, NotFoundError, StatecraftError


class StoreError(StatecraftError):
    """The run store cannot do what was asked (unknown run, run not complete, ...)."""

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.client_message = message
        self.path = None if path is None else str(path)
        super().__init__(message if path is None else f"{path}: {message}")


class RunNotFound(NotFoundError, StoreError):
    """No run has this id (or the store holds no runs at all)."""


class StoreDamaged(DamagedError, StoreError):
    """The store's files are not what it recorded: a changed, replaced, truncated or
    missing data file, or a registry that is missing, empty or not a database."""


class StoreBusy(BusyError, StoreError):
    """Another process holds the store's database locked for longer than the timeout."""
