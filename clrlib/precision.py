"""Finite precision: step orderings that keep rounding errors small, and the error floor of a run.

In exact arithmetic the order of the steps does not change ``p_T(lam) = prod_t (1 - eta_t lam)``;
in floating point it decides how much the rounding error committed at step ``t`` is amplified by the
steps that follow it, ``prod_{s>t} (1 - eta_s lam)``.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V
from .methods import Run

__all__ = ["fractal_permutation", "fractal_order", "leja_order", "error_floor", "prefix_log_growth"]


def fractal_permutation(T: int) -> np.ndarray:
    """The fractal permutation of ``0..T-1`` for ``T`` a power of two.

    ``sigma_1 = [1]`` and ``sigma_{2m} = [sigma_m(1), 2m+1-sigma_m(1), sigma_m(2), 2m+1-sigma_m(2), ...]``
    (1-based), so each index is followed by its mirror image: ``[1, 8, 4, 5, 2, 7, 3, 6]`` for ``T = 8``.
    Applied to sorted step sizes it interleaves large and small steps at every scale, in the spirit of
    the fractal schedules of Agarwal, Goel and Zhang (2021). Returned 0-based.
    """
    T = V.count("T", T, 1)
    if T & (T - 1):
        raise ValueError(f"T must be a power of two (1, 2, 4, ...), got {T!r}")
    sigma = np.array([1])
    while sigma.size < T:
        m = sigma.size
        nxt = np.empty(2 * m, dtype=int)
        nxt[0::2] = sigma
        nxt[1::2] = 2 * m + 1 - sigma
        sigma = nxt
    return sigma - 1


def fractal_order(steps: np.ndarray) -> np.ndarray:
    """``steps`` sorted increasingly, then permuted by :func:`fractal_permutation` (``len(steps)`` a power of two)."""
    s = V.real_array("steps", steps, ndim=1, nonempty=True)
    return np.sort(s)[fractal_permutation(s.size)]


def leja_order(steps: np.ndarray, first: str = "smallest") -> np.ndarray:
    """The steps reordered so that their roots ``r = 1/eta`` form a Leja sequence.

    ``r_0`` is the largest root (``first="smallest"`` step) or the smallest root (``first="largest"``
    step); then ``r_k = argmax_r prod_{i<k} |r - r_i|`` over the unused roots (in log space): every
    prefix of the product is as large as possible away from the chosen roots, which keeps partial
    products of ``|1 - eta lam|`` balanced.
    """
    s = V.real_array("steps", steps, ndim=1, nonempty=True)
    if np.any(s <= 0):
        raise ValueError("steps must all be > 0")
    if first not in ("smallest", "largest"):
        raise ValueError(f"first must be 'smallest' or 'largest', got {first!r}")
    r = 1.0 / s
    n = r.size
    order = np.empty(n, dtype=int)
    used = np.zeros(n, dtype=bool)
    score = np.zeros(n)
    i = int(np.argmax(r)) if first == "smallest" else int(np.argmin(r))
    for k in range(n):
        order[k] = i
        used[i] = True
        with np.errstate(divide="ignore"):
            score += np.log(np.abs(r - r[i]))
        if k + 1 < n:
            i = int(np.argmax(np.where(used, -np.inf, score)))
    return s[order]


def error_floor(run: Run, every: int = 1) -> float:
    """The smallest relative error ``min_t ||x_t - x*|| / ||x_0 - x*||`` over ``t = 0, every, 2 every, ...``.

    With ``every`` equal to a cycle's length this looks only at cycle ends.
    """
    every = V.count("every", every, 1)
    return float(np.min(run.relative[::every]))


def prefix_log_growth(steps: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``max_lam log|p_t(lam)|`` for every prefix ``t = 0..T`` of the schedule, over the points ``lam``.

    ``log|p_t(lam)| = sum_{s<t} log|1 - eta_s lam|`` is accumulated step by step (cumulative sums), so
    the cost is ``O(T len(lam))``. Over a grid this is a lower bound on ``log sup_E |p_t|``.
    """
    s = V.real_array("steps", steps, ndim=1)
    lam = V.real_array("lam", lam, ndim=1, nonempty=True)
    with np.errstate(divide="ignore"):
        logs = np.log(np.abs(1.0 - np.multiply.outer(s, lam)))
    cum = np.vstack([np.zeros((1, lam.size)), np.cumsum(logs, axis=0)])
    return cum.max(axis=1)
