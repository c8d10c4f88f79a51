"""The models the API runs, as the model registry describes them: what the command line
reads to declare its options and the web form to offer its choices. Light on purpose
(nothing but ``statecraft.models.registry``): declaring the commands imports it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from statecraft.models import registry
from statecraft.models.registry import ModelSpec, SettingError, Term

if TYPE_CHECKING:
    from statecraft.api.results.common import SettingValue

__all__ = ["DEFAULT_MODEL", "MODEL_SPECS", "SETTING_TERMS", "ModelSpec", "SettingError",
           "Term", "model_settings", "model_spec"]

MODEL_SPECS: dict[str, ModelSpec] = dict(registry.SPECS)
"""What each model is, takes and supports (``statecraft.models.registry.ModelSpec``)."""

SETTING_TERMS: dict[str, Term] = dict(registry.TERMS)
"""The shared vocabulary of settings: each name's meaning, values and option."""

DEFAULT_MODEL = registry.DEFAULT_MODEL


def model_spec(model: str) -> ModelSpec:
    """The named model's registry entry (a ``ValueError`` naming every model if unknown)."""
    return registry.spec(model)


def model_settings(model: str, params: Mapping[str, object] | None = None
                   ) -> dict[str, SettingValue]:
    """The settings in ``params`` that differ from the model's defaults, checked and
    under the shared names (older names read): what a run records, and what calibration,
    measured at the defaults, refuses. A ``ValueError`` names the model and the setting."""
    return registry.changed(model, params)
