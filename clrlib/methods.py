"""Running first-order methods on a :class:`~clrlib.spectra.Quadratic`, matrix-free.

Every runner touches ``H`` only through ``problem.gradient`` (one Hessian-vector product per
step), records ``||x_t - x*||`` for ``t = 0..T`` and raises :class:`DivergenceError` as soon as
the iterate stops being finite or grows past ``overflow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import _validate as V
from .schedules import Schedule, as_steps
from .spectra import Quadratic


class DivergenceError(FloatingPointError):
    """The iterate overflowed (or exceeded the ``overflow`` threshold) at step ``step``."""

    def __init__(self, step: int, norm: float, errors: np.ndarray):
        self.step = step
        self.norm = norm
        self.errors = errors
        super().__init__(f"iterate diverged at step {step}: ||x_t - x*|| = {norm:.3g}")


@dataclass(frozen=True, eq=False)
class Run:
    """A run's record: ``errors[t] = ||x_t - x*||`` for ``t = 0..T`` and the last iterate ``x``."""

    errors: np.ndarray
    x: np.ndarray

    @property
    def relative(self) -> np.ndarray:
        """``||x_t - x*|| / ||x_0 - x*||``."""
        return self.errors / self.errors[0]


def _start(problem: Quadratic, x0, dtype) -> np.ndarray:
    if not isinstance(problem, Quadratic):
        raise ValueError(f"problem must be a clrlib.Quadratic, got {type(problem).__name__}")
    try:
        ok = dtype is not None and np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.float64))
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if x0 is None:
        return np.zeros(problem.dim, dtype=dtype)
    x = V.real_array("x0", x0, ndim=1)
    if x.shape[0] != problem.dim:
        raise ValueError(f"x0 must have length {problem.dim}, got {x.shape[0]}")
    return x.astype(dtype)


def error_norm(x: np.ndarray, x_star: np.ndarray) -> float:
    """``||x - x*||_2`` in float64, scaled by ``max |x - x*|`` so it does not overflow before the entries do."""
    d = x.astype(np.float64) - x_star
    s = float(np.max(np.abs(d))) if d.size else 0.0
    if s == 0.0 or not np.isfinite(s):
        return s
    return s * float(np.linalg.norm(d / s))


def gradient_descent(problem: Quadratic, schedule: Schedule | Sequence[float] | np.ndarray,
                     T: int | None = None, x0: np.ndarray | None = None, *,
                     dtype: type = np.float64, overflow: float = 1e150) -> Run:
    """Gradient descent ``x_{t+1} = x_t - eta_t (H x_t - b)`` for ``t < T``.

    ``schedule`` is a schedule object (then ``T`` is required) or an array of steps.
    ``x0`` defaults to zero. Arithmetic is in ``dtype`` (float32 or float64); the recorded
    errors ``||x_t - x*||`` are computed in float64. Raises :class:`DivergenceError` when the
    error is not finite or exceeds ``overflow``.
    """
    steps = as_steps(schedule, T)
    overflow = V.positive("overflow", overflow)
    x = _start(problem, x0, dtype)
    errors = np.empty(steps.size + 1)
    errors[0] = error_norm(x, problem.x_star)
    eta = steps.astype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps.size):
            x = x - eta[t] * problem.gradient(x)
            err = error_norm(x, problem.x_star)
            errors[t + 1] = err
            if not np.isfinite(err) or err > overflow:
                raise DivergenceError(t + 1, err, errors[: t + 2].copy())
    return Run(errors=errors, x=x)
