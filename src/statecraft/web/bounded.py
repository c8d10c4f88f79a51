"""Work a web request may cause: how much before it starts, how long while it runs.

A forecast's size is actors x issues x samples x rounds (the most rounds its model runs);
past ``WEB_WORK_LIMIT`` it is refused before anything runs, naming the numbers. One that
is accepted runs on a worker thread while the request waits; every ``POLL`` seconds the
request checks whether its client has gone and whether ``WEB_FORECAST_SECONDS`` have
passed, and the forecast, which asks ``should_stop`` as it works, stops within about a
second and its run is marked interrupted with the reason.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request

from statecraft.api import LimitError

WEB_WORK_LIMIT = 50_000_000
"""The largest forecast the web runs: actors x issues x samples x rounds (the bundled
scenario, 8 x 7, with 5,000 samples of the ensemble's 152 rounds is 42,560,000). Larger
forecasts belong to the command line, which has no such limit."""

WEB_FORECAST_SECONDS = 60.0
"""How long a forecast started from the web may run before it is stopped."""

POLL = 0.1
"""How often (seconds) a waiting request checks its client and its deadline."""

ShouldStop = Callable[[], str | None]
T = TypeVar("T")


class TooMuchWork(LimitError):
    """A request for more work than the web runs (HTTP 413)."""


def check_work(*, actors: int, issues: int, samples: int, rounds: int,
               limit: int = WEB_WORK_LIMIT) -> None:
    """Refuse a forecast whose actors x issues x samples x rounds is over ``limit``."""
    size = actors * issues * samples * rounds
    if size > limit:
        raise TooMuchWork(
            f"this forecast is too large for the web: {actors:,} actors x {issues:,} issues "
            f"x {samples:,} samples x {rounds:,} rounds = {size:,}; the web's limit is "
            f"{limit:,} (use fewer samples, or run it from the command line)")


class Stopper:
    """The reason a piece of work should stop, set by the request and read by the worker."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._reason: str | None = None
        self._lock = threading.Lock()

    def stop(self, reason: str) -> None:
        with self._lock:
            if self._reason is None:
                self._reason = reason

    def __call__(self) -> str | None:
        """The reason to stop, or None to go on (called by the worker as it works)."""
        if self._reason is None and time.monotonic() > self.deadline:
            self.stop(f"took longer than the web limit of {self.seconds:g} s (run it from "
                      f"the command line)")
        return self._reason


async def run_stoppable(request: Request, work: Callable[[ShouldStop], T], *,
                        seconds: float = WEB_FORECAST_SECONDS) -> T:
    """Run ``work(should_stop)`` on a worker thread; ``should_stop`` says why to stop once
    the client has disconnected or ``seconds`` have passed. Whatever ``work`` returns or
    raises (the forecast's own ``ForecastStopped`` included) is passed on."""
    stopper = Stopper(seconds)
    job = asyncio.ensure_future(anyio.to_thread.run_sync(work, stopper))
    try:
        while not job.done():
            await asyncio.wait({job}, timeout=POLL)
            if not job.done() and await request.is_disconnected():
                stopper.stop("the client disconnected")
            stopper()  # past the deadline: the reason is set for the worker to see
    finally:
        if not job.done():  # this request was cancelled: its work stops too
            stopper.stop("the client disconnected")
    return job.result()


@contextmanager
def one_place(places: threading.BoundedSemaphore, busy: str, *,
              retry_after: int) -> Iterator[None]:
    """Hold one of ``places`` while a request's work runs, letting it go however the work
    ends; none free: 503 at once, ``busy`` as its detail and ``Retry-After`` seconds, so
    that requests past the limit cannot pile up threads, processes and memory."""
    if not places.acquire(blocking=False):
        raise HTTPException(status_code=503, headers={"Retry-After": str(retry_after)},
                            detail=busy)
    try:
        yield
    finally:
        places.release()
