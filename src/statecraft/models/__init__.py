"""Bargaining models: pure functions from ``ModelInputs`` to a ``Trajectory``; no I/O."""

from statecraft.models.baselines import compromise, median
from statecraft.models.eum import eum
from statecraft.models.inputs import ModelInputs
from statecraft.models.smp import smp
from statecraft.models.trajectory import OfferKind, OfferLog, Trajectory

__all__ = ["ModelInputs", "OfferKind", "OfferLog", "Trajectory", "compromise", "eum", "median",
           "smp"]
