"""Sampling uncertain inputs (seeded) and running Monte Carlo forecasts in chunks.

The names below are imported on first use (``statecraft._lazy``): a single run samples its
ranges without loading the chunked runner and its executors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statecraft._lazy import attach

if TYPE_CHECKING:
    from statecraft.uncertainty.runner import (
        BLOCK,
        BatchResult,
        ChunkFailure,
        run_batch,
        summary,
    )
    from statecraft.uncertainty.sampling import Samples, sample, sample_inputs

__all__ = ["BLOCK", "BatchResult", "ChunkFailure", "Samples", "run_batch", "sample",
           "sample_inputs", "summary"]

if not TYPE_CHECKING:  # mypy reads the names above; an unknown one is an error
    __getattr__, __dir__ = attach(__name__, __file__)
