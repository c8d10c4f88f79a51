"""The run store's front: start a run, stream its chunks, finish or abandon it, read it back.

A store is a directory: ``runs.sqlite`` (the registry) and ``runs/<id>.parquet`` (the
per-sample rows). ``RunWriter`` is the only way a run gets written; used as a context
manager it marks the run ``interrupted`` and removes the partial file when the block is
left by an exception (Ctrl-C included), so no half-written run is ever read as complete.

A run's data file is checked against what the registry recorded whenever it is read,
and a registry that is missing or empty beside run files is reported, never replaced by
a new empty one: damage is ``StoreDamaged``, never results.
"""

from __future__ import annotations

import builtins
import datetime as dt
import os
import secrets
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from statecraft.store.errors import RunNotFound, StoreDamaged, StoreError
from statecraft.store.frames import Frames, FrameWriter, read_run
from statecraft.store.registry import (
    Registry,
    RunRecord,
    RunSummary,
    now,
    scenario_hash,
)

DEFAULT_DIR = "statecraft-runs"


def default_store_dir() -> Path:
    """``$STATECRAFT_STORE`` if set, else ``./statecraft-runs``."""
    return Path(os.environ.get("STATECRAFT_STORE", DEFAULT_DIR))


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus random hex."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


class RunStore:
    """A run store directory (created when first written to).

    ``read_only`` opens it for reading alone; otherwise a store whose files this process
    may not write is opened read-only by itself. Either way it can be listed and read,
    and starting a run or cleaning it is an error.
    """

    def __init__(self, root: str | Path | None = None, *, read_only: bool = False) -> None:
        self.root = Path(root) if root is not None else default_store_dir()
        if self.root.exists() and not self.root.is_dir():
            raise StoreError("the run store is not a directory", path=self.root)
        self.read_only = read_only
        self._registry: Registry | None = None

    @property
    def db_path(self) -> Path:
        return self.root / "runs.sqlite"

    @property
    def registry(self) -> Registry:
        """The registry, opened (and made, in a new store) when first needed; checked to be
        still there at every use (a server keeps its store open for days)."""
        self._check_registry_file()
        if self._registry is None:
            if not self.db_path.exists():
                if self.read_only:
                    raise RunNotFound("the run store holds no runs", path=self.root)
                try:
                    (self.root / "runs").mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create the run store ({exc.strerror})",
                                     path=self.root) from None
            self._registry = Registry(self.db_path, read_only=self.read_only or None)
        return self._registry

    def _has_registry(self) -> bool:
        """Whether the store has a registry to read (a missing or empty one beside run
        files is damage: ``StoreDamaged``)."""
        self._check_registry_file()
        return self._registry is not None or self.db_path.exists()

    def _check_registry_file(self) -> None:
        """A registry that is missing or empty while run files exist was lost or
        truncated: say so rather than start an empty one that orphans them."""
        try:
            size = self.db_path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError as exc:
            raise StoreError(f"cannot read the run store ({exc.strerror})",
                             path=self.db_path) from None
        if size:
            return
        if _any_run_file(self.root / "runs"):
            state = "missing" if size is None else "empty (0 bytes)"
            raise StoreDamaged(f"the run store's registry is {state} but run data files "
                               "exist: it was lost or truncated; restore runs.sqlite from "
                               "a backup (the data files alone do not say what produced "
                               "them)", path=self.db_path)

    def parquet_path(self, run_id: str) -> Path:
        return self.root / "runs" / f"{run_id}.parquet"

    def start(self, *, scenario_name: str, scenario_text: str, scenario_path: str | None,
              model: str, params: dict[str, Any], seed: int, samples: int, method: str,
              issue_ids: tuple[str, ...], version: str,
              calibration: dict[str, Any] | None = None,
              edited_from: dict[str, Any] | None = None,
              cited_text: str | None = None) -> RunWriter:
        """Register a run as running and return its writer; ``calibration`` names the
        model-error file that calibrates its forecasts (None: uncalibrated).

        A run of an edited scenario records what it was edited from: ``edited_from``
        (its name, its path when it is a file, the SHA-256 of its text) and ``cited_text``,
        that text, whose values are the cited ones; ``scenario_path`` is then None, since
        no file holds the text that ran."""
        if (edited_from is None) != (cited_text is None):
            raise ValueError("a run edited from a scenario records both what it was edited "
                             "from and that scenario's text")
        if edited_from is not None and cited_text is not None:
            if edited_from.get("sha256") != scenario_hash(cited_text):
                raise ValueError("edited_from's sha256 is not that of the cited text")
            if scenario_path is not None:
                raise ValueError("an edited scenario has no path of its own; its cited "
                                 "original's is in edited_from")
        run_id = new_run_id()
        self.registry.insert(id=run_id, scenario_name=scenario_name,
                             scenario_hash=scenario_hash(scenario_text),
                             scenario_text=scenario_text, scenario_path=scenario_path,
                             model=model, params=params, seed=seed, samples=samples,
                             method=method, version=version, calibration=calibration,
                             edited_from=edited_from, cited_text=cited_text)
        return RunWriter(self, run_id, FrameWriter(self.parquet_path(run_id), issue_ids, seed))

    def list(self, *, limit: int | None = None, before: str | None = None
             ) -> builtins.list[RunSummary]:
        """Runs newest first, without their scenario text (an empty list when the store
        does not exist yet): at most ``limit`` of them, and only those older than run
        ``before`` (an id or an unambiguous prefix). Only the rows asked for are read."""
        if not self._has_registry():
            if limit is not None and limit < 1:
                raise ValueError(f"limit must be at least 1, not {limit}")
            if before is not None:
                raise RunNotFound(f"no run {before!r}", path=self.root)
            return []
        return [self._as_seen(run) for run in self.registry.list(limit=limit, before=before)]

    def _as_seen(self, run: RunSummary) -> RunSummary:
        """A complete run whose data file is missing or cut short listed as ``damaged``,
        with why as its error (``data_file_problem``: a stat and a 4-byte read; its
        checksum is checked only when it is read)."""
        if run.status != "complete":
            return run
        problem = data_file_problem(self.parquet_path(run.id))
        return run if problem is None else replace(run, status="damaged", error=problem)

    def get(self, run_id: str) -> RunRecord:
        """One run's whole record, by its id or an unambiguous prefix of it."""
        if not self._has_registry():
            raise RunNotFound(f"no run {run_id!r} (the store holds no runs)", path=self.root)
        return self.registry.get(run_id)

    def frames(self, run_id: str) -> tuple[Any, Any]:
        """A complete run's sampled inputs and outcomes, as pandas DataFrames, once its
        data file is checked against the registry (``StoreDamaged`` if it does not match)."""
        rec = self.get(run_id)
        return self.read(rec)

    def read(self, rec: RunRecord | RunSummary) -> tuple[Any, Any]:
        """``frames`` of a run already looked up."""
        got = self.read_run(rec)
        return got.inputs, got.outcomes

    def read_run(self, rec: RunRecord | RunSummary) -> Frames:
        """A complete run's inputs, outcomes and how each sample's run ended (``endings``:
        None for a run saved before they were kept), checked as ``frames`` is."""
        if rec.status != "complete":
            raise StoreError(f"run {rec.id} is {rec.status}, not complete: it has no "
                             f"results to read")
        return read_run(self.parquet_path(rec.id), run_id=rec.id, sha256=rec.data_sha256,
                        rows=rec.data_rows if rec.data_rows is not None else rec.samples,
                        seed=rec.seed)

    def clean(self, *, dry_run: bool = False) -> builtins.list[Leftover]:
        """Remove the data files no complete run owns and no running run will finish.

        That is the partial files (``*.parquet.part``) of runs that are not running, and
        the final files (``*.parquet``) of runs that never completed (a run killed just
        after its file got its final name, before the registry said so) or that no
        registry row knows. A killed run's registry row stays, so what produced it is
        still on record and can be run again. Complete runs, failed runs (their file holds
        the chunks that succeeded) and runs still running (here, or on another host
        sharing the store) keep their files. ``dry_run`` only lists what would go.
        """
        if self.read_only:
            raise StoreError("the run store is read-only: nothing can be removed from it",
                             path=self.root)
        runs_dir = self.root / "runs"
        if not runs_dir.is_dir():
            return []
        # the files first, then their runs' statuses: a run is registered before its
        # file exists, so a file found here has its row by the time it is looked up
        files = sorted(p for p in runs_dir.iterdir() if _run_id(p.name) is not None)
        if not files:
            return []
        status = self.registry.statuses(sorted({_run_id(p.name) or "" for p in files}))
        found: builtins.list[Leftover] = []
        for path in files:
            run_id = _run_id(path.name) or ""
            state = status.get(run_id, "unregistered")
            final = path.name.endswith(".parquet")
            if state == "running" or (final and state in ("complete", "failed")):
                continue
            try:
                if not path.is_file():
                    continue
                size = path.stat().st_size
                if not dry_run:
                    path.unlink()
            except FileNotFoundError:  # gone meanwhile
                continue
            except OSError as exc:
                raise StoreError(f"cannot remove it ({exc.strerror})", path=path) from None
            found.append(Leftover(run_id, path, size, state, final))
        return found


PARQUET_MAGIC = b"PAR1"
"""The four bytes a Parquet file begins and ends with."""


def data_file_problem(path: Path) -> str | None:
    """What is plainly wrong with a complete run's data file, seen cheaply (no checksum):
    missing, not a regular file, or not ending as a Parquet file ends (cut short); None
    when it looks whole."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block the open below
            return "its data file is not a regular file"
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < 2 * len(PARQUET_MAGIC):
                return f"its data file is cut short ({size} bytes)"
            f.seek(size - len(PARQUET_MAGIC))
            if f.read(len(PARQUET_MAGIC)) != PARQUET_MAGIC:
                return f"its data file is cut short or overwritten ({size:,} bytes)"
    except FileNotFoundError:
        return "its data file is missing"
    except OSError as exc:
        return f"its data file cannot be read ({exc.strerror})"
    return None


def _run_id(name: str) -> str | None:
    """The run a data file's name belongs to (None: not a run's data file)."""
    for suffix in (".parquet.part", ".parquet"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def _any_run_file(runs_dir: Path) -> bool:
    """Whether the directory holds any run's data file (stops at the first)."""
    try:
        with os.scandir(runs_dir) as entries:
            return any(_run_id(e.name) is not None for e in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise StoreError(f"cannot read the run store ({exc.strerror})", path=runs_dir
                         ) from None


@dataclass(frozen=True)
class Leftover:
    """A data file no complete run owns and no running run will finish: what
    ``RunStore.clean`` removes."""

    run_id: str
    path: Path
    bytes: int
    status: str  # the run's status, or "unregistered" when the registry has no such run
    final: bool = False  # a final ``.parquet`` file, not a partial ``.parquet.part`` one


class RunWriter:
    """Writes one run; see the module docstring."""

    def __init__(self, store: RunStore, run_id: str, frames: FrameWriter) -> None:
        self.store = store
        self.id = run_id
        self.frames = frames
        self.done = False

    def write(self, chunk: Any) -> None:
        """Append a chunk's rows (a ``ChunkResult``; fits ``run_batch``'s ``sink``)."""
        self.frames.write(chunk.first_sample, chunk.input_names, chunk.inputs, chunk.outcomes,
                          chunk.cycle_length, chunk.round_cap)

    def finish(self, *, completed: int, seconds: float,
               failures: list[dict[str, Any]]) -> None:
        """Make the data file final and mark the run complete (or failed, with failures)."""
        digest = self.frames.commit() if self.frames.rows else None
        status = "failed" if failures or not self.frames.rows else "complete"
        self.store.registry.update(self.id, status=status, finished=now(), completed=completed,
                                   seconds=seconds, failures=failures, data_sha256=digest,
                                   data_rows=self.frames.rows if digest else None)
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
