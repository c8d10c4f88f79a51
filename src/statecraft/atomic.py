"""Writing a file whole or not at all: the one way statecraft writes a file it replaces or
creates on a user's behalf (a report, a scenario, a model-error file, an edited copy).

The bytes go to a temporary file in the target's own folder (so the rename cannot cross
file systems), which is flushed to disk (``fsync``) and then given the target's name in one
step; the folder is flushed too, so the new name survives a crash. A reader sees the old
file or the new one, never a part. On any failure the old file is left as it was and the
temporary file is removed. A target that exists and is not a regular file (a device, a
FIFO, a symbolic link, a folder) is refused before anything is written when
replacing is asked for: its name is never given to the new file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from statecraft.errors import InputError

__all__ = ["OutputError", "fsync_folder", "write_atomic", "write_output"]


class OutputError(InputError):
    """A file that cannot be written where asked: its path and why, nothing written."""


def fsync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (a rename made in it) to disk, where the system allows it
    (some systems cannot open a folder or sync one; the rename itself has been made)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _link_new(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if nothing has it (``FileExistsError``
    otherwise, even for a file made after any check the caller did)."""
    try:
        os.link(tmp, target)  # fails if the name exists: nothing is replaced
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists() or target.is_symlink():
            raise FileExistsError(target) from None
        os.replace(tmp, target)


def _refuse_special(target: Path) -> None:
    """An ``OutputError`` when ``target`` exists and is not a regular file (a link is not
    followed: a symbolic link is refused, whatever it points at)."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError:
        return  # the writing itself will say what is wrong with the path
    if stat.S_ISREG(mode):
        return
    kind = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "of another kind")
    raise OutputError(f"{target} exists and is {kind}, not a regular file; give the name "
                      "of a regular file to write (nothing was written)")


_NAME_BYTES = 255
"""The longest file name (in bytes) the common Linux file systems take."""


def _temporary_name(target: Path) -> Path:
    """A fresh name for the temporary file beside ``target``: hidden, marked ``.part``, and
    never longer than a file name may be (a target's name near the limit is cut, at a
    character's boundary, in the temporary's name only)."""
    tag = f".{secrets.token_hex(4)}.part"
    room = _NAME_BYTES - 1 - len(tag)
    stem = target.name.encode("utf-8", "surrogateescape")[:room].decode(
        "utf-8", "ignore")
    return target.with_name(f".{stem}{tag}")


def write_atomic(path: str | Path, data: bytes | str, *, replace: bool = True,
                 encoding: str = "utf-8") -> None:
    """Write ``data`` (text is encoded with ``encoding``) to ``path`` whole or not at all.

    With ``replace`` an existing file is replaced in one step; without it an existing file
    is never touched (``FileExistsError``). With ``replace``, a ``path`` that exists and is
    not a regular file is refused (``OutputError``) before anything is written. Any
    ``OSError`` of the writing propagates, with the old file intact and no temporary file
    left behind."""
    target = Path(path)
    if replace:  # without it, an existing name of any kind is refused when linking
        _refuse_special(target)
    payload = data.encode(encoding) if isinstance(data, str) else data
    tmp = _temporary_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
        fsync_folder(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_output(path: str | Path, data: bytes | str, *, replace: bool = True,
                 encoding: str = "utf-8") -> None:
    """``write_atomic``, with an ``OSError`` of the writing (a read-only folder, a parent
    that is a file, a full disk) said as an ``OutputError`` naming the path and the
    system's reason; ``FileExistsError`` (without ``replace``) still propagates."""
    try:
        write_atomic(path, data, replace=replace, encoding=encoding)
    except FileExistsError:
        raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write it ({exc.strerror or exc}); nothing was "
                          "written") from None
