"""KTAB's CSV format: reading, writing back, and errors that say where the input is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statecraft.scenario.ktab import KtabData, read_ktab_csv, write_ktab_csv

GOOD = """Demo, "A demo, with a comma", 3, 2,
Actor,Description,Power,Pos A,Sal A,Pos B,Sal B,
X, first actor, 100, 30, 24.0, 20, 48.0,
Y, second,  60.2, 45, 44.7, 65, 41.3,
Z, third, 5, 0, 0, 100, 100,
"""


def test_reads_header_actors_and_dimensions() -> None:
    d = read_ktab_csv(GOOD)
    assert (d.name, d.description) == ("Demo", "A demo, with a comma")
    assert d.actor_names == ("X", "Y", "Z")
    assert d.actor_descriptions[0] == "first actor"
    assert d.capability == (100.0, 60.2, 5.0)
    assert d.position[1] == (45.0, 65.0) and d.salience[1] == (44.7, 41.3)
    assert d.dimension_names == ("Pos A", "Pos B")
    assert d.salience_names == ("Sal A", "Sal B")


def test_model_inputs_divide_saliences_by_100() -> None:
    mi = read_ktab_csv(GOOD).to_model_inputs()
    assert mi.batch == 1 and mi.actor_ids == ("X", "Y", "Z")
    np.testing.assert_allclose(mi.salience[0, 0], [0.24, 0.48])
    np.testing.assert_allclose(mi.position[0, 2], [0.0, 100.0])
    assert mi.present.all()


def test_write_then_read_gives_the_same_data() -> None:
    d = read_ktab_csv(GOOD)
    assert read_ktab_csv(write_ktab_csv(d)) == d


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl",
                                                                    "Zp")), min_size=1,
                max_size=8)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), n=st.integers(1, 5), k=st.integers(1, 3))
def test_round_trip_of_any_valid_data(data: st.DataObject, n: int, k: int) -> None:
    actors = data.draw(st.lists(names, min_size=n, max_size=n, unique=True))
    num = st.floats(0, 100, allow_nan=False)
    pos = tuple(tuple(data.draw(num) for _ in range(k)) for _ in range(n))
    sal = tuple(tuple(data.draw(st.floats(0, 100 / k, allow_nan=False)) for _ in range(k))
                for _ in range(n))
    d = KtabData(
        name=data.draw(names), description=data.draw(names), actor_names=tuple(actors),
        actor_descriptions=tuple(data.draw(names) for _ in range(n)),
        capability=tuple(data.draw(st.floats(0, 1e6, allow_nan=False)) for _ in range(n)),
        position=pos, salience=sal, dimension_names=tuple(f"D{i}" for i in range(k)),
        salience_names=tuple(f"S{i}" for i in range(k)))
    assert read_ktab_csv(write_ktab_csv(d)) == d


@pytest.mark.parametrize(("text", "where"), [
    ("", "row 1"),
    ("Demo, d, three, 2\n", r"row 1, column 3 \(nActors\)"),
    ("Demo, d, 1, 0\n", r"row 1, column 4 \(nDims\)"),
    ("Demo, d, 1, 1\nActor,Description,Power\n", "row 2"),
    ("Demo, d, 2, 1\nActor,Description,Power,P,S\nX, x, 1, 2, 3\n",
     r"row 1, column 3 \(nActors\).*1 actor row"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\nX, x, 1, 2x, 3\n",
     r"row 3, column 4 \(P\).*'2x'"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\nX, x, 1, 120, 3\n",
     r"row 3, column 4 \(P\).*\[0, 100\]"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\nX, x, 1, 20, -3\n",
     r"row 3, column 5 \(S\)"),
    ("Demo, d, 1, 2\nActor,Description,Power,P,S,Q,T\nX, x, 1, 20, 60, 30, 50\n",
     r"row 3: saliences sum to 110"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\nX, x, -1, 20, 3\n",
     r"row 3, column 3 \(Power\)"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\nX, x, 1, 20\n", r"row 3: expected 5"),
    ("Demo, d, 2, 1\nActor,Description,Power,P,S\nX, x, 1, 20, 3\nX, y, 1, 2, 3\n",
     r"row 4, column 1 \(Actor\): duplicate"),
    ("Demo, d, 1, 1\nActor,Description,Power,P,S\n, x, 1, 20, 3\n",
     r"row 3, column 1 \(Actor\)"),
])
def test_malformed_input_names_row_and_column(text: str, where: str) -> None:
    with pytest.raises(ValueError, match=where):
        read_ktab_csv(text)
