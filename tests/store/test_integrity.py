"""The run store notices damage: changed or swapped data files, a lost registry, runs
killed at the worst moment, dead writers whose PID was reused; and it can be read where it
cannot be written."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.store import RunNotFound, RunStore, StoreDamaged, StoreError
from statecraft.store import registry as registry_module
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def _forecast(store: RunStore, seed: int = 5, samples: int = 300) -> str:
    run = api.forecast_run(api.load(SMALL), samples=samples, seed=seed, model="compromise",
                       store=store)
    assert run.run_id is not None
    return run.run_id


def _cli(*args: str) -> tuple[int, str]:
    got = CliRunner().invoke(app, list(args))
    return got.exit_code, " ".join(got.output.split())  # rich wraps long lines


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _sql(store: RunStore, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(store.db_path) as db:
        return db.execute(sql, args).fetchall()


# ---- changed and swapped data files ---------------------------------------------------------

def test_a_flipped_byte_is_detected_by_every_reader(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    a, b = _forecast(store, seed=1), _forecast(store, seed=2)
    path = store.parquet_path(b)
    _flip(path, path.stat().st_size // 2)  # inside the data pages, not the footer
    said = f"run {b}: its data file is not the one saved with it"
    code, shown = _cli("runs", "show", b, "--store", str(tmp_path))
    assert code == 1 and said in shown
    code, compared = _cli("runs", "compare", a, b, "--store", str(tmp_path))
    assert code == 1 and said in compared
    code, reported = _cli("report", "--run", b, "--store", str(tmp_path),
                          "-o", str(tmp_path / "r.html"))
    assert code == 1 and said in reported and not (tmp_path / "r.html").exists()
    with pytest.raises(StoreDamaged) as caught:
        api.load_run(RunStore(tmp_path), b)
    # what a client may be shown names the run, not where the store is
    assert b in caught.value.client_message and str(tmp_path) not in caught.value.client_message
    assert str(path) in str(caught.value)  # the command line says which file
    code, fine = _cli("runs", "show", a, "--store", str(tmp_path))  # the other run is fine
    assert code == 0 and "unverified" not in fine


def test_another_runs_file_under_this_runs_name_is_detected(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    a, b = _forecast(store, seed=1), _forecast(store, seed=2)
    shutil.copyfile(store.parquet_path(a), store.parquet_path(b))
    with pytest.raises(StoreDamaged, match=f"run {b}: its data file is not the one saved"):
        store.frames(b)
    # a run saved before checksums were recorded: the file says whose it is
    _sql(store, "UPDATE runs SET data_sha256 = NULL, data_rows = NULL WHERE id = ?", b)
    with pytest.raises(StoreDamaged, match=f"run {b}: its data file is that of run {a}"):
        store.frames(b)


def test_a_run_without_a_recorded_checksum_is_read_and_said_unverified(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = _forecast(store)
    _sql(store, "UPDATE runs SET data_sha256 = NULL, data_rows = NULL WHERE id = ?", run_id)
    assert store.frames(run_id)[1].shape == (300, 2)
    code, shown = _cli("runs", "show", run_id, "--store", str(tmp_path))
    assert code == 0 and f"run {run_id} is unverified" in shown
    got = CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(tmp_path), "--json"])
    assert json.loads(got.stdout)["verified"] is False
    # even unverified, a truncated file is not its results
    import pyarrow.parquet as pq

    path = store.parquet_path(run_id)
    pq.write_table(pq.read_table(path).slice(0, 100), path)
    with pytest.raises(StoreDamaged, match=f"run {run_id}: its data file has 100 rows; "
                                           "300 were saved"):
        store.frames(run_id)


def test_the_recorded_checksum_is_the_files(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = _forecast(store)
    rec = store.get(run_id)
    data = store.parquet_path(run_id).read_bytes()
    assert rec.data_sha256 == hashlib.sha256(data).hexdigest() and rec.data_rows == 300
    got = CliRunner().invoke(app, ["runs", "show", run_id, "--store", str(tmp_path), "--json"])
    assert json.loads(got.stdout)["verified"] is True


def test_a_changed_scenario_text_in_the_registry_is_detected(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = _forecast(store)
    _sql(store, "UPDATE runs SET scenario_text = scenario_text || ' ' WHERE id = ?", run_id)
    with pytest.raises(StoreDamaged, match="scenario text does not match"):
        api.load_run(store, run_id)


# ---- a lost registry --------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["empty", "missing"])
def test_a_lost_registry_beside_run_files_is_reported_not_recreated(
        tmp_path: Path, how: str) -> None:
    store = RunStore(tmp_path)
    _forecast(store)
    assert len(store.list()) == 1  # kept open, as a server keeps it
    db = store.db_path
    for extra in (db.with_name("runs.sqlite-wal"), db.with_name("runs.sqlite-shm")):
        extra.unlink(missing_ok=True)
    if how == "empty":
        db.write_bytes(b"")
    else:
        db.unlink()
    for args in (["runs", "list"], ["runs", "clean"]):
        code, said = _cli(*args, "--store", str(tmp_path))
        assert code == 1 and "registry is" in said and "run data files exist" in said, args
    # a forecast still runs, unsaved, and says why
    code, said = _cli("forecast", str(SMALL), "--samples", "50", "--store", str(tmp_path))
    assert code == 0 and "not saved" in said and "run data files exist" in said, said
    with pytest.raises(StoreDamaged) as caught:
        RunStore(tmp_path).list()
    assert str(tmp_path) not in caught.value.client_message
    for use in (store.list, lambda: store.get("2")):
        with pytest.raises(StoreDamaged, match="run data files exist"):
            use()
    unsaved = api.forecast_run(api.load(SMALL), samples=50, seed=5, model="compromise",
                           store=store)
    assert unsaved.run_id is None and "run data files exist" in (unsaved.not_saved or "")
    # nothing was made in its place, and the data files are still there
    assert (db.stat().st_size == 0) if how == "empty" else not db.exists()
    assert len(list((tmp_path / "runs").glob("*.parquet"))) == 1


def test_a_new_store_is_still_made_in_an_empty_or_absent_folder(tmp_path: Path) -> None:
    for root in (tmp_path / "absent" / "deeper", tmp_path):
        assert RunStore(root).list() == []
        run_id = _forecast(RunStore(root))
        assert [r.id for r in RunStore(root).list()] == [run_id]
    empty = tmp_path / "empty-db"
    (empty / "runs").mkdir(parents=True)
    (empty / "runs.sqlite").write_bytes(b"")  # no run files: nothing is lost by starting
    _forecast(RunStore(empty))
    assert len(RunStore(empty).list()) == 1


def test_a_registry_that_is_not_a_database_is_damaged(tmp_path: Path) -> None:
    _forecast(RunStore(tmp_path))
    for extra in ("runs.sqlite-wal", "runs.sqlite-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    (tmp_path / "runs.sqlite").write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreDamaged, match="registry is damaged"):
        RunStore(tmp_path).list()



@pytest.mark.parametrize("loss", ["DROP TABLE runs", "ALTER TABLE runs DROP COLUMN seed"])
def test_a_registry_that_lost_its_table_or_a_column_is_damaged(tmp_path: Path,
                                                                loss: str) -> None:
    store = RunStore(tmp_path)
    _forecast(store)
    _sql(store, loss)
    with pytest.raises(StoreDamaged, match="lost its table of runs"):
        store.list()


def test_another_sql_error_on_a_sound_registry_is_not_damage(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    _forecast(store)
    with pytest.raises(StoreError, match="cannot be used") as raised, \
            store.registry._connect() as db:
        db.execute("SELECT no_such_function(1)")
    assert not isinstance(raised.value, StoreDamaged)

# ---- runs clean after a kill between the rename and the registry update -----------------------

KILLED_AFTER_RENAME = textwrap.dedent("""
    import os, signal, sys
    from statecraft import api
    from statecraft.store import RunStore
    from statecraft.uncertainty import run_batch
    store = RunStore(sys.argv[1])
    loaded = api.load(sys.argv[2])
    issues = tuple(i.id for i in loaded.scenario.issues)
    writer = store.start(scenario_name="small", scenario_text=loaded.text,
                         scenario_path=None, model="compromise", params={}, seed=1,
                         samples=200, method="random", issue_ids=issues, version="test")
    run_batch(loaded.text, samples=200, seed=1, model="compromise", issue_ids=issues,
              model_fn=api.model_function("compromise"), sink=writer.write)
    writer.frames.commit()  # the file has its final name; the registry has not been told
    print(writer.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_clean_removes_the_final_file_of_a_run_killed_before_the_registry_knew(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    done = _forecast(store)
    proc = subprocess.run([sys.executable, "-c", KILLED_AFTER_RENAME, str(tmp_path),
                           str(SMALL)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    killed = proc.stdout.strip()
    final = store.parquet_path(killed)
    assert final.is_file()
    assert {r.id: r.status for r in store.list()} == {done: "complete", killed: "incomplete"}
    stray = store.parquet_path("20200101-000000-abcdef")  # a file no run owns
    stray.write_bytes(b"PAR1")
    dry = CliRunner().invoke(app, ["runs", "clean", "--dry-run", "--store", str(tmp_path),
                                   "--json"])
    assert dry.exit_code == 0, dry.output
    listed = {(f["run_id"], f["status"], f["final"]) for f in json.loads(dry.stdout)["files"]}
    assert listed == {(killed, "incomplete", True),
                      ("20200101-000000-abcdef", "unregistered", True)}
    assert final.exists() and stray.exists()
    gone = store.clean()
    assert {g.path for g in gone} == {final, stray}
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [f"{done}.parquet"]
    assert store.frames(done)[1].shape == (300, 2)
    assert [r.id for r in store.list()] == [killed, done]  # the killed run stays listed


def test_clean_keeps_the_final_file_of_a_run_still_running(tmp_path: Path) -> None:
    from statecraft.uncertainty import run_batch

    store = RunStore(tmp_path)
    loaded = api.load(SMALL)
    issues = tuple(i.id for i in loaded.scenario.issues)
    with store.start(scenario_name="small", scenario_text=loaded.text, scenario_path=None,
                     model="compromise", params={}, seed=1, samples=200, method="random",
                     issue_ids=issues, version="test") as writer:
        run_batch(loaded.text, samples=200, seed=1, model="compromise", issue_ids=issues,
                  model_fn=api.model_function("compromise"), sink=writer.write)
        writer.frames.commit()  # renamed, registry not yet told: this process is alive
        assert store.clean() == []
        assert store.parquet_path(writer.id).exists()
        writer.done = True
    assert store.list()[0].status == "running"


# ---- liveness: PID and start time ----------------------------------------------------------

def test_a_reused_pid_does_not_keep_a_dead_run_running(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    run_id = _forecast(store)
    me = registry_module.process_start(os.getpid())
    if me is None:
        pytest.skip("this system has no /proc to tell when a process started")
    boot, _, ticks = me.partition(":")
    assert len(boot) == 36 and ticks.isdigit()
    # this very process, as it was recorded: still running
    _sql(store, "UPDATE runs SET status = 'running', pid = ?, process_start = ? WHERE id = ?",
         os.getpid(), me, run_id)
    assert store.get(run_id).status == "running"
    # the same PID, but a process that started at another time: the writer is gone
    _sql(store, "UPDATE runs SET process_start = ? WHERE id = ?", f"{boot}:{int(ticks) + 1}",
         run_id)
    assert store.get(run_id).status == "incomplete"
    assert store.list()[0].status == "incomplete"
    (tmp_path / "runs" / f"{run_id}.parquet").rename(
        tmp_path / "runs" / f"{run_id}.parquet.part")
    assert [g.run_id for g in store.clean()] == [run_id]  # and clean no longer skips it
    # rows from before start times were recorded: the PID alone, as before
    _sql(store, "UPDATE runs SET process_start = NULL WHERE id = ?", run_id)
    assert store.get(run_id).status == "running"
    # a PID that names a process group, not a process, is no writer
    _sql(store, "UPDATE runs SET pid = 0 WHERE id = ?", run_id)
    assert store.get(run_id).status == "incomplete"


def test_a_run_records_the_start_time_of_the_process_that_wrote_it(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    rec = store.get(_forecast(store))
    assert rec.pid == os.getpid()
    assert rec.process_start == registry_module.process_start(os.getpid())


# ---- a read-only store --------------------------------------------------------------------------

def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _quiesce(root: Path) -> None:
    """Fold the WAL into the database, as a store no process has open looks."""
    with sqlite3.connect(root / "runs.sqlite") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in ("runs.sqlite-wal", "runs.sqlite-shm"):
        (root / extra).unlink(missing_ok=True)


def test_a_store_that_cannot_be_written_is_opened_read_only_and_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What this proves: when the store's files are not writable for this process (here
    the permission check is made to say so, because the tests often run as root, whom
    file modes do not stop), every connection is opened with ``mode=ro`` and, with no
    ``-shm`` file to use, ``immutable=1``; listing, reading and comparing work; not one
    file is created or changed; starting a run is refused. That SQLite really reads
    through real permissions is the next test's, run as an unprivileged user."""
    store = RunStore(tmp_path)
    a, b = _forecast(store, seed=1), _forecast(store, seed=2)
    _quiesce(tmp_path)
    before = _snapshot(tmp_path)
    opened: list[str] = []
    real = sqlite3.connect

    def spy(target: object, *args: object, **kw: object) -> sqlite3.Connection:
        opened.append(str(target))
        return real(target, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(registry_module, "can_write", lambda path: False)
    monkeypatch.setattr(registry_module.sqlite3, "connect", spy)
    ro = RunStore(tmp_path)
    assert [r.id for r in ro.list()] == [b, a]
    assert ro.frames(a)[1].shape == (300, 2)
    assert api.compare_runs(ro, a, b).a == a
    assert ro.registry.read_only
    unsaved = api.forecast_run(api.load(SMALL), samples=50, seed=5, model="compromise",
                           store=ro)  # runs, and says it was not saved
    assert unsaved.run_id is None and "read-only" in (unsaved.not_saved or "")
    with pytest.raises(StoreError, match="read-only"):
        RunStore(tmp_path, read_only=True).clean()
    assert opened and all(u.startswith("file:") and "mode=ro" in u and "immutable=1" in u
                          for u in opened), opened
    assert _snapshot(tmp_path) == before


def test_a_store_asked_to_be_read_only_uses_mode_ro_while_others_write(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    a = _forecast(store)
    ro = RunStore(tmp_path, read_only=True)
    assert [r.id for r in ro.list()] == [a]
    b = _forecast(store, seed=2)  # a writer goes on; the read-only reader sees its run
    assert [r.id for r in ro.list()] == [b, a]
    assert ro.registry._uri is not None and "immutable" not in ro.registry._uri
    assert RunStore(tmp_path / "nothing", read_only=True).list() == []


READER = textwrap.dedent("""
    import json, os, site, sys
    for path in json.loads(sys.argv[2]):  # the test's packages, for another interpreter
        site.addsitedir(path)
    try:
        from statecraft.store import RunStore
    except ImportError as exc:
        print(exc, file=sys.stderr)
        sys.exit(77)
    store = RunStore(sys.argv[1])
    runs = store.list()
    shape = store.frames(runs[0].id)[1].shape
    print(json.dumps({"ids": [r.id for r in runs], "shape": list(shape),
                      "read_only": store.registry.read_only, "uid": os.getuid()}))
""")


@pytest.fixture
def readable_tmp() -> Iterator[Path]:
    """A directory an unprivileged user can reach (pytest's own are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="statecraft-ro-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for p in [root, *root.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(root)


def _as_nobody() -> None:
    os.setgid(65534)
    os.setgroups([])
    os.setuid(65534)


def _interpreters() -> list[str]:
    """This interpreter, then the system's of the same version (this one may sit in a
    directory only root can enter, e.g. under /root)."""
    found = [sys.executable]
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    if system and Path(system).resolve() != Path(sys.executable).resolve():
        found.append(system)
    return found


def test_a_read_only_store_lists_and_reads_for_a_user_who_cannot_write_it(
        readable_tmp: Path) -> None:
    """What this proves: with the store's directories at mode 555 and its files at 444
    (no -wal or -shm left), a process that really lacks write permission lists the runs
    and reads a run's data, and the files are unchanged afterwards. As root the reader is
    a child process that drops to the ``nobody`` user (with this test's packages, on this
    interpreter or the system's of the same version); skipped where that is impossible."""
    import site

    root = readable_tmp / "store"
    store = RunStore(root)
    a, b = _forecast(store, seed=1), _forecast(store, seed=2)
    _quiesce(root)
    for p in [*root.rglob("*"), root]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    before = _snapshot(root)
    drop = _as_nobody if os.geteuid() == 0 else None
    env = dict(os.environ, HOME=str(readable_tmp), NUMBA_CACHE_DIR=str(readable_tmp))
    paths = json.dumps(site.getsitepackages())
    proc = None
    for python in _interpreters():
        try:
            proc = subprocess.run([python, "-c", READER, str(root), paths],
                                  capture_output=True, text=True, timeout=120,
                                  preexec_fn=drop, env=env, cwd=readable_tmp)
        except (PermissionError, subprocess.SubprocessError):
            continue
        if proc.returncode != 77:
            break
    if proc is None or proc.returncode == 77:
        pytest.skip("no interpreter an unprivileged user can run with these packages")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["uid"] != 0  # the reader really was unprivileged
    assert got == {"ids": [b, a], "shape": [300, 2], "read_only": True, "uid": got["uid"]}
    assert _snapshot(root) == before


# ---- cost that does not grow with the store -----------------------------------------------------

def _fill(store: RunStore, n: int, text_bytes: int = 1000) -> list[str]:
    """``n`` complete runs inserted straight into the registry in one transaction (only
    listing is asked of them: they have no data files); their ids, oldest first."""
    _forecast(store)  # the schema, made the ordinary way
    _sql(store, "DELETE FROM runs")
    ids = [f"20240101-{k // 60:06d}-{k:06x}" for k in range(n)]
    text = "x" * text_bytes
    rows = [(i, "2024-01-01T00:00:00+00:00", "complete", f"s{k}", "0" * 64, text, "compromise",
             "{}", k, 100, "random", "test", "host", 1, k + 1) for k, i in enumerate(ids)]
    with sqlite3.connect(store.db_path) as db:
        db.executemany("INSERT INTO runs (id, created, status, scenario_name, scenario_hash, "
                       "scenario_text, model, params, seed, samples, method, version, host, "
                       "pid, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return ids


class _Counting:
    """Wraps ``sqlite3.connect``: every statement run and the VM steps they took."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.steps = 0
        self.real = sqlite3.connect

    def __call__(self, *args: object, **kw: object) -> sqlite3.Connection:
        db = self.real(*args, **kw)  # type: ignore[arg-type]
        db.set_trace_callback(self.statements.append)

        def step() -> int:
            self.steps += 1
            return 0

        db.set_progress_handler(step, 10)
        return db


def _listing_cost(store: RunStore, monkeypatch: pytest.MonkeyPatch, **kw: object
                  ) -> tuple[list[str], int, list[str]]:
    counting = _Counting()
    with monkeypatch.context() as m:
        m.setattr(registry_module.sqlite3, "connect", counting)
        got = store.list(**kw)  # type: ignore[arg-type]
    selects = [s for s in counting.statements if s.lstrip().upper().startswith("SELECT")]
    return [r.id for r in got], counting.steps, selects


def test_listing_20000_runs_20_at_a_time_reads_20_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, big = RunStore(tmp_path / "small"), RunStore(tmp_path / "big")
    _fill(small, 200)
    ids = _fill(big, 20_000)
    small.registry, big.registry  # noqa: B018 (opened outside what is counted)
    newest, big_steps, selects = _listing_cost(big, monkeypatch, limit=20)
    assert newest == ids[::-1][:20]
    _, small_steps, _ = _listing_cost(small, monkeypatch, limit=20)
    # the work is that of 20 rows: about the same with 200 runs or 20,000 (a scan of
    # every row, or a sort of them, would take a hundred times the steps)
    assert big_steps <= 2 * small_steps + 50, (big_steps, small_steps)
    listing = selects[-1]
    assert "scenario_text" not in listing and "*" not in listing
    with sqlite3.connect(big.db_path) as db:
        plan = " ".join(str(r[-1]) for r in db.execute("EXPLAIN QUERY PLAN " + listing))
    assert "runs_by_seq" in plan and "TEMP B-TREE" not in plan, plan
    # the next page starts after the last run shown, through the same index
    page2, steps2, _ = _listing_cost(big, monkeypatch, limit=20, before=newest[-1])
    assert page2 == ids[::-1][20:40]
    assert steps2 <= 2 * small_steps + 50
    # and each row is a summary without the scenario text
    row = big.list(limit=1)[0]
    assert not hasattr(row, "scenario_text") and "scenario_text" not in row.summary()


def test_pages_cover_every_run_once_in_order(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    ids = _fill(store, 45)[::-1]
    pages, before = [], None
    while True:
        page = [r.id for r in store.list(limit=20, before=before)]
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [i for p in pages for i in p] == ids == [r.id for r in store.list()]
    assert [r.id for r in store.list(limit=3, before=ids[10])] == ids[11:14]
    with pytest.raises(RunNotFound) as caught:
        store.list(limit=3, before="nope")
    assert caught.value.client_message == "no run 'nope'"
    with pytest.raises(ValueError, match="at least 1"):
        store.list(limit=0)


def test_runs_list_pages_and_shows_ids_that_show_and_compare_take(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    made = [_forecast(store, seed=k, samples=50) for k in range(3)]
    got = CliRunner(env={"COLUMNS": "60"}).invoke(
        app, ["runs", "list", "--limit", "2", "--store", str(tmp_path)])
    assert got.exit_code == 0, got.output
    assert made[2] in got.stdout and made[1] in got.stdout and made[0] not in got.stdout
    assert f"runs list --before {made[1]}" in " ".join(got.output.split())
    older = CliRunner().invoke(app, ["runs", "list", "--before", made[1], "--store",
                                     str(tmp_path), "--json"])
    assert [r["id"] for r in json.loads(older.stdout)] == [made[0]]
    for run_id in made:
        code, _ = _cli("runs", "show", run_id, "--store", str(tmp_path))
        assert code == 0
    code, _ = _cli("runs", "compare", made[0], made[2], "--store", str(tmp_path))
    assert code == 0


# ---- an old store -------------------------------------------------------------------------------

OLD_COLUMNS = ("id, created, finished, status, scenario_name, scenario_hash, scenario_text, "
               "scenario_path, model, params, seed, samples, method, completed, seconds, "
               "version, host, pid, failures, error, calibration")


def test_a_store_made_before_checksums_is_read_then_migrated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = RunStore(tmp_path / "new")
    a, b = _forecast(new, seed=1), _forecast(new, seed=2)
    old = tmp_path / "old"
    shutil.copytree(tmp_path / "new" / "runs", old / "runs")
    with sqlite3.connect(old / "runs.sqlite") as db:
        db.execute(registry_module.SCHEMA)
        db.execute("ATTACH DATABASE ? AS new", (str(new.db_path),))
        db.execute(f"INSERT INTO runs ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM new.runs "
                   "ORDER BY seq")
    # read-only first: read as it is, nothing added
    with monkeypatch.context() as m:
        m.setattr(registry_module, "can_write", lambda path: False)
        listed = RunStore(old).list()
        assert [r.id for r in listed] == [b, a]
        assert all(r.data_sha256 is None for r in listed)
        assert RunStore(old).frames(a)[1].shape == (300, 2)
    cols = {r[1] for r in _sql(RunStore(old), "PRAGMA table_info(runs)")}
    assert "data_sha256" not in cols
    # opened for writing: the columns are added, the old runs keep their order
    store = RunStore(old)
    c = _forecast(store, seed=3)
    assert [r.id for r in store.list()] == [c, b, a]
    assert store.get(c).data_sha256 is not None and store.get(a).data_sha256 is None
    code, shown = _cli("runs", "show", a, "--store", str(old))
    assert code == 0 and f"run {a} is unverified" in shown


def test_a_store_migrated_by_another_process_meanwhile_is_opened_without_error(
        tmp_path: Path) -> None:
    """Two processes open an old (or new) store at once: both find a column missing, one
    adds it first. The other, waiting for the write lock, reads the schema again under it
    and adds nothing twice (it failed with 'duplicate column name', and its forecast ran
    unsaved)."""
    import threading

    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")  # as every store is
        db.execute(registry_module.SCHEMA)  # the first release's columns only
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is migrating: it holds the lock
    opened: list[object] = []
    failed: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(registry_module.Registry(path, timeout=30.0))
        except BaseException as exc:  # reported by the assertion below
            failed.append(exc)

    thread = threading.Thread(target=open_it)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive(), "opening the store did not wait for the write lock"
    first = {r[1] for r in other.execute("PRAGMA table_info(runs)")}
    for col, sql in registry_module.MIGRATIONS.items():
        if col not in first:
            other.execute(sql)
    other.execute("COMMIT")
    other.close()
    thread.join(30.0)
    assert failed == [] and len(opened) == 1
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(runs)")}
    assert set(registry_module.MIGRATIONS) <= cols
