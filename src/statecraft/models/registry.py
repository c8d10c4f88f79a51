"""Every model statecraft runs, in one place: its name, what it is in one line, its settings
(a frozen dataclass with defaults, checked when made), its behaviour version and what it
supports (rounds, a history of rounds, offers, stochastic choice).

Settings share one vocabulary (``TERMS``): a name means the same thing, takes the same
values and has the same command-line option in every model that has it; ``max_rounds``
is the round cap wherever there are rounds (the SMP's turns included). The command line,
the web form, the API, the ensemble and calibration read this module; adding a model
touches its own module and this one. Pure: no I/O, and a model's code is imported only
when the model is run (``ModelSpec.load``).
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from statecraft.errors import InputError

# ------------------------------------------------------------------------ the vocabulary


class SettingError(InputError):
    """A setting a model does not have, or a value it cannot take; ``model`` and
    ``setting`` name them (``setting`` None for an unknown model)."""

    def __init__(self, message: str, model: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.setting = setting


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _as_int(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text


def _as_float(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _as_bool(text: str) -> Any:
    word = text.strip().lower()
    return {"true": True, "yes": True, "1": True,
            "false": False, "no": False, "0": False}.get(word, text)


def _as_optional_float(text: str) -> Any:
    return None if text.strip().lower() in ("none", "off") else _as_float(text)


@dataclass(frozen=True)
class Term:
    """One setting: its meaning, the values it takes (``check``, described by
    ``expected``), how it is read from command-line text (``parse``: a value ``check``
    refuses when the text is not one), and its own command-line option, if it has one
    (any other setting given as ``--setting NAME=VALUE``; none if ``command_line`` is
    False: a setting that needs what only Python can pass, such as a seeded generator)."""

    name: str
    meaning: str
    expected: str
    check: Callable[[Any], bool]
    parse: Callable[[str], Any]
    option: str | None = None
    real: bool = False  # a number: a whole number given is kept as a float
    command_line: bool = True


def _choice(name: str, meaning: str, choices: tuple[str, ...]) -> Term:
    return Term(name, meaning, "one of " + ", ".join(choices), lambda v: v in choices,
                str.strip)


MAX_ROUNDS = 10_000
"""The largest round cap (``max_rounds``) any model takes: 200 times the EUM's default
of 50, 20 times the exchange model's 500. A run keeps every round's state (to tell a
cycle of any length, and for the rounds plot), so its memory and its work grow with the
cap: at 10,000 rounds one EUM run of the default scenario takes seconds and a forecast of
2,000 samples about 20 s in 230 MB (measured on 2 cores); a cap of 30,000,000 ran for over
ten minutes without a word, and 100,000,000 asked numpy for more memory than there was.
A cap above it is refused (a ``SettingError``), never lowered."""

TERMS: dict[str, Term] = {t.name: t for t in (
    Term("max_rounds", "the most bargaining rounds a run takes (the SMP's turns); a run "
         "that has neither settled nor cycled by then is reported as not converged",
         f"a whole number from 0 to {MAX_ROUNDS:,} (each round's state is kept: more "
         "rounds need more memory and time)",
         lambda v: _whole(v) and 0 <= v <= MAX_ROUNDS, _as_int, option="--rounds"),
    Term("min_rounds", "rounds run before the stopping rule may end a run",
         "a whole number >= 0", lambda v: _whole(v) and v >= 0, _as_int),
    Term("tol", "stop once a round moves the median by less than tol x the range of the "
         "initial positions (Bueno de Mesquita's rule); none: off", "a number >= 0, or none",
         lambda v: v is None or (_number(v) and v >= 0), _as_optional_float, real=True),
    Term("stop_ratio", "stop after a round whose total movement is below this share of "
         "the first round's (KTAB's rule)", "a number >= 0",
         lambda v: _number(v) and v >= 0, _as_float, real=True),
    Term("q", "the weight of the status quo in an actor's expected utility of "
         "challenging", "a number >= 0", lambda v: _number(v) and v >= 0, _as_float,
         real=True),
    Term("stochastic", "each actor draws its choice by probability instead of taking "
         "the likeliest (draws from the rng passed in)", "true or false",
         lambda v: isinstance(v, bool), _as_bool, command_line=False),
    _choice("variant", "the EUM's formulas: Scholz et al.'s 2011 replication or "
            "Bueno de Mesquita's 1994 text as printed", ("scholz2011", "literal")),
    _choice("victory_law", "how coalition strengths become victory probabilities",
            ("linear", "square", "quartic", "octic", "binary")),
    _choice("voting_rule", "a voter's response to a difference in utility",
            ("binary", "prop_bin", "proportional", "prop_cubic", "cubic", "asym_prospect")),
    _choice("pce_model", "the probabilistic Condorcet election",
            ("conditional", "markov_incentive", "markov_uniform")),
    _choice("risk_adjust", "how much an actor's estimate of another's risk attitude "
            "leans on the other's own", ("none", "one_third", "half", "two_thirds", "full")),
    _choice("risk_range", "the range of risk attitudes", ("min", "mid", "max")),
    _choice("third_party", "how a third party that joins a challenge commits",
            ("none", "semi", "full")),
    _choice("interpolation", "the weights of a bargain between two positions",
            ("s1p1", "s2p2", "s2pmax")),
    _choice("bargain_model", "whose proposals a challenge puts to the vote",
            ("init_only", "init_rcvr", "power_weighted")),
    _choice("forecast", "how a state's forecast is read from the positions",
            ("pce", "weighted_mean")),
)}
"""The shared vocabulary of settings, by name."""


# ------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Settings:
    """A model's settings: every field a term of ``TERMS``, checked when made (a
    ``SettingError`` naming the model, the setting, the value found and what it takes)."""

    model: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            term = TERMS[f.name]
            value = getattr(self, f.name)
            if not term.check(value):
                raise SettingError(f"model {self.model}: setting {f.name!r}: found "
                                   f"{value!r}; expected {term.expected}", self.model,
                                   f.name)
            if term.real and _whole(value):
                object.__setattr__(self, f.name, float(value))

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed(self) -> dict[str, Any]:
        """The settings that differ from the model's defaults (what a run records)."""
        default = type(self)()
        return {k: v for k, v in self.as_dict().items() if getattr(default, k) != v}


@dataclass(frozen=True)
class NoSettings(Settings):
    """A model with nothing to set."""


@dataclass(frozen=True)
class EumSettings(Settings):
    """The expected utility model's (``statecraft.models.eum``)."""

    model: ClassVar[str] = "eum"
    variant: str = "scholz2011"
    q: float = 1.0
    max_rounds: int = 50
    tol: float | None = None


@dataclass(frozen=True)
class SmpSettings(Settings):
    """The Spatial Model of Politics' (``statecraft.models.smp``; KTAB's defaults)."""

    model: ClassVar[str] = "smp"
    max_rounds: int = 100
    min_rounds: int = 2
    stop_ratio: float = 0.02
    stochastic: bool = False
    victory_law: str = "linear"
    voting_rule: str = "proportional"
    pce_model: str = "conditional"
    risk_adjust: str = "one_third"
    risk_range: str = "mid"
    third_party: str = "semi"
    interpolation: str = "s2p2"
    bargain_model: str = "init_only"
    forecast: str = "pce"


@dataclass(frozen=True)
class ExchangeSettings(Settings):
    """The position exchange model's (``statecraft.models.exchange``)."""

    model: ClassVar[str] = "exchange"
    max_rounds: int = 500


# ------------------------------------------------------------------------ models


@dataclass(frozen=True)
class ModelSpec:
    """One model: what the rest of statecraft knows of it.

    ``function`` is ``"module:name"`` of the pure function that runs it (imported when
    first run). ``execution`` lists the function's other keywords: they change how a run
    is done or what it keeps, never what it forecasts. ``renamed`` maps setting names of
    earlier versions to today's, so that stored runs and old calls still read.
    """

    name: str
    description: str
    function: str
    settings: type[Settings]
    version: int
    rounds: bool = False  # bargains in rounds (has max_rounds)
    history: bool = False  # keeps its positions round by round (keep_history=)
    offers: bool = False  # records the offers made (record_offers=)
    stochastic: bool = False  # can draw its choices by chance (stochastic=, rng=)
    runs: tuple[str, ...] = ()  # the models it runs inside it (an ensemble)
    fitted: bool = False  # combines models with weights fitted on known outcomes (weights=)
    compared: bool = False  # its single run is set beside the others' in a bottom line
    separable: bool = False  # forecasts each issue from that inputs alone, so an
                             # issue can be run by itself (advise searches on it alone)
    execution: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def setting_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.settings))

    @property
    def defaults(self) -> Settings:
        return self.settings()

    def load(self) -> Callable[..., Any]:
        """The model's function (its module imported now, not before)."""
        module, name = self.function.split(":")
        fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return fn

    def make(self, given: Mapping[str, Any] | None = None) -> Settings:
        """Settings from names and values, checked; an older name is read as today's
        (with a ``DeprecationWarning``)."""
        return self.split(given)[0]

    def split(self, given: Mapping[str, Any] | None = None
              ) -> tuple[Settings, dict[str, Any]]:
        """Keyword arguments as (checked settings, execution keywords); anything else is a
        ``SettingError`` naming the model and what it takes."""
        values: dict[str, Any] = {}
        execution: dict[str, Any] = {}
        renamed = dict(self.renamed)
        for key, value in (given or {}).items():
            name = renamed.get(key, key)
            if name != key:
                warnings.warn(f"model {self.name}: setting {key!r} is now {name!r}",
                              DeprecationWarning, stacklevel=3)
                if name in values or name in (given or {}):
                    raise SettingError(f"model {self.name}: give {name!r}, not both it and "
                                       f"its old name {key!r}", self.name, name)
            if name in self.setting_names:
                values[name] = value
            elif name in self.execution:
                execution[name] = value
            else:
                raise SettingError(f"model {self.name} has no setting {key!r}; "
                                   + self.takes(), self.name, key)
        return self.settings(**values), execution

    def takes(self) -> str:
        """What settings the model takes, in words."""
        if not self.setting_names:
            return "it has no settings"
        return "its settings: " + ", ".join(self.setting_names)


_SMP_RENAMED = (("max_turns", "max_rounds"), ("min_turns", "min_rounds"))

SPECS: dict[str, ModelSpec] = {s.name: s for s in (
    ModelSpec("eum", "Bueno de Mesquita's expected utility model: challenges, offers and "
              "moves round by round; each round's forecast is the weighted median",
              "statecraft.models.eum:eum", EumSettings,
              version=2,  # 2: runs end at a fixed point or a cycle; a cycle or a run at
                          # the cap is averaged
              rounds=True, history=True, offers=True, compared=True, separable=True,
              execution=("record_offers", "keep_history", "chunk_size", "engine")),
    ModelSpec("smp", "KTAB's Spatial Model of Politics: all issues bargained at once, "
              "bargains chosen by probabilistic Condorcet elections",
              "statecraft.models.smp:smp", SmpSettings,
              version=2,  # 2: the same as the EUM's
              rounds=True, history=True, offers=True, stochastic=True, compared=True,
              execution=("rng", "record_offers", "keep_history", "engine"),
              renamed=_SMP_RENAMED),
    ModelSpec("compromise", "the mean of positions weighted by capability x salience",
              "statecraft.models.baselines:compromise", NoSettings, version=1,
              compared=True, separable=True),
    ModelSpec("median", "the capability x salience weighted median of positions",
              "statecraft.models.baselines:median", NoSettings, version=1, compared=True,
              separable=True),
    ModelSpec("ensemble", "a weighted mean of the models, the status quo and procedural "
              "components, weights fitted on EU decisions with known outcomes",
              "statecraft.models.ensemble:ensemble", NoSettings,
              version=2,  # 2: its EUM and SMP components
              runs=("compromise", "median", "eum", "smp"), fitted=True,
              execution=("weights", "roles", "engine")),
    ModelSpec("exchange", "Stokman and Van Oosten's position exchange model: pairs of "
              "actors trade voting positions across issues they care about unequally, "
              "largest gain first, until no exchange pays; the forecast is the weighted "
              "mean of the voting positions",
              "statecraft.models.exchange:exchange", ExchangeSettings, version=1,
              rounds=True, history=True, execution=("keep_history", "sets")),
)}
"""Every model by name; the first is the default."""

DEFAULT_MODEL = next(iter(SPECS))

MODEL_VERSIONS: dict[str, int] = {name: s.version for name, s in SPECS.items()}
"""Each model's behaviour version, raised by hand whenever a change moves its forecasts.

Measured model errors (``statecraft.calibration``) are valid only for the version they
were measured on; a forecast refuses an error file whose version differs, and a test
regenerates the bundled error file to catch a change that forgot to raise its version.
"""


def names() -> tuple[str, ...]:
    """Every model's name, the default first."""
    return tuple(SPECS)


def spec(name: str) -> ModelSpec:
    """The named model (``SettingError``, a ``ValueError``, naming them all if unknown)."""
    try:
        return SPECS[name]
    except KeyError:
        raise SettingError(f"unknown model {name!r}; expected one of "
                           + ", ".join(SPECS), name) from None


def having(setting: str) -> tuple[str, ...]:
    """The models that have a setting."""
    return tuple(n for n, s in SPECS.items() if setting in s.setting_names)


def compared() -> tuple[str, ...]:
    """The models whose single runs at a scenario's midpoints a forecast's bottom line sets
    beside each other (``ModelSpec.compared``)."""
    return tuple(n for n, s in SPECS.items() if s.compared)


def one_step() -> tuple[str, ...]:
    """The models that forecast in one step: no rounds of their own and none run inside
    them, so nothing to settle."""
    return tuple(n for n, s in SPECS.items()
                 if not s.rounds and not any(SPECS[m].rounds for m in s.runs))


def measured() -> tuple[str, ...]:
    """The models whose own forecasts calibration measures (an ensemble is measured from
    its components' forecasts)."""
    return tuple(n for n, s in SPECS.items() if not s.fitted)


def settings(model: str, given: Mapping[str, Any] | None = None) -> Settings:
    """A model's settings from names and values, checked (see ``ModelSpec.make``)."""
    return spec(model).make(given)


def changed(model: str, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings in ``given`` that differ from the model's defaults, under today's
    names: what a run records, and what calibration (measured at the defaults) refuses."""
    return settings(model, given).changed()
