"""The report's section on the price of resolution: for the bundled scenario, the numbers
of Russia's price as ``price_of`` computes them; for other scenarios, no section."""

from __future__ import annotations

import html
import re
from pathlib import Path

from typer.testing import CliRunner

from statecraft import api
from statecraft.analysis.advise import Target, price_of
from statecraft.api.deals import article_price
from statecraft.cli import app
from statecraft.scenario import to_model_inputs
from tests.conftest import DATA


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_bundled_report_gives_russias_price(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    got = CliRunner().invoke(app, ["report", "-o", str(out), "--samples", "200"])
    assert got.exit_code == 0, got.output
    page = out.read_text()
    start = page.index('id="price"')
    section = _text(page[start:page.index("Sources appendix", start)])
    loaded = api.load(None)
    price = price_of(to_model_inputs(loaded.scenario), actor="rus", payer="aze",
                     target=Target.parse("<= 40", "peacekeepers"))
    assert price is not None
    assert f"Russia loses {price.loss:.2f}" in section
    assert f"expected {price.outcome:.1f}" in section
    for c in price.package:
        said = f"gains {-c.cost:.2f}" if c.cost < 0 else f"{c.cost:.2f}"
        assert f"{c.issue} {c.shift:+.1f} {c.to:.1f} {c.outcome_shift:+.1f} " \
               f"{c.compensates:.2f} {said}" in section
    gains = [c.issue for c in price.package if c.cost < 0]
    assert gains, "the bundled price has a move that gains Azerbaijan too (mediation)"
    assert f"On {', '.join(gains)}, Azerbaijan's move gains it too" in section
    for c in price.package:  # a gain is never printed as a negative cost
        assert f"{c.compensates:.2f} {c.cost:.2f}" not in section or c.cost >= 0
    made_up = sum(c.compensates for c in price.package)
    if price.package_enough:
        assert "Together these make up the loss" in section
    else:
        assert f"make up {made_up:.2f} of the {price.loss:.2f} Russia loses" in section
    assert "none has Russia give way on peacekeepers" in section


def test_no_price_section_for_another_scenario(tmp_path: Path) -> None:
    assert article_price(api.load(DATA / "small.yaml")) is None
    out = tmp_path / "r.html"
    got = CliRunner().invoke(app, ["report", str(DATA / "small.yaml"), "-o", str(out),
                                   "--samples", "50", "--model", "compromise"])
    assert got.exit_code == 0, got.output
    assert 'id="price"' not in out.read_text()
