"""Minibatch (stochastic) gradient descent on least squares.

For ``f(x) = (1/(2n)) ||X x - y||^2`` (Hessian ``H = X^T X / n``) the minibatch gradient on a batch
``S`` of ``B`` rows drawn uniformly with replacement is

    g_S(x) = (1/B) X_S^T (X_S x - y_S),        E[g_S(x)] = grad f(x) = H x - X^T y / n,

and SGD is ``x_{t+1} = x_t - eta_t g_{S_t}(x_t)``. Its noise has two parts: the residual
``y - X x*`` (additive) and ``X_S^T X_S / B - H`` (multiplicative); a large step multiplies both.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _validate as V

__all__ = ["minibatch_sgd"]


def minibatch_sgd(X: np.ndarray, y: np.ndarray, steps: Sequence[float] | np.ndarray, batch_size: int,
                  seed: int | np.random.Generator = 0, x0: np.ndarray | None = None) -> np.ndarray:
    """Run SGD with the given step sizes and return all iterates ``x_1, ..., x_T`` (shape ``T x d``).

    Batches are ``batch_size`` row indices drawn uniformly with replacement from ``seed``; ``x0``
    defaults to zero. The caller computes errors against ``x* = lstsq(X, y)``.
    """
    X = V.real_array("X", X, ndim=2, nonempty=True)
    y = V.real_array("y", y, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one entry per row of X ({X.shape[0]}), got {y.shape[0]}")
    s = V.real_array("steps", steps, ndim=1)
    B = V.count("batch_size", batch_size, 1)
    gen = V.rng(seed)
    n, d = X.shape
    x = np.zeros(d) if x0 is None else V.real_array("x0", x0, ndim=1).copy()
    if x.shape[0] != d:
        raise ValueError(f"x0 must have length {d}, got {x.shape[0]}")
    batches = gen.integers(0, n, size=(s.size, B))
    out = np.empty((s.size, d))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(s.size):
            rows = batches[t]
            Xb = X[rows]
            x = x - s[t] * (Xb.T @ (Xb @ x - y[rows]) / B)
            out[t] = x
    return out
