"""The run store's front: start a run, stream its chunks, finish or abandon it, read it back.

A store is a directory: ``runs.sqlite`` (the registry) and ``runs/<id>.parquet`` (the
per-sample rows). ``RunWriter`` is the only way a run gets written; used as a context
manager it marks the run ``interrupted`` and removes the partial file when the block is
left by an exception (Ctrl-C included), so no half-written run is ever read as complete.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from statecraft.store.frames import FrameWriter, read_frames
from statecraft.store.registry import Registry, RunRecord, StoreError, now

DEFAULT_DIR = "statecraft-runs"


def default_store_dir() -> Path:
    """``$STATECRAFT_STORE`` if set, else ``./statecraft-runs``."""
    return Path(os.environ.get("STATECRAFT_STORE", DEFAULT_DIR))


def scenario_hash(text: str) -> str:
    """The SHA-256 of a scenario's text: runs of the same scenario share it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus random hex."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


class RunStore:
    """A run store directory (created when first written to)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_store_dir()
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: is not a directory")
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            try:
                (self.root / "runs").mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.root}: cannot create the run store "
                                 f"({exc.strerror})") from None
            self._registry = Registry(self.root / "runs.sqlite")
        return self._registry

    def parquet_path(self, run_id: str) -> Path:
        return self.root / "runs" / f"{run_id}.parquet"

    def start(self, *, scenario_name: str, scenario_text: str, scenario_path: str | None,
              model: str, params: dict[str, Any], seed: int, samples: int, method: str,
              issue_ids: tuple[str, ...], version: str,
              calibration: dict[str, Any] | None = None) -> RunWriter:
        """Register a run as running and return its writer; ``calibration`` names the
        model-error file that calibrates its forecasts (None: uncalibrated)."""
        run_id = new_run_id()
        self.registry.insert(id=run_id, scenario_name=scenario_name,
                             scenario_hash=scenario_hash(scenario_text),
                             scenario_text=scenario_text, scenario_path=scenario_path,
                             model=model, params=params, seed=seed, samples=samples,
                             method=method, version=version, calibration=calibration)
        return RunWriter(self, run_id, FrameWriter(self.parquet_path(run_id), issue_ids, seed))

    def list(self) -> list[RunRecord]:
        """Every run, newest first (an empty list when the store does not exist yet)."""
        if not (self.root / "runs.sqlite").exists():
            return []
        return self.registry.list()

    def get(self, run_id: str) -> RunRecord:
        if not (self.root / "runs.sqlite").exists():
            raise StoreError(f"no run store at {self.root}")
        return self.registry.get(run_id)

    def frames(self, run_id: str) -> tuple[Any, Any]:
        """A complete run's sampled inputs and outcomes, as pandas DataFrames."""
        rec = self.get(run_id)
        if rec.status != "complete":
            raise StoreError(f"run {rec.id} is {rec.status}, not complete: it has no "
                             f"results to read")
        path = self.parquet_path(rec.id)
        if not path.is_file():
            raise StoreError(f"run {rec.id}: its data file {path} is missing")
        return read_frames(path)

    def clean(self, *, dry_run: bool = False) -> builtins.list[Leftover]:
        """Remove the partial data files (``*.parquet.part``) of runs that are not running.

        A run killed while it wrote (SIGKILL, power loss) leaves its partial file behind;
        its registry row stays, so what produced it is still on record and can be run
        again. A run still running (here, or on another host sharing the store) keeps its
        file. ``dry_run`` only lists what would go.
        """
        runs_dir = self.root / "runs"
        if not runs_dir.is_dir():
            return []
        status = {r.id: r.status for r in self.list()}
        found: builtins.list[Leftover] = []
        for part in sorted(runs_dir.glob("*.parquet.part")):
            run_id = part.name[: -len(".parquet.part")]
            state = status.get(run_id, "unregistered")
            if state == "running":
                continue
            try:
                size = part.stat().st_size
                if not dry_run:
                    part.unlink()
            except FileNotFoundError:  # gone meanwhile
                continue
            except OSError as exc:
                raise StoreError(f"{part}: cannot remove it ({exc.strerror})") from None
            found.append(Leftover(run_id, part, size, state))
        return found


@dataclass(frozen=True)
class Leftover:
    """A partial data file that no running run will finish: what ``RunStore.clean`` removes."""

    run_id: str
    path: Path
    bytes: int
    status: str  # the run's status, or "unregistered" when the registry has no such run


class RunWriter:
    """Writes one run; see the module docstring."""

    def __init__(self, store: RunStore, run_id: str, frames: FrameWriter) -> None:
        self.store = store
        self.id = run_id
        self.frames = frames
        self.done = False

    def write(self, chunk: Any) -> None:
        """Append a chunk's rows (a ``ChunkResult``; fits ``run_batch``'s ``sink``)."""
        self.frames.write(chunk.first_sample, chunk.input_names, chunk.inputs, chunk.outcomes)

    def finish(self, *, completed: int, seconds: float,
               failures: list[dict[str, Any]]) -> None:
        """Make the data file final and mark the run complete (or failed, with failures)."""
        if self.frames.rows:
            self.frames.commit()
        status = "failed" if failures or not self.frames.rows else "complete"
        self.store.registry.update(self.id, status=status, finished=now(), completed=completed,
                                   seconds=seconds, failures=failures)
        self.done = True

    def abandon(self, status: str, error: str) -> None:
        """Remove the partial data file and mark the run as not complete."""
        self.frames.discard()
        self.store.registry.update(self.id, status=status, finished=now(), error=error)
        self.done = True

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.done:
            return
        if kind is None:
            self.abandon("interrupted", "the run ended without being finished")
        elif issubclass(kind, KeyboardInterrupt):
            self.abandon("interrupted", "interrupted")
        else:
            self.abandon("failed", f"{kind.__name__}: {exc}")
