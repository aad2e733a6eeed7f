"""Exact p-values of the Wilcoxon signed-rank test for many small groups at once, as
``scipy.stats.wilcoxon(d, zero_method="pratt")`` computes them by default (``method="auto"``,
scipy 1.17):

* no ties and no zero differences, n <= 50: the exact null distribution of r₊ (the sum of the
  ranks 1 … n of the positive changes), p = 2·min(P(R ≤ r₊), P(R ≥ r₊));
* ties or zeros, n <= 13: every one of the 2ⁿ sign flips of the changes (scipy's exhaustive
  ``permutation_test``, since 2¹³ < its 9,999 resamples), ranks as they are (average ranks for
  ties; a zero keeps its rank but adds to neither sum), the same two-sided rule;
* otherwise the normal approximation (:func:`analysis.stats.grouped._wilcoxon_pratt`).

Both exact cases are counted by one polynomial product per group: ranks are halves at worst, so
twice r₊ is an integer of at most n(n + 1). Counts over 2ⁿ are exact binary fractions, so the
p-values are bit-for-bit scipy's.
"""

from __future__ import annotations

from functools import cache

import numpy as np

EXACT_MAX = 50  # scipy: the exact distribution without ties or zeros up to n = 50
FLIP_MAX = 13  # scipy: every sign flip with ties or zeros up to n = 13


@cache
def _untied_null(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P(R ≤ k) and P(R ≥ k), k = 0 … n(n+1)/2, for ranks 1 … n (scipy's halving recursion:
    every value an exact multiple of 2⁻ⁿ)."""
    pmf = np.ones(1)
    for k in range(1, n + 1):
        previous, m = pmf, len(pmf)
        pmf = np.zeros(k * (k + 1) // 2 + 1)
        pmf[:m] = previous * 0.5
        pmf[-m:] += previous * 0.5
    return np.cumsum(pmf), np.cumsum(pmf[::-1])[::-1]


def exact_untied_p(n: np.ndarray, r_plus: np.ndarray) -> np.ndarray:
    """Two-sided exact p of groups without ties or zeros (2 <= n <= 50), from r₊."""
    p = np.full(len(n), np.nan)
    k = np.rint(r_plus).astype(np.int64)
    for size in np.unique(n):
        at = np.flatnonzero(n == size)
        below, above = _untied_null(int(size))
        p[at] = np.minimum(1.0, 2 * np.minimum(below[k[at]], above[k[at]]))
    return p


def sign_flip_p(rank: np.ndarray, group: np.ndarray, size: int,
                r_plus: np.ndarray) -> np.ndarray:
    """Two-sided p over every sign flip, for the groups numbered ``0 … size − 1``.

    ``rank``: each change's rank of |d| within its group (n <= 13 per group), 0 for a zero
    change (it keeps its place in the ranking but flipping it changes nothing);
    ``r_plus``: each group's sum of the ranks of its positive changes."""
    twice = np.rint(2 * rank).astype(np.int64)
    n = np.bincount(group, minlength=size)
    width = int(n.max(initial=0))
    order = np.lexsort((twice, group))
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    position = np.arange(len(group)) - starts[group[order]]
    steps = np.full((size, width), -1, dtype=np.int64)  # -1: no change at this position
    steps[group[order], position] = twice[order]
    # the null distribution depends on the sorted ranks alone: counted once per pattern
    patterns, which = np.unique(steps, axis=0, return_inverse=True)
    cumulative = _flip_counts(patterns).cumsum(axis=1)
    at = cumulative[which.ravel()]
    observed = np.rint(2 * r_plus).astype(np.int64)
    rows = np.arange(size)
    below = at[rows, observed]
    above = at[rows, -1] - np.where(observed > 0, at[rows, observed - 1], 0.0)
    total = np.exp2(n.astype(float))
    return np.minimum(1.0, 2 * np.minimum(below / total, above / total))


def _flip_counts(steps: np.ndarray) -> np.ndarray:
    """Sign patterns reaching each twice-r₊ (columns 0 … the largest), per row of doubled ranks
    (-1: no change there): the product of (1 + x^rank) over a row, a zero change doubling."""
    top = int(steps.clip(min=0).sum(axis=1).max(initial=0)) + 1
    counts = np.zeros((len(steps), top))
    counts[:, 0] = 1.0
    reach = np.arange(top)
    for j in range(steps.shape[1]):
        shift = steps[:, j:j + 1]
        source = reach[None, :] - shift
        moved = np.take_along_axis(counts, source.clip(0, top - 1), axis=1)
        counts = counts + np.where((shift >= 0) & (source >= 0), moved, 0.0)
    return counts
