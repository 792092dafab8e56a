"""Methods that only know the interval ``[mu, L]``: Chebyshev, heavy ball, Nesterov.

Each method here, run on a quadratic with Hessian ``H``, leaves the error
``e_T = r_T(H) e_0`` with a *residual polynomial* ``r_T`` of degree ``<= T`` and ``r_T(0) = 1``.
This module gives

- the exact worst cases over ``[mu, L]`` in closed form, in log space (Chebyshev:
  ``1 / T_T((L + mu)/(L - mu))``; heavy ball: ``rho^T (1 + T (1 + rho))``); the residual
  recurrences themselves, and conjugate gradient, are written out in chapter 2, the one chapter
  that uses them;
- the Chebyshev step sizes (reciprocal roots) in a chosen order;
- matrix-free runners on a :class:`~clrlib.spectra.Quadratic` that record
  ``||x_t - x*||`` for ``t = 0..T`` and raise :class:`~clrlib.methods.DivergenceError` like
  :func:`~clrlib.methods.gradient_descent`.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate as V
from .polynomials import acosh1p
from .methods import MAX_STEPS, DivergenceError, Run, error_norm, start_iterate
from .precision import order_steps
from .spectra import Quadratic

__all__ = [
    "chebyshev_steps",
    "log_chebyshev_worst_case",
    "heavy_ball_parameters",
    "log_heavy_ball_worst_case",
    "nesterov_parameters",
    "chebyshev_iteration",
    "heavy_ball",
    "nesterov",
]


def _interval(mu: float, L: float) -> tuple[float, float]:
    mu = V.positive("mu", mu)
    L = V.positive("L", L)
    if L < mu:
        raise ValueError(f"L must be >= mu (0 < mu <= L), got mu={mu!r}, L={L!r}")
    return mu, L


def _kappa_T(kappa: float, T: int) -> tuple[float, int, float | None]:
    """Checked ``kappa >= 1`` and ``T >= 0``, and the log worst case when it is trivial (``T = 0``: 0; ``kappa = 1``: ``-inf``)."""
    kappa = V.real("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    T = V.count("T", T, 0)
    if T == 0:
        return kappa, T, 0.0
    if kappa == 1.0:
        return kappa, T, -math.inf
    return kappa, T, None


# ----------------------------------------------------------------------------------------
# Chebyshev
# ----------------------------------------------------------------------------------------

def chebyshev_steps(mu: float, L: float, T: int, order: str = "increasing") -> np.ndarray:
    """The ``T`` Chebyshev step sizes on ``[mu, L]``: the reciprocals of the roots of ``C_T``.

    ``C_T(lam) = T_T((L + mu - 2 lam)/(L - mu)) / T_T((L + mu)/(L - mu))`` has the roots
    ``lam_i = (L + mu)/2 + (L - mu)/2 cos((2i - 1) pi / (2T))``, ``i = 1..T``; gradient descent
    with steps ``eta_i = 1/lam_i`` (in any order) has residual ``prod_i (1 - eta_i lam) = C_T(lam)``
    in exact arithmetic. ``order`` is ``"increasing"`` (small steps first), ``"decreasing"``
    (large steps first) or ``"leja"`` (the first step is the largest, each next one is the root
    maximising the product of distances to the roots already used; a classical stable ordering).
    """
    mu, L = _interval(mu, L)
    T = V.count("T", T, 1, V.MAX_SIZE)
    if order not in ("increasing", "decreasing", "leja"):
        raise ValueError(f"order must be 'increasing', 'decreasing' or 'leja', got {order!r}")
    i = np.arange(1, T + 1)
    # the same, as mu + (L - mu)/2 (1 + cos): (L + mu)/2 would overflow near float64's max
    roots = mu + (0.5 * (L - mu)) * (1.0 + np.cos((2 * i - 1) * np.pi / (2 * T)))
    roots = np.sort(roots)  # increasing roots = decreasing steps
    if roots[0] < 1.0 / np.finfo(float).max:        # 1/lam would overflow
        raise ValueError(f"mu must be large enough that the steps 1/lam are finite floats (mu >~ 5.6e-309), got {mu!r}")
    if order == "decreasing":
        return 1.0 / roots
    if order == "increasing":
        return 1.0 / roots[::-1]
    # Leja ordering of the roots, starting from the smallest root (the largest step)
    return order_steps(1.0 / roots, "leja", first="largest")


def log_chebyshev_worst_case(kappa: float, T: int) -> float:
    """``log max_{[mu, L]} |C_T| = -log T_T(sigma)``, ``sigma = (kappa + 1)/(kappa - 1)``.

    With ``a = arccosh(sigma)``: ``log T_T(sigma) = T a + log((1 + exp(-2 T a))/2)``, exact and
    finite for any ``T`` and ``kappa`` (``kappa = 1`` gives ``-inf`` for ``T >= 1``).
    """
    kappa, T, trivial = _kappa_T(kappa, T)
    if trivial is not None:
        return trivial
    a = acosh1p(2.0 / (kappa - 1.0))  # arccosh(sigma), sigma = 1 + 2/(kappa - 1)
    return -(T * a + math.log1p(math.exp(-2.0 * T * a)) - math.log(2.0))


# ----------------------------------------------------------------------------------------
# Heavy ball and Nesterov
# ----------------------------------------------------------------------------------------

def heavy_ball_parameters(mu: float, L: float) -> tuple[float, float]:
    """Polyak's optimal heavy-ball parameters on ``[mu, L]``: ``(alpha, beta)``.

    ``alpha = 4 / (sqrt(L) + sqrt(mu))^2``, ``beta = rho^2`` with
    ``rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)``.
    """
    mu, L = _interval(mu, L)
    h = 2.0 / (math.sqrt(L) + math.sqrt(mu))
    alpha = h * h                                          # squared last: (sqrt L + sqrt mu)^2 may overflow
    if not 0.0 < alpha < math.inf:
        raise ValueError(f"mu, L must give a finite nonzero step alpha = 4/(sqrt(L) + sqrt(mu))^2 "
                         f"(about 1e-308 <= L <= 1e308), got mu={mu!r}, L={L!r}")
    rho = (math.sqrt(L) - math.sqrt(mu)) / (math.sqrt(L) + math.sqrt(mu))
    return alpha, rho * rho


def log_heavy_ball_worst_case(kappa: float, T: int) -> float:
    """``log max_{lam in [mu, L]} |r_T(lam)|`` for heavy ball with Polyak's parameters.

    With ``rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)`` the residual is
    ``r_T = rho^T (U_T(x) - rho U_{T-1}(x))``, ``x = (1 + rho^2 - alpha lam)/(2 rho)`` in ``[-1, 1]``
    (``U`` the Chebyshev polynomials of the second kind); its maximum modulus over ``[mu, L]`` is
    attained at ``lam = L`` (``x = -1``) and equals ``rho^T (1 + T (1 + rho))``.
    """
    kappa, T, trivial = _kappa_T(kappa, T)
    if trivial is not None:
        return trivial
    s = math.sqrt(kappa)
    rho = (s - 1.0) / (s + 1.0)
    return T * math.log1p(-2.0 / (s + 1.0)) + math.log1p(T * (1.0 + rho))


def nesterov_parameters(mu: float, L: float) -> tuple[float, float]:
    """Nesterov's constant parameters for ``mu``-strongly convex, ``L``-smooth problems: ``(1/L, beta)``.

    ``beta = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)``.
    """
    mu, L = _interval(mu, L)
    step = 1.0 / L
    if not step < math.inf:
        raise ValueError(f"L must give a finite step 1/L (L >= {1.0 / np.finfo(float).max:.3g}), got L={L!r}")
    return step, (math.sqrt(L) - math.sqrt(mu)) / (math.sqrt(L) + math.sqrt(mu))


# ----------------------------------------------------------------------------------------
# Runners
# ----------------------------------------------------------------------------------------

def _beta(beta: float) -> float:
    beta = V.real("beta", beta)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must lie in [0, 1), got {beta!r}")
    return beta


def _begin(problem: Quadratic, x0, dtype, T: int, overflow: float) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Checked ``T``, ``overflow``, the start ``x_0`` and the error record with ``errors[0]`` filled."""
    T = V.count("T", T, 0)
    if T > MAX_STEPS:
        raise ValueError(f"T must be <= MAX_STEPS = {MAX_STEPS} (time budget), got {T}")
    overflow = V.positive("overflow", overflow)
    if not isinstance(problem, Quadratic):
        raise ValueError(f"problem must be a clrlib.Quadratic, got {type(problem).__name__}")
    x, _ = start_iterate(problem, x0, dtype)
    errors = np.empty(T + 1)
    errors[0] = float(error_norm(x, problem.x_star))
    return x, errors, T, overflow


def _record(errors: np.ndarray, t: int, x: np.ndarray, problem: Quadratic, overflow: float) -> None:
    err = error_norm(x, problem.x_star)
    errors[t] = err
    if not np.isfinite(err) or err > overflow:
        raise DivergenceError(t, err, errors[: t + 1].copy())


def chebyshev_iteration(problem: Quadratic, mu: float, L: float, T: int,
                        x0: np.ndarray | None = None, *, dtype: type = np.float64,
                        overflow: float = 1e150) -> Run:
    """The Chebyshev semi-iterative method on ``[mu, L]`` (stable three-term recurrence).

    With ``d = (L + mu)/2``, ``sigma = (L + mu)/(L - mu)`` and ``g_t = H x_t - b``:
    ``x_1 = x_0 - g_0 / d`` and ``x_{t+1} = omega_{t+1} (x_t - g_t / d) + (1 - omega_{t+1}) x_{t-1}``,
    ``omega_{t+1} = 2 sigma tau_t / tau_{t+1}`` with ``tau_t = T_t(sigma)``, computed through the ratios
    ``q_{t+1} = tau_t / tau_{t+1} = 1/(2 sigma - q_t)``, ``q_1 = 1/sigma`` (all in ``(0, 1]``, so nothing
    overflows). The error after ``t`` steps is ``C_t(H) e_0``, for every ``t``.
    """
    mu, L = _interval(mu, L)
    x, errors, T, overflow = _begin(problem, x0, dtype, T, overflow)
    d = 0.5 * (L + mu)
    inv_d = np.asarray(1.0 / d, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        if T >= 1:
            x_prev, x = x, x - inv_d * problem.gradient(x)
            _record(errors, 1, x, problem, overflow)
        if mu == L:
            for t in range(2, T + 1):
                x = x - inv_d * problem.gradient(x)
                _record(errors, t, x, problem, overflow)
            return Run(errors=errors, x=x)
        sigma = (L + mu) / (L - mu)
        q = 1.0 / sigma
        for t in range(2, T + 1):
            q = 1.0 / (2.0 * sigma - q)
            omega = np.asarray(2.0 * sigma * q, dtype=dtype)
            x_new = omega * (x - inv_d * problem.gradient(x)) + (np.asarray(1.0, dtype=dtype) - omega) * x_prev
            x_prev, x = x, x_new
            _record(errors, t, x, problem, overflow)
    return Run(errors=errors, x=x)


def heavy_ball(problem: Quadratic, alpha: float, beta: float, T: int,
               x0: np.ndarray | None = None, *, dtype: type = np.float64,
               overflow: float = 1e150) -> Run:
    """Polyak's heavy ball ``x_{t+1} = x_t - alpha (H x_t - b) + beta (x_t - x_{t-1})``, ``x_{-1} = x_0``.

    The error after ``t`` steps is ``r_t(H) e_0`` with ``r_0 = 1``, ``r_1 = 1 - alpha lam``,
    ``r_{t+1} = (1 + beta - alpha lam) r_t - beta r_{t-1}``.
    Use :func:`heavy_ball_parameters` for Polyak's optimal ``(alpha, beta)``.
    """
    alpha = V.positive("alpha", alpha)
    beta = _beta(beta)
    x, errors, T, overflow = _begin(problem, x0, dtype, T, overflow)
    x_prev = x.copy()
    a = np.asarray(alpha, dtype=dtype)
    b = np.asarray(beta, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, T + 1):
            x_prev, x = x, x - a * problem.gradient(x) + b * (x - x_prev)
            _record(errors, t, x, problem, overflow)
    return Run(errors=errors, x=x)


def nesterov(problem: Quadratic, step: float, beta: float, T: int,
             x0: np.ndarray | None = None, *, dtype: type = np.float64,
             overflow: float = 1e150) -> Run:
    """Nesterov's method ``x_{t+1} = y_t - step (H y_t - b)``, ``y_{t+1} = x_{t+1} + beta (x_{t+1} - x_t)``, ``y_0 = x_0``.

    Records ``||x_t - x*||``; the error is ``r_t(H) e_0`` with ``r_0 = 1``, ``r_1 = 1 - step lam``,
    ``r_{t+1} = (1 - step lam)((1 + beta) r_t - beta r_{t-1})``.
    Use :func:`nesterov_parameters` for ``(1/L, (sqrt(kappa) - 1)/(sqrt(kappa) + 1))``.
    """
    step = V.positive("step", step)
    beta = _beta(beta)
    x, errors, T, overflow = _begin(problem, x0, dtype, T, overflow)
    y = x.copy()
    s = np.asarray(step, dtype=dtype)
    b = np.asarray(beta, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, T + 1):
            x_new = y - s * problem.gradient(y)
            y = x_new + b * (x_new - x)
            x = x_new
            _record(errors, t, x, problem, overflow)
    return Run(errors=errors, x=x)
