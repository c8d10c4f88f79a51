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
  smallest first, and the basins redrawn;
- a mode is a peak only when its samples are not spread evenly over its top: the stretch
  around it where the density stays above ``1 - DEPTH`` of its height, within its
  basin's samples (the kernel's spill beyond the last sample, or a reflection's up to a
  bound the samples do not reach, is empty ground). A top narrower than two bandwidths
  is a peak (the kernel alone is that wide). Otherwise the samples on it are tested
  against an even spread, twice: a chi-square test over ``3`` to ``10`` bins about two
  bandwidths wide (any shape, ramps included) and a binomial test of the share in its
  middle half (a hump, which the chi-square test spreads over its degrees of freedom;
  one-sided, as a top is higher in the middle or is two modes); either rejecting at
  ``EVEN_ALPHA / 2`` makes it a peak. Else the mode is ``Mode.even``: the samples spread
  evenly there, and no place on the top is more likely than another. Sampling noise
  alone moves the highest point of a flat density anywhere on it (the bundled scenario's
  peacekeepers, flat from 65 to 100, peaked at 74.9, 75.1 or 99.9 by seed); the tests
  make the verdict depend on the samples' shape, with a chance of ``EVEN_ALPHA`` of
  calling an even spread a peak at any sample count (3,000 uniform sets of 30 to 20,000
  samples: none; a normal distribution's hump: found in 47 of 50 sets of 1,000 samples,
  5 of 50 of 500, all of 2,000). Fewer than 10 samples on a top cannot tell: it is
  even.

On a bounded scale (``bounds``, the 0-100 of every issue) the density is reflected at the
ends (the reflection method; Schuster 1985, *Communications in Statistics - Theory and
Methods* 14): the samples mirrored across each end are added, so a pile of samples at an
end is not halved by the kernel's spill beyond it (a model's samples can pile at an end:
most of demining's sit at 96-100).

Silverman's rule over-smooths a distribution with several modes rather than inventing
them, so the test errs towards one mode. Hartigan's dip test was considered: it says
whether a distribution is unimodal but not where its modes are or how much each holds,
which is what is printed.

Pure: no I/O.
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

EVEN_ALPHA = 1e-4
"""The chance that samples spread evenly over a mode's top are said to peak there (the
tests' size; see the module docstring)."""


@dataclass(frozen=True)
class Mode:
    """One mode: where the density peaks, the range of its basin, and the share of the
    samples in it. ``even``: the samples' range on the mode's top when they spread evenly
    over it (no place there more likely than another, ``location`` only the highest
    point of the noise), and the share of the samples there; None when it is a peak."""

    location: float
    low: float
    high: float
    share: float
    even: tuple[float, float, float] | None = None


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


def _density(x: NDArray[np.float64], h: float, bounds: tuple[float, float] | None = None
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A Gaussian KDE on a grid (linear binning, then convolution with the kernel); with
    ``bounds``, reflected at both (the samples within the kernel's reach, ``4 h``, of a
    bound are mirrored across it and added), and the grid on a lattice through the lower
    bound."""
    step = h / GRID_STEPS
    data = x
    if bounds is not None:
        near_lo, near_hi = x[x < bounds[0] + 4 * h], x[x > bounds[1] - 4 * h]
        data = np.concatenate([x, 2 * bounds[0] - near_lo, 2 * bounds[1] - near_hi])
    lo, hi = float(data.min()) - 4 * h, float(data.max()) + 4 * h
    if bounds is not None:  # a grid point on the lower bound (where the grid reaches it)
        lo = bounds[0] - step * np.ceil((bounds[0] - lo) / step)
    # at least the kernel's width: a convolution "same" as long as the longer of the two
    m = max(int(np.ceil((hi - lo) / step)) + 1, 8 * GRID_STEPS + 1)
    grid: NDArray[np.float64] = lo + step * np.arange(m, dtype=np.float64)
    pos = (data - lo) / step
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


def _peaks(dens: NDArray[np.float64], folded: bool = False) -> list[int]:
    """Indices of the density's prominent local maxima (see ``DEPTH``); a flat top counts
    once, at its left end. ``folded``: the density of a bounded scale, cut at its bounds,
    whose terrain goes on beyond each bound as its mirror image; it is unfolded into three
    copies (mirrored, itself, mirrored), where every point of it has the whole density on
    either side, and the middle copy's maxima are read there (one at a bound included)."""
    n = dens.size
    terrain = np.concatenate([dens[:0:-1], dens, dens[-2::-1]]) if folded and n > 1 else dens
    offset = n - 1 if terrain is not dens else 0
    rise = np.diff(terrain)
    peaks = [int(i) + 1 for i in np.flatnonzero((rise[:-1] > 0) & (rise[1:] <= 0))]
    peaks = [p for p in peaks if offset <= p < offset + n
             and not (p > 0 and terrain[p - 1] == terrain[p])]
    keep = [p - offset for p in peaks if _prominence(terrain, p) >= DEPTH * terrain[p]]
    return keep or [int(np.argmax(dens))]


def _even(x: NDArray[np.float64], grid: NDArray[np.float64], dens: NDArray[np.float64],
          p: int, span: tuple[float, float], h: float) -> tuple[float, float, float] | None:
    """The range of the samples ``x`` on the top of the mode at grid index ``p`` and their
    share, when they spread evenly over it (None: it is a peak; see the module
    docstring). ``span``: the mode's basin."""
    floor = (1 - DEPTH) * dens[p]
    a = p
    while a > 0 and dens[a - 1] >= floor and grid[a - 1] > span[0]:
        a -= 1
    b = p
    while b < dens.size - 1 and dens[b + 1] >= floor and grid[b + 1] <= span[1]:
        b += 1
    basin = x[(x > span[0]) & (x <= span[1])]
    lo, hi = max(float(grid[a]), float(basin.min())), min(float(grid[b]), float(basin.max()))
    if hi - lo < 2 * h:
        return None
    top = x[(x >= lo) & (x <= hi)]
    m = top.size
    if m == 0:  # no sample on it: nothing to spread evenly
        return None
    if m >= 10:
        from scipy import stats  # here: scipy.stats takes a third of a second to import

        k = int(min(max(round((hi - lo) / (2 * h)), 3), 10, m // 5))
        counts = np.histogram(top, bins=k, range=(lo, hi))[0]
        expected = m / k
        chi = float(np.sum((counts - expected) ** 2) / expected)
        quarter = (hi - lo) / 4
        middle = int(np.sum((top > lo + quarter) & (top <= hi - quarter)))
        if (stats.chi2.sf(chi, k - 1) < EVEN_ALPHA / 2
                or stats.binomtest(middle, m, 0.5, alternative="greater").pvalue < EVEN_ALPHA / 2):
            return None
    return float(top.min()), float(top.max()), m / x.size


def find_modes(samples: NDArray[np.float64],
               bounds: tuple[float, float] | None = None) -> Modes:
    """The modes of ``samples`` (see the module docstring); NaNs are ignored. ``bounds``:
    the range the samples cannot leave (a scale's ends), at which the density is reflected
    (see the module docstring); modes lie within it."""
    x = np.asarray(samples, dtype=float).ravel()
    # values equal to 1e-9 are one value: a model's sums taken in another order differ in
    # the last bits, and an IQR of that rounding (most samples on one point) would make
    # the bandwidth, and the grid's step, vanish
    x = np.round(x[~np.isnan(x)], 9)
    if x.size == 0:
        raise ValueError("no samples")
    h = bandwidth(x)
    if not h > 0 or x.min() == x.max():  # one value (its sd is rounding, not spread)
        v = float(x[0]) if np.all(x == x[0]) else float(np.median(x))
        return Modes((Mode(v, float(x.min()), float(x.max()), 1.0),), int(x.size), 0.0)
    grid, dens = _density(x, h, bounds)
    if bounds is not None:  # the folded density: within the bounds only
        half = 0.5 * h / GRID_STEPS
        within = (grid >= bounds[0] - half) & (grid <= bounds[1] + half)
        grid, dens = grid[within], dens[within]
    peaks = _peaks(dens, folded=bounds is not None)
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
        at = float(grid[p]) if bounds is None else min(max(float(grid[p]), bounds[0]),
                                                          bounds[1])
        even = _even(x, grid, dens, p, (edges[k], edges[k + 1]), h)
        modes.append(Mode(at, float(inside.min()), float(inside.max()), shares[k], even))
    return Modes(tuple(modes), int(x.size), h)

