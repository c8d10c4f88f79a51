"""Sampling uncertain inputs (seeded) for Monte Carlo runs."""

from statecraft.uncertainty.sampling import sample_uniform

__all__ = ["sample_uniform"]
