"""One Parquet file per run: the sampled inputs and the outcomes, one row per sample.

Rows are written chunk by chunk to ``<id>.parquet.part`` and the file is renamed to
``<id>.parquet`` only once the run is complete, so a file with the final name is always
whole. Columns: ``sample`` (its index in the run), ``seed`` (the run's seed), one column
per uncertain input (``capability.RUS``, ``position.RUS.karabakh_status``, ...), one
``outcome.<issue>`` column per issue (the layout EMA Workbench, SALib and PRIM take) and
one ``ending.<issue>`` column per issue: how the sample's run ended there (``int16``, the
model's ``Trajectory.cycle_length``: 1 a fixed point, 0 its stopping rule, ``k >= 2`` a
cycle of ``k`` rounds, -1 not converged by the round cap). Files written before endings
were kept have no ``ending.`` columns; they read as before, with the endings unknown
(``Frames.endings`` None). The file's metadata names its run and the round cap its
model's runs had (``statecraft.round_cap``, absent for a model without one).

``commit`` returns the final file's SHA-256, which the registry records with the row
count; ``read_run`` checks both, and that the rows are the run's (its seed, samples
0 to n - 1), before anything is read from the file, so a changed, truncated or swapped
file is an error naming the run, never results.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.atomic import fsync_folder
from statecraft.models.trajectory import STEADY
from statecraft.store.errors import StoreDamaged, StoreError

OUTCOME = "outcome."
ENDING = "ending."
ENDING_RANGE = (-1, int(np.iinfo(np.int16).max))
"""The values an ``ending.`` column may hold (a complete run's every sample is known),
besides ``STEADY`` (``models.trajectory``: at the cap with its forecast held still)."""
RUN_KEY = b"statecraft.run_id"  # the file's metadata: the run it belongs to
ROUND_CAP_KEY = b"statecraft.round_cap"  # and the round cap of its model's runs
_BUFFER = 1 << 20


def _schema(run_id: str, input_names: tuple[str, ...], issue_ids: tuple[str, ...],
            round_cap: int | None = None) -> Any:
    import pyarrow as pa

    fields = [pa.field("sample", pa.int64()), pa.field("seed", pa.int64())]
    fields += [pa.field(n, pa.float64()) for n in input_names]
    fields += [pa.field(OUTCOME + i, pa.float64()) for i in issue_ids]
    fields += [pa.field(ENDING + i, pa.int16()) for i in issue_ids]
    metadata = {RUN_KEY: run_id.encode("utf-8")}
    if round_cap is not None:
        metadata[ROUND_CAP_KEY] = str(int(round_cap)).encode("ascii")
    return pa.schema(fields, metadata=metadata)


def _sha256(f: Any) -> str:
    digest = hashlib.sha256()
    while block := f.read(_BUFFER):
        digest.update(block)
    return digest.hexdigest()


def _column(values: NDArray[Any]) -> Any:
    """A NumPy column as an Arrow array over the same values (NaN stays NaN, no nulls), as
    ``pyarrow.array`` makes it but without its check for pandas objects, which imports
    pandas (0.3-0.4 s) in a forecast that never uses it."""
    import pyarrow as pa

    data = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(data.dtype), len(data),
                                 [None, pa.py_buffer(data)])


def _reason(exc: OSError) -> str:
    """The system's words for why a file could not be opened: pyarrow's errors carry the
    error number only in their text ('... Detail: [errno 20] Not a directory')."""
    found = re.search(r"\[errno (\d+)\]", str(exc))
    if found:
        return os.strerror(int(found.group(1)))
    return exc.strerror or str(exc)


class FrameWriter:
    """Streams a run's rows to a temporary Parquet file; ``commit`` makes it final."""

    def __init__(self, final: Path, issue_ids: tuple[str, ...], seed: int) -> None:
        self.final = final
        self.run_id = final.name.removesuffix(".parquet")
        self.part = final.with_name(final.name + ".part")
        self.issue_ids = issue_ids
        self.seed = seed
        self._writer: Any = None
        self.rows = 0

    def write(self, first_sample: int, input_names: tuple[str, ...],
              inputs: NDArray[np.float64], outcomes: NDArray[np.float64],
              endings: NDArray[np.int16], round_cap: int | None = None) -> None:
        """Append one chunk's rows: inputs, outcomes and how each run ended (``int16``);
        ``round_cap``, the runs' round cap, is recorded with the first chunk."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            try:
                self._writer = pq.ParquetWriter(self.part, _schema(
                    self.run_id, input_names, self.issue_ids, round_cap))
            except OSError as exc:  # pyarrow's own errors are OSErrors too
                raise StoreError(f"cannot write run {self.run_id}'s data file "
                                 f"({_reason(exc)}); fix the store (see statecraft runs) or "
                                 "give --no-store", path=self.part) from None
        n = outcomes.shape[0]
        cols = [_column(np.arange(first_sample, first_sample + n, dtype=np.int64)),
                _column(np.full(n, self.seed, dtype=np.int64))]
        cols += [_column(inputs[:, k]) for k in range(inputs.shape[1])]
        cols += [_column(outcomes[:, k]) for k in range(outcomes.shape[1])]
        ends = np.asarray(endings, dtype=np.int16)
        cols += [_column(ends[:, k]) for k in range(ends.shape[1])]
        self._writer.write_table(pa.Table.from_arrays(cols, schema=self._writer.schema))
        self.rows += n

    def commit(self) -> str:
        """Close the file, flush it to disk, give it its final name; its SHA-256."""
        if self._writer is None:
            raise RuntimeError("no rows were written")
        self._writer.close()
        self._writer = None
        with open(self.part, "rb") as f:
            digest = _sha256(f)
            os.fsync(f.fileno())
        os.replace(self.part, self.final)
        fsync_folder(self.final.parent)  # the rename itself, where the system allows it
        return digest

    def discard(self) -> None:
        """Drop whatever was written."""
        if self._writer is not None:
            with contextlib.suppress(Exception):  # a broken file is removed below anyway
                self._writer.close()
            self._writer = None
        with contextlib.suppress(OSError):  # best effort: the store may be what failed
            self.part.unlink(missing_ok=True)


@dataclass(frozen=True)
class Frames:
    """A run's rows as DataFrames indexed by sample: ``inputs`` (with ``seed``),
    ``outcomes`` and ``endings`` (a column per issue, as the outcomes; None for a run
    saved before endings were kept); and the round cap its runs had (None: none, or not
    recorded)."""

    inputs: Any
    outcomes: Any
    endings: Any | None
    round_cap: int | None = None


def read_frames(path: Path, *, run_id: str | None = None, sha256: str | None = None,
                rows: int | None = None, seed: int | None = None) -> tuple[Any, Any]:
    """The inputs (with ``sample`` and ``seed``) and the outcomes of a run, as DataFrames
    (``read_run``'s, without the endings)."""
    got = read_run(path, run_id=run_id, sha256=sha256, rows=rows, seed=seed)
    return got.inputs, got.outcomes


def read_run(path: Path, *, run_id: str | None = None, sha256: str | None = None,
             rows: int | None = None, seed: int | None = None) -> Frames:
    """The inputs (with ``sample`` and ``seed``), the outcomes and the endings of a run.

    With ``run_id`` the file is checked first: it must be a regular file whose SHA-256
    and row count are ``sha256`` and ``rows`` (when given; runs saved before they were
    recorded have neither), whose metadata names no other run, and whose rows are
    samples 0 to n - 1 drawn with ``seed``; its ``ending.`` columns, when it has them,
    must be one per outcome column, each in ``ENDING_RANGE`` or ``STEADY``. Anything else raises
    ``StoreDamaged``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    who = f"run {run_id}" if run_id is not None else "this run"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
    except FileNotFoundError:
        raise StoreDamaged(f"{who} is complete but its data file is missing",
                           path=path) from None
    except OSError as exc:
        raise StoreDamaged(f"{who}: its data file cannot be read ({exc.strerror})",
                           path=path) from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StoreDamaged(f"{who}: its data file is not a regular file", path=path)
        if sha256 is not None and _sha256(f) != sha256:
            raise StoreDamaged(f"{who}: its data file is not the one saved with it (its "
                               "SHA-256 differs from the one recorded when the run "
                               "completed): it was changed, truncated or replaced",
                               path=path)
        f.seek(0)
        try:
            table = pq.read_table(f)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise StoreDamaged(f"{who}: its data file is not a readable Parquet file "
                               f"({exc})", path=path) from None
    if run_id is not None:
        _check(table, who, path, run_id=run_id, rows=rows, seed=seed)
    _check_endings(table, who, path)
    df = table.to_pandas()
    df = df.set_index("sample")
    outcome_cols = [c for c in df.columns if c.startswith(OUTCOME)]
    ending_cols = [c for c in df.columns if c.startswith(ENDING)]
    inputs = df.drop(columns=outcome_cols + ending_cols)
    outcomes = df[outcome_cols].rename(columns=lambda c: c[len(OUTCOME):])
    endings = (df[ending_cols].rename(columns=lambda c: c[len(ENDING):])
               if ending_cols else None)
    return Frames(inputs, outcomes, endings, _round_cap(table, who, path))


def _round_cap(table: Any, who: str, path: Path) -> int | None:
    """The round cap recorded in a file's metadata (None when there is none)."""
    raw = (table.schema.metadata or {}).get(ROUND_CAP_KEY)
    if raw is None:
        return None
    text = raw.decode("ascii", "replace")
    if not text.isdigit() or len(text) > 12:
        raise StoreDamaged(f"{who}: its data file's recorded round cap is not a whole number",
                           path=path)
    return int(text)


def _check_endings(table: Any, who: str, path: Path) -> None:
    """A file's ``ending.`` columns, if any: one ``int16`` column per outcome column, in
    the same order, each value in ``ENDING_RANGE``."""
    names = table.column_names
    ends = [c[len(ENDING):] for c in names if c.startswith(ENDING)]
    if not ends:
        return
    issues = [c[len(OUTCOME):] for c in names if c.startswith(OUTCOME)]
    if ends != issues:
        raise StoreDamaged(f"{who}: its data file's ending columns are not one per issue",
                           path=path)
    lo, hi = ENDING_RANGE
    for issue in ends:
        col = table.column(ENDING + issue)
        values = col.to_numpy(zero_copy_only=False)
        odd = values[(values != STEADY) & ((values < lo) | (values > hi))]
        if str(col.type) != "int16" or col.null_count or odd.size:
            raise StoreDamaged(f"{who}: its data file's ending column for {issue} holds "
                               f"values other than whole numbers from {lo} to {hi} or "
                               f"{STEADY} (a steady forecast)", path=path)


def _check(table: Any, who: str, path: Path, *, run_id: str, rows: int | None,
           seed: int | None) -> None:
    """The table is the run's: its own id, row count, seed and sample numbers."""
    owner = (table.schema.metadata or {}).get(RUN_KEY)
    if owner is not None and owner != run_id.encode("utf-8"):
        raise StoreDamaged(f"{who}: its data file is that of run "
                           f"{owner.decode('utf-8', 'replace')}", path=path)
    if rows is not None and table.num_rows != rows:
        raise StoreDamaged(f"{who}: its data file has {table.num_rows} rows; "
                           f"{rows} were saved", path=path)
    names = set(table.column_names)
    if not {"sample", "seed"} <= names:
        raise StoreDamaged(f"{who}: its data file has no sample or seed column", path=path)
    sample = table.column("sample").to_numpy()
    if not np.array_equal(sample, np.arange(table.num_rows)):
        raise StoreDamaged(f"{who}: the samples in its data file are not 0 to "
                           f"{table.num_rows - 1}", path=path)
    if seed is not None and not (table.column("seed").to_numpy() == seed).all():
        raise StoreDamaged(f"{who}: its data file holds samples of another seed than the "
                           f"run's ({seed})", path=path)
