"""The layer order of DESIGN.md holds in the code, in both directions: nothing below the
API imports it (or the interfaces), and the interfaces (the command line, the web app)
import nothing below the API but its typed results and a short list of named exceptions.

Every import counts: at the top of a module, inside a function, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "statecraft"
LOWER = ("uncertainty", "models", "scenario", "store", "calibration", "analysis", "games",
         "rules", "report")
BASE_MODULES = ("files.py", "atomic.py", "errors.py", "_lazy.py")
"""Modules at the bottom of every layer (reading and writing files, the kinds of error,
lazy names): they import nothing of statecraft's but each other."""
INTERFACES = ("statecraft.api", "statecraft.cli", "statecraft.web")

INTERFACE_MAY_IMPORT = ("statecraft.api", "statecraft.cli", "statecraft.web")
"""What the command line and the web app import of statecraft: the API (its typed results,
``statecraft.api.results``, included), each other's modules within an interface, and the
package itself (``statecraft.__version__``)."""

ALLOWED: dict[tuple[str, str], str] = {
    # (module, what it imports): why it may
    ("web/cards.py", "statecraft.scenario"): "the page shows the scenario itself (its "
        "actors, stances and sources as loaded); the cards read the scenario's own types, "
        "which the API's load returns",
    ("web/cards.py", "statecraft.scenario.provenance"): "an edited value beside its cited "
        "one, written as the scenario file writes it",
    ("web/cards.py", "statecraft.scenario.refs"): "the kinds of a source reference, to "
        "group the sources on the page",
    ("web/cards.py", "statecraft.scenario.schema"): "the scenario's type, in signatures",
}
"""Imports below the API an interface keeps, each with its reason: the page's view of the
scenario's inputs (no typed result holds them)."""

REMAINING: dict[tuple[str, str], str] = {
    # (module, what it imports): what should replace it. Remove an entry once fixed; the
    # test fails while an entry names an import that is gone, so the list only shrinks.
    # Empty: every import below the API the interfaces made has been replaced.
}
"""Imports below the API that the interfaces still make, each named with what should
replace it (none today; keep it empty)."""


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):  # imports inside functions count too
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


def _below_api(package: str) -> set[tuple[str, str]]:
    """Each (module, statecraft module below the API) an interface package imports."""
    found = set()
    for path in sorted((SRC / package).rglob("*.py")):
        for _, name in _imports(path):
            if (name.startswith("statecraft.") and name != "statecraft"
                    and not name.startswith(INTERFACE_MAY_IMPORT)):
                found.add((str(path.relative_to(SRC)), name))
    return found


@pytest.mark.parametrize("package", LOWER)
def test_no_lower_layer_imports_an_interface(package: str) -> None:
    offenders = [f"{path.relative_to(SRC)}:{line}: {name}"
                 for path in sorted((SRC / package).rglob("*.py"))
                 for line, name in _imports(path)
                 if name == "statecraft.api" or name.startswith(INTERFACES)]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("module", BASE_MODULES)
def test_the_base_modules_import_only_each_other(module: str) -> None:
    own = {"statecraft." + m.removesuffix(".py") for m in BASE_MODULES}
    found = {name for _, name in _imports(SRC / module) if name.startswith("statecraft")}
    assert found <= own, found - own


@pytest.mark.parametrize("package", ["cli", "web"])
def test_an_interface_imports_nothing_below_the_api_but_what_is_listed(package: str) -> None:
    found = _below_api(package)
    listed = {k for k in (*ALLOWED, *REMAINING) if k[0].startswith(package + "/")}
    new = sorted(found - listed)
    assert not new, ("imports below the API (go through statecraft.api, or list one in "
                     "ALLOWED with its reason):\n" + "\n".join(f"{m}: {n}" for m, n in new))
    gone = sorted(listed - found)
    assert not gone, ("listed imports that are gone (remove them from the list):\n"
                      + "\n".join(f"{m}: {n}" for m, n in gone))


def test_the_lists_do_not_overlap() -> None:
    assert not set(ALLOWED) & set(REMAINING)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from statecraft.api import run_model\n")
    assert _imports(probe) == [(2, "statecraft.api")]
