"""How good a polynomial method can be on two intervals: lower bound, optimum, better schedules.

For ``E = [a, b] U [c, d]`` (``0 < a <= b < c <= d``) and any method whose error is
``e_T = p(H) e_0`` with ``deg p <= T`` and ``p(0) = 1``:

* :func:`green_lower_bound` -- Bernstein-Walsh: ``sup_E |p| >= exp(-T g_E(0))`` with ``g_E`` the
  Green's function of ``C \\ E`` with pole at infinity,
* :func:`minimax` -- the polynomial that attains ``min sup_E |p|`` (Remez exchange in root form),
  cross-checked by :func:`minimax_lp` (a linear program on a grid),
* :func:`cheb_per_cluster`, :func:`clr_momentum`, :func:`cyclical_heavy_ball` -- cheaper schedules,
* :func:`best_schedule` -- the minimax steps in an order that survives float64 rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.optimize import linprog

from . import _validate as V
from .precision import order_steps
from .polynomials import acosh1p, cycle_candidates, critical_points, log_abs_and_sign, log_sup_residual
from .schedules import Explicit
from .spectra import Bimodal, Spectrum, as_spectrum
from .theory import clr_parameters, iterations_for_rate

__all__ = [
    "GreenBound", "MinimaxPolynomial", "ClusterChebyshev", "MomentumCLR",
    "CyclicalHeavyBall", "BestSchedule", "green_function", "equilibrium_density",
    "green_lower_bound", "minimax", "minimax_lp", "minimax_iterations", "chebyshev_roots",
    "cheb_per_cluster", "clr_momentum", "cyclical_heavy_ball", "best_schedule",
]

_QUAD = dict(epsabs=0.0, epsrel=1e-13, limit=200)

#: Highest polynomial degree (number of steps) the minimax search handles (time budget:
#: the Remez exchange costs about ``degree^2`` per iteration, a few seconds at 500).
MAX_DEGREE: int = 500

#: Most steps :func:`cheb_per_cluster` returns (time budget: its search is closed-form, but the exact check of the
#: returned steps costs about ``steps^2``, under two seconds at 5,000).
MAX_CLUSTER_STEPS: int = 5_000

#: Largest degree and grid of the linear-program check :func:`minimax_lp` (time budget).
MAX_LP_DEGREE: int = 60
MAX_LP_GRID: int = 20_000

#: Most values of ``K`` :func:`clr_momentum` searches (``0 .. 2 K_theorem + 4``; time budget).
MAX_MOMENTUM_K: int = 100_000


def _spectrum(spectrum) -> Spectrum:
    try:
        spec = as_spectrum(spectrum)
    except ValueError as exc:
        raise ValueError(f"spectrum must be a union of one or two intervals: {exc}") from exc
    if len(spec.intervals) not in (1, 2):
        raise ValueError(f"spectrum must have one or two intervals, got {len(spec.intervals)}")
    if spec.intervals[0][0] == spec.intervals[-1][1]:
        raise ValueError("spectrum must not be a single point (need mu < L)")
    for lo, hi in spec.intervals:
        if not lo < hi:
            raise ValueError(f"spectrum intervals must have positive length, got [{lo}, {hi}]")
    return spec


def _bimodal(spectrum) -> Bimodal:
    if not isinstance(spectrum, Bimodal):
        raise ValueError(f"spectrum must be a clrlib.Bimodal, got {type(spectrum).__name__}")
    return spectrum


# --------------------------------------------------------------------------- Green's function

def _gap_parameter(a: float, b: float, c: float, d: float) -> float:
    """``tau`` in ``(b, c)`` with ``int_b^c (t - tau) / sqrt(|R(t)|) dt = 0``, ``R = (t-a)(t-b)(t-c)(t-d)``."""
    f = lambda t: 1.0 / np.sqrt((t - a) * (d - t))  # noqa: E731  (the weight (t-b)^-1/2 (c-t)^-1/2 is quad's)
    i0 = quad(f, b, c, weight="alg", wvar=(-0.5, -0.5), **_QUAD)[0]
    i1 = quad(lambda t: t * f(t), b, c, weight="alg", wvar=(-0.5, -0.5), **_QUAD)[0]
    return i1 / i0


def _green_parts(spec: Spectrum, x: float) -> tuple[float, float, tuple[float, ...]]:
    """``(g_E(x), tau, harmonic measures of the intervals)`` on the scale ``d = 1``."""
    if len(spec.intervals) == 1:
        (a, d), = spec.intervals
        # g(x) = arccosh(1 + 2 (a - x)/(d - a)): no cancellation, and finite far below a (the artanh form rounded to
        # artanh(1) there)
        return _acosh1p_ratio(a - x, d - a), float("nan"), (1.0,)
    (a, b), (c, d) = spec.intervals
    s = d
    a, b, c, d, x = a / s, b / s, c / s, d / s, x / s
    tau = _gap_parameter(a, b, c, d)
    g = quad(lambda t: (tau - t) / np.sqrt((b - t) * (c - t) * (d - t)), x, a,
             weight="alg", wvar=(0.0, -0.5), **_QUAD)[0]
    w1 = quad(lambda t: (tau - t) / np.sqrt((c - t) * (d - t)), a, b,
              weight="alg", wvar=(-0.5, -0.5), **_QUAD)[0] / math.pi
    w2 = quad(lambda t: (t - tau) / np.sqrt((t - a) * (t - b)), c, d,
              weight="alg", wvar=(-0.5, -0.5), **_QUAD)[0] / math.pi
    # the two masses sum to 1 exactly in theory; quadrature near a cluster of width ~1e-12 loses ~1e-6 of
    # it, so they are normalised (each is then accurate to the quadrature, their sum is 1 to rounding)
    total = w1 + w2
    if not all(math.isfinite(v) for v in (g, tau, w1, w2)) or total <= 0.0:
        raise ValueError(f"spectrum {spec!r}: the quadrature for g_E did not converge (a cluster or the gap is too "
                         f"narrow relative to L for float64: widen it)")
    return float(g), float(tau * s), (float(w1 / total), float(w2 / total))


def green_function(spectrum: Spectrum, x: float = 0.0) -> float:
    """The Green's function ``g_E(x)`` of ``C \\ E`` with pole at infinity, at a real ``x < min E``.

    For ``E = [a, b] U [c, d]``::

        g_E(x) = int_x^a |t - tau| / sqrt(|(t-a)(t-b)(t-c)(t-d)|) dt,

    with ``tau`` in ``(b, c)`` fixed by ``int_b^c (t - tau) / sqrt(|(t-a)(t-b)(t-c)(t-d)|) dt = 0``
    (Gauss-Jacobi quadrature, ``scipy.integrate.quad(weight="alg")``). For one interval ``[a, d]``:
    ``g_E(x) = arccosh((a + d - 2x)/(d - a))``, at ``x = 0`` ``log((sqrt(k)+1)/(sqrt(k)-1))``, ``k = d/a``.
    """
    spec = _spectrum(spectrum)
    x = V.real("x", x)
    if not x < spec.mu:
        raise ValueError(f"x must be < min E = {spec.mu!r}, got {x!r}")
    return _green_parts(spec, x)[0]


def equilibrium_density(spectrum: Spectrum, lam: np.ndarray) -> np.ndarray:
    """The equilibrium measure's density ``|t - tau| / (pi sqrt(|(t-a)(t-b)(t-c)(t-d)|))`` on ``E``.

    Zero outside ``E``. (One interval: ``1/(pi sqrt((t-a)(d-t)))``.) Its integral over ``E`` is 1.
    """
    spec = _spectrum(spectrum)
    lam = V.real_array("lam", lam)
    out = np.zeros(lam.shape)
    inside = spec.contains(lam) & ~np.isin(lam, np.ravel(spec.intervals))
    t = lam[inside]
    if len(spec.intervals) == 1:
        (a, d), = spec.intervals
        out[inside] = 1.0 / (math.pi * np.sqrt((t - a) * (d - t)))
        return out
    (a, b), (c, d) = spec.intervals
    tau = _green_parts(spec, 0.0)[1]
    out[inside] = np.abs(t - tau) / (math.pi * np.sqrt(np.abs((t - a) * (t - b) * (t - c) * (t - d))))
    return out


@dataclass(frozen=True)
class GreenBound:
    """Bernstein-Walsh lower bound: every ``p`` with ``deg p <= T``, ``p(0) = 1`` has ``sup_E |p| >= rate^T``.

    ``g = g_E(0)``, ``rate = exp(-g)``, ``iterations`` the least ``T`` with ``rate^T <= eps``
    (no polynomial method reaches ``eps`` in the worst case with fewer), ``tau`` the gap parameter
    (NaN for a one-interval spectrum, which has no gap: the only documented NaN),
    ``harmonic_measure`` the equilibrium mass of each interval (they sum to 1).
    """

    g: float
    rate: float
    iterations: int
    eps: float
    tau: float
    harmonic_measure: tuple[float, ...]

    def bound(self, T: int | np.ndarray) -> np.ndarray:
        """``exp(-T g_E(0))``, the least possible worst-case error after ``T >= 0`` steps (an int or array)."""
        t = V.real_array("T", T)
        if np.any(t < 0):
            raise ValueError("T must be >= 0")
        return np.exp(-t * self.g)


def green_lower_bound(spectrum: Spectrum, eps: float) -> GreenBound:
    """The Green's-function lower bound on the iterations of any polynomial method.

    Bernstein-Walsh: ``|p(z)| <= sup_E |p| exp(T g_E(z))`` for ``deg p <= T``; at ``z = 0`` with
    ``p(0) = 1`` this is ``sup_E |p| >= exp(-T g_E(0))``, so reaching ``eps`` needs
    ``T >= log(1/eps) / g_E(0)``.
    """
    spec = _spectrum(spectrum)
    eps = V.open_unit("eps", eps)
    g, tau, w = _green_parts(spec, 0.0)
    rate = math.exp(-g)
    return GreenBound(g=g, rate=rate, iterations=iterations_for_rate(rate, eps), eps=eps, tau=tau,
                      harmonic_measure=w)


# --------------------------------------------------------------------------- minimax (Remez)

def chebyshev_roots(lo: float, hi: float, k: int) -> np.ndarray:
    """The ``k`` roots of the Chebyshev polynomial ``T_k`` mapped to ``[lo, hi]``, increasing.

    ``r_j = (lo + hi)/2 - (hi - lo)/2 cos((2j + 1) pi / (2k))``, ``j = 0..k-1``.
    """
    lo = V.positive("lo", lo)
    hi = V.positive("hi", hi)
    if not lo < hi:
        raise ValueError(f"hi must be > lo, got lo={lo!r}, hi={hi!r}")
    k = V.count("k", k, 0, V.MAX_SIZE)
    j = np.arange(k)
    # the same, as lo + (hi - lo)/2 (1 - cos): no overflow near float64's max, never below lo (subnormal lo)
    return lo + (0.5 * (hi - lo)) * (1.0 - np.cos((2 * j + 1) * np.pi / (2 * k)))


def _equilibrium_quantiles(spec: Spectrum, q: np.ndarray, m: int = 4000) -> np.ndarray:
    """Points ``x`` with ``omega(E n [mu, x]) = q`` (equilibrium measure), by the substitution
    ``t = lo + (hi - lo)(1 - cos th)/2`` that removes the endpoint singularities."""
    (a, b), (c, d) = spec.intervals
    tau = _green_parts(spec, 0.0)[1]
    th = np.linspace(0.0, np.pi, m)
    xs, cums = [], []
    total = 0.0
    for lo, hi, o1, o2 in ((a, b, c, d), (c, d, a, b)):
        t = lo + (hi - lo) * (1.0 - np.cos(th)) / 2.0
        dens = np.abs(t - tau) / (math.pi * np.sqrt(np.abs((t - o1) * (t - o2))))
        cum = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(th))])
        xs.append(t)
        cums.append(total + cum)
        total += cum[-1]
    return np.interp(q, np.concatenate(cums) / total, np.concatenate(xs))


def _alternant(roots: np.ndarray, spec: Spectrum, n: int):
    """The local maxima of ``|p|`` on ``E``, reduced to ``n + 1`` of alternating sign (the exchange)."""
    u = 1.0 / roots
    m = np.ones(u.size)
    cand = np.unique(critical_points(u, m, spec))
    logs, sg = log_abs_and_sign(u, m, cand)
    lmax = float(np.max(logs))
    keep: list[int] = []
    for i in range(cand.size):
        if keep and sg[keep[-1]] == sg[i]:
            if logs[i] > logs[keep[-1]]:
                keep[-1] = i
        else:
            keep.append(i)
    idx = np.array(keep)
    if idx.size < n + 1:
        return None, None, lmax
    imax = int(np.argmax(logs[idx]))
    best_min, best_start = -np.inf, 0
    for s0 in range(max(0, imax - n), min(imax, idx.size - n - 1) + 1):
        low = float(np.min(logs[idx[s0:s0 + n + 1]]))
        if low > best_min:
            best_min, best_start = low, s0
    sel = idx[best_start:best_start + n + 1]
    return cand[sel], sg[sel], lmax


def _level_solve(ref: np.ndarray, sig: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The degree-``n`` ``p`` with ``p(0) = 1`` and ``p(x_j) = sig_j h`` on the reference ``x_0..x_n``.

    Barycentric form on the nodes ``{0, x_0, ..., x_n}`` (weights in log space): the (n+1)-th divided
    difference of ``p`` vanishes, ``w_0 + h sum_j w_j sig_j = 0``. Its ``n`` roots (one between
    consecutive reference points) by vectorised bisection then regula falsi. Returns ``(roots, log|h|)``,
    or ``None`` when ``h`` is 0 or not finite in float64.
    """
    y = np.concatenate([[0.0], ref])
    N = y.size
    D = y[:, None] - y[None, :]
    np.fill_diagonal(D, 1.0)
    logw = -np.log(np.abs(D)).sum(axis=1)
    sgn = np.where((N - 1 - np.arange(N)) % 2 == 0, 1.0, -1.0)
    W = sgn * np.exp(logw - logw.max())
    h = -W[0] / float(np.dot(W[1:], sig))
    if not 0.0 < abs(h) < math.inf:  # the level underflows (or the weights cancel): no interpolant to exchange
        return None
    f = np.concatenate([[1.0], sig * h])

    def p(lam: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            C = W[None, :] / (lam[:, None] - y[None, :])
            return (C @ f) / C.sum(axis=1)

    lo, hi = ref[:-1].copy(), ref[1:].copy()
    s_lo = np.sign(sig[:-1] * h)
    for _ in range(34):
        mid = 0.5 * (lo + hi)
        same = np.sign(p(mid)) == s_lo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    f_lo, f_hi = p(lo), p(hi)
    for _ in range(4):  # regula falsi inside the bracket
        with np.errstate(invalid="ignore", divide="ignore"):
            x = lo - f_lo * (hi - lo) / (f_hi - f_lo)
        x = np.where(np.isfinite(x) & (x > lo) & (x < hi), x, 0.5 * (lo + hi))
        fx = p(x)
        same = np.sign(fx) == s_lo
        lo, f_lo = np.where(same, x, lo), np.where(same, fx, f_lo)
        hi, f_hi = np.where(same, hi, x), np.where(same, f_hi, fx)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = lo - f_lo * (hi - lo) / (f_hi - f_lo)
    roots = np.where(np.isfinite(x) & (x >= lo) & (x <= hi), x, 0.5 * (lo + hi))
    return roots, math.log(abs(h))


def _refit_gap_root(roots: np.ndarray, ref: np.ndarray, spec: Spectrum) -> np.ndarray:
    """Re-place a root lying in a gap of ``E`` so that ``log|p|`` on the reference is as level as possible.

    In the gap ``|p|`` is huge, so the barycentric bisection there is inaccurate; in product form the
    spread ``max_j log|p(x_j)| - min_j log|p(x_j)|`` is a one-dimensional function of that root,
    minimised over ``log r`` by bounded Brent.
    """
    from scipy.optimize import minimize_scalar

    for (_, b), (c, _) in zip(spec.intervals[:-1], spec.intervals[1:]):
        inside = np.flatnonzero((roots > b) & (roots < c))
        if inside.size != 1:
            continue
        i = int(inside[0])
        others = np.delete(roots, i)
        base = log_abs_and_sign(1.0 / others, np.ones(others.size), ref)[0]

        def spread(logr: float) -> float:
            v = base + np.log(np.abs(1.0 - ref / math.exp(logr)))
            return float(v.max() - v.min())

        res = minimize_scalar(spread, bounds=(math.log(b), math.log(c)), method="bounded",
                              options={"xatol": 1e-13})
        if spread(res.x) < spread(math.log(roots[i])):
            roots = roots.copy()
            roots[i] = math.exp(res.x)
    return roots


@dataclass(frozen=True)
class MinimaxPolynomial:
    """The minimax residual polynomial of a degree on ``E``: ``p(lam) = prod_j (1 - lam / r_j)``.

    ``roots`` increasing; ``steps`` the reciprocals ``1/r_j`` in the stable order of
    :func:`~clrlib.precision.order_steps`; ``sup`` its exact ``sup_E |p|`` (``clrlib.sup_residual``); ``lower`` a
    certified lower bound on the optimum (de la Vallee Poussin: the level of an alternating
    reference), so ``lower <= min_p sup_E |p| <= sup``; ``reference`` the final alternation points.
    """

    degree: int
    roots: np.ndarray
    steps: np.ndarray
    sup: float
    lower: float
    reference: np.ndarray
    iterations: int


def _newton_polish(roots: np.ndarray, spec: Spectrum, n: int, steps: int, tol: float):
    """Newton's method on the equioscillation equations in root form.

    Unknowns ``log r_i`` and ``ell = log h``; equations ``log|p(x_j)| = ell`` at the ``n + 1``
    alternation points ``x_j`` (interval ends or stationary points of ``log|p|``, so by the envelope
    theorem ``d log|p(x_j)| / d log r_i = x_j / (r_i - x_j)``). Returns ``(roots, log sup, log level)``
    of the best iterate; the level (the least ``|p|`` on an alternating reference) is a lower bound
    on the optimum (de la Vallee Poussin).
    """
    best = (np.inf, roots, -np.inf)
    lower = -np.inf
    for _ in range(steps):
        ref, sig, lmax = _alternant(roots, spec, n)
        if ref is None:
            break
        logs, _ = log_abs_and_sign(1.0 / roots, np.ones(n), ref)
        lower = max(lower, float(logs.min()))
        if lmax < best[0]:
            best = (lmax, roots, lower)
        if lmax - lower < tol:
            break
        J = np.empty((n + 1, n + 1))
        J[:, :n] = ref[:, None] / (roots[None, :] - ref[:, None])
        J[:, n] = -1.0
        try:
            delta = np.linalg.solve(J, -(logs - logs.mean()))
        except np.linalg.LinAlgError:
            break
        roots = np.sort(roots * np.exp(np.clip(delta[:n], -0.5, 0.5)))
    return best[1], best[0], max(lower, best[2])


def minimax(spectrum: Spectrum, degree: int, *, tol: float = 1e-9, maxit: int = 40) -> MinimaxPolynomial:
    """The polynomial ``p`` of degree ``degree`` with ``p(0) = 1`` minimising ``sup_E |p|``.

    Remez exchange for the Haar space ``lam P_{n-1}`` on ``E``: interpolate ``p(x_j) = (-1)^j h``
    on a reference of ``n + 1`` points (barycentric form), take ``p``'s ``n`` real roots, exchange
    the reference for ``n + 1`` alternating local maxima of ``|p|`` on ``E`` (found exactly from
    the roots). Starts from the equilibrium-measure quantiles; once the exact sup and the level agree
    to 1e-3 it switches to Newton's method on the equioscillation equations in root form (the
    barycentric solve loses the root in the gap for large degrees), until they agree to ``tol``.
    For one interval, the Chebyshev roots (exact).
    """
    spec = _spectrum(spectrum)
    n = V.count("degree", degree, 1)
    if n > MAX_DEGREE:
        raise ValueError(f"degree must be <= MAX_DEGREE = {MAX_DEGREE} (time budget), got {n}")
    tol = V.positive("tol", tol)
    maxit = V.count("maxit", maxit, 1)
    if len(spec.intervals) == 1:
        roots = chebyshev_roots(spec.mu, spec.L, n)
        sup = math.exp(log_sup_residual(1.0 / roots, spec))
        ref = 0.5 * (spec.mu + spec.L) - 0.5 * (spec.L - spec.mu) * np.cos(np.pi * np.arange(n + 1) / n)
        return MinimaxPolynomial(n, roots, order_steps(1.0 / roots), sup, sup * (1 - 1e-12), ref[::-1], 0)
    roots = _equilibrium_quantiles(spec, (np.arange(n) + 0.5) / n)
    best_log, best_roots = np.inf, roots
    lower = -np.inf
    it = 0
    stale = 0
    for it in range(1, maxit + 1):
        ref, sig, lmax = _alternant(roots, spec, n)
        stale = stale + 1 if lmax >= best_log - 1e-9 else 0
        if lmax < best_log:
            best_log, best_roots = lmax, roots
        if ref is None or best_log - lower < max(tol, 1e-3) or stale >= 3:
            break
        solved = _level_solve(ref, sig)
        if solved is None:
            break
        roots, log_h = solved
        roots = _refit_gap_root(roots, ref, spec)
        lower = max(lower, log_h)
    if best_log - lower >= tol:
        best_roots, best_log, low = _newton_polish(best_roots, spec, n, 12, tol)
        lower = max(lower, low)
    roots = np.sort(best_roots)
    ref = _alternant(roots, spec, n)[0]
    sup = math.exp(log_sup_residual(1.0 / roots, spec))
    return MinimaxPolynomial(n, roots, order_steps(1.0 / roots), sup, math.exp(lower), 
                             ref if ref is not None else np.empty(0), it)


def minimax_lp(spectrum: Spectrum, degree: int, grid: int = 4000) -> tuple[float, np.ndarray]:
    """Independent check: the minimax problem as a linear program on a grid (scipy HiGHS).

    ``p(lam) = sum_k c_k T_k(2 lam / L - 1)`` (Chebyshev basis of ``[0, L]``, so ``p(0) = sum_k c_k (-1)^k = 1``
    is one equality); minimise ``h`` subject to ``-h <= p(x_i) <= h`` on ``grid`` Chebyshev-clustered points
    per interval. Returns ``(h, roots of p in E's convex hull)``; ``h`` is a lower bound on the optimum
    over ``E`` up to the solver's tolerance. Only for small degrees (the basis' conditioning grows with ``L/mu``).
    """
    spec = _spectrum(spectrum)
    n = V.count("degree", degree, 1, MAX_LP_DEGREE, "time")
    grid = V.count("grid", grid, 2, MAX_LP_GRID, "time")
    L = spec.L
    j = np.arange(grid)
    x = np.concatenate([0.5 * (lo + hi) - 0.5 * (hi - lo) * np.cos(np.pi * j / (grid - 1))
                        for lo, hi in spec.intervals])
    B = np.polynomial.chebyshev.chebvander(2.0 * x / L - 1.0, n)
    m = x.size
    # variables (c_0..c_n, h); minimise h
    A_ub = np.block([[B, -np.ones((m, 1))], [-B, -np.ones((m, 1))]])
    b_ub = np.zeros(2 * m)
    A_eq = np.concatenate([(-1.0) ** np.arange(n + 1), [0.0]])[None, :]
    cost = np.zeros(n + 2)
    cost[-1] = 1.0
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0],
                  bounds=[(None, None)] * (n + 1) + [(0, None)], method="highs")
    if not res.success:  # pragma: no cover - solver failure is reported, not hidden
        raise RuntimeError(f"linprog failed: {res.message}")
    c = res.x[:-1]
    s = np.polynomial.chebyshev.chebroots(c)
    s = np.real(s[np.abs(np.imag(s)) < 1e-8])
    roots = np.sort((s + 1.0) * L / 2.0)
    return float(res.x[-1]), roots


def _minimax_count(spec: Spectrum, eps: float) -> tuple[int, dict]:
    """``minimax_iterations`` and the minimax polynomials it computed, by degree."""
    gb = green_lower_bound(spec, eps)
    if gb.iterations > MAX_DEGREE:
        raise ValueError(f"eps needs degree >= {gb.iterations} (Green's bound), above MAX_DEGREE = {MAX_DEGREE} "
                         f"(time budget)")
    seen: dict[int, MinimaxPolynomial] = {}

    def sup(n: int) -> float:
        if n not in seen:
            seen[n] = minimax(spec, n)
        return seen[n].sup

    lo = gb.iterations - 1  # fails: sup >= exp(-lo g) > eps
    hi = max(1, gb.iterations)
    while sup(hi) > eps:
        if hi >= MAX_DEGREE:
            raise ValueError(f"no degree <= MAX_DEGREE = {MAX_DEGREE} (time budget) reaches eps = {eps!r}")
        lo, hi = hi, min(MAX_DEGREE, hi + max(1, math.ceil(0.08 * hi)))
    while hi - lo > 1:  # E_n is non-increasing in n: bisect
        mid = (lo + hi) // 2
        if sup(mid) <= eps:
            hi = mid
        else:
            lo = mid
    return hi, seen


def minimax_iterations(spectrum: Spectrum, eps: float) -> int:
    """The least degree ``n`` whose minimax polynomial on ``E`` has ``sup_E |p| <= eps``.

    Starts at the Green's-function bound (no degree below it can reach ``eps``), grows by 8 % until
    ``eps`` is reached, then bisects (the optimum ``E_n`` is non-increasing in ``n``; it decreases in
    plateaus, not geometrically, so a rate-based guess is unreliable).
    """
    spec = _spectrum(spectrum)
    eps = V.open_unit("eps", eps)
    return _minimax_count(spec, eps)[0]


# --------------------------------------------------------------------------- cheaper schedules

def _log_cosh(x):
    """``log cosh x = x + log1p(exp(-2x)) - log 2`` for ``x >= 0`` (float or array; no overflow)."""
    return x + np.log1p(np.exp(-2.0 * x)) - math.log(2.0)


def _cheb_level(a: float, k: int) -> float:
    """``1 / T_k(1 + delta) = 1 / cosh(k a)`` with ``a = arccosh(1 + delta)`` (0 only where it underflows)."""
    return math.exp(-_log_cosh(k * a))


def _least_cheb(a: float, log_eps: float) -> int:
    """The least ``k >= 1`` with ``1/cosh(k a) <= eps`` (``a > 0``): from ``k a >= arccosh(1/eps)``
    ``= y + log(1 + sqrt(1 - e^(-2y)))``, ``y = -log eps``, then corrected by the exact test in log space."""
    if not a > 0.0:
        raise ValueError("spectrum: the Chebyshev rate rounds to 1 in float64 (its condition number is beyond "
                         "float64's range of ratios), no count")
    y = -log_eps
    k = max(1, math.ceil((y + math.log1p(math.sqrt(-math.expm1(-2.0 * y)))) / a))
    while -_log_cosh(k * a) > log_eps:
        k += 1
    while k > 1 and -_log_cosh((k - 1) * a) <= log_eps:
        k -= 1
    return k


@dataclass(frozen=True)
class ClusterChebyshev:
    """Chebyshev nodes on each cluster: ``k_small`` large steps ``1/r`` with ``r`` the roots of ``T_k``
    on ``[mu, mu1]`` and ``k_large`` small steps from ``T_m`` on ``[L1, L]``; ``sup`` exact."""

    k_small: int
    k_large: int
    iterations: int
    sup: float
    steps: np.ndarray


def _cluster_steps(spec: Bimodal, k: int, m: int) -> np.ndarray:
    parts = []
    if k:
        with np.errstate(over="ignore", divide="ignore"):
            parts.append(1.0 / chebyshev_roots(spec.mu, spec.mu1, k))
        if not np.all(np.isfinite(parts[0])):
            raise ValueError(f"the steps 1/r for the small cluster [mu, mu1] = [{spec.mu!r}, {spec.mu1!r}] "
                             f"overflow float64 (mu must be >= 1/{np.finfo(float).max:.3g})")
    if m:
        parts.append(1.0 / chebyshev_roots(spec.L1, spec.L, m))
    return np.concatenate(parts) if parts else np.empty(0)


def _acosh1p_ratio(x: float, w: float) -> float:
    """``arccosh(1 + 2x/w)``, also where ``2x/w`` overflows (``log 4 + log x - log w`` there, exact to rounding)."""
    r = x / w
    if not r < 5e149:
        return math.log(4.0) + math.log(x) - math.log(w)
    return acosh1p(2.0 * r)


def _cluster_log_sup(spec: Bimodal, k: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``log sup_E |p|`` of the per-cluster Chebyshev polynomial, in closed form (see :func:`cheb_per_cluster`)."""
    w1, w2 = spec.mu1 - spec.mu, spec.L - spec.L1
    a1 = _acosh1p_ratio(spec.mu, w1)             # T_k(s(0)) = cosh(k a1)
    b = _acosh1p_ratio(spec.L - spec.mu1, w1)    # |T_k(s(L))| = cosh(k b)
    a2 = _acosh1p_ratio(spec.L1, w2)             # T_m(l(0)) = cosh(m a2)
    c = _acosh1p_ratio(spec.L1 - spec.mu, w2)    # T_m(l(mu)) = cosh(m c); m (a2 - c) is exact to m a2 1e-16
    k, m = np.asarray(k, dtype=float), np.asarray(m, dtype=float)
    small = _log_cosh(m * c) - _log_cosh(m * a2) - _log_cosh(k * a1)
    large = _log_cosh(k * b) - _log_cosh(k * a1) - _log_cosh(m * a2)
    return np.maximum(small, large)


def cheb_per_cluster(spectrum: Bimodal, eps: float) -> ClusterChebyshev:
    """The per-cluster Chebyshev schedule with the fewest steps ``k + m`` that reaches ``eps``.

    ``p(lam) = T_k(s(lam))/T_k(s(0)) * T_m(l(lam))/T_m(l(0))`` with ``s, l`` the affine maps of
    ``[mu, mu1]`` and ``[L1, L]`` onto ``[-1, 1]`` (``s(mu) = 1``, ``l(L) = -1``). Its sup over ``E`` is in
    closed form. On ``[L1, L]`` the first factor's modulus grows with ``lam`` (all its roots are below) and
    the second's is at most ``1/T_m(l(0))``, with equality at ``L``; on ``[mu, mu1]`` the second factor lies in
    ``(0, 1]`` and decreases (all its roots are above) and the first's is at most ``1/T_k(s(0))``, with equality
    at ``mu``. So

    ``sup_E |p| = max(T_m(l(mu)), |T_k(s(L))|) / (T_k(s(0)) T_m(l(0)))`` (the max of the two ends' values),

    both terms decreasing in ``m``. For every ``k`` the least ``m`` is found by bisection on this
    formula; the pair with the least ``k + m`` is returned (ties: the least ``k``). Its ``sup`` is the exact
    sup of the returned float steps (:func:`~clrlib.polynomials.log_sup_residual`), and ``m`` is corrected by that exact check
    where the closed form and float rounding disagree at the boundary. Refused (time budget) when no pair with
    ``k + m <= MAX_CLUSTER_STEPS`` reaches ``eps``.
    """
    spec = _bimodal(spectrum)
    eps = V.open_unit("eps", eps)
    if spec.kappa_small == 1 or spec.kappa_large == 1:
        raise ValueError("spectrum clusters must have positive length (kappa_small, kappa_large > 1)")
    log_eps, n = math.log(eps), MAX_CLUSTER_STEPS
    k = np.arange(n + 1)
    lo, hi = np.full(n + 1, -1), n - k  # least m in (lo, hi] with the formula <= eps, if hi satisfies it
    ok = _cluster_log_sup(spec, k, hi) <= log_eps
    if not ok.any():
        raise ValueError(f"eps = {eps!r} needs more than MAX_CLUSTER_STEPS = {MAX_CLUSTER_STEPS} steps "
                         f"(time budget) with Chebyshev nodes on each cluster")
    k, lo, hi = k[ok], lo[ok], hi[ok]
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        good = _cluster_log_sup(spec, k, mid) <= log_eps
        move = hi - lo > 1
        hi = np.where(move & good, mid, hi)
        lo = np.where(move & ~good, mid, lo)
    i = int(np.argmin(k + hi))
    ks, m = int(k[i]), int(hi[i])

    def exact(m: int) -> float:
        return log_sup_residual(_cluster_steps(spec, ks, m), spec) if ks + m else 0.0

    for _ in range(8):  # float rounding of the steps at the boundary: one more small step
        if exact(m) <= log_eps:
            break
        m += 1
    else:
        raise ValueError(f"the per-cluster Chebyshev steps for eps = {eps!r} do not reach it in float64 "
                         f"(rounding of {ks + m} steps)")
    while m > 0 and exact(m - 1) <= log_eps:
        m -= 1
    return ClusterChebyshev(ks, m, ks + m, math.exp(exact(m)), _cluster_steps(spec, ks, m))


@dataclass(frozen=True)
class MomentumCLR:
    """CLR with Chebyshev momentum across cycles.

    One cycle ``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K`` maps ``E`` into
    ``[alpha, beta]`` (``beta < 1``); after ``J`` cycles with the Chebyshev (optimal) momentum
    sequence the residual is ``T_J(l(P(lam))) / T_J(gamma)``, ``l(z) = (2z - alpha - beta)/(beta - alpha)``,
    ``gamma = l(1)``, whose exact sup over ``E`` is ``1/T_J(gamma)``. ``iterations = J (K + 1)``.
    """

    eta_plus: float
    eta_minus: float
    K: int
    alpha: float
    beta: float
    cycles: int
    iterations: int
    sup: float


def _cycle_range(eta_plus: float, eta_minus: float, K: int, spec: Spectrum) -> tuple[float, float]:
    """Exact ``min`` and ``max`` of ``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K`` over ``E``.

    Candidates: the interval ends, ``P``'s one stationary point off its roots,
    ``lam* = (eta_plus + K eta_minus) / ((K + 1) eta_plus eta_minus)``, and the root ``1/eta_minus``.
    """
    lam = cycle_candidates(eta_plus, eta_minus, K, spec)
    if spec.contains(1.0 / eta_minus):
        lam = np.append(lam, 1.0 / eta_minus)
    vals = (1.0 - eta_plus * lam) * (1.0 - eta_minus * lam) ** K
    return float(vals.min()), float(vals.max())


def clr_momentum(spectrum: Bimodal, eps: float, variant: str = "book") -> MomentumCLR:
    """The cheapest CLR-with-momentum schedule: ``eta_plus, eta_minus`` of ``clrlib.clr_parameters``
    (``variant``), ``K`` searched over ``0 .. 2 K_theorem + 4``, ``J`` the least number of cycles with
    ``1/T_J(gamma) <= eps``."""
    spec = _bimodal(spectrum)
    eps = V.open_unit("eps", eps)
    base = clr_parameters(spec, eps, variant)
    if 2 * base.K + 5 > MAX_MOMENTUM_K:
        raise ValueError(f"the search over K = 0 .. {2 * base.K + 4} exceeds MAX_MOMENTUM_K = {MAX_MOMENTUM_K} "
                         f"(time budget)")
    best, log_eps = None, math.log(eps)
    for K in range(0, 2 * base.K + 5):
        alpha, beta = _cycle_range(base.eta_plus, base.eta_minus, K, spec)
        if not beta < 1.0:
            continue
        if not beta - alpha > 0.0:
            # P is constant (= beta) on E (single-point clusters): J cycles leave |beta|^J
            if not abs(beta) < 1.0:
                continue
            J = max(1, iterations_for_rate(abs(beta), eps))
            T = J * (K + 1)
            if best is None or T < best.iterations:
                best = MomentumCLR(base.eta_plus, base.eta_minus, K, alpha, beta, J, T, abs(beta) ** J)
            continue
        a = acosh1p(2.0 * (1.0 - beta) / (beta - alpha))  # gamma = l(1) = 1 + delta, a = arccosh(gamma)
        J = _least_cheb(a, log_eps)
        T = J * (K + 1)
        if best is None or T < best.iterations:
            best = MomentumCLR(base.eta_plus, base.eta_minus, K, alpha, beta, J, T, _cheb_level(a, J))
    if best is None:  # pragma: no cover - K = base.K always has beta < 1
        raise RuntimeError("no K gives a contracting cycle")
    return best


@dataclass(frozen=True)
class CyclicalHeavyBall:
    """The two-interval polynomial of the cyclical heavy ball (cycle of two step sizes).

    ``E`` is enclosed in the symmetric set ``E' = [mu, mu + w] U [L - w, L]``,
    ``w = max(mu1 - mu, L - L1)``. If ``E'`` still has a gap (``helps``), the quadratic
    ``Q(lam) = (2 (lam - c)^2 - r1^2 - r2^2) / (r2^2 - r1^2)`` (``c = (mu + L)/2``, ``r1``, ``r2`` the
    half-widths of the gap and of ``[mu, L]``) maps ``E'`` onto ``[-1, 1]`` and the residual after
    ``2J`` steps is ``T_J(Q(lam)) / T_J(Q(0))``; otherwise it is Chebyshev on ``[mu, L]``. ``sup`` exact.
    """

    helps: bool
    rate: float
    iterations: int
    sup: float


def cyclical_heavy_ball(spectrum: Bimodal, eps: float) -> CyclicalHeavyBall:
    """Iterations of the cyclical heavy ball's two-interval polynomial (Goujaud et al. 2022) to ``eps``.

    With a gap: the least even ``T = 2J`` with ``1/T_J(Q(0)) <= eps`` (per-step rate
    ``(Q0 + sqrt(Q0^2 - 1))^(-1/2)``); without: the least ``T`` with ``1/T_T((L+mu)/(L-mu)) <= eps``.
    """
    spec = _bimodal(spectrum)
    eps = V.open_unit("eps", eps)
    mu, L = spec.mu, spec.L
    w = max(spec.mu1 - mu, L - spec.L1)
    if w == 0.0:  # both clusters are points: (1 - lam/mu)(1 - lam/L) vanishes on E after one cycle
        return CyclicalHeavyBall(True, 0.0, 2, 0.0)
    if mu + w < L - w:
        r1, r2 = 0.5 * (L - mu) - w, 0.5 * (L - mu)
        # Q(0) = 1 + delta, delta = 2 (c^2 - r2^2) / (r2^2 - r1^2) = 2 mu L / (r2^2 - r1^2), c = (mu + L)/2
        delta = 2.0 * mu * L / (w * (r2 + r1))  # r2 - r1 = w (their rounded difference can be 0)
        a = acosh1p(delta)
        J = _least_cheb(a, math.log(eps))
        return CyclicalHeavyBall(True, math.exp(-0.5 * a), 2 * J, _cheb_level(a, J))
    a = acosh1p(2.0 * mu / (L - mu))  # (L + mu)/(L - mu) = 1 + delta
    T = _least_cheb(a, math.log(eps))
    return CyclicalHeavyBall(False, math.exp(-a), T, _cheb_level(a, T))


class BestSchedule(Explicit):
    """The minimax steps in Leja order: a fixed step-size schedule (no momentum) that reaches ``eps``.

    ``degree`` is the least ``n`` whose minimax polynomial has ``sup_E |p| <= margin * eps``
    (``margin`` leaves room for rounding), capped at ``floor(1.1 * minimax_count)`` where
    ``minimax_count`` is the least degree reaching ``eps`` itself; ``sup`` is the exact worst case of
    the whole schedule; ``len(schedule)`` its number of steps.
    """

    def __init__(self, steps: np.ndarray, sup: float, minimax_count: int, eps: float):
        super().__init__(steps)
        self.sup = float(sup)
        self.minimax_count = int(minimax_count)
        self.eps = float(eps)

    def __repr__(self) -> str:
        return f"BestSchedule(<{len(self)} steps>, sup={self.sup:.3g}, minimax_count={self.minimax_count})"


def best_schedule(spectrum: Bimodal, eps: float, margin: float = 0.5) -> BestSchedule:
    """The minimax polynomial's reciprocal roots ``1/r_j``, Leja-ordered (:func:`~clrlib.precision.order_steps`).

    Its exact worst case ``sup_E prod_t |1 - eta_t lam|`` is ``<= margin * eps <= eps`` (or ``<= eps``
    when the cap ``floor(1.1 * n_minimax)`` binds); run in float64 with this order the iterate's
    transient growth stays far below what rounding could amplify into an error of size ``eps``.
    """
    spec = _spectrum(spectrum)
    eps = V.open_unit("eps", eps)
    margin = V.real("margin", margin)
    if not 0.0 < margin <= 1.0:
        raise ValueError(f"margin must lie in (0, 1], got {margin!r}")
    n0, seen = _minimax_count(spec, eps)
    cap = max(n0, math.floor(1.1 * n0))
    n, M = n0, seen[n0]
    while M.sup > margin * eps and n < cap:
        n += 1
        M = seen[n] if n in seen else minimax(spec, n)
    return BestSchedule(M.steps, M.sup, n0, eps)
