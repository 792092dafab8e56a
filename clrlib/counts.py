"""Iteration counts: the first ``T`` at which a method's worst-case error over ``E`` is ``<= eps``.

**Worst-case error.** Every method here, run for ``T`` steps on a quadratic whose Hessian has
its eigenvalues in the spectrum ``E``, leaves the error ``e_T = r_T(H) e_0`` with a residual
polynomial ``r_T`` (``r_T(0) = 1``) that does not depend on ``e_0``. Its worst-case error is::

    W_T = sup_{lam in E} |r_T(lam)| = sup over H with eigenvalues in E and e_0 != 0 of ||e_T||_2 / ||e_0||_2,

the Euclidean norm of the error relative to the initial error, any starting point
(a relative ``H``-norm error has the same supremum). The counts below are the least ``T >= 0``
with ``W_T <= eps``, computed exactly (closed forms or exact suprema, no sampling). Which method
is counted how is recorded once, in :data:`clrlib.registry.METHODS` (:mod:`clrlib.registry`); this module
holds the exact counts of the cyclical schedules:

- :func:`log_cyclical_worst_case` and :func:`cyclical_iterations`: ``W_T`` of the cyclical schedule
  (``eta_plus`` once, ``eta_minus`` ``K`` times) for every ``T``, including ``T`` inside a cycle, and
  the least ``T`` with ``W_T <= eps`` (used by ``"clr"``, ``"clr_centred"``, ``"clr_best"``);
- :func:`clr_best_parameters`: the least such count over a grid of schedules (``"clr_best"``).

Budgets: counts up to :data:`MAX_COUNT`, cycles up to :data:`MAX_CYCLE` steps when ``eta_minus > 2/L``,
grids up to :data:`MAX_GRID` points; larger requests raise ``ValueError`` at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as V
from .polynomials import log_abs_one_minus
from .spectra import Bimodal, Spectrum, as_bimodal, as_spectrum
from .theory import clr_parameters, first_true, least_power

__all__ = [
    "log_sup_two_steps",
    "log_cyclical_worst_case",
    "cyclical_iterations",
    "BestCLR",
    "clr_best_parameters",
]

def log_sup_two_steps(eta_plus: float, eta_minus: float, m_plus: np.ndarray | int,
                      m_minus: np.ndarray | int, spectrum: Spectrum) -> np.ndarray:
    """``log max_{lam in E} |(1 - eta_plus lam)^m_plus (1 - eta_minus lam)^m_minus|``, exact, vectorised.

    ``m_plus, m_minus >= 0`` are integer arrays (broadcast together). With ``a = eta_plus > b = eta_minus``
    the modulus is decreasing on ``(0, 1/a)``, increasing on ``(1/b, inf)`` and, between the roots,
    ``log|p|`` is concave with its only stationary point at::

        lam* = (m_plus / b + m_minus / a) / (m_plus + m_minus)

    (the zero of ``-m_plus a/(1 - a lam) - m_minus b/(1 - b lam)``). So the maximum over each interval
    of ``E`` is at one of its ends or at ``lam*`` if ``lam*`` lies inside it. The same holds with the
    roles swapped when ``a < b``; for ``a = b`` the exponents add.
    """
    a = V.positive("eta_plus", eta_plus)
    b = V.positive("eta_minus", eta_minus)
    spec = as_spectrum(spectrum)
    mp = np.asarray(m_plus)
    mm = np.asarray(m_minus)
    if not (np.issubdtype(mp.dtype, np.integer) or mp.dtype == bool) or np.any(mp < 0):
        raise ValueError("m_plus must be integers >= 0")
    if not (np.issubdtype(mm.dtype, np.integer) or mm.dtype == bool) or np.any(mm < 0):
        raise ValueError("m_minus must be integers >= 0")
    out = _two_step_core(np.asarray(a), np.asarray(b), mp.astype(float), mm.astype(float), spec)
    return out if out.ndim else out[()]


def _two_step_core(a: np.ndarray, b: np.ndarray, mp: np.ndarray, mm: np.ndarray, spec: Spectrum) -> np.ndarray:
    """:func:`log_sup_two_steps` for arrays ``a, b, mp, mm`` broadcast together (no checks)."""
    a, b, mp, mm = np.broadcast_arrays(a.astype(float), b.astype(float), mp, mm)
    shape = a.shape
    a, b, mp, mm = (np.ravel(v) for v in (a, b, mp, mm))
    ends = np.array([p for iv in spec.intervals for p in iv])
    with np.errstate(invalid="ignore"):
        # 0 * (-inf) must count as 0 (a factor raised to the power 0)
        terms = (np.where(mp[..., None] == 0, 0.0, mp[..., None] * log_abs_one_minus(a[..., None] * ends))
                 + np.where(mm[..., None] == 0, 0.0, mm[..., None] * log_abs_one_minus(b[..., None] * ends)))
    best = np.max(terms, axis=-1)
    both = (mp > 0) & (mm > 0) & (a != b)
    if np.any(both):
        lam_star = (mp[both] / b[both] + mm[both] / a[both]) / (mp[both] + mm[both])
        inside = np.zeros(lam_star.shape, dtype=bool)
        for lo, hi in spec.intervals:
            inside |= (lam_star > lo) & (lam_star < hi)
        if np.any(inside):
            ls = lam_star[inside]
            val = (mp[both][inside] * log_abs_one_minus(a[both][inside] * ls)
                   + mm[both][inside] * log_abs_one_minus(b[both][inside] * ls))
            sub = best[both]
            sub[inside] = np.maximum(sub[inside], val)
            best[both] = sub
    return best.reshape(shape)


def _cycle_exponents(c: np.ndarray, r: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Exponents of ``eta_plus`` and ``eta_minus`` after ``c`` full cycles and ``r`` more steps (``0 <= r <= K``)."""
    m_plus = c + (r >= 1)
    m_minus = c * K + np.maximum(r - 1, 0)
    return m_plus.astype(np.int64), m_minus.astype(np.int64)


def log_cyclical_worst_case(eta_plus: float, eta_minus: float, K: int, spectrum: Spectrum,
                            T: np.ndarray | int) -> np.ndarray:
    """``log W_T`` for the cyclical schedule (``eta_plus`` once, then ``eta_minus`` ``K`` times, repeated).

    After ``T = c (K + 1) + r`` steps (``0 <= r <= K``) the residual is
    ``(1 - eta_plus lam)^(c + [r >= 1]) (1 - eta_minus lam)^(c K + max(r - 1, 0))``; its exact
    log-sup over ``E`` comes from :func:`log_sup_two_steps`. Vectorised over ``T``.
    """
    K = V.count("K", K, 0, V.MAX_EXPONENT, "int64")
    T_arr = np.asarray(T)
    if not np.issubdtype(T_arr.dtype, np.integer) or np.any(T_arr < 0):
        raise ValueError("T must be integers >= 0")
    c, r = np.divmod(T_arr.astype(np.int64), K + 1)
    mp, mm = _cycle_exponents(c, r, K)
    return log_sup_two_steps(eta_plus, eta_minus, mp, mm, spectrum)


def _cycle_log_factor(eta_plus: float, eta_minus: float, K: int, spectrum: Spectrum) -> float:
    return float(log_sup_two_steps(eta_plus, eta_minus, 1, K, spectrum))


def cyclical_iterations(eta_plus: float, eta_minus: float, K: int, spectrum: Spectrum, eps: float) -> int:
    """The least ``T`` with ``W_T <= eps`` for the cyclical schedule, exactly (``T`` may end inside a cycle).

    Needs the per-cycle factor ``F = max_E |(1 - eta_plus lam)(1 - eta_minus lam)^K| < 1``
    (otherwise ``ValueError``). Write ``T = c (K + 1) + r``, ``0 <= r <= K``, and
    ``W(c, r) = sup_E |P^c Q_r|`` with ``P`` the cycle polynomial and ``Q_r`` the partial cycle. Because
    ``|P| <= F < 1`` on ``E``, ``|P^{c+1} Q_r| <= |P^c Q_r|`` pointwise, so every ``W(., r)`` is
    non-increasing in ``c``, hence so is ``min_r W(c, r)``. A bisection over ``c`` in ``[0, C]``,
    ``C = ceil(log eps / log F)`` (where ``W(C, 0) = F^C <= eps``), finds the least ``c*`` with
    ``min_r W(c*, r) <= eps``; the answer is ``c* (K + 1) + min{r : W(c*, r) <= eps}``. No ``T`` before
    it qualifies: for ``c < c*`` no ``r`` does. (``W_T`` itself is not monotone in ``T``: the large
    step raises it.)
    """
    eta_plus = V.positive("eta_plus", eta_plus)
    eta_minus = V.positive("eta_minus", eta_minus)
    K = V.count("K", K, 0, V.MAX_EXPONENT, "int64")
    eps = V.open_unit("eps", eps)
    spec = as_spectrum(spectrum)
    log_f = _cycle_log_factor(eta_plus, eta_minus, K, spec)
    if not log_f < 0.0:
        raise ValueError(
            f"eta_plus, eta_minus, K must give a per-cycle factor < 1 on the spectrum, got exp({log_f:.6g})")
    log_eps = math.log(eps)
    C = least_power(log_f, log_eps)
    if C * (K + 1) > MAX_COUNT:
        raise ValueError(f"the count would exceed MAX_COUNT = {MAX_COUNT} steps (budget): "
                         f"about {C} cycles of {K + 1} steps")
    fast = K >= 256 and eta_minus * spec.L <= 2.0  # small K: one vectorised row per c is cheaper
    if fast:
        # long cycles, |1 - eta_minus lam| <= 1 on E: W(c, r) is non-increasing in r >= 1, so only r = 0
        # and r = K need checking for the bisection over c, and the least r is found by bisection too
        def W(c: int, r: int) -> float:
            mp, mm = _cycle_exponents(np.asarray(c), np.asarray(r), K)
            return float(log_sup_two_steps(eta_plus, eta_minus, mp, mm, spec))

        def best_in_cycle(c: int) -> float:
            return min(W(c, 0), W(c, K)) if K >= 1 else W(c, 0)
    else:
        if K + 1 > MAX_CYCLE:
            raise ValueError(f"K must be < MAX_CYCLE = {MAX_CYCLE} (memory budget) when eta_minus > 2/L, got {K}")
        r_all = np.arange(K + 1, dtype=np.int64)

        def row(c: int) -> np.ndarray:
            mp, mm = _cycle_exponents(np.full(K + 1, c, dtype=np.int64), r_all, K)
            return log_sup_two_steps(eta_plus, eta_minus, mp, mm, spec)

        def W(c: int, r: int) -> float:
            return float(row(c)[r])

        def best_in_cycle(c: int) -> float:
            return float(np.min(row(c)))
    for _ in range(64):  # guard against rounding in the closed form: W(C, 0) = F^C <= eps
        if W(C, 0) <= log_eps:
            break
        C += 1
    else:  # pragma: no cover - rounding moves C by one or two at most
        raise ValueError("the closed-form cycle count did not reach eps (rounding); report this spectrum")
    hi = first_true(lambda c: best_in_cycle(c) <= log_eps, -1, C)  # false at c = -1 (nothing), true at C
    if not fast:
        return int(hi * (K + 1) + int(np.nonzero(row(hi) <= log_eps)[0][0]))
    if W(hi, 0) <= log_eps:
        return int(hi * (K + 1))
    # W(hi, K) <= eps < W(hi, 0), and W(hi, r) is non-increasing in r >= 1
    return int(hi * (K + 1) + first_true(lambda r: W(hi, r) <= log_eps, 0, K))


#: Largest count the exact cyclical counts return (``2^53``: every step index is an exact float).
MAX_COUNT: int = 2**53

#: Most grid points :func:`clr_best_parameters` evaluates (time budget).
MAX_GRID: int = 2_000_000

#: Longest cycle handled by the vectorised exact count when ``eta_minus > 2/L`` (memory budget).
MAX_CYCLE: int = 1_000_000


@dataclass(frozen=True)
class BestCLR:
    """The best cyclical schedule on the search grid of :func:`clr_best_parameters`."""

    eta_plus: float
    eta_minus: float
    K: int
    iterations: int
    grid_size: int


def clr_best_parameters(spectrum: Bimodal, eps: float, n_plus: int = 33, n_minus: int = 17) -> BestCLR:
    """The cyclical schedule ``(eta_plus, eta_minus, K)`` with the fewest iterations to ``eps`` on a grid.

    The grid (with ``E = [mu, mu1] U [L1, L]``):

    - ``eta_plus = 1/theta``, ``theta`` in ``n_plus`` geometric points of ``[mu, min(2 mu1, sqrt(mu1 L1))]``
      plus the theorem's ``mu1`` and ``(mu + mu1)/2``;
    - ``eta_minus = 1/theta``, ``theta`` in ``n_minus`` geometric points of ``[L/2, L]`` plus ``(L1 + L)/2``
      (so ``eta_minus <= 2/L``: the small steps never amplify);
    - ``K = 0, 1, ..., 2 max(K_book, K_centred) + 2`` (the theorem's ``K`` for both variants; 66 if
      neither variant has a finite ``K``).

    The candidates include the theorem's two schedules, so the result is never worse than either.
    Search: the first count at the end of a cycle is exact in closed form, ``T_end = (K + 1) C`` with
    ``C`` the least integer with ``F^C <= eps`` (``F`` the per-cycle factor). Since ``eta_minus <= 2/L``,
    ``W(c + 1, 0) <= W(c, r)`` for ``r >= 1``, so the exact count lies in ``[T_end - K, T_end]``. The exact
    count (:func:`cyclical_iterations`) is computed for grid points in increasing order of
    ``T_end - K`` until that lower bound reaches the best exact count found: the minimum over the
    grid is exact. Ties go to the first grid point in that order.
    """
    spectrum = as_bimodal(spectrum, "clr_best")
    eps = V.open_unit("eps", eps)
    n_plus = V.count("n_plus", n_plus, 2)
    n_minus = V.count("n_minus", n_minus, 2)
    if n_plus * n_minus > MAX_GRID:
        raise ValueError(f"n_plus * n_minus must be <= MAX_GRID = {MAX_GRID} (time budget), got {n_plus * n_minus}")
    mu, mu1, L1, L = spectrum.mu, spectrum.mu1, spectrum.L1, spectrum.L
    theorem = []
    for variant in ("book", "centred"):
        try:
            theorem.append(clr_parameters(spectrum, eps, variant))
        except ValueError:  # no finite K for this variant (a one-point small cluster)
            pass
    top = min(2.0 * mu1, math.sqrt(mu1 * L1))
    th_plus = np.unique(np.concatenate([np.geomspace(mu, max(top, mu), n_plus), [mu1, 0.5 * (mu + mu1)]]))
    th_minus = np.unique(np.concatenate([np.geomspace(0.5 * L, L, n_minus), [0.5 * (L1 + L)]]))
    K_max = 2 * max([p.K for p in theorem] or [32]) + 2
    size = th_plus.size * th_minus.size * (K_max + 1)
    if size > MAX_GRID:
        raise ValueError(f"the search grid has {size} points (K up to {K_max}), above MAX_GRID = {MAX_GRID} "
                         f"(time budget); lower n_plus, n_minus or use clrlib.clr_parameters")
    Ks = np.arange(K_max + 1)
    log_eps = math.log(eps)
    ep_g, em_g, k_g = np.meshgrid(1.0 / th_plus, 1.0 / th_minus, Ks, indexing="ij")
    ep_g, em_g, k_g = ep_g.ravel(), em_g.ravel(), k_g.ravel()
    lf = np.empty(k_g.size)
    for lo in range(0, k_g.size, 200_000):  # bounded memory
        sl = slice(lo, lo + 200_000)
        lf[sl] = _two_step_core(ep_g[sl], em_g[sl], np.ones(k_g[sl].size), k_g[sl].astype(float), spectrum)
    # lf = log W(0, K + 1), the worst case after the first K + 1 steps; so a grid point whose prefix (eta_plus, then
    # eta_minus) reaches eps within its first cycle has the exact count r0 = 1 + (least K' <= K with lf <= log eps)
    hit = (lf <= log_eps).reshape(-1, K_max + 1)
    first_hit = np.where(np.maximum.accumulate(hit, axis=1), np.argmax(hit, axis=1)[:, None] + 1, 0).ravel()
    good = lf < 0
    lf, Kg, r0 = lf[good], k_g[good], first_hit[good]
    C = np.maximum(np.ceil(log_eps / lf), 1.0)
    # exact integer correction of the ceiling: least C >= 1 with C log F <= log eps
    C = np.where((C > 1) & ((C - 1) * lf <= log_eps), C - 1, C)
    C = np.where(C * lf > log_eps, C + 1, C)
    te = (Kg + 1) * C
    lower, t_end, kk = [te - Kg], [te], [Kg]
    # a bound that skips points which cannot beat the best so far: r0 itself where the first cycle reaches eps,
    # otherwise more than K + 1 steps (and at least T_end - K)
    skip_below = [np.where(r0 > 0, r0, np.maximum(te - Kg, Kg + 2))]
    eps_p, eps_m = [ep_g[good]], [em_g[good]]
    # the theorem's own schedules (exactly as clr_parameters gives them)
    for p in theorem:
        te = cyclical_iterations(p.eta_plus, p.eta_minus, p.K, spectrum, eps)
        lower.append(np.array([te])); t_end.append(np.array([te])); kk.append(np.array([p.K]))
        skip_below.append(np.array([te]))
        eps_p.append(np.array([p.eta_plus])); eps_m.append(np.array([p.eta_minus]))
    lower_a, t_end_a, kk_a = np.concatenate(lower), np.concatenate(t_end), np.concatenate(kk)
    ep_a, em_a, skip_a = np.concatenate(eps_p), np.concatenate(eps_m), np.concatenate(skip_below)
    order = np.lexsort((t_end_a, lower_a))
    best = None
    for i in order:
        if best is not None and lower_a[i] >= best[0]:
            break
        if best is not None and skip_a[i] >= best[0]:  # its exact count is >= skip_a[i]: it cannot be strictly better
            continue
        T = cyclical_iterations(float(ep_a[i]), float(em_a[i]), int(kk_a[i]), spectrum, eps)
        if best is None or T < best[0]:
            best = (T, float(ep_a[i]), float(em_a[i]), int(kk_a[i]))
    if best is None:
        raise ValueError("spectrum admits no contracting cyclical schedule on the search grid (no grid point has "
                         "a per-cycle factor < 1 and the theorem's schedules do not exist in float64)")
    return BestCLR(eta_plus=float(best[1]), eta_minus=float(best[2]), K=int(best[3]),
                   iterations=int(best[0]), grid_size=int(lower_a.size))
