"""Writing a file whole or not at all: the one way statecraft writes a file it replaces or
creates on a user's behalf (a report, a scenario, a model-error file, an edited copy).

The bytes go to a temporary file in the target's own folder (so the rename cannot cross
file systems), which is flushed to disk (``fsync``) and then given the target's name in one
step; the folder is flushed too, so the new name survives a crash. A reader sees the old
file or the new one, never a part. On any failure the old file is left as it was and the
temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["fsync_folder", "write_atomic"]


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


def write_atomic(path: str | Path, data: bytes | str, *, replace: bool = True,
                 encoding: str = "utf-8") -> None:
    """Write ``data`` (text is encoded with ``encoding``) to ``path`` whole or not at all.

    With ``replace`` an existing file is replaced in one step; without it an existing file
    is never touched (``FileExistsError``). Any ``OSError`` of the writing propagates,
    with the old file intact and no temporary file left behind."""
    target = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
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
