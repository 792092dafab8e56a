"""Residual polynomials of step-size schedules and their sup norms over a spectrum.

Gradient descent with steps ``eta_0, ..., eta_{T-1}`` on a quadratic with Hessian ``H``
leaves the error ``e_T = p_T(H) e_0`` with the *residual polynomial*

    p_T(lam) = prod_{t<T} (1 - eta_t lam),        p_T(0) = 1.

Everything here works with ``log|p_T|`` so that long schedules with unstable steps
(factors of size ~kappa) neither overflow nor underflow on the way.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _validate as V
from .spectra import Spectrum, as_spectrum

_CHUNK = 2_000_000  # entries of the (points x distinct steps) work arrays


def _distinct_steps(steps: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct nonzero steps ``u_j`` and their multiplicities ``m_j`` (zero steps are factors 1)."""
    s = V.real_array("steps", steps, ndim=1)
    s = s[s != 0.0]
    u, m = np.unique(s, return_counts=True)
    return u, m.astype(float)


def _log_abs_factor(x: np.ndarray) -> np.ndarray:
    """``log|1 - x|`` accurate for small ``|x|`` (``log1p``), ``-inf`` at ``x = 1``."""
    out = np.empty_like(x)
    below = x < 1.0
    out[below] = np.log1p(-x[below])
    with np.errstate(divide="ignore"):
        out[~below] = np.log(x[~below] - 1.0)
    return out


def _log_abs_and_sign(u: np.ndarray, m: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = lam.ravel()
    logs = np.empty(flat.shape)
    signs = np.empty(flat.shape)
    block = max(1, _CHUNK // max(1, u.size))
    for start in range(0, flat.size, block):
        x = np.multiply.outer(flat[start:start + block], u)
        logs[start:start + block] = _log_abs_factor(x) @ m
        negative = (x > 1.0) @ m
        signs[start:start + block] = np.where(np.mod(negative, 2.0) == 1.0, -1.0, 1.0)
    return logs.reshape(lam.shape), signs.reshape(lam.shape)


def log_abs_residual(steps: Sequence[float] | np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """``log|p(lam)| = sum_t log|1 - eta_t lam|``, vectorised over ``lam``; ``-inf`` at a root."""
    u, m = _distinct_steps(steps)
    lam_arr = V.real_array("lam", lam)
    if u.size == 0:
        return np.zeros(lam_arr.shape)
    return _log_abs_and_sign(u, m, lam_arr)[0]


def residual(steps: Sequence[float] | np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """``p(lam) = prod_t (1 - eta_t lam)``, vectorised over ``lam``.

    Computed as ``sign * exp(sum_t log|1 - eta_t lam|)``, so intermediate products never
    overflow; only a result beyond float64's range becomes ``inf`` (use
    :func:`log_abs_residual` then).
    """
    u, m = _distinct_steps(steps)
    lam_arr = V.real_array("lam", lam)
    if u.size == 0:
        return np.ones(lam_arr.shape)
    logs, signs = _log_abs_and_sign(u, m, lam_arr)
    with np.errstate(over="ignore"):
        return signs * np.exp(logs)


def _dlog(u: np.ndarray, m: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and second derivative of ``g(lam) = sum_j m_j log|1 - u_j lam|``."""
    d1 = np.empty(lam.shape)
    d2 = np.empty(lam.shape)
    block = max(1, _CHUNK // max(1, u.size))
    for start in range(0, lam.size, block):
        q = u / (1.0 - np.multiply.outer(lam[start:start + block], u))  # u_j / (1 - u_j lam)
        d1[start:start + block] = -(q @ m)
        d2[start:start + block] = -((q * q) @ m)
    return d1, d2


def _stationary_points(u: np.ndarray, m: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The zero of ``g'`` in each ``(lo_i, hi_i)``, where ``g'(lo_i) > 0 > g'(hi_i)``.

    ``g`` is strictly concave between consecutive roots (``g'' = -sum m_j u_j^2/(1-u_j lam)^2 < 0``),
    so ``g'`` is strictly decreasing and the zero is unique. Safeguarded Newton: a Newton
    step that leaves the bracket is replaced by bisection.
    """
    lo = lo.copy()
    hi = hi.copy()
    x = 0.5 * (lo + hi)
    for _ in range(200):
        d1, d2 = _dlog(u, m, x)
        pos = d1 > 0
        lo = np.where(pos, x, lo)
        hi = np.where(pos, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - d1 / d2
        mid = 0.5 * (lo + hi)
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        x_new = np.where(ok, newton, mid)
        done = (np.abs(x_new - x) <= 4 * np.finfo(float).eps * np.abs(x)) | (hi - lo <= 4 * np.finfo(float).eps * np.abs(hi))
        x = x_new
        if np.all(done):
            break
    return x


def _critical_candidates(u: np.ndarray, m: np.ndarray, spectrum: Spectrum) -> np.ndarray:
    """All points where ``|p|`` can attain its maximum over the spectrum.

    These are the endpoints of each interval and, in each piece of an interval between
    consecutive roots ``1/u_j`` (and the interval's ends), the unique stationary point of the
    concave ``log|p|`` if it lies inside the piece.
    """
    roots = np.sort(1.0 / u[u > 0])
    endpoints = []
    los, his, lo_root, hi_root = [], [], [], []
    for a, b in spectrum.intervals:
        endpoints.extend([a, b])
        inner = roots[(roots > a) & (roots < b)]
        cuts = np.concatenate([[a], inner, [b]])
        is_root = np.concatenate([[False], np.ones(inner.size, bool), [False]])
        # a or b may itself be a root
        is_root[0] = bool(np.any(roots == a))
        is_root[-1] = bool(np.any(roots == b))
        los.append(cuts[:-1]); his.append(cuts[1:])
        lo_root.append(is_root[:-1]); hi_root.append(is_root[1:])
    lo = np.concatenate(los); hi = np.concatenate(his)
    lo_is_root = np.concatenate(lo_root); hi_is_root = np.concatenate(hi_root)
    keep = hi > lo
    lo, hi, lo_is_root, hi_is_root = lo[keep], hi[keep], lo_is_root[keep], hi_is_root[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_lo = np.where(lo_is_root, np.inf, _dlog(u, m, np.where(lo_is_root, 0.0, lo))[0])
        d_hi = np.where(hi_is_root, -np.inf, _dlog(u, m, np.where(hi_is_root, 0.0, hi))[0])
    inside = (d_lo > 0) & (d_hi < 0)
    stationary = _stationary_points(u, m, lo[inside], hi[inside]) if np.any(inside) else np.empty(0)
    return np.concatenate([np.asarray(endpoints, float), stationary])


def _argmax_log(steps, spectrum) -> tuple[float, float]:
    spec = as_spectrum(spectrum)
    u, m = _distinct_steps(steps)
    if u.size == 0:
        return spec.intervals[0][0], 0.0
    cand = _critical_candidates(u, m, spec)
    logs, _ = _log_abs_and_sign(u, m, cand)
    i = int(np.argmax(logs))
    return float(cand[i]), float(logs[i])


def log_sup_residual(steps: Sequence[float] | np.ndarray, spectrum: Spectrum | Sequence[Sequence[float]]) -> float:
    """``log max_{lam in E} |p(lam)|``, exact (endpoints and interior critical points).

    Between consecutive roots ``log|p|`` is strictly concave, so on each piece of each interval
    its maximum is at an end of the piece or at the unique zero of
    ``d/dlam log|p| = -sum_t eta_t / (1 - eta_t lam)``, found by safeguarded Newton.
    """
    return _argmax_log(steps, spectrum)[1]


def sup_residual(steps: Sequence[float] | np.ndarray, spectrum: Spectrum | Sequence[Sequence[float]]) -> float:
    """``max_{lam in E} |p(lam)|`` with ``p(lam) = prod_t (1 - eta_t lam)``, exact.

    See :func:`log_sup_residual`; this is its exponential (``inf`` only if the maximum itself
    exceeds float64's range).
    """
    with np.errstate(over="ignore"):
        return float(np.exp(log_sup_residual(steps, spectrum)))


def argmax_residual(steps: Sequence[float] | np.ndarray, spectrum: Spectrum | Sequence[Sequence[float]]) -> float:
    """A point ``lam in E`` where ``|p(lam)|`` attains its maximum over ``E``."""
    return _argmax_log(steps, spectrum)[0]


def cycle_factor(eta_plus: float, eta_minus: float, K: int,
                 spectrum: Spectrum | Sequence[Sequence[float]]) -> float:
    """The exact per-cycle factor ``max_{lam in E} |(1 - eta_plus lam)(1 - eta_minus lam)^K|``."""
    eta_plus = V.positive("eta_plus", eta_plus)
    eta_minus = V.positive("eta_minus", eta_minus)
    K = V.count("K", K, 0)
    u = np.array([eta_plus, eta_minus]) if K > 0 else np.array([eta_plus])
    m = np.array([1.0, float(K)]) if K > 0 else np.array([1.0])
    if K > 0 and eta_plus == eta_minus:
        u, m = np.array([eta_plus]), np.array([K + 1.0])
    spec = as_spectrum(spectrum)
    cand = _critical_candidates(u, m, spec)
    logs, _ = _log_abs_and_sign(u, m, cand)
    with np.errstate(over="ignore"):
        return float(np.exp(np.max(logs)))
