"""The page's browser tests share one server per module and Debian's chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = os.environ.get("STATECRAFT_SCREENSHOTS")  # a folder to keep screenshots in


@pytest.fixture(scope="module")
def server_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run store of the module's server (a test may read its runs back)."""
    return tmp_path_factory.mktemp("web-store")


@pytest.fixture(scope="module")
def server(server_store: Path) -> Iterator[str]:
    """``statecraft serve`` in its own process on a free loopback port, with a new store."""
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from benchmarks.bench_server import server as serve

    with serve(str(server_store)) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless chromium through Playwright, or a skip that says what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def shot(page: object, name: str) -> None:
    """Save a full-page screenshot when ``STATECRAFT_SCREENSHOTS`` names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        file = name if name.endswith(".png") else f"{name}.png"
        page.screenshot(path=str(Path(SHOTS) / file), full_page=True)  # type: ignore[attr-defined]
