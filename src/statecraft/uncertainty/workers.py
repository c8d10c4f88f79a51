"""The process pool a forecast's chunks run in, whose workers do not outlive it.

A worker of ``concurrent.futures.ProcessPoolExecutor`` waits on a pipe for its next chunk;
when its parent is killed (SIGKILL, the out-of-memory killer) nothing closes that pipe's
other end in a way the worker notices, and it waits forever. So each worker, as it starts,
asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG`` through ``prctl``), and
also watches its parent's id from a daemon thread (elsewhere, or should ``prctl`` be
unavailable): once its parent is gone it exits.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal a process gets when its parent dies (linux/prctl.h)."""

WATCH_SECONDS = 1.0
"""How often a worker's thread checks that its parent is still there."""


def _ask_kernel(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere or
    when the call fails."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int, every: float) -> None:
    """Exit this process once ``parent`` is no longer its parent (it died: the process
    was handed to init or a subreaper)."""
    while True:
        time.sleep(every)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int, every: float = WATCH_SECONDS) -> None:
    """A pool worker's initializer: this process ends when ``parent`` (the pool's process,
    its id as seen before the worker started) dies."""
    _ask_kernel(signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)
    threading.Thread(target=_watch, args=(parent, every), name="statecraft-parent-watch",
                     daemon=True).start()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, spawned (not forked: the caller may run threads,
    a compiled kernel's or a web server's, and a forked child gets their locks but not the
    threads that would release them), each ending when this process dies."""
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
