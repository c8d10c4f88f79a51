"""Compiling a kernel with numba, cached on disk where a cache can be written.

numba refuses ``cache=True`` outright (a ``RuntimeError`` at import) when neither the
package's folder nor a user cache folder is writable: a package installed read-only and
run by a user without a writable home. The kernels then compile in memory on first use
instead, and every run gives the same numbers (caching changes only start-up time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    import numba
except ImportError:  # the NumPy paths serve
    numba = None  # type: ignore[assignment]


def njit(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(cache=True, **options)``, or uncached where no cache can be written."""
    if numba is None:
        raise RuntimeError("numba is not installed")

    def compile_(func: Callable[..., Any]) -> Any:
        try:
            return numba.njit(cache=True, **options)(func)
        except RuntimeError:  # no cache locator: nowhere writable to keep compiled code
            return numba.njit(**options)(func)

    return compile_
