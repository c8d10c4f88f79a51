"""`statecraft forecast` of the bundled scenario shows the questions its bottom line's
Brier score is computed on, in its text and its JSON (as the report and the page do),
where it quoted a score over 13 resolved questions beside no question at all."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from statecraft.cli import app

runner = CliRunner()


def test_the_json_holds_the_questions_the_bottom_line_scores() -> None:
    result = runner.invoke(app, ["forecast", "--samples", "200", "--no-store", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    scored = [q for q in data["questions"] if q["resolution"] is not None]
    said = " ".join(data["bottom_line"]["scores"])
    m = re.search(r"On the (\d+) resolved questions.*?Brier score of (\d\.\d{3})", said)
    assert m is not None, said
    assert int(m.group(1)) == len(scored) > 0
    # the score quoted is the one these rows give
    score = sum((q["probability"] - q["resolution"]) ** 2 for q in scored) / len(scored)
    assert f"{score:.3f}" == m.group(2)


def test_the_text_shows_them_whole_at_80_columns() -> None:
    result = runner.invoke(app, ["forecast", "--samples", "200", "--no-store"],
                           env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    out = result.stdout
    m = re.search(r"On the (\d+) resolved questions", " ".join(out.split()))
    assert m is not None
    assert f"Questions ({m.group(1)} resolved, which the bottom line's score is computed on)" \
        in out
    table = out[out.index("Questions ("):]
    for qid in ("karabakh-stays-separate", "peacekeepers-leave-by-term-end",
                "brokerage-shared-or-western", "demining-most-maps"):
        assert re.search(rf"^{qid} +\d\.\d{{3}} +\d\.\d{{3}} +(yes|no|open)$", table,
                         re.MULTILINE), table
    assert max(len(line) for line in out.splitlines()) <= 80
