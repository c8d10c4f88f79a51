"""Kernels compile where no cache can be written (a read-only install, no writable home)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

numba = pytest.importorskip("numba")

from statecraft.models._jit import njit  # noqa: E402


def _function_without_a_cache_location(tmp_path: Path) -> Any:
    """A function whose source file is gone: numba finds nowhere to cache it, as for a
    package in a read-only folder run by a user without a writable home."""
    source = tmp_path / "kernel_gone.py"
    source.write_text("def twice(x):\n    return 2.0 * x\n")
    spec = importlib.util.spec_from_file_location("kernel_gone", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source.unlink()
    return module.twice


def test_numba_itself_refuses_to_cache_such_a_function(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="cannot cache"):
        numba.njit(cache=True)(_function_without_a_cache_location(tmp_path))


def test_such_a_function_compiles_uncached_and_computes(tmp_path: Path) -> None:
    twice = njit(error_model="numpy")(_function_without_a_cache_location(tmp_path))
    assert twice(1.25) == 2.5
    assert twice.signatures  # it really was compiled


def test_a_function_that_can_be_cached_still_is() -> None:
    from statecraft.models import _fastmath

    assert _fastmath.fast_exp_array._cache.__class__.__name__ != "NullCache"
