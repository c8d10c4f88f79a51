"""Choosing a model and its settings, declared once for every command that runs a model
(``run``, ``forecast``, ``backtest``, ``explain``, ``report``), and ``models``, which
lists them.

The options come from the model registry (``api.MODEL_SPECS``): ``--rounds N`` is the
``max_rounds`` setting and ``--setting NAME=VALUE`` any setting, each meaning the same in
every model that has it. A model without it refuses it with a message naming the model and
the option, exit 1 (as an unknown model is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from statecraft import api
from statecraft.cli.common import JsonOpt, _fail, _print_json, app, message_of, out


def _models_with(setting: str) -> list[str]:
    return [n for n, s in api.MODEL_SPECS.items() if setting in s.setting_names]


def _rounds_help() -> str:
    with_rounds = ", ".join(f"{n} {api.MODEL_SPECS[n].defaults.as_dict()['max_rounds']}"
                            for n in _models_with("max_rounds"))
    return ("Most bargaining rounds (the max_rounds setting; default: " + with_rounds
            + "); a run that has neither settled nor cycled by then is reported as not "
            "converged. Models without rounds refuse it.")


ModelOpt = Annotated[str, typer.Option(
    "--model", help="The model: " + ", ".join(api.MODEL_SPECS) + " (statecraft models "
    "lists them).")]
RoundsOpt = Annotated[int | None, typer.Option(
    "--rounds", min=0, metavar="N", help=_rounds_help())]
SettingOpt = Annotated[list[str] | None, typer.Option(
    "--setting", metavar="NAME=VALUE",
    help="A setting of the model, e.g. voting_rule=binary (repeatable); statecraft models "
         "lists each model's settings. A setting other than the default has no measured "
         "errors: forecast it --uncalibrated.")]


def _option(name: str) -> str:
    """How the command line names a setting."""
    term = api.SETTING_TERMS[name]
    if not term.command_line:
        return "Python only"
    return term.option or f"--setting {name}"


def chosen_settings(model: str, *, rounds: int | None = None,
                    setting: Sequence[str] | None = None) -> dict[str, Any]:
    """The settings ``--rounds`` and ``--setting`` ask of ``model`` that differ from its
    defaults, checked, by their shared names. An unknown model, an option the model does
    not have and a value it cannot take each fail (exit 1) naming the model and option."""
    spec = api.model_spec(model)
    given: dict[str, Any] = {}
    source: dict[str, str] = {}
    for text in setting or ():
        name, eq, value = text.partition("=")
        name = name.strip()
        if not eq or not name:
            raise _fail(f"--setting {text!r}: expected NAME=VALUE (e.g. max_rounds=20)")
        if name not in api.SETTING_TERMS or name not in spec.setting_names:
            raise _fail(f"--setting {name}: model {model} has no setting {name!r}; "
                        + spec.takes())
        if name in given:
            raise _fail(f"--setting {name}: given twice")
        if not api.SETTING_TERMS[name].command_line:
            raise _fail(f"--setting {name}: model {model}'s {name} is set from Python only "
                        "(it needs a seeded generator, rng=); the command line runs without")
        given[name] = api.SETTING_TERMS[name].parse(value)
        source[name] = f"--setting {name}"
    if rounds is not None:
        if "max_rounds" not in spec.setting_names:
            raise _fail(f"--rounds: model {model} has no rounds (it forecasts in one step); "
                        "models with rounds: " + ", ".join(_models_with("max_rounds")))
        if "max_rounds" in given:
            raise _fail("give --rounds or --setting max_rounds, not both")
        given["max_rounds"] = rounds
        source["max_rounds"] = "--rounds"
    try:
        return api.model_settings(model, given)
    except api.SettingError as exc:
        where = f"{source[exc.setting]}: " if exc.setting in source else ""
        raise _fail(where + message_of(exc)) from None


def chosen_settings_each(models: Sequence[str], *, rounds: int | None = None,
                         setting: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """``chosen_settings`` for each of several models (every one must have the options)."""
    return {m: chosen_settings(m, rounds=rounds, setting=setting) for m in models}


def check_trace(model: str) -> None:
    """``--trace`` needs a model that records its offers."""
    spec = api.model_spec(model)
    if not spec.offers:
        raise _fail(f"--trace: model {model} makes no offers to trace; models that do: "
                    + ", ".join(n for n, s in api.MODEL_SPECS.items() if s.offers))


def _supports(spec: api.ModelSpec) -> list[str]:
    return [word for word, flag in (("rounds", spec.rounds), ("history", spec.history),
                                    ("offers", spec.offers), ("stochastic", spec.stochastic),
                                    ("fitted weights", spec.fitted)) if flag]


@app.command("models")
def models(as_json: JsonOpt = False) -> None:
    """List the models: what each is, its behaviour version, what it supports, and its
    settings with their defaults (set them with --rounds or --setting NAME=VALUE)."""
    if as_json:
        _print_json({"default": api.DEFAULT_MODEL, "models": [
            {"name": n, "description": s.description, "version": s.version,
             "supports": _supports(s), "runs": list(s.runs),
             "settings": [{"name": k, "default": v, "option": _option(k),
                           "expected": api.SETTING_TERMS[k].expected,
                           "meaning": api.SETTING_TERMS[k].meaning}
                          for k, v in s.defaults.as_dict().items()]}
            for n, s in api.MODEL_SPECS.items()]})
        return
    for n, s in api.MODEL_SPECS.items():
        default = " (the default)" if n == api.DEFAULT_MODEL else ""
        supports = ", ".join(_supports(s)) or "one step"
        out.print(f"[bold]{n}[/bold]{default}: {s.description}", highlight=False,
                  soft_wrap=True)
        out.print(f"  version {s.version}; supports: {supports}"
                  + (f"; runs {', '.join(s.runs)}" if s.runs else ""), highlight=False)
        if not s.setting_names:
            out.print("  no settings", highlight=False)
            continue
        for k, v in s.defaults.as_dict().items():
            term = api.SETTING_TERMS[k]
            shown = "none" if v is None else str(v).lower() if isinstance(v, bool) else v
            out.print(f"  {k} (default {shown}; {_option(k)}): {term.expected}; "
                      f"{term.meaning}", highlight=False, markup=False, soft_wrap=True)
