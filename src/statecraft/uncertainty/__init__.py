"""Sampling uncertain inputs (seeded) and running Monte Carlo forecasts in chunks."""

from statecraft.uncertainty.runner import BLOCK, BatchResult, ChunkFailure, run_batch, summary
from statecraft.uncertainty.sampling import Samples, sample, sample_inputs

__all__ = ["BLOCK", "BatchResult", "ChunkFailure", "Samples", "run_batch", "sample",
           "sample_inputs", "summary"]
