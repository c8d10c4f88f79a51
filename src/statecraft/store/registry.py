"""The run registry: one SQLite database (WAL mode) holding every run's metadata.

A run is registered as ``running`` before its first sample and marked ``complete`` only
after its Parquet file has its final name; an interrupted run is marked ``interrupted``,
a run with failed chunks ``failed``. A run left ``running`` by a process that no longer
exists (killed) reads as ``incomplete``. Only complete runs are ever read back as results.
WAL mode and a busy timeout let the command line and the web app write at once; a writer
that still finds the database locked gets ``StoreBusy``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    scenario_name TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    scenario_text TEXT NOT NULL,
    scenario_path TEXT,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    method TEXT NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0,
    seconds REAL,
    version TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    failures TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    calibration TEXT
)
"""
# columns added after the first release, for stores made before them
MIGRATIONS = {"calibration": "ALTER TABLE runs ADD COLUMN calibration TEXT"}

STATUSES = ("running", "complete", "failed", "interrupted", "incomplete")


class StoreError(Exception):
    """The run store cannot do what was asked (unknown run, run not complete, ...)."""


class StoreBusy(StoreError):
    """Another process holds the store's database locked for longer than the timeout."""


@dataclass(frozen=True)
class RunRecord:
    """One run's row in the registry."""

    id: str
    created: str
    finished: str | None
    status: str
    scenario_name: str
    scenario_hash: str
    scenario_text: str
    scenario_path: str | None
    model: str
    params: dict[str, Any]
    seed: int
    samples: int
    method: str
    completed: int
    seconds: float | None
    version: str
    host: str
    pid: int
    failures: list[dict[str, Any]]
    error: str | None
    calibration: dict[str, Any] | None = None  # the error file (name, version, hash) or None

    def summary(self) -> dict[str, Any]:
        """The row without the scenario text, for listings and JSON."""
        out = dict(self.__dict__)
        out.pop("scenario_text")
        return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def now() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Registry:
    """The SQLite registry of one store directory."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        with self._connect() as db:
            db.execute(SCHEMA)
            have = {r[1] for r in db.execute("PRAGMA table_info(runs)").fetchall()}
            for col, sql in MIGRATIONS.items():
                if col not in have:
                    db.execute(sql)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the run store ({exc})") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(f"{self.path}: the run store is busy (another process "
                                f"is writing); try again") from None
            raise StoreError(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the run store is damaged ({exc})") from None
        finally:
            db.close()

    def insert(self, **row: Any) -> None:
        """Register a new run."""
        row = dict(row, params=json.dumps(row["params"], sort_keys=True),
                   calibration=None if row.get("calibration") is None
                   else json.dumps(row["calibration"], sort_keys=True),
                   host=socket.gethostname(), pid=os.getpid(), created=now(),
                   status="running")
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._connect() as db:
            db.execute(f"INSERT INTO runs ({cols}) VALUES ({marks})", tuple(row.values()))

    def update(self, run_id: str, **fields: Any) -> None:
        """Change some fields of a run's row."""
        if "failures" in fields:
            fields["failures"] = json.dumps(fields["failures"])
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._connect() as db:
            db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id))

    def _record(self, row: sqlite3.Row) -> RunRecord:
        data = dict(row)
        data["params"] = json.loads(data["params"])
        data["failures"] = json.loads(data["failures"])
        data["calibration"] = (None if data.get("calibration") is None
                               else json.loads(data["calibration"]))
        if (data["status"] == "running" and data["host"] == socket.gethostname()
                and not _alive(data["pid"])):
            data["status"] = "incomplete"  # its process is gone: it will never finish
        return RunRecord(**data)

    def list(self) -> list[RunRecord]:
        """Every run, newest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM runs ORDER BY rowid DESC").fetchall()
        return [self._record(r) for r in rows]

    def get(self, run_id: str) -> RunRecord:
        """One run, by its id or an unambiguous prefix of it."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\'",
                              (run_id.replace("\\", "\\\\").replace("%", "\\%")
                               .replace("_", "\\_") + "%",)).fetchall()
        exact = [r for r in rows if r["id"] == run_id]
        if exact:
            return self._record(exact[0])
        if not rows:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        if len(rows) > 1:
            raise StoreError(f"{run_id!r} matches {len(rows)} runs; give more of the id")
        return self._record(rows[0])
