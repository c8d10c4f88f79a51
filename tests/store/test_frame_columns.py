"""A run's rows written to Parquet chunk by chunk read back as the very numbers given:
NaN, infinities and negative zero included, column slices of 2-D arrays, each column of
its type (float64 inputs and outcomes, int64 sample and seed, int16 endings)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from statecraft.store.frames import FrameWriter, read_run


def test_chunks_read_back_as_written(tmp_path: Path) -> None:
    final = tmp_path / "run-1.parquet"
    writer = FrameWriter(final, ("a", "b"), seed=11)
    rng = np.random.default_rng(3)
    inputs = rng.uniform(0, 100, (7, 3))
    inputs[1, 0], inputs[2, 1], inputs[3, 2] = np.nan, np.inf, -0.0
    outcomes = rng.uniform(0, 100, (7, 2))
    outcomes[4, 1] = np.nan
    endings = np.array([[5, -3], [0, 2], [-1, 7], [3, 3], [9, -3], [1, 1], [2, 0]],
                       dtype=np.int16)
    names = ("x.a", "x.b", "x.c")
    # two chunks, the second a strided view (every other row), as a runner's may be
    writer.write(0, names, inputs[:4], outcomes[:4], endings[:4], round_cap=40)
    writer.write(4, names, inputs[4:], outcomes[4:], endings[4:])
    writer.commit()

    table = pq.read_table(final)
    types = {f.name: str(f.type) for f in table.schema}
    assert types["sample"] == types["seed"] == "int64"
    assert {types[n] for n in names} == {"double"}
    assert {t for n, t in types.items() if n.startswith("ending.")} == {"int16"}
    assert table.column("sample").null_count == 0
    assert all(table.column(n).null_count == 0 for n in table.column_names)  # NaN, not null

    got = read_run(final, run_id="run-1", rows=7, seed=11)
    assert np.array_equal(got.inputs[list(names)].to_numpy(), inputs, equal_nan=True)
    assert np.signbit(got.inputs["x.c"].to_numpy()[3])  # -0.0 kept
    assert np.array_equal(got.outcomes[["a", "b"]].to_numpy(), outcomes, equal_nan=True)
    assert got.endings is not None
    assert np.array_equal(got.endings[["a", "b"]].to_numpy(), endings)
    assert (got.inputs["seed"] == 11).all()
    assert got.round_cap == 40


def test_a_strided_column_is_written_as_its_values(tmp_path: Path) -> None:
    final = tmp_path / "run-2.parquet"
    writer = FrameWriter(final, ("a",), seed=0)
    wide = np.arange(40, dtype=np.float64).reshape(10, 4)
    inputs = wide[::2, 1:3]  # neither row- nor column-contiguous
    outcomes = wide[::2, 3:4]
    endings = np.zeros((5, 1), dtype=np.int16)
    writer.write(0, ("p", "q"), inputs, outcomes, endings)
    writer.commit()
    got = read_run(final, run_id="run-2", rows=5, seed=0)
    assert got.inputs["p"].tolist() == [1.0, 9.0, 17.0, 25.0, 33.0]
    assert got.inputs["q"].tolist() == [2.0, 10.0, 18.0, 26.0, 34.0]
    assert got.outcomes["a"].tolist() == [3.0, 11.0, 19.0, 27.0, 35.0]
