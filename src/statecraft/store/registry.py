"""The run registry: one SQLite database (WAL mode) holding every run's metadata.

A run is registered as ``running`` before its first sample and marked ``complete`` only
after its Parquet file has its final name, together with that file's SHA-256 and row
count; an interrupted run is marked ``interrupted``, a run with failed chunks ``failed``.
A run left ``running`` by a process that no longer exists (killed) reads as
``incomplete``: the process is recognised by its PID and its start time, so a later
process given the same PID does not keep a dead run running. Only complete runs are ever
read back as results. WAL mode and a busy timeout let the command line and the web app
write at once; a writer that still finds the database locked gets ``StoreBusy``.

A store whose files cannot be written (permissions, a read-only file system) is opened
read-only: ``mode=ro``, and ``immutable=1`` when SQLite cannot use the WAL's shared
memory file either (no ``-shm`` file and no right to make one: SQLite refuses ``mode=ro``
alone with SQLITE_READONLY_DIRECTORY); it can be listed and read, and nothing is ever
written to it. ``immutable=1`` promises SQLite that nobody changes the database: it reads
the main file alone (a ``-wal`` left by a crashed writer is not seen), and a store that
another user writes while this one reads it so may read inconsistently; readers of a live
store need the right to write its directory, or its ``-shm`` file to exist.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

from statecraft.store.errors import RunNotFound, StoreBusy, StoreDamaged, StoreError


def _columns(db: sqlite3.Connection) -> set[str]:
    """The columns of the table of runs (none: no table yet)."""
    return {r[1] for r in db.execute("PRAGMA table_info(runs)").fetchall()}


def _indexes(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'")}


def _up_to_date(db: sqlite3.Connection, have: set[str]) -> bool:
    """Whether the store has every column and index, and every row its ``seq``."""
    return (bool(have) and set(MIGRATIONS) <= have and set(INDEXES) <= _indexes(db)
            and not db.execute("SELECT 1 FROM runs WHERE seq IS NULL LIMIT 1").fetchone())


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
# columns added after the first release, for stores made before them (added when the
# store is first opened for writing; a read-only store is read without them)
MIGRATIONS = {
    "calibration": "ALTER TABLE runs ADD COLUMN calibration TEXT",
    "data_sha256": "ALTER TABLE runs ADD COLUMN data_sha256 TEXT",
    "data_rows": "ALTER TABLE runs ADD COLUMN data_rows INTEGER",
    "process_start": "ALTER TABLE runs ADD COLUMN process_start TEXT",
    "seq": "ALTER TABLE runs ADD COLUMN seq INTEGER",
    "edited_from": "ALTER TABLE runs ADD COLUMN edited_from TEXT",
    "cited_text": "ALTER TABLE runs ADD COLUMN cited_text TEXT",
}
# `seq` orders runs (newest first) and pages through them; rows from before it existed
# get it in their insertion order
NUMBER_OLD_ROWS = ("UPDATE runs SET seq = COALESCE((SELECT MAX(seq) FROM runs), 0) + rowid "
                   "WHERE seq IS NULL")
INDEXES = {"runs_by_seq": "CREATE UNIQUE INDEX IF NOT EXISTS runs_by_seq ON runs (seq)"}

STATUSES = ("running", "complete", "failed", "interrupted", "incomplete")
_ID_BATCH = 500  # ids per `IN (...)` query


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    """One run's row without its scenario text: what a listing shows."""

    id: str
    created: str
    finished: str | None
    status: str
    scenario_name: str
    scenario_hash: str
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
    data_sha256: str | None = None  # of the Parquet file; None: not complete, or saved
    data_rows: int | None = None  # by a version that did not record it (unverified)
    process_start: str | None = None  # of the writing process: "<boot id>:<clock ticks>"
    # what an edited scenario was edited from: {"name", "path" (when a file), "sha256"};
    # None: the scenario ran as it was read (from scenario_path, or as text)
    edited_from: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        """The row without the scenario text, for listings and JSON."""
        return {f.name: getattr(self, f.name) for f in fields(RunSummary)}


@dataclass(frozen=True, kw_only=True)
class RunRecord(RunSummary):
    """One run's whole row in the registry, its scenario text included, and for an
    edited scenario the text it was edited from (its cited original)."""

    scenario_text: str
    cited_text: str | None = None


SUMMARY_COLUMNS = tuple(f.name for f in fields(RunSummary))
RECORD_COLUMNS = (*SUMMARY_COLUMNS, "scenario_text", "cited_text")
_JSON = {"params": dict, "failures": builtins.list, "calibration": dict, "edited_from": dict}
_NULLABLE = ("calibration", "edited_from")
_TEXT = ("id", "created", "status", "scenario_name", "scenario_hash", "model", "method",
         "version", "host")
_TEXT_OR_NONE = ("finished", "scenario_path", "error", "data_sha256", "process_start",
                 "cited_text")
_COUNTS = ("seed", "samples", "completed", "pid")
_COUNTS_OR_NONE = ("data_rows",)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _plain_ok(key: str, value: Any) -> bool:
    """Whether a plain column holds what a run's row holds there."""
    if key in _TEXT:
        return isinstance(value, str)
    if key in _TEXT_OR_NONE:
        return value is None or isinstance(value, str)
    if key in _COUNTS:
        return _whole(value)
    if key in _COUNTS_OR_NONE:
        return value is None or _whole(value)
    if key == "seconds":
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    return True


def _plain_damage(data: dict[str, Any]) -> tuple[builtins.list[str], dict[str, Any]]:
    """What is wrong with a row's plain columns, each named with what it holds, and the
    values a listing shows in their place ("?" for a text, 0 for a count, else none)."""
    said, shown = [], {}
    for key, value in data.items():
        if _plain_ok(key, value):
            continue
        what = ("text" if key in _TEXT or key in _TEXT_OR_NONE else "a number"
                if key == "seconds" else "a whole number from 0")
        said.append(f"its {key} in the registry is not {what} ({str(value)[:40]!r})")
        shown[key] = "?" if key in _TEXT else 0 if key in _COUNTS else None
    return said, shown


def process_start(pid: int) -> str | None:
    """When process ``pid`` started: this boot's id and the start time in clock ticks
    after boot (field 22 of ``/proc/<pid>/stat``). None where ``/proc`` cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read(4096)
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            boot = f.read(64).strip()
        # the command name (field 2) is in parentheses and may hold spaces or ")"
        ticks = stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return None
    return f"{boot}:{ticks}"


def _alive(pid: int, started: str | None) -> bool:
    """Whether the process that registered a run still runs: its PID exists and, when its
    start time was recorded, the process with that PID started then (a PID is reused)."""
    if not isinstance(pid, int) or pid <= 0:  # 0 and below name process groups
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OverflowError:
        return False
    if started is None:
        return True  # recorded by an earlier version: the PID is all there is
    now = process_start(pid)
    return now is None or now == started  # None: it may have just ended; keep it running


def scenario_hash(text: str) -> str:
    """The SHA-256 of a scenario's text: runs of the same scenario share it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def can_write(path: Path) -> bool:
    """Whether this process may write ``path`` (a read-only file system included)."""
    return os.access(path, os.W_OK)


def _code(exc: sqlite3.Error) -> str:
    return str(getattr(exc, "sqlite_errorname", ""))


class Registry:
    """The SQLite registry of one store directory.

    ``read_only`` None decides by the files' permissions: a store this process may not
    write is opened read-only. ``True`` opens it read-only whatever they say.
    """

    def __init__(self, path: Path, timeout: float = 10.0, *,
                 read_only: bool | None = None) -> None:
        self.path = path
        self.timeout = timeout
        if read_only is None:
            read_only = not all(can_write(p) for p in self._files() if p.exists())
        self.read_only = read_only
        self._uri: str | None = None
        if read_only:
            self._have = self._open_read_only()
        else:
            self._have = self._migrate()

    def _migrate(self) -> frozenset[str]:
        """Make the table, or add what an older store lacks; a store that is up to date is
        only read (opening it takes no write lock)."""
        with self._connect() as db:
            have = _columns(db)
            if _up_to_date(db, have):
                return frozenset(have)
            # one process changes the schema at a time: under the write lock, what another
            # process has done meanwhile is read again (two processes opening a new store
            # at once both found a column missing, and the second to add it failed)
            db.execute("BEGIN IMMEDIATE")
            have = _columns(db)
            if not have:
                db.execute(SCHEMA)
                have = _columns(db)
            for col, sql in MIGRATIONS.items():
                if col not in have:
                    db.execute(sql)
            if db.execute("SELECT 1 FROM runs WHERE seq IS NULL LIMIT 1").fetchone():
                db.execute(NUMBER_OLD_ROWS)
            indexes = _indexes(db)
            for name, sql in INDEXES.items():
                if name not in indexes:
                    db.execute(sql)
        return frozenset(MIGRATIONS) | have

    def _files(self) -> tuple[Path, ...]:
        """What SQLite writes: the directory (for the WAL files), the database, the WAL."""
        return (self.path.parent, self.path, self.path.with_name(self.path.name + "-wal"),
                self.path.with_name(self.path.name + "-shm"))

    def _open_read_only(self) -> frozenset[str]:
        """Open with ``mode=ro``; where SQLite cannot set up the WAL's shared memory (no
        ``-shm`` file and no right to make one), with ``immutable=1`` as well."""
        base = "file:" + quote(str(self.path.absolute())) + "?mode=ro"
        shm = self.path.with_name(self.path.name + "-shm")
        tries = [base, base + "&immutable=1"]
        if not can_write(self.path.parent) and not shm.exists():
            tries = tries[1:]
        for k, uri in enumerate(tries):
            self._uri = uri
            try:
                with self._connect() as db:
                    cols = {r[1] for r in db.execute("PRAGMA table_info(runs)").fetchall()}
            except StoreError as exc:
                if k + 1 < len(tries) and not isinstance(exc, StoreDamaged | StoreBusy):
                    continue
                raise
            if not cols:
                raise StoreDamaged("the run store's registry has no table of runs",
                                   path=self.path)
            return frozenset(cols)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if self._uri is not None:
                db = sqlite3.connect(self._uri, timeout=self.timeout, uri=True)
            else:
                db = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the run store ({exc})", path=self.path) from None
        try:
            if self._uri is None:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        except sqlite3.Error as exc:
            code = _code(exc)
            if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise StoreBusy("the run store is busy (another process is writing); "
                                "try again", path=self.path) from None
            if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
                    isinstance(exc, sqlite3.DatabaseError)
                    and not isinstance(exc, sqlite3.OperationalError)):
                raise StoreDamaged(f"the run store's registry is damaged ({exc})",
                                   path=self.path) from None
            if code == "SQLITE_ERROR" and self._lost_table(db):
                raise StoreDamaged(f"the run store's registry has lost its table of runs "
                                   f"({exc})", path=self.path) from None
            if code.startswith("SQLITE_READONLY"):
                raise StoreError(f"the run store is read-only ({exc})", path=self.path
                                 ) from None
            raise StoreError(f"the run store cannot be used ({exc})", path=self.path
                             ) from None
        finally:
            db.close()

    def _lost_table(self, db: sqlite3.Connection) -> bool:
        """Whether the table of runs, or a column it had when the store was opened, is
        gone: what an SQL error on a sound database file means here (asked of the
        database's schema, not read from the error's text)."""
        try:
            have = {r[1] for r in db.execute("PRAGMA table_info(runs)").fetchall()}
        except sqlite3.Error:
            return False
        return not have or not getattr(self, "_have", frozenset()) <= have

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the run store is read-only: nothing can be saved in it",
                             path=self.path)

    def _select(self, columns: Sequence[str]) -> str:
        """A column list; columns an old read-only store lacks read as NULL."""
        return ", ".join(c if c in self._have else f"NULL AS {c}" for c in columns)

    @property
    def _order(self) -> str:
        return "seq" if "seq" in self._have else "rowid"

    def insert(self, **row: Any) -> None:
        """Register a new run, numbered after every run before it."""
        self._writable()
        pid = os.getpid()
        row = dict(row, params=json.dumps(row["params"], sort_keys=True),
                   calibration=None if row.get("calibration") is None
                   else json.dumps(row["calibration"], sort_keys=True),
                   edited_from=None if row.get("edited_from") is None
                   else json.dumps(row["edited_from"], sort_keys=True),
                   host=socket.gethostname(), pid=pid, process_start=process_start(pid),
                   created=now(), status="running")
        cols = ", ".join([*row, "seq"])
        marks = ", ".join(["?" for _ in row] + ["(SELECT COALESCE(MAX(seq), 0) + 1 FROM runs)"])
        with self._connect() as db:
            db.execute(f"INSERT INTO runs ({cols}) VALUES ({marks})", tuple(row.values()))

    def update(self, run_id: str, **fields: Any) -> None:
        """Change some fields of a run's row."""
        self._writable()
        if "failures" in fields:
            fields["failures"] = json.dumps(fields["failures"])
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._connect() as db:
            db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id))

    def _data(self, row: sqlite3.Row, *, listing: bool = False) -> dict[str, Any]:
        """A row's fields, JSON decoded and the status of a dead writer made incomplete.

        A field that cannot be read is ``StoreDamaged``; when ``listing``, the run is
        listed instead, its status ``damaged`` and its error saying why (empty settings
        in place of the unreadable ones), so that one damaged row hides no other run."""
        data = dict(row)
        damage, shown = _plain_damage(data)
        for key, kind in _JSON.items():
            if data.get(key) is None and key in _NULLABLE:
                continue
            try:
                value = json.loads(data[key])
            except (TypeError, ValueError):
                value = None
            if not isinstance(value, kind):
                damage.append(f"its {key} in the registry are not readable")
                value = None if key in _NULLABLE else kind()
            data[key] = value
        if data["status"] not in STATUSES:
            damage.append(f"unknown status {str(data['status'])[:40]!r} in the registry")
        if damage and not listing:
            raise StoreDamaged(f"run {data['id']}: {damage[0]}", path=self.path)
        if damage:  # listed with what can be shown of it, and why it is damaged
            return {**data, **shown, "status": "damaged", "error": "; ".join(damage)}
        if data["status"] == "running" and self._dead(data):
            data["status"] = "incomplete"  # its process is gone: it will never finish
        return data

    @staticmethod
    def _dead(row: dict[str, Any] | sqlite3.Row) -> bool:
        return bool(row["host"] == socket.gethostname()
                    and not _alive(row["pid"], row["process_start"]))

    def list(self, *, limit: int | None = None, before: str | None = None
             ) -> builtins.list[RunSummary]:
        """Runs newest first, without their scenario text: at most ``limit``, and only
        those registered before run ``before`` (an id or an unambiguous prefix)."""
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        sql = f"SELECT {self._select(SUMMARY_COLUMNS)} FROM runs"
        args: builtins.list[Any] = []
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            if before is not None:
                sql += f" WHERE {self._order} < (SELECT {self._order} FROM runs WHERE id = ?)"
                args.append(self._resolve(db, before))
            sql += f" ORDER BY {self._order} DESC"
            if limit is not None:
                sql += " LIMIT ?"
                args.append(limit)
            rows = db.execute(sql, args).fetchall()
        return [RunSummary(**self._data(r, listing=True)) for r in rows]

    def _resolve(self, db: sqlite3.Connection, run_id: str) -> str:
        """The full id of the run ``run_id`` names (its id or an unambiguous prefix),
        found through the id's index."""
        if db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
            return run_id
        # every id starting with run_id sorts between it and run_id + the last code point
        found = [r[0] for r in db.execute(
            "SELECT id FROM runs WHERE id > ? AND id < ? ORDER BY id LIMIT 2",
            (run_id, run_id + "\U0010ffff")).fetchall() if r[0].startswith(run_id)]
        if not found or not run_id:
            raise RunNotFound(f"no run {run_id!r}", path=self.path)
        if len(found) > 1:
            n = db.execute("SELECT COUNT(*) FROM runs WHERE id > ? AND id < ?",
                           (run_id, run_id + "\U0010ffff")).fetchone()[0]
            raise StoreError(f"{run_id!r} matches {n} runs; give more of the id",
                             path=self.path)
        return str(found[0])

    def get(self, run_id: str) -> RunRecord:
        """One run, by its id or an unambiguous prefix of it."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            full = self._resolve(db, run_id)
            row = db.execute(f"SELECT {self._select(RECORD_COLUMNS)} FROM runs WHERE id = ?",
                             (full,)).fetchone()
        data = self._data(row)
        if not isinstance(data["scenario_text"], str) or (
                scenario_hash(data["scenario_text"]) != data["scenario_hash"]):
            raise StoreDamaged(f"run {full}: its scenario text does not match the hash "
                               "recorded with it", path=self.path)
        edited = data["edited_from"]
        if edited is not None and (
                not isinstance(data["cited_text"], str)
                or scenario_hash(data["cited_text"]) != edited.get("sha256")):
            raise StoreDamaged(f"run {full}: the text its scenario was edited from does not "
                               "match the hash recorded with it", path=self.path)
        return RunRecord(**data)

    def statuses(self, run_ids: Sequence[str]) -> dict[str, str]:
        """The status of each of these runs the registry knows (a dead writer's run
        reads ``incomplete``)."""
        out: dict[str, str] = {}
        cols = self._select(("id", "status", "host", "pid", "process_start"))
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            for k in range(0, len(run_ids), _ID_BATCH):
                batch = run_ids[k:k + _ID_BATCH]
                marks = ", ".join("?" for _ in batch)
                for r in db.execute(f"SELECT {cols} FROM runs WHERE id IN ({marks})", batch):
                    dead = r["status"] == "running" and self._dead(r)
                    out[r["id"]] = "incomplete" if dead else r["status"]
        return out
