"""One Parquet file per run: the sampled inputs and the outcomes, one row per sample.

Rows are written chunk by chunk to ``<id>.parquet.part`` and the file is renamed to
``<id>.parquet`` only once the run is complete, so a file with the final name is always
whole. Columns: ``sample`` (its index in the run), ``seed`` (the run's seed), one column
per uncertain input (``capability.RUS``, ``position.RUS.karabakh_status``, ...) and one
``outcome.<issue>`` column per issue: the layout EMA Workbench, SALib and PRIM take.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

OUTCOME = "outcome."


def _schema(input_names: tuple[str, ...], issue_ids: tuple[str, ...]) -> Any:
    import pyarrow as pa

    fields = [pa.field("sample", pa.int64()), pa.field("seed", pa.int64())]
    fields += [pa.field(n, pa.float64()) for n in input_names]
    fields += [pa.field(OUTCOME + i, pa.float64()) for i in issue_ids]
    return pa.schema(fields)


class FrameWriter:
    """Streams a run's rows to a temporary Parquet file; ``commit`` makes it final."""

    def __init__(self, final: Path, issue_ids: tuple[str, ...], seed: int) -> None:
        self.final = final
        self.part = final.with_name(final.name + ".part")
        self.issue_ids = issue_ids
        self.seed = seed
        self._writer: Any = None
        self.rows = 0

    def write(self, first_sample: int, input_names: tuple[str, ...],
              inputs: NDArray[np.float64], outcomes: NDArray[np.float64]) -> None:
        """Append one chunk's rows."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self.part, _schema(input_names, self.issue_ids))
        n = outcomes.shape[0]
        cols = [pa.array(np.arange(first_sample, first_sample + n, dtype=np.int64)),
                pa.array(np.full(n, self.seed, dtype=np.int64))]
        cols += [pa.array(inputs[:, k]) for k in range(inputs.shape[1])]
        cols += [pa.array(outcomes[:, k]) for k in range(outcomes.shape[1])]
        self._writer.write_table(pa.Table.from_arrays(cols, schema=self._writer.schema))
        self.rows += n

    def commit(self) -> None:
        """Close the file, flush it to disk and give it its final name."""
        if self._writer is None:
            raise RuntimeError("no rows were written")
        self._writer.close()
        self._writer = None
        with open(self.part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(self.part, self.final)

    def discard(self) -> None:
        """Drop whatever was written."""
        if self._writer is not None:
            with contextlib.suppress(Exception):  # a broken file is removed below anyway
                self._writer.close()
            self._writer = None
        self.part.unlink(missing_ok=True)


def read_frames(path: Path) -> tuple[Any, Any]:
    """The inputs (with ``sample`` and ``seed``) and the outcomes of a run, as DataFrames."""
    import pyarrow.parquet as pq

    df = pq.read_table(path).to_pandas()
    df = df.set_index("sample")
    outcome_cols = [c for c in df.columns if c.startswith(OUTCOME)]
    inputs = df.drop(columns=outcome_cols)
    outcomes = df[outcome_cols].rename(columns=lambda c: c[len(OUTCOME):])
    return inputs, outcomes
