"""Shared test fixtures: where the repository and the shared anchors are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run unless told otherwise, so a test run
# (CI's included) is reproducible; HYPOTHESIS_PROFILE=explore draws fresh examples each
# time, to hunt for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def shared_dir() -> Path:
    """``../shared`` beside the checkout (CI puts it there), or ``$STATECRAFT_SHARED``."""
    env = os.environ.get("STATECRAFT_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def shared_file(relative: str) -> Path:
    """A file under shared/, or skip the test saying which file is missing."""
    path = shared_dir() / relative
    if not path.is_file():
        pytest.skip(f"needs {relative} from the shared folder ({path} is absent)")
    return path


@pytest.fixture
def article_path() -> Path:
    """The source article of the default scenario."""
    return shared_file("sources/valiyev-2021-end-of-the-war-but-no-peace.md")


@pytest.fixture(autouse=True)
def _run_store_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Forecasts made by tests are saved in a temporary run store, never in the checkout."""
    monkeypatch.setenv("STATECRAFT_STORE", str(tmp_path_factory.mktemp("store")))
