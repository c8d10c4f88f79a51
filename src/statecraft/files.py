"""Reading input files: regular files only, within a size limit counted while reading.

Every file statecraft reads on a user's behalf (scenarios, source documents, question
and observation files, KTAB and DEU imports, the model-error file) comes through
``read_input``. It opens without blocking (a FIFO with no writer would otherwise hang the
open), looks at what the opened descriptor is (``fstat``, not the path, so nothing can be
swapped in between) and refuses anything but a regular file at once: a FIFO, a device
(``/dev/zero`` reports a size of 0 and never ends), a directory or a socket. It then reads
at most ``limit`` bytes and one more, so a file that grows while it is read, or that
reports a false size, is still refused at the limit rather than read until memory runs
out.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Literal

from statecraft.errors import InputError

Cause = Literal["missing", "refused", "unreadable"]

_CHUNK = 1 << 16

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileError(InputError):
    """An input file that was not read: missing, not a regular file, too large, unreadable.

    ``str()`` names the file, what it was meant to be and why it was not read; ``reason``
    is the same without the file's name (for messages that name it elsewhere). ``cause``
    is ``missing`` (no such file), ``refused`` (not a regular file, or over the limit) or
    ``unreadable`` (anything else: permissions, text that is not UTF-8).
    """

    def __init__(self, path: str | Path, what: str, reason: str, *,
                 cause: Cause = "unreadable") -> None:
        self.path = str(path)
        self.what = what
        self.reason = reason
        self.cause = cause
        super().__init__(f"{self.path}: {reason}")


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_input(path: str | Path, *, limit: int, what: str,
               follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``what`` says what the file is meant to be ("scenario file", "source document", ...)
    and appears in every message. ``follow_symlinks=False`` refuses a symbolic link as the
    last part of the path (for paths already resolved and checked, so that no link can
    be swapped in after the check). Raises ``InputFileError``.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:  # a null byte in the path
        raise InputFileError(str(path).replace("\0", "\\0"), what,
                             f"cannot read the {what}: its path contains a null byte") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise InputFileError(path, what, f"the {what} is a symbolic link; expected a "
                                 "regular file", cause="refused") from None
        raise InputFileError(path, what, f"cannot read the {what}: {exc.strerror or exc}",
                             cause="missing" if exc.errno == errno.ENOENT else "unreadable"
                             ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(path, what, f"the {what} is {_kind(info.st_mode)}; "
                                 "expected a regular file", cause="refused")
        if info.st_size > limit:
            raise InputFileError(path, what, f"the {what} is {info.st_size:,} bytes; the limit "
                                 f"is {limit:,}", cause="refused")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise InputFileError(path, what, f"the {what} is larger than the limit of "
                                 f"{limit:,} bytes", cause="refused")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(path, what, f"cannot read the {what}: "
                             f"{exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_input_text(path: str | Path, *, limit: int, what: str,
                    follow_symlinks: bool = True) -> str:
    """``read_input`` decoded as UTF-8; text that is not UTF-8 is an ``InputFileError``."""
    raw = read_input(path, limit=limit, what=what, follow_symlinks=follow_symlinks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, what, f"the {what} is not UTF-8 text (byte {exc.start}); "
                             "save it as UTF-8") from None
