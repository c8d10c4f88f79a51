"""What a Monte Carlo run accepts, checked before it starts: a seed that numpy's
``SeedSequence`` and the run store's SQLite INTEGER column both hold, and no more samples
than a stated cap or the memory the run would need.

The memory rule: a run's table holds, per sample, its index, its seed, every uncertain
input and one outcome per issue, 8 bytes each; a forecast needs about ``COPIES`` times
that table (the outcomes held while it runs, their copies for the summaries, the run read
back from the store). A run whose estimate exceeds the memory the system reports
available is refused, as is any run of more than ``MAX_SAMPLES`` samples, whatever the
memory, so a mistyped count never starts a run that could take the machine down.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_SEED = 2**63 - 1
"""The largest seed: SQLite's INTEGER is a signed 64-bit number."""

MAX_SAMPLES = 50_000_000
"""The most samples one run takes, whatever memory the machine has."""

COPIES = 3
"""How many copies of the run's table (8 bytes per value) a forecast is reckoned to need."""

_MEMINFO = Path("/proc/meminfo")


def check_seed(seed: int) -> None:
    """Refuse a seed outside 0 .. 2**63 - 1 with a message saying what was expected."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed: found {seed!r}; expected a whole number from 0 to "
                         f"{MAX_SEED} (2**63 - 1)")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed: found {seed}; expected a whole number from 0 to "
                         f"{MAX_SEED} (2**63 - 1)")


def run_bytes(samples: int, *, issues: int, inputs: int) -> int:
    """The memory a forecast of ``samples`` samples is reckoned to need (module docstring)."""
    return COPIES * 8 * samples * (2 + inputs + issues)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux's ``MemAvailable``; the
    physical memory elsewhere on POSIX), or None when the system does not say."""
    try:
        with _MEMINFO.open("rb") as f:
            for line in f.read(64 * 1024).decode("ascii", "replace").splitlines():
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def check_samples(samples: int, *, issues: int, inputs: int,
                  available: int | None = None) -> None:
    """Refuse fewer than 1 sample, more than ``MAX_SAMPLES``, or more than the memory
    ``available`` (default: what the system reports) holds by the module's rule."""
    if isinstance(samples, bool) or not isinstance(samples, int):
        raise ValueError(f"samples: found {samples!r}; expected a whole number")
    if samples < 1:
        raise ValueError(f"samples: found {samples}; expected at least 1")
    if samples > MAX_SAMPLES:
        raise ValueError(f"samples: found {samples:,}; expected at most {MAX_SAMPLES:,}, "
                         "the most one forecast takes")
    need = run_bytes(samples, issues=issues, inputs=inputs)
    have = available_memory() if available is None else available
    if have is not None and need > have:
        raise ValueError(
            f"samples: {samples:,} samples of {issues} issue(s) and {inputs} uncertain "
            f"input(s) need about {_gib(need)} of memory ({COPIES} copies of 8 bytes x "
            f"{2 + inputs + issues} values per sample); {_gib(have)} is available: "
            "take fewer samples")


def check_at_least(name: str, value: int, least: int) -> None:
    """Refuse a whole-number setting (``chunk_size``, ``workers``) below ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name}: found {value!r}; expected a whole number of at least "
                         f"{least}")
