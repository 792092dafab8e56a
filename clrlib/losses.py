"""A non-quadratic loss for the "beyond the theorem" chapter: ridge-regularised logistic regression.

With data ``X`` (``n x d``), labels ``y in {0, 1}^n`` and ridge ``r >= 0``:

    f(w)        = (1/n) sum_i [log(1 + exp(x_i^T w)) - y_i x_i^T w] + (r/2) ||w||^2
    grad f(w)   = (1/n) X^T (s - y) + r w,                    s_i = sigmoid(x_i^T w)
    H(w) v      = (1/n) X^T (D (X v)) + r v,                  D = diag(s_i (1 - s_i))

Near its minimiser ``w*`` the loss is the quadratic with Hessian ``H(w*)``, so the book's theory
applies locally; far from it, it does not.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.special import expit

from . import _validate as V
from .methods import DivergenceError, Run

__all__ = ["LogisticRegression", "descend"]


class LogisticRegression:
    """Ridge-regularised logistic regression on ``(X, y)``; see the module docstring for formulas."""

    def __init__(self, X: np.ndarray, y: np.ndarray, ridge: float = 1e-3):
        self.X = V.real_array("X", X, ndim=2, nonempty=True)
        self.y = V.real_array("y", y, ndim=1)
        if self.y.shape[0] != self.X.shape[0]:
            raise ValueError(f"y must have one label per row of X ({self.X.shape[0]}), got {self.y.shape[0]}")
        if not np.all((self.y == 0) | (self.y == 1)):
            raise ValueError("y must contain only the labels 0 and 1")
        self.ridge = V.real("ridge", ridge)
        if self.ridge < 0:
            raise ValueError(f"ridge must be >= 0, got {ridge!r}")

    @property
    def dim(self) -> int:
        """The number of weights ``d``."""
        return int(self.X.shape[1])

    def _w(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        if w.shape != (self.dim,):
            raise ValueError(f"w must have shape ({self.dim},), got {w.shape}")
        return w

    def value(self, w: np.ndarray) -> float:
        """``f(w)``, with ``log(1 + exp(z))`` computed stably as ``logaddexp(0, z)``."""
        w = self._w(w)
        z = self.X @ w
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + 0.5 * self.ridge * (w @ w))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """``(1/n) X^T (sigmoid(X w) - y) + r w``."""
        w = self._w(w)
        return self.X.T @ (expit(self.X @ w) - self.y) / self.X.shape[0] + self.ridge * w

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``H(w) v = (1/n) X^T diag(s (1 - s)) X v + r v``."""
        w = self._w(w)
        v = self._w(v)
        s = expit(self.X @ w)
        return self.X.T @ (s * (1 - s) * (self.X @ v)) / self.X.shape[0] + self.ridge * v

    def hessian(self, w: np.ndarray) -> np.ndarray:
        """The dense Hessian ``(1/n) X^T diag(s (1 - s)) X + r I``."""
        w = self._w(w)
        s = expit(self.X @ w)
        return (self.X.T * (s * (1 - s))) @ self.X / self.X.shape[0] + self.ridge * np.eye(self.dim)

    def minimizer(self, tol: float = 1e-13, max_iter: int = 100) -> np.ndarray:
        """``w*`` by Newton's method from ``w = 0`` (needs ``ridge > 0`` or separable-free data).

        Stops when ``||grad f(w)|| <= tol``; raises ``ValueError`` if that does not happen.
        """
        tol = V.positive("tol", tol)
        max_iter = V.count("max_iter", max_iter, 1)
        w = np.zeros(self.dim)
        for _ in range(max_iter):
            g = self.gradient(w)
            if np.linalg.norm(g) <= tol:
                return w
            w = w - np.linalg.solve(self.hessian(w), g)
        if np.linalg.norm(self.gradient(w)) <= tol:
            return w
        raise ValueError(f"tol: Newton's method did not reach ||grad|| <= {tol!r} in {max_iter} steps")


def descend(gradient, x0: np.ndarray, steps: Sequence[float] | np.ndarray, x_star: np.ndarray, *,
            overflow: float = 1e150) -> Run:
    """Gradient descent ``x_{t+1} = x_t - eta_t gradient(x_t)`` on any differentiable loss.

    Records ``||x_t - x*||`` for ``t = 0..T`` (``x_star`` is the known minimiser); raises
    :class:`~clrlib.methods.DivergenceError` if the error stops being finite or exceeds ``overflow``.
    """
    s = V.real_array("steps", steps, ndim=1)
    x = V.real_array("x0", x0, ndim=1).copy()
    xs = V.real_array("x_star", x_star, ndim=1)
    if xs.shape != x.shape:
        raise ValueError(f"x_star must have the shape of x0 {x.shape}, got {xs.shape}")
    errors = np.empty(s.size + 1)
    errors[0] = np.linalg.norm(x - xs)
    with np.errstate(over="ignore", invalid="ignore"):
        for t, eta in enumerate(s):
            x = x - eta * gradient(x)
            errors[t + 1] = np.linalg.norm(x - xs)
            if not np.isfinite(errors[t + 1]) or errors[t + 1] > overflow:
                raise DivergenceError(t + 1, float(errors[t + 1]), errors[: t + 2].copy())
    return Run(errors=errors, x=x)
