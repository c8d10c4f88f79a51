"""How many modes a sampled distribution has, where they are, and what share of the
samples each holds.

A single run at the ranges' midpoints lands in one place; when the distribution of the
samples has two or more separate modes, that place says little about the others, and
``statecraft run`` says so. The test:

- a Gaussian kernel density estimate of the samples with Silverman's rule-of-thumb
  bandwidth, ``h = 0.9 min(sd, IQR / 1.34) n^(-1/5)`` (Silverman 1986, *Density
  Estimation for Statistics and Data Analysis*, eq. 3.31; the standard deviation alone
  when the IQR is 0, as when most samples sit on one value), evaluated on a grid of
  ``h / GRID_STEPS`` reaching ``4 h`` beyond the samples (linear binning, then the
  kernel as a convolution: linear in the samples);
- a local maximum is a mode when the density falls to ``1 - DEPTH`` of its height or
  lower between it and any higher mode (its topographic prominence is at least ``DEPTH``
  of its height: a sampling ripple on a broad hump is shallower), and at least
  ``MIN_SHARE`` of the samples lie in its basin (between the lowest densities separating
  it from its neighbouring modes). Modes failing the share are dropped one at a time,
  smallest first, and the basins redrawn.

Silverman's rule over-smooths a distribution with several modes rather than inventing
them, so the test errs towards one mode. Hartigan's dip test was considered: it says
whether a distribution is unimodal but not where its modes are or how much each holds,
which is what is printed. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

DEPTH = 0.5
"""How deep the density must fall between two modes, as a share of the lower one's
height, for both to count."""

MIN_SHARE = 0.05
"""The least share of the samples a mode's basin must hold."""

GRID_STEPS = 10
"""Grid points per bandwidth."""


@dataclass(frozen=True)
class Mode:
    """One mode: where the density peaks, the range of its basin, and the share of the
    samples in it."""

    location: float
    low: float
    high: float
    share: float


@dataclass(frozen=True)
class Modes:
    """The modes of a set of samples (at least one), lowest first, and how they were
    found."""

    modes: tuple[Mode, ...]
    samples: int
    bandwidth: float

    @property
    def count(self) -> int:
        return len(self.modes)


def bandwidth(x: NDArray[np.float64]) -> float:
    """Silverman's rule-of-thumb bandwidth (0 when every sample is the same)."""
    n = x.size
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    q75, q25 = np.quantile(x, [0.75, 0.25])
    spread = min(sd, float(q75 - q25) / 1.34) if q75 > q25 else sd
    return float(0.9 * spread * n ** (-0.2))


def _density(x: NDArray[np.float64], h: float) -> tuple[NDArray[np.float64],
                                                         NDArray[np.float64]]:
    """A Gaussian KDE on a grid (linear binning, then convolution with the kernel)."""
    step = h / GRID_STEPS
    lo, hi = float(x.min()) - 4 * h, float(x.max()) + 4 * h
    m = int(np.ceil((hi - lo) / step)) + 1
    grid: NDArray[np.float64] = lo + step * np.arange(m, dtype=np.float64)
    pos = (x - lo) / step
    left = np.clip(np.floor(pos).astype(np.int64), 0, m - 2)
    frac = pos - left
    counts = (np.bincount(left, weights=1 - frac, minlength=m)
              + np.bincount(left + 1, weights=frac, minlength=m))
    k = np.arange(-4 * GRID_STEPS, 4 * GRID_STEPS + 1) / GRID_STEPS
    kernel = np.exp(-0.5 * k * k)
    dens: NDArray[np.float64] = np.convolve(counts, kernel / (kernel.sum() * step * x.size),
                                            mode="same").astype(np.float64)
    return grid, dens


def _prominence(dens: NDArray[np.float64], p: int) -> float:
    """A local maximum's topographic prominence: its height above the higher of the
    lowest points between it and a higher point on either side (or the density's end)."""
    h = dens[p]
    bases = []
    for side in (dens[p::-1], dens[p:]):
        higher = np.flatnonzero(side > h)
        stretch = side[:higher[0]] if higher.size else side
        bases.append(float(stretch.min()))
    return float(h - max(bases))


def _peaks(dens: NDArray[np.float64]) -> list[int]:
    """Indices of the density's prominent local maxima (see ``DEPTH``); a flat top counts
    once, at its left end."""
    rise = np.diff(dens)
    peaks = [int(i) + 1 for i in np.flatnonzero((rise[:-1] > 0) & (rise[1:] <= 0))]
    peaks = [p for p in peaks if not (p > 0 and dens[p - 1] == dens[p])]
    keep = [p for p in peaks if _prominence(dens, p) >= DEPTH * dens[p]]
    return keep or [int(np.argmax(dens))]


def find_modes(samples: NDArray[np.float64]) -> Modes:
    """The modes of ``samples`` (see the module docstring); NaNs are ignored."""
    x = np.asarray(samples, dtype=float).ravel()
    # values equal to 1e-9 are one value: a model's sums taken in another order differ in
    # the last bits, and an IQR of that rounding (most samples on one point) would make
    # the bandwidth, and the grid's step, vanish
    x = np.round(x[~np.isnan(x)], 9)
    if x.size == 0:
        raise ValueError("no samples")
    h = bandwidth(x)
    if not h > 0:
        v = float(x[0]) if np.all(x == x[0]) else float(np.median(x))
        return Modes((Mode(v, float(x.min()), float(x.max()), 1.0),), int(x.size), 0.0)
    grid, dens = _density(x, h)
    peaks = _peaks(dens)
    while True:
        cuts = [grid[a + int(np.argmin(dens[a:b + 1]))] for a, b in pairwise(peaks)]
        edges = [-np.inf, *cuts, np.inf]
        shares = [float(np.mean((x > lo) & (x <= hi))) for lo, hi in pairwise(edges)]
        small = int(np.argmin(shares))
        if len(peaks) == 1 or shares[small] >= MIN_SHARE:
            break
        peaks.pop(small)
    modes = []
    for k, p in enumerate(peaks):
        inside = x[(x > edges[k]) & (x <= edges[k + 1])]
        modes.append(Mode(float(grid[p]), float(inside.min()), float(inside.max()),
                          shares[k]))
    return Modes(tuple(modes), int(x.size), h)
