"""What statecraft raises on purpose, by kind: one base class and one class per kind.

Every error statecraft raises for a reason it can name is a ``StatecraftError`` of one of
these kinds, so that an interface answers by the kind, never by the message's text: the
command line's exit code and the web app's HTTP status are each read from one table
(``cli.common.EXIT_CODES``, ``web.app.HTTP_STATUS``). The classes the layers define
(``ScenarioError``, ``SettingError``, ``InputFileError``, the run store's errors, ...)
subclass the kind they are; ``InputError`` is also a ``ValueError``, as those classes were.
An ``OptionError`` also carries the name of the setting it is about (``option``, as the
API names it), so that each interface names that setting its own way (the command line
its flag, the web app its field) without reading the message. Nothing here imports
anything.
"""

from __future__ import annotations

__all__ = ["BusyError", "DamagedError", "InputError", "LimitError", "NotFoundError",
           "OptionError", "StatecraftError", "StoppedError", "stopped_words"]


class StatecraftError(Exception):
    """Something statecraft refused or could not do, for a reason its message names."""


class InputError(StatecraftError, ValueError):
    """Bad input: a file or a request that fails validation, an unknown model, setting,
    actor, issue or question, a value out of its range."""


class OptionError(InputError):
    """Bad input in one setting a caller gave or must give: ``message`` says what is wrong
    and what is expected in words, ``option`` is the setting's name in the API (``as_of``,
    ``calibrated``, ``force``), shown after the message in parentheses. An interface shows
    the message with the setting under its own name for it (``naming``): the command line
    its flag (``--as-of``), the web app its field."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(f"{message} ({option})")
        self.message = message
        self.option = option

    def __reduce__(self) -> tuple[type[OptionError], tuple[str, str]]:
        return type(self), (self.message, self.option)  # pickled whole (process pools)

    def naming(self, names: dict[str, str]) -> str:
        """The message with the setting named by ``names`` (the API's name to an
        interface's); a setting ``names`` does not list keeps the API's name."""
        return f"{self.message} ({names.get(self.option, self.option)})"


class LimitError(InputError):
    """Input that asks for more than a limit allows: a file, a request body, a game or a
    piece of work over its size limit."""


class NotFoundError(StatecraftError, LookupError):
    """What was asked for by name or id is not there (a run)."""


class BusyError(StatecraftError):
    """What was asked for is held by another process for now; trying again may work."""


class DamagedError(StatecraftError):
    """Stored data is not what was recorded (a changed, truncated or missing file)."""


class StoppedError(StatecraftError):
    """Work was stopped before it finished, by its caller (a deadline, a disconnected
    client, an interrupt)."""


def stopped_words(what: str, reason: str) -> str:
    """``what`` was stopped, and why: a reason that names its subject (``the client
    disconnected``) stands alone; one that goes on from the work (``took longer than
    ...``) follows "it"."""
    said = reason if reason.startswith(("the ", "its ")) else f"it {reason}"
    return f"{what} was stopped: {said}"
