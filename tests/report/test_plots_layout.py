"""The report's figures are laid out so that nothing covers or cuts off anything else:
measured on the drawn figures (matplotlib's bounding boxes, in pixels)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="needs the 'report' extra")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from statecraft import api
from statecraft.analysis.backtest import score
from statecraft.report import plots
from statecraft.scenario.compile import midpoint
from tests.conftest import DATA


@pytest.fixture(scope="module")
def forecast() -> api.ForecastRun:
    return api.forecast_run(api.load(), samples=300, seed=7)


def drawn(fig: Figure) -> Any:
    """Draw ``fig`` (laying it out) and give its renderer, for measuring extents."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def overlap(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    """Whether two boxes share more than ``slack`` pixels each way."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack
            and min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def inside(inner: Bbox, outer: Bbox, slack: float = 0.5) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def actor_markers(ax: Any) -> Iterator[Bbox]:
    """The display boxes of the actors' triangles and their names in a panel."""
    for line in ax.get_lines():
        if line.get_marker() == "v":
            x, y = ax.transData.transform(np.column_stack(line.get_data()))[0]
            half = line.get_markersize() / 72 * ax.figure.dpi / 2
            yield Bbox.from_extents(x - half, y - half, x + half, y + half)
    for text in ax.texts:  # the panel's only texts are the actors' names
        yield text.get_window_extent()


def distributions(forecast: api.ForecastRun, calibrated: bool = True) -> Figure:
    loaded = api.load()
    return plots.distributions_figure(loaded.scenario, forecast.result.issue_ids,
                                      forecast.result.outcomes,
                                      forecast.calibrated_rows() if calibrated else None)


@pytest.mark.parametrize("calibrated", [True, False])
def test_the_legend_covers_no_actor_and_no_panel(forecast: api.ForecastRun,
                                                 calibrated: bool) -> None:
    fig = distributions(forecast, calibrated)
    renderer = drawn(fig)
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legends) == 1
    box = legends[0].get_window_extent(renderer)
    assert inside(box, fig.bbox)
    names = {t.get_text() for t in legends[0].get_texts()}
    assert "status quo" in names
    assert ("calibrated 90% interval" in names) == calibrated
    markers = 0
    for ax in fig.axes:
        for marker in actor_markers(ax):
            markers += 1
            assert not overlap(box, marker), ax.get_title()
        assert not overlap(box, ax.get_window_extent(renderer)), ax.get_title()
        assert not overlap(box, ax.title.get_window_extent(renderer)), ax.get_title()
    # karabakh_status's Turkey and Azerbaijan, which the legend once covered, are drawn
    scenario = api.load().scenario
    assert markers == 2 * len(scenario.stances)
    first = fig.axes[0]
    drawn_names = {t.get_text() for t in first.texts}
    assert {"tur", "aze"} <= drawn_names


def test_each_scale_label_is_whole_and_clear_of_its_neighbours(
        forecast: api.ForecastRun) -> None:
    fig = distributions(forecast)
    renderer = drawn(fig)
    scenario = api.load().scenario
    boxes: list[list[Bbox]] = []
    for ax, issue_id in zip(fig.axes, forecast.result.issue_ids, strict=True):
        issue = scenario.issue(issue_id)
        labels = ax.get_xticklabels()
        # the whole label, every word of it: "0: an ordinary region of Azerbaijan, no
        # special status, separatist authorities gone", on as many lines as it takes
        assert [" ".join(t.get_text().split()) for t in labels] == [
            f"{p:g}: {issue.scale[p]}" for p in sorted(issue.scale)]
        panel = [t.get_window_extent(renderer) for t in labels]
        for box in panel:
            assert inside(box, fig.bbox), issue_id
        for left, right in itertools.pairwise(panel):
            assert left.x1 < right.x0, issue_id  # neighbours on the scale never meet
        boxes.append(panel)
    # a panel's labels stay above the next panel's title and axes
    for k in range(len(fig.axes) - 1):
        below = fig.axes[k + 1]
        for box in boxes[k]:
            assert not overlap(box, below.title.get_window_extent(renderer))
            assert not overlap(box, below.get_window_extent(renderer))
    assert any(len(t.get_text().splitlines()) > 3 for ax in fig.axes
               for t in ax.get_xticklabels())  # longer than the three lines once kept


def test_a_long_label_between_close_points_is_wrapped_narrower() -> None:
    text = "word " * 12
    wide = plots.scale_labels([0, 50, 100], [text] * 3)
    close = plots.scale_labels([0, 10, 20], [text] * 3)
    assert max(len(line) for line in close[1].splitlines()) < max(
        len(line) for line in wide[1].splitlines())
    assert all(" ".join(label.split()).endswith(text.strip()) for label in close)


def test_labels_of_close_points_go_on_two_rows_and_never_meet(tmp_path: Path) -> None:
    scale = ("{0: nothing at all is handed over to anyone, 5: a token handover of one "
             "district's maps, 10: a handover of two districts' maps and records, 100: all}")
    text = (DATA / "small.yaml").read_text()
    assert "scale: {0: none, 50: half, 100: all}" in text
    (tmp_path / "close.yaml").write_text(
        text.replace("{0: none, 50: half, 100: all}", scale, 1))
    loaded = api.load(str(tmp_path / "close.yaml"))
    ids = tuple(i.id for i in loaded.scenario.issues)
    outcomes = np.random.default_rng(0).uniform(0, 100, size=(200, len(ids)))
    fig = plots.distributions_figure(loaded.scenario, ids, outcomes)
    renderer = drawn(fig)
    labels = fig.axes[0].get_xticklabels()
    assert [t.get_text().split(":")[0] for t in labels] == ["0", "5", "10", "100"]
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b)
    assert boxes[1].y1 < min(boxes[0].y0, boxes[2].y0)  # 5's label under its neighbours'
    below = fig.axes[1]
    for box in boxes:
        assert inside(box, fig.bbox)
        assert not overlap(box, below.title.get_window_extent(renderer))
    assert plots.staggered([0, 5, 10, 100]) == [False, True, False, False]
    assert plots.staggered([0, 25, 50, 75, 100]) == [False] * 5


def test_the_calibrated_intervals_are_a_visible_strip_under_the_bars(
        forecast: api.ForecastRun) -> None:
    fig = distributions(forecast)
    renderer = drawn(fig)
    rows = forecast.calibrated_rows()
    assert rows is not None
    for ax, row in zip(fig.axes, rows, strict=True):
        zero = ax.transData.transform((0, 0))[1]
        frame = ax.get_window_extent(renderer)
        for name in ("90", "50"):
            bars = [p for p in ax.patches if p.get_gid() == f"interval-{name}"]
            assert len(bars) == 1
            box = bars[0].get_window_extent(renderer)
            lo, hi = row["intervals"][name]
            # as tall as a line of text, wholly inside the panel, under the zero line
            # where no bar of the distributions is drawn, and as wide as the interval
            assert box.height >= 8
            assert inside(box, frame)
            assert box.y1 <= zero + 0.5
            span = ax.transData.transform([(lo, 0), (hi, 0)])[:, 0]
            assert box.x0 == pytest.approx(span[0], abs=1)
            assert box.x1 == pytest.approx(span[1], abs=1)
            assert (bars[0].get_alpha() or 1) >= 0.3


def test_every_dot_of_the_reliability_diagram_is_whole_and_clear_of_the_legend() -> None:
    # bins that resolved all one way, in the corners: where the legend and the axes'
    # edges once cut them
    forecasts = [0.02] * 6 + [0.97] * 5 + [0.45] * 4 + [0.3] * 4
    said = [True] * 6 + [False] * 5 + [True, False, False, False] + [True] * 4
    bins = score("eum", forecasts, said).calibration
    fig = plots.calibration_figure(bins, "eum")
    renderer = drawn(fig)
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert not overlap(legend, frame)
    dots = ax.collections[0]
    centres = ax.transData.transform(dots.get_offsets())
    radii = np.sqrt(dots.get_sizes()) / 2 * fig.dpi / 72
    assert len(centres) == sum(1 for b in bins if b.count) >= 4
    assert any(y == 1.0 for _, y in dots.get_offsets())
    assert any(y == 0.0 for _, y in dots.get_offsets())
    for (x, y), r in zip(centres, radii, strict=True):
        dot = Bbox.from_extents(x - r, y - r, x + r, y + r)
        assert inside(dot, frame)
        assert not overlap(dot, legend)


def test_the_pit_histogram_legend_covers_no_bar() -> None:
    rng = np.random.default_rng(1)
    fig = plots.pit_figure(rng.uniform(size=230), "eum")
    renderer = drawn(fig)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert not overlap(legend, ax.get_window_extent(renderer))
    assert inside(legend, fig.bbox)
    for text in (ax.xaxis.label, ax.yaxis.label):
        assert inside(text.get_window_extent(renderer), fig.bbox)


def test_the_rounds_plot_marks_the_forecast_and_its_legend_covers_no_panel() -> None:
    # a run that swings between two states: its rounds zigzag, its forecast is their mean
    rounds = np.arange(51, dtype=float)
    swing = np.where(rounds % 2 == 0, 20.0, 60.0)
    forecasts = np.stack([np.column_stack([swing, swing + 10])] * 5, axis=1)
    final = np.full((5, 2), 40.0)
    final[:, 1] = 50.0
    fig = plots.trajectories_figure(["a", "b"], forecasts, final)
    renderer = drawn(fig)
    assert len(fig.legends) == 1
    legend = fig.legends[0].get_window_extent(renderer)
    assert inside(legend, fig.bbox)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    for ax, value in zip(shown, (40.0, 50.0), strict=True):
        assert not overlap(legend, ax.get_window_extent(renderer))
        lines = [line for line in ax.get_lines() if line.get_gid() == "forecast"]
        assert len(lines) == 1 and set(lines[0].get_ydata()) == {value}
    assert any("not its last round" in t.get_text() for t in fig.legends[0].get_texts())
    without = plots.trajectories_figure(["a", "b"], forecasts)
    assert not any(line.get_gid() == "forecast" for ax in without.axes
                   for line in ax.get_lines())


def test_actor_names_near_the_right_end_stay_inside_the_panel(
        forecast: api.ForecastRun) -> None:
    fig = distributions(forecast)
    renderer = drawn(fig)
    scenario = api.load().scenario
    for ax, issue_id in zip(fig.axes, forecast.result.issue_ids, strict=True):
        frame = ax.get_window_extent(renderer)
        assert ax.texts
        for text in ax.texts:  # the actors' names
            assert inside(text.get_window_extent(renderer), frame), (issue_id, text.get_text())
    assert any(midpoint(s.position) > 95 for s in scenario.stances)  # such a name exists
