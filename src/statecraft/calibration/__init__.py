"""Model error measured on real decisions, and calibrated predictive distributions.

Pure code: arrays and parsed text in, numbers out. Reading the bundled error file and
running models on the DEU data are ``statecraft.api``'s job.
"""

from statecraft.calibration.predictive import ErrorModel, exceedance, probability, summary

__all__ = ["ErrorModel", "exceedance", "probability", "summary"]
