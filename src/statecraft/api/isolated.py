"""A file's text extracted in a child process with hard limits on its memory and time.

Extracting a PDF's text runs code (pypdf's) over bytes a stranger sent. Its own work is
bounded where it can be counted (``statecraft.scenario.extract``: pages, unpacked stream
size, content operations, a deadline checked as it goes), but some of it happens where
nothing can be counted: a PDF can name one font under a thousand names and have pypdf
build each name's character map before the first operation is read, gigabytes from a
32 KB file. So a PDF is read in a fresh process whose address space and CPU time are
limited by the operating system, and which is killed if it outlives its deadline: the
worst a file can do is cost that process, which is then gone.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import time
from collections.abc import Callable
from typing import Any

from statecraft.errors import stopped_words
from statecraft.scenario.extract import MAX_EXTRACT_SECONDS, Extracted, ExtractError

MAX_EXTRACT_MEMORY = 512 * 1024 * 1024
"""The address space (bytes) of the process reading a PDF: Python and pypdf take less than
150 MiB of it (measured); a PDF that needs more than the rest is refused."""

_GRACE = 5.0
"""Seconds past the deadline before the process is killed (its start-up, and the
extraction's own deadline, which is checked only between operations)."""

_POLL = 0.2
"""How often (seconds) the parent asks ``should_stop`` while the child works."""


class ExtractionStopped(ExtractError):
    """The caller stopped an extraction (its client left): the child was killed."""


def _child(conn: multiprocessing.connection.Connection, raw: bytes, name: str,
           seconds: float, memory: int) -> None:
    """In the child: limit this process, extract, and send back the text or the error."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from statecraft.scenario.extract import extract_text

    try:
        conn.send(("ok", extract_text(raw, name, seconds=seconds)))
    except ExtractError as exc:
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("memory", ""))
    finally:
        conn.close()


def extract_isolated(raw: bytes, name: str, *, seconds: float = MAX_EXTRACT_SECONDS,
                     memory: int = MAX_EXTRACT_MEMORY,
                     should_stop: Callable[[], str | None] | None = None) -> Extracted:
    """``extract_text(raw, name)`` in a child process limited to ``memory`` bytes of
    address space and ``seconds`` (plus a few) of time; an ``ExtractError`` naming the
    file when it fails, runs out of memory or time, or is killed. ``should_stop`` is asked
    every ``_POLL`` seconds: a reason kills the child at once (``ExtractionStopped``)."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(there, raw, name, seconds, memory), daemon=True)
    proc.start()
    there.close()
    got: Any = None
    stopped: str | None = None
    deadline = time.monotonic() + seconds + _GRACE
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if here.poll(min(_POLL, left)):
                try:
                    got = here.recv()
                except EOFError:
                    got = None
                break
            stopped = should_stop() if should_stop is not None else None
            if stopped is not None:
                break
    finally:
        here.close()
        proc.join(0.0 if stopped is not None else 1.0)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if stopped is not None:
        raise ExtractionStopped(stopped_words(f"{name}: reading its text", stopped))
    if got is None:  # killed, or out of memory where nothing could answer
        raise ExtractError(f"{name}: reading its text was stopped: it needed more than the "
                           f"limits of {seconds:g} s and {memory // 2**20:,} MiB of memory; "
                           "paste its text instead")
    kind, value = got
    if kind == "ok":
        assert isinstance(value, Extracted)
        return value
    if kind == "memory":
        raise ExtractError(f"{name}: reading its text needs more memory than the limit "
                           f"({memory // 2**20:,} MiB); paste its text instead")
    raise ExtractError(str(value))
