"""Residual polynomials of step-size schedules and their sup norms over a spectrum.

Gradient descent with steps ``eta_0, ..., eta_{T-1}`` on a quadratic with Hessian ``H``
leaves the error ``e_T = p_T(H) e_0`` with the *residual polynomial*

    p_T(lam) = prod_{t<T} (1 - eta_t lam),        p_T(0) = 1.

Everything here works with ``log|p_T|`` so that long schedules with unstable steps
(factors of size ~kappa) neither overflow nor underflow on the way.
"""

from __future__ import annotations

import math
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


def acosh1p(delta: float) -> float:
    """``arccosh(1 + delta) = log1p(delta + sqrt(delta (2 + delta)))``, accurate for small ``delta >= 0``
    (and ``log(2 delta)`` to rounding once ``delta > 1e150``, where ``delta^2`` would overflow)."""
    if delta > 1e150:
        return math.log(2.0) + math.log(delta)
    return math.log1p(delta + math.sqrt(delta * (2.0 + delta)))


def log_abs_one_minus(x: np.ndarray) -> np.ndarray:
    """``log|1 - x|`` accurate for small ``|x|`` (``log1p``), ``-inf`` at ``x = 1``."""
    out = np.empty_like(x)
    below = x < 1.0
    out[below] = np.log1p(-x[below])
    with np.errstate(divide="ignore"):
        out[~below] = np.log(x[~below] - 1.0)
    return out


def log_abs_and_sign(u: np.ndarray, m: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sum_j m_j log|1 - u_j lam|, sign of prod_j (1 - u_j lam)^m_j)`` at every ``lam``, overflow-safe."""
    flat = lam.ravel()
    logs = np.empty(flat.shape)
    signs = np.empty(flat.shape)
    block = max(1, _CHUNK // max(1, u.size))
    with np.errstate(divide="ignore"):
        log_u = np.log(np.abs(u))
    for start in range(0, flat.size, block):
        part = flat[start:start + block]
        with np.errstate(over="ignore"):
            x = np.multiply.outer(part, u)
        f = log_abs_one_minus(x)
        big = np.isinf(x)
        if np.any(big):  # lam * eta overflows: log|1 - x| = log|lam| + log|eta| to rounding
            with np.errstate(divide="ignore"):
                f[big] = (np.log(np.abs(part))[:, None] + log_u[None, :])[big]
        logs[start:start + block] = f @ m
        negative = (x > 1.0) @ m
        signs[start:start + block] = np.where(np.mod(negative, 2.0) == 1.0, -1.0, 1.0)
    return logs.reshape(lam.shape), signs.reshape(lam.shape)


def log_abs_residual(steps: Sequence[float] | np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """``log|p(lam)| = sum_t log|1 - eta_t lam|``, vectorised over ``lam``; ``-inf`` at a root."""
    u, m = _distinct_steps(steps)
    lam_arr = V.real_array("lam", lam)
    if u.size == 0:
        return np.zeros(lam_arr.shape)
    return log_abs_and_sign(u, m, lam_arr)[0]


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
    logs, signs = log_abs_and_sign(u, m, lam_arr)
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


def _stationary_points(u: np.ndarray, m: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                       lo_is_root: np.ndarray | None = None, hi_is_root: np.ndarray | None = None) -> np.ndarray:
    """The zero of ``g'`` in each ``(lo_i, hi_i)``, where ``g'(lo_i) > 0 > g'(hi_i)``.

    ``g`` is strictly concave between consecutive roots (``g'' = -sum m_j u_j^2/(1-u_j lam)^2 < 0``),
    so ``g'`` is strictly decreasing and the zero is unique. It is the zero of
    ``f = g' * w`` with ``w = (lam - lo)(hi - lam)`` where an end is a root (the factor is
    dropped at an end that is not): ``w > 0`` inside, and it cancels the poles of ``g'`` at the
    piece's own roots, so Newton on the smooth ``f`` converges in a few steps. Safeguarded: a
    Newton step that leaves the bracket ``[lo, hi]`` (shrunk by the sign of ``g'``) is replaced
    by bisection; it stops (after taking that step) once the Newton step is below ``1e-10`` of
    the distance ``d`` to the piece's ends: with ``|g''| ~ m/d^2`` the error left in ``g = log|p|``
    is ``~ m 1e-20``, far below rounding. Only the points not yet converged are updated.
    """
    eps = np.finfo(float).eps
    lo = lo.astype(float)
    hi = hi.astype(float)
    wl = np.zeros(lo.shape, bool) if lo_is_root is None else np.asarray(lo_is_root, bool)
    wr = np.zeros(hi.shape, bool) if hi_is_root is None else np.asarray(hi_is_root, bool)
    left, right = lo.copy(), hi.copy()          # the roots (if any) whose poles are cancelled
    x = lo + 0.5 * (hi - lo)  # the midpoint, without overflow near float64 max
    active = np.arange(x.size)
    # a point within rounding of a root gives g' = -inf or nan: harmless, it bisects
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(200):
            if active.size == 0:
                break
            xa = x[active]
            d1, d2 = _dlog(u, m, xa)
            pos = d1 > 0
            la = np.where(pos, xa, lo[active])
            ha = np.where(pos, hi[active], xa)
            lo[active], hi[active] = la, ha
            a = np.where(wl[active], xa - left[active], 1.0)
            b = np.where(wr[active], right[active] - xa, 1.0)
            da = wl[active].astype(float)
            db = -wr[active].astype(float)
            f = d1 * a * b
            df = d2 * a * b + d1 * (da * b + a * db)
            newton = xa - f / df
            # converged: the Newton step is below 1e-10 of the distance to the piece's ends. Then
            # the step is taken even if rounding in g' puts it just outside the shrunk bracket.
            near = 1e-10 * np.minimum(xa - left[active], right[active] - xa)
            small = np.isfinite(newton) & (np.abs(newton - xa) <= near)
            ok = np.isfinite(newton) & (newton > la) & (newton < ha)
            x_new = np.where(small | ok, newton, la + 0.5 * (ha - la))
            done = small | (np.abs(x_new - xa) <= 4 * eps * np.abs(xa)) | (ha - la <= 4 * eps * np.abs(ha)) | (d1 == 0)
            x[active] = np.where(d1 == 0, xa, x_new)
            active = active[~done]
    return x


def critical_points(u: np.ndarray, m: np.ndarray, spectrum: Spectrum) -> np.ndarray:
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
        # a or b may itself be a root: either a == fl(1/u_j), or 1 - u_j a rounds to 0 although
        # fl(1/u_j) != a (then g' is not defined at a and must not be evaluated there)
        is_root[0] = bool(np.any(roots == a) or np.any(u * a == 1.0))
        is_root[-1] = bool(np.any(roots == b) or np.any(u * b == 1.0))
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
    stationary = (_stationary_points(u, m, lo[inside], hi[inside], lo_is_root[inside], hi_is_root[inside])
                  if np.any(inside) else np.empty(0))
    return np.concatenate([np.asarray(endpoints, float), stationary])


def _argmax_log(steps, spectrum) -> tuple[float, float]:
    spec = as_spectrum(spectrum)
    u, m = _distinct_steps(steps)
    if u.size == 0:
        return spec.intervals[0][0], 0.0
    cand = critical_points(u, m, spec)
    logs, _ = log_abs_and_sign(u, m, cand)
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


def cycle_candidates(eta_plus: float, eta_minus: float, K: int, spec: Spectrum) -> np.ndarray:
    """The ends of ``E``'s intervals and, for ``K >= 1``, ``lam* = (1/eta_minus + K/eta_plus)/(K + 1)`` if it is in
    ``E``: the points where ``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K`` can have its extreme ``|P|`` on ``E``."""
    cand = [x for interval in spec.intervals for x in interval]
    if K >= 1:
        lam_star = (1.0 / eta_minus + K / eta_plus) / (K + 1.0)
        if bool(spec.contains(lam_star)):
            cand.append(lam_star)
    return np.asarray(cand, dtype=float)


def cycle_factor(eta_plus: float, eta_minus: float, K: int,
                 spectrum: Spectrum | Sequence[Sequence[float]]) -> float:
    """The exact per-cycle factor ``max_{lam in E} |P(lam)|``, ``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K``.

    ``P'(lam) = -(K+1) eta_plus eta_minus (1 - eta_minus lam)^(K-1) (lam* - lam)`` with

        lam* = (eta_plus + K eta_minus) / ((K + 1) eta_plus eta_minus)
             = (1/(K+1)) (1/eta_minus) + (K/(K+1)) (1/eta_plus),

    so for ``K >= 1`` the only critical points of ``P`` are ``lam*`` and the root ``1/eta_minus``
    (where ``|P| = 0``); for ``K = 0``, ``P`` is linear. Hence the maximum of ``|P|`` over each
    interval of ``E`` is attained at one of its endpoints or at ``lam*`` (if ``K >= 1`` and
    ``lam*`` lies in the interval). ``|P|`` is evaluated at these candidates in log space
    (``log|1 - x|`` via ``log1p``), so unstable steps neither overflow nor lose accuracy.
    """
    eta_plus = V.positive("eta_plus", eta_plus)
    eta_minus = V.positive("eta_minus", eta_minus)
    K = V.count("K", K, 0, V.MAX_EXPONENT, "int64")
    lam = cycle_candidates(eta_plus, eta_minus, K, as_spectrum(spectrum))
    logs = log_abs_one_minus(eta_plus * lam)
    if K >= 1:
        logs = logs + K * log_abs_one_minus(eta_minus * lam)
    with np.errstate(over="ignore"):
        return float(np.exp(np.max(logs)))
