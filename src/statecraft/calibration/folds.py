"""Cross-validation folds grouped by proposal: no proposal has issues on both sides.

Issues of one legislative proposal are decided together by the same actors, so their
errors are related; scoring one while fitting on its sibling would flatter a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def grouped_folds(groups: Sequence[str], k: int, seed: int) -> NDArray[np.intp]:
    """Each item's fold (0 .. k-1): the distinct groups, in sorted order, are shuffled by
    ``seed`` and dealt to the folds in turn, so fold sizes differ by at most one group."""
    distinct = sorted(set(groups))
    if not 2 <= k <= len(distinct):
        raise ValueError(f"need 2 <= folds <= {len(distinct)} (the number of groups); got {k}")
    order = np.random.default_rng(seed).permutation(len(distinct))
    fold_of = {distinct[g]: i % k for i, g in enumerate(order.tolist())}
    return np.array([fold_of[g] for g in groups], dtype=np.intp)
