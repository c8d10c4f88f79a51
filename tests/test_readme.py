"""README's two set-up commands stay true: CI runs the test command word for word."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_two_commands() -> None:
    commands = _commands()
    assert len(commands) >= 2
    run, test = commands[0], commands[1]
    assert "pip install" in run and run.endswith("statecraft run")
    assert "pip install" in test and test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()
