"""Sampling uncertain inputs (seeded) and running Monte Carlo forecasts in chunks."""

from statecraft.uncertainty.runner import BLOCK, BatchResult, ChunkFailure, run_batch, summary
from statecraft.uncertainty.sampling import sample_uniform

__all__ = ["BLOCK", "BatchResult", "ChunkFailure", "run_batch", "sample_uniform", "summary"]
