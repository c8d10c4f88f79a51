"""The public Python API that the CLI, the web app and notebooks share.

Thin on purpose: it finds scenarios, loads them, runs a named model and shapes the result
for people; the work itself lives in ``scenario`` and ``models``.

The functions live in one module per task (``loading``, ``running``, ``monte_carlo``,
``stored``, ``reports``, ``options``, ``deu``, ``ktab``, ``calibration``, ``compare``); this package
names them all. What they compute comes back as typed results (``api.results``: a
``Forecast``, ``Backtest``, ``Explanation``, ``Comparison``, ``OptionsGame``), which the
command line, the web app and the report render and whose ``to_dict()`` is their JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statecraft._lazy import attach

# Imported on first use (statecraft._lazy): importing the API costs next to nothing,
# and a command imports only the modules it uses. Add a name here and to __all__.
if TYPE_CHECKING:
    from statecraft.analysis.questions import QuestionSet
    from statecraft.api.bottomline import (
        MODE_SAMPLES,
        MODE_SEED,
        bundled_questions_for,
        forecast_bottom_line,
        run_note_lines,
        run_notes,
    )
    from statecraft.api.calibration import (
        ERROR_FILE,
        calibrate_deu,
        calibrated_rows,
        deu_table,
        deu_versus_compromise,
        ensemble_weights,
        errors_for,
        read_error_file,
        score_deu,
    )
    from statecraft.api.compare import compare_forecasts, compare_runs
    from statecraft.api.convergence import convergence_lines, frames_convergence
    from statecraft.api.deals import (
        Advice,
        Deals,
        advise,
        find_deals,
        with_option,
    )
    from statecraft.api.deu import EUM_GRID, backtest_deu, import_deu, read_deu
    from statecraft.api.editing import StanceChange, edit_scenario, in_words
    from statecraft.api.ktab import ktab_export, ktab_import
    from statecraft.api.loading import (
        DEFAULT_SCENARIO,
        bundled_questions_dir,
        bundled_scenarios_dir,
        bundled_sources_dirs,
        default_scenario_path,
        is_bundled,
        load,
        load_observed,
        load_questions,
        questions_from_text,
        read_scenario_text,
        sources_dirs_for,
    )
    from statecraft.api.monte_carlo import (
        ForecastRun,
        backtest,
        explain,
        forecast,
        forecast_run,
        measured_errors,
    )
    from statecraft.api.options import export_efg, options_analysis, timeline
    from statecraft.api.registry import (
        DEFAULT_MODEL,
        MODEL_SPECS,
        SETTING_TERMS,
        ModelSpec,
        SettingError,
        model_settings,
        model_spec,
    )
    from statecraft.api.reports import (
        HISTORY_MODELS,
        describe_calibration,
        forecast_report,
        forecast_summary,
        question_rows,
        report_html,
        run_errors,
        run_issues,
        stored_errors,
        stored_questions,
        trajectories_png,
    )
    from statecraft.api.results import (
        Backtest,
        BacktestQuestion,
        CalibratedSummary,
        Comparison,
        Explanation,
        Forecast,
        GameNode,
        GameOption,
        InputEffect,
        IssueShift,
        IssueSummary,
        Json,
        NamedOutcome,
        OptionsGame,
        Provenance,
        QuestionProbability,
        QuestionShift,
        Settings,
        SettingValue,
    )
    from statecraft.api.running import (
        MODELS,
        IssueForecast,
        ModelFn,
        model_function,
        run_model,
        run_scenario,
        summarise,
        trace_offers,
    )
    from statecraft.api.stored import (
        Rerun,
        StoredRun,
        distributions_png,
        load_run,
        rerun,
        run_edits,
        stored_scenario,
    )
    from statecraft.api.workbench import (
        Imported,
        QuoteSuggestions,
        export_xlsx,
        import_xlsx,
        new_scenario,
        suggest_quotes,
    )
    from statecraft.atomic import write_atomic
    from statecraft.errors import (
        BusyError,
        DamagedError,
        InputError,
        LimitError,
        NotFoundError,
        OptionError,
        StatecraftError,
        StoppedError,
        stopped_words,
    )
    from statecraft.scenario import (
        Loaded,
        Problem,
        ScenarioError,
        json_schema,
        load_scenario_text,
    )
    from statecraft.scenario.provenance import Edit
    from statecraft.scenario.xlsx import WorkbookError
    from statecraft.store import RunRecord, RunStore, StoreError
    from statecraft.store.errors import RunNotFound, StoreBusy, StoreDamaged
    from statecraft.uncertainty.runner import Stopped as ForecastStopped
    from statecraft.uncertainty.runner import outcome_summary

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SCENARIO",
    "ERROR_FILE",
    "EUM_GRID",
    "HISTORY_MODELS",
    "MODELS",
    "MODEL_SPECS",
    "MODE_SAMPLES",
    "MODE_SEED",
    "SETTING_TERMS",
    "Advice",
    "Backtest",
    "BacktestQuestion",
    "BusyError",
    "CalibratedSummary",
    "Comparison",
    "DamagedError",
    "Deals",
    "Edit",
    "Explanation",
    "Forecast",
    "ForecastRun",
    "ForecastStopped",
    "GameNode",
    "GameOption",
    "Imported",
    "InputEffect",
    "InputError",
    "IssueForecast",
    "IssueShift",
    "IssueSummary",
    "Json",
    "LimitError",
    "Loaded",
    "ModelFn",
    "ModelSpec",
    "NamedOutcome",
    "NotFoundError",
    "OptionError",
    "OptionsGame",
    "Problem",
    "Provenance",
    "QuestionProbability",
    "QuestionSet",
    "QuestionShift",
    "QuoteSuggestions",
    "Rerun",
    "RunNotFound",
    "RunRecord",
    "RunStore",
    "ScenarioError",
    "SettingError",
    "SettingValue",
    "Settings",
    "StanceChange",
    "StatecraftError",
    "StoppedError",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoredRun",
    "WorkbookError",
    "advise",
    "backtest",
    "backtest_deu",
    "bundled_questions_dir",
    "bundled_questions_for",
    "bundled_scenarios_dir",
    "bundled_sources_dirs",
    "calibrate_deu",
    "calibrated_rows",
    "compare_forecasts",
    "compare_runs",
    "convergence_lines",
    "default_scenario_path",
    "describe_calibration",
    "deu_table",
    "deu_versus_compromise",
    "distributions_png",
    "edit_scenario",
    "ensemble_weights",
    "errors_for",
    "explain",
    "export_efg",
    "export_xlsx",
    "find_deals",
    "forecast",
    "forecast_bottom_line",
    "forecast_report",
    "forecast_run",
    "forecast_summary",
    "frames_convergence",
    "import_deu",
    "import_xlsx",
    "in_words",
    "is_bundled",
    "json_schema",
    "ktab_export",
    "ktab_import",
    "load",
    "load_observed",
    "load_questions",
    "load_run",
    "load_scenario_text",
    "measured_errors",
    "model_function",
    "model_settings",
    "model_spec",
    "new_scenario",
    "options_analysis",
    "outcome_summary",
    "question_rows",
    "questions_from_text",
    "read_deu",
    "read_error_file",
    "read_scenario_text",
    "report_html",
    "rerun",
    "run_edits",
    "run_errors",
    "run_issues",
    "run_model",
    "run_note_lines",
    "run_notes",
    "run_scenario",
    "score_deu",
    "sources_dirs_for",
    "stopped_words",
    "stored_errors",
    "stored_questions",
    "stored_scenario",
    "suggest_quotes",
    "summarise",
    "timeline",
    "trace_offers",
    "trajectories_png",
    "with_option",
    "write_atomic",
]

if not TYPE_CHECKING:  # mypy reads the names above; an unknown one is an error
    __getattr__, __dir__ = attach(__name__, __file__)
