"""The report's figures (matplotlib, drawn off-screen), each returned as PNG bytes.

Every function takes plain data (arrays, the scenario, computed scores) and draws one
figure; nothing here runs a model or touches files. Figures are made as ``Figure``
objects, never through pyplot's global state, so the web app can draw from several
threads at once.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from statecraft.scenario.compile import midpoint
from statecraft.scenario.schema import Scenario

BLUE, GREY, RED = "#2b6cb0", "#718096", "#c53030"


def _png(fig: Any, dpi: int = 110) -> bytes:
    # every figure is laid out (tight_layout, or constrained layout at drawing) before it
    # comes here; a "tight" bounding box on saving would draw the whole figure a second
    # time to measure it
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


SCALE_FONT = 6
"""Point size of a scale's labels under a distribution panel."""


def scale_label_width(points: Sequence[float], k: int) -> int:
    """How many characters a line of point ``k``'s label may hold: its room is the gap to
    its nearer neighbour on the 0-100 scale (half of it on each side, at most), so
    neighbouring labels never meet; between 10 and 26 characters."""
    gaps = [abs(points[k] - points[j]) for j in (k - 1, k + 1) if 0 <= j < len(points)]
    room = min(gaps) if gaps else 100.0
    return int(min(26, max(10, room * 1.1)))


CLOSE_POINTS = 12.0
"""Points of a scale nearer than this (on 0-100) have their labels on two rows."""


def staggered(points: Sequence[float]) -> list[bool]:
    """Which labels go on a second row, under their neighbours': a point nearer than
    ``CLOSE_POINTS`` to the one before it, unless that one is already there."""
    out: list[bool] = []
    for k, p in enumerate(points):
        out.append(k > 0 and p - points[k - 1] < CLOSE_POINTS and not out[-1])
    return out


def _place_scale_labels(ax: Any, points: Sequence[float], labels: Sequence[str]) -> None:
    """The scale's labels as the panel's x ticks; close points' labels on two rows."""
    ax.set_xticks(points, labels, fontsize=SCALE_FONT)
    lower = staggered(points)
    if any(lower):
        top = max(label.count("\n") + 1 for label, low in zip(labels, lower, strict=True)
                  if not low)
        for tick, low in zip(ax.xaxis.get_major_ticks(), lower, strict=True):
            if low:
                tick.set_pad(tick.get_pad() + top * SCALE_FONT * 1.3 + 3)


def scale_labels(points: Sequence[float], labels: Sequence[str]) -> list[str]:
    """Each named point's whole label (``0: an ordinary region ...``), wrapped to the room
    it has (``scale_label_width``); nothing is cut off, and a word is never split."""
    return ["\n".join(textwrap.wrap(f"{p:g}: {text}", scale_label_width(points, k),
                                    break_long_words=False, break_on_hyphens=False))
            for k, (p, text) in enumerate(zip(points, labels, strict=True))]


def distributions_figure(scenario: Scenario, issue_ids: Sequence[str],
                         outcomes: NDArray[np.float64],
                         calibrated: Sequence[dict[str, Any]] | None = None) -> Figure:
    """The figure ``distributions`` draws (for its layout to be measured)."""
    n = len(issue_ids)
    ticks = []
    for issue_id in issue_ids:
        scale = scenario.issue(issue_id).scale
        points = sorted(scale)
        ticks.append((points, scale_labels(points, [scale[p] for p in points])))
    lines = max((label.count("\n") + 1 for _, labels in ticks for label in labels),
                default=1)
    lines *= 2 if any(any(staggered(points)) for points, _ in ticks) else 1
    # each panel: its axes, title and scale labels; the legend above the first panel
    panel = 1.75 + 0.1 * lines
    fig = Figure(figsize=(8.5, panel * n + 0.45), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)
    for k, issue_id in enumerate(issue_ids):
        ax = axes[k, 0]
        issue = scenario.issue(issue_id)
        counts, edges = np.histogram(outcomes[:, k], bins=50, range=(0, 100))
        share = counts / max(1, counts.sum())
        ax.stairs(share, edges, fill=True, color=BLUE, alpha=0.8,  # one patch, not 50 bars
                  label="inputs only (share per 2 points)")
        ax.axvline(issue.status_quo, color=GREY, linestyle="--", label="status quo")
        if calibrated is not None:
            cal = calibrated[k]
            hist = np.asarray(cal["histogram"], dtype=float)
            wide = np.linspace(0, 100, hist.size + 1)
            ax.stairs(hist * (edges[1] - edges[0]) / (wide[1] - wide[0]), wide, color=RED,
                      linewidth=1.2, label="calibrated (same scale)")
            ax.axvline(cal["median"], color=RED, label="calibrated median")
        else:
            ax.axvline(float(np.median(outcomes[:, k])), color=RED, label="median forecast")
        top = ax.get_ylim()[1]
        ax.set_ylim(0, top)
        if calibrated is not None:
            # the intervals as a strip of their own under the distributions, below zero,
            # where no bar covers them: the 90% interval pale, the 50% within it dark
            ax.set_ylim(-0.2 * top, top)
            ax.axhline(0, color=GREY, linewidth=0.6)
            for name, alpha in (("90", 0.35), ("50", 0.8)):
                lo, hi = calibrated[k]["intervals"][name]
                ax.barh(-0.1 * top, hi - lo, left=lo, height=0.12 * top, color=RED,
                        alpha=alpha, linewidth=0, gid=f"interval-{name}",
                        label=f"calibrated {name}% interval")
        stances = [s for s in scenario.stances if s.issue == issue_id]
        for j, st in enumerate(sorted(stances, key=lambda s: midpoint(s.position))):
            x = midpoint(st.position)
            y = top * (0.92 - 0.09 * (j % 4))
            ax.plot([x], [y], marker="v", color="black", markersize=5, gid="actor")
            # a name near the scale's right end goes on its marker's left
            right = x <= 88
            ax.annotate(st.actor, (x, y), fontsize=7, xytext=(3 if right else -3, 0),
                        textcoords="offset points", va="center",
                        ha="left" if right else "right", gid="actor-name")
        points, labels = ticks[k]
        _place_scale_labels(ax, points, labels)
        ax.set_xlim(-2, 102)
        ax.set_title(f"{issue.id}: {issue.question}", fontsize=9, loc="left")
        ax.set_yticks([])
    # one legend for every panel, above them all, where it covers no marker
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=3, fontsize=7,
               frameon=False)
    return fig


def distributions(scenario: Scenario, issue_ids: Sequence[str],
                  outcomes: NDArray[np.float64], dpi: int = 110,
                  calibrated: Sequence[dict[str, Any]] | None = None) -> bytes:
    """Per issue: the forecasts over samples, with the status quo and each actor marked;
    with ``calibrated`` summaries, the calibrated predictive distribution drawn over them
    (its histogram as an outline), its median, and its 50% and 90% intervals as a strip
    under the distributions. Each named point of the issue's scale is labelled in full."""
    return _png(distributions_figure(scenario, issue_ids, outcomes, calibrated), dpi)


def trajectories_figure(issue_ids: Sequence[str], forecasts: NDArray[np.float64],
                        final: NDArray[np.float64] | None = None) -> Figure:
    """The figure ``trajectories`` draws (for its layout to be measured)."""
    n = len(issue_ids)
    cols = 2
    rows = -(-n // cols)
    fig = Figure(figsize=(8.5, 2.0 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    rounds = np.arange(forecasts.shape[0])
    for k, issue_id in enumerate(issue_ids):
        ax = axes[k // cols, k % cols]
        lo, med, hi = np.quantile(forecasts[:, :, k], [0.05, 0.5, 0.95], axis=1)
        ax.fill_between(rounds, lo, hi, color=BLUE, alpha=0.25, linewidth=0,
                        label="5-95% of the runs, by round")
        ax.plot(rounds, med, color=BLUE, label="median of the runs, by round")
        if final is not None:
            ax.axhline(float(np.median(final[:, k])), color=RED, linestyle=":",
                       linewidth=1.5, gid="forecast",
                       label="forecast: median of the runs' forecasts (a cycle's mean, "
                             "not its last round)")
        ax.set_ylim(0, 100)
        ax.set_title(issue_id, fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
    for k in range(n, rows * cols):
        axes[k // cols, k % cols].set_visible(False)
    fig.supxlabel("round", fontsize=8)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=2 if final is None else 3,
               fontsize=7, frameon=False)
    return fig


def trajectories(issue_ids: Sequence[str], forecasts: NDArray[np.float64],
                 dpi: int = 110, final: NDArray[np.float64] | None = None) -> bytes:
    """Per issue: the round-by-round forecast over samples, its median and 5-95% band,
    and with ``final`` (``(samples, issues)``, the runs' forecasts) their median as a
    line: a run's forecast averages over its cycle, or over the last half of its rounds
    when it has not settled, so it can lie between the swings of the rounds' median.

    ``forecasts`` is ``(rounds + 1, samples, issues)``.
    """
    return _png(trajectories_figure(issue_ids, forecasts, final), dpi)


def question_probabilities(ids: Sequence[str], p: Sequence[float], se: Sequence[float],
                           resolution: Sequence[bool | None]) -> bytes:
    """Each question's probability with a 95% Monte Carlo interval; resolutions marked."""
    n = len(ids)
    fig = Figure(figsize=(8.5, 0.35 * n + 1))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    ax.barh(y, p, color=BLUE, alpha=0.8, xerr=1.96 * np.asarray(se), capsize=2)
    for yy, r in zip(y, resolution, strict=True):
        if r is not None:
            ax.plot([1.0 if r else 0.0], [yy], marker="o", color=RED, clip_on=False)
    ax.set_yticks(y, ids, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability (red dot: how it resolved)", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def _unit_axes(fig: Figure, ax: Any, xlabel: str, ylabel: str) -> Figure:
    """Finish a small figure whose x axis is a probability: labels, and the legend above
    the axes, where it covers nothing drawn."""
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2,
              borderaxespad=0, frameon=False)
    fig.tight_layout()
    return fig


def pit_figure(pit: Sequence[float], name: str, bins: int = 10) -> Figure:
    """The figure ``pit_histogram`` draws (for its layout to be measured)."""
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    values = np.asarray(pit, dtype=float)
    counts, edges = np.histogram(values, bins=bins, range=(0, 1))
    ax.stairs(counts, edges, fill=True, color=BLUE, alpha=0.8, label=name)
    ax.axhline(values.size / bins, color=GREY, linestyle="--", label="calibrated")
    ax.set_xlim(0, 1)
    return _unit_axes(fig, ax, "PIT of the outcome (randomised at atoms)", "outcomes")


def pit_histogram(pit: Sequence[float], name: str, bins: int = 10) -> bytes:
    """Histogram of probability integral transform values: flat when the predictive
    distributions are calibrated; a U shape means too narrow, a hump too wide."""
    return _png(pit_figure(pit, name, bins))


CALIBRATION_MARGIN = 0.08
"""How far the reliability diagram's axes reach past 0 and 1, so that a bin's dot at 0
or 1 (a bin that all resolved one way) is drawn whole."""


def calibration_figure(bins: Sequence[Any], name: str) -> Figure:
    """The figure ``calibration`` draws (for its layout to be measured)."""
    fig = Figure(figsize=(4, 4))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="perfect calibration")
    used = [b for b in bins if b.count]
    ax.scatter([b.mean_forecast for b in used], [b.observed for b in used],
               s=[30 + 20 * b.count for b in used], color=BLUE, label=f"{name} (size: count)",
               clip_on=False)
    ax.set_xlim(-CALIBRATION_MARGIN, 1 + CALIBRATION_MARGIN)
    ax.set_ylim(-CALIBRATION_MARGIN, 1 + CALIBRATION_MARGIN)
    return _unit_axes(fig, ax, "mean forecast probability", "share resolved true")


def calibration(bins: Sequence[Any], name: str) -> bytes:
    """Reliability diagram: share resolved true against mean forecast, per bin."""
    return _png(calibration_figure(bins, name))


def options_tree(nodes: Sequence[dict[str, Any]]) -> bytes:
    """The options tree as indented rows: each option's QRE probability, SPE choice starred.

    A decision reached by earlier choices is headed by them ("after hedge"), so the same
    decision on two branches can be told apart.
    """
    labels = {(n["node"], o["id"]): o["label"] for n in nodes for o in n["options"]}
    rows: list[tuple[int, str, float | None, bool]] = []
    for node in nodes:
        after = " > ".join(textwrap.shorten(labels.get((step[0], step[1]), step[1]), 28,
                                            placeholder="...") for step in node["path"])
        head = f"{node['actor'] or 'chance'}: {node['label']}"
        rows.append((node["depth"], f"{head}  [after {after}]" if after else head, None,
                     False))
        for opt in node["options"]:
            p = opt.get("qre", opt.get("probability"))
            rows.append((node["depth"], "   " + textwrap.shorten(opt["label"], 60,
                                                                 placeholder="..."),
                         p, bool(opt.get("spe"))))
    fig = Figure(figsize=(9.5, 0.28 * len(rows) + 0.8))
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    left = 1.5  # where the bars start, clear of the labels
    for yy, (depth, text, p, chosen) in zip(y, rows, strict=True):
        weight = "bold" if p is None else "normal"
        ax.text(0.06 * depth, yy, ("* " if chosen else "") + text, fontsize=7, va="center",
                fontweight=weight)
        if p is not None:
            ax.barh(yy, p, left=left, height=0.6, color=RED if chosen else BLUE, alpha=0.8)
            ax.text(left + p + 0.02, yy, f"{p:.2f}", fontsize=7, va="center")
    ax.set_xlim(0, left + 1.15)
    ax.set_ylim(-1, len(rows))
    ax.axis("off")
    ax.set_title("Options: logit QRE probability of each option (* subgame-perfect choice)",
                 fontsize=9, loc="left")
    fig.tight_layout()
    return _png(fig)
