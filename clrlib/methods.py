"""Running gradient descent on any problem with a gradient (a :class:`~clrlib.spectra.Quadratic`, ...), matrix-free.

Every runner touches ``H`` only through ``problem.gradient`` (one Hessian-vector product per
step), records ``||x_t - x*||`` for ``t = 0..T`` and raises :class:`DivergenceError` as soon as
the iterate stops being finite or grows past ``overflow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import _validate as V
from .schedules import MAX_STEPS as SCHEDULE_MAX_STEPS, Schedule, as_steps


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
        """``||x_t - x*|| / ||x_0 - x*||``; when ``x_0 = x*`` (zero initial error) every entry is 0 (the
        run stays at ``x*`` exactly) or ``inf`` (it left ``x*``), never NaN."""
        e0 = float(self.errors[0])
        if e0 == 0.0:
            return np.where(self.errors == 0.0, 0.0, np.inf)
        return self.errors / e0


def start_iterate(problem, x0, dtype, x_star=None) -> tuple[np.ndarray, np.ndarray]:
    """The checked start ``x_0`` (zero by default, in ``dtype``) and minimiser ``x*`` (float64) of ``problem``.

    ``problem`` is any object with ``.gradient(x)`` and an integer ``.dim``; ``x*`` is ``x_star``
    if given, else ``problem.x_star``; ``ValueError`` if neither exists.
    """
    if not callable(getattr(problem, "gradient", None)):
        raise ValueError(f"problem must have a .gradient(x) method, got {type(problem).__name__}")
    dim = getattr(problem, "dim", None)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"problem must have an integer .dim >= 1, got {dim!r}")
    dim = int(dim)
    if dim > MAX_DIM:
        raise ValueError(f"problem.dim must be <= MAX_DIM = {MAX_DIM} (memory budget), got {dim}")
    try:
        ok = dtype is not None and np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.float64))
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if x_star is None:
        x_star = getattr(problem, "x_star", None)
        if x_star is None:
            raise ValueError("x_star must be given (keyword x_star=...) when problem has no .x_star")
    xs = V.real_array("x_star", x_star, ndim=1)
    if xs.shape[0] != dim:
        raise ValueError(f"x_star must have length problem.dim = {dim}, got {xs.shape[0]}")
    if x0 is None:
        return np.zeros(dim, dtype=dtype), xs
    x = V.real_array("x0", x0, ndim=1)
    if x.shape[0] != dim:
        raise ValueError(f"x0 must have length {dim}, got {x.shape[0]}")
    return x.astype(dtype), xs


#: Largest problem dimension the runners accept (memory budget).
MAX_DIM: int = 10_000_000

#: Most steps a runner accepts (time budget; the same as :data:`clrlib.schedules.MAX_STEPS`).
MAX_STEPS: int = SCHEDULE_MAX_STEPS


def error_norm(x: np.ndarray, x_star: np.ndarray) -> float:
    """``||x - x*||_2`` in float64, scaled by ``max |x - x*|`` so it does not overflow before the entries do."""
    d = x.astype(np.float64) - x_star
    s = float(np.max(np.abs(d))) if d.size else 0.0
    if s == 0.0 or not np.isfinite(s):
        return s
    return s * float(np.linalg.norm(d / s))


def gradient_descent(problem, schedule: Schedule | Sequence[float] | np.ndarray,
                     T: int | None = None, x0: np.ndarray | None = None, *,
                     x_star: np.ndarray | None = None, dtype: type = np.float64,
                     overflow: float = 1e150) -> Run:
    """Gradient descent ``x_{t+1} = x_t - eta_t grad f(x_t)`` for ``t < T``, on any problem.

    ``problem`` is any object with ``.gradient(x)`` (returning an array like ``x``) and ``.dim``
    (a :class:`~clrlib.spectra.Quadratic`, chapter 9's logistic regression, ...).
    ``schedule`` is a schedule object (then ``T`` is required) or an array of steps (at most
    :data:`MAX_STEPS`). ``x0`` defaults to zero; ``x_star`` (the point the errors are measured
    from) defaults to ``problem.x_star`` (``ValueError`` if neither is there). Arithmetic is in
    ``dtype`` (float32 or float64); the recorded errors ``errors[t] = ||x_t - x*||`` are computed in
    float64. Raises :class:`DivergenceError` when the error is not finite or exceeds ``overflow``.
    """
    if T is not None and not isinstance(T, bool) and isinstance(T, (int, np.integer)) and T > MAX_STEPS:
        raise ValueError(f"T must be <= MAX_STEPS = {MAX_STEPS} (time budget), got {T}")
    steps = as_steps(schedule, T)
    if steps.size > MAX_STEPS:
        raise ValueError(f"schedule must have at most MAX_STEPS = {MAX_STEPS} steps (time budget), got {steps.size}")
    overflow = V.positive("overflow", overflow)
    x, xs = start_iterate(problem, x0, dtype, x_star)
    errors = np.empty(steps.size + 1)
    errors[0] = error_norm(x, xs)
    eta = steps.astype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps.size):
            x = x - eta[t] * np.asarray(problem.gradient(x), dtype=dtype)
            err = error_norm(x, xs)
            errors[t + 1] = err
            if not np.isfinite(err) or err > overflow:
                raise DivergenceError(t + 1, err, errors[: t + 2].copy())
    return Run(errors=errors, x=x)
