"""The equilibrium measure of one or two intervals as a probability law: density, CDF, quantiles, sampler.

Only chapter 12 uses it; it stays in the library because it is a unit- and property-tested law (CDF
accurate to 1e-8 by quadrature in the angle variable, quantiles, an inverse-CDF sampler) that a chapter
should not hide.

For ``E = [a, b] U [c, d]`` (``0 < a < b < c < d``) the equilibrium measure ``omega_E`` has the density
(chapter 7, :func:`clrlib.optimal.equilibrium_density`)

    ``w(t) = |t - tau| / (pi sqrt(|(t - a)(t - b)(t - c)(t - d)|)),    t in E,``

with ``tau`` in ``(b, c)`` the gap parameter of :func:`clrlib.optimal.green_lower_bound`; for one interval ``[a, d]``
it is the arcsine law ``1 / (pi sqrt((t - a)(d - t)))``. On each interval ``[lo, hi]`` the substitution
``t = lo + (hi - lo) sin^2(theta/2)``, ``theta in [0, pi]``, turns ``w(t) dt`` into ``h(theta) dtheta`` with

    ``h(theta) = |t - tau| / (pi sqrt(|(t - o_1)(t - o_2)|))``       (o_1, o_2 the ends of the other interval),

a smooth positive function on the closed ``[0, pi]`` (one interval: ``h = 1/pi``). The CDF is the integral of
``h``, by composite Gauss-Legendre quadrature on panels refined until halving changes no panel by more than
``1e-15``; the inverse CDF is safeguarded Newton on it (``dF/dtheta = h > 0``). No histogram, no grid
interpolation. (The angle form of the density is a copy of chapter 7's formula: ``clrlib.equilibrium_density``
returns ``w(t)``, which is infinite at the ends, so it cannot be multiplied by ``dt/dtheta`` there.)
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate as V
from .optimal import equilibrium_density, green_lower_bound
from .spectra import Spectrum, as_spectrum

__all__ = ["EquilibriumMeasure", "equilibrium_measure"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
_PANEL_TOL = 1e-15
_MAX_PANELS = 4000

#: Most quantiles or draws one call returns (time budget: the inverse CDF costs a few microseconds per point,
#: a few seconds at this size).
MAX_DRAWS: int = 1_000_000


def _check_spectrum(spectrum) -> Spectrum:
    try:
        spec = as_spectrum(spectrum)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"spectrum must be a union of one or two intervals in (0, inf): {exc}") from exc
    if len(spec.intervals) not in (1, 2):
        raise ValueError(f"spectrum must have one or two intervals, got {len(spec.intervals)}")
    for lo, hi in spec.intervals:
        if not lo < hi:
            raise ValueError(f"spectrum intervals must have positive length, got [{lo!r}, {hi!r}]")
    return spec


class EquilibriumMeasure:
    """The equilibrium measure ``omega_E`` of ``E`` (one or two intervals) as a probability law on ``E``.

    Build it with :func:`equilibrium_measure`. Attributes: ``spectrum``; ``tau`` (the gap parameter,
    ``nan`` for one interval); ``masses`` (``omega_E`` of each interval, by quadrature in the angle
    variable; they equal the harmonic measures of :func:`clrlib.optimal.green_lower_bound`).
    """

    def __init__(self, spec: Spectrum):
        self.spectrum = spec
        self.intervals = spec.intervals
        self.tau = float(green_lower_bound(spec, 0.5).tau) if len(spec.intervals) == 2 else float("nan")
        self._panels: list[np.ndarray] = []   # panel breakpoints in theta, per interval
        self._cum: list[np.ndarray] = []      # mass before each breakpoint, within the interval
        for k in range(len(self.intervals)):
            edges = self._refine(k)
            mass = self._panel_integrals(k, edges[:-1], edges[1:])
            self._panels.append(edges)
            self._cum.append(np.concatenate([[0.0], np.cumsum(mass)]))
        self.masses = tuple(float(c[-1]) for c in self._cum)
        self._offset = np.concatenate([[0.0], np.cumsum(self.masses)])

    # ---------------------------------------------------------------- the angle variable
    def _t_parts(self, k: int, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``t(theta)``, ``t - lo`` and ``hi - t`` on interval ``k``, without cancellation."""
        lo, hi = self.intervals[k]
        w = hi - lo
        below = w * np.sin(0.5 * theta) ** 2
        above = w * np.cos(0.5 * theta) ** 2
        t = np.where(theta <= 0.5 * np.pi, lo + below, hi - above)
        return t, below, above

    def _h(self, k: int, theta: np.ndarray) -> np.ndarray:
        """The density in the angle variable, ``h(theta) = w(t(theta)) dt/dtheta``."""
        theta = np.asarray(theta, dtype=float)
        if len(self.intervals) == 1:
            return np.full(theta.shape, 1.0 / math.pi)
        (a, b), (c, d) = self.intervals
        _, below, above = self._t_parts(k, theta)
        tau = self.tau
        if k == 0:   # t in [a, b]; tau, c, d lie above b
            num = (tau - b) + above
            den = ((c - b) + above) * ((d - b) + above)
        else:        # t in [c, d]; a, b, tau lie below c
            num = (c - tau) + below
            den = ((c - a) + below) * ((c - b) + below)
        return num / (math.pi * np.sqrt(den))

    def _panel_integrals(self, k: int, lo: np.ndarray, hi: np.ndarray, f=None) -> np.ndarray:
        """Gauss-Legendre (20 nodes) integrals of ``h`` (times ``f(t)`` if given) over ``[lo_i, hi_i]``."""
        lo = np.asarray(lo, dtype=float)
        hi = np.asarray(hi, dtype=float)
        half = 0.5 * (hi - lo)
        x = (0.5 * (hi + lo))[..., None] + half[..., None] * _NODES
        vals = self._h(k, x)
        if f is not None:
            vals = vals * np.asarray(f(self._t_parts(k, x)[0]), dtype=float)
        return half * (vals @ _WEIGHTS)

    def _refine(self, k: int, f=None, tol: float = _PANEL_TOL) -> np.ndarray:
        """Panel breakpoints on ``[0, pi]``: halve every panel whose two halves change its integral by > ``tol``."""
        done: list[tuple[float, float]] = []
        todo = np.linspace(0.0, math.pi, 9)
        lo, hi = todo[:-1], todo[1:]
        while lo.size:
            mid = 0.5 * (lo + hi)
            whole = self._panel_integrals(k, lo, hi, f)
            halves = self._panel_integrals(k, lo, mid, f) + self._panel_integrals(k, mid, hi, f)
            ok = np.abs(whole - halves) <= tol
            done.extend(zip(lo[ok], hi[ok]))
            lo, hi, mid = lo[~ok], hi[~ok], mid[~ok]
            if len(done) + 2 * lo.size > _MAX_PANELS:
                raise RuntimeError("equilibrium_measure: panel refinement did not converge "
                                   "(is the integrand smooth on E?)")
            lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
        edges = np.array(sorted(done))
        return np.concatenate([edges[:, 0], [math.pi]])

    def _theta(self, k: int, t: np.ndarray) -> np.ndarray:
        """``theta(t) = 2 arcsin sqrt((t - lo)/(hi - lo))`` (from the nearer end, for accuracy)."""
        lo, hi = self.intervals[k]
        w = hi - lo
        from_lo = 2.0 * np.arcsin(np.sqrt(np.clip((t - lo) / w, 0.0, 1.0)))
        from_hi = math.pi - 2.0 * np.arcsin(np.sqrt(np.clip((hi - t) / w, 0.0, 1.0)))
        return np.where(t - lo <= hi - t, from_lo, from_hi)

    def _mass_to(self, k: int, theta: np.ndarray) -> np.ndarray:
        """``int_0^theta h`` on interval ``k``: the panels below ``theta`` plus one partial panel."""
        edges, cum = self._panels[k], self._cum[k]
        i = np.clip(np.searchsorted(edges, theta, side="right") - 1, 0, edges.size - 2)
        return cum[i] + self._panel_integrals(k, edges[i], theta)

    # ---------------------------------------------------------------- the public law
    def density(self, t: np.ndarray | float) -> np.ndarray:
        """The density ``w(t)`` of ``omega_E`` (:func:`clrlib.optimal.equilibrium_density`); ``0`` off ``E``."""
        return equilibrium_density(self.spectrum, V.real_array("t", t))

    def cdf(self, t: np.ndarray | float) -> np.ndarray:
        """``F(t) = omega_E(E n (-inf, t])``: ``0`` below ``mu``, ``1`` above ``L``, flat across the gap.

        On interval ``k``: ``F(t) = sum_{j<k} omega_E(I_j) + int_0^{theta(t)} h(theta) dtheta``.
        """
        t = V.real_array("t", t)
        out = np.zeros(t.shape)
        for k, (lo, hi) in enumerate(self.intervals):
            out = np.where(t > hi, self._offset[k + 1], out)
            inside = (t >= lo) & (t <= hi)
            if np.any(inside):
                out[inside] = self._offset[k] + self._mass_to(k, self._theta(k, t[inside]))
        out[t > self.spectrum.L] = 1.0
        return np.clip(out, 0.0, 1.0)

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        """The inverse CDF: the ``t`` in ``E`` with ``F(t) = q``, for ``q`` in ``[0, 1]`` (the start of the
        second interval at ``q = omega_E(first interval)``).

        Finds the interval and the panel holding ``q``, then solves ``int_0^theta h = q'`` by Newton's
        method (``h > 0``) safeguarded by bisection inside the panel, and maps ``theta`` back to ``t``.
        """
        q = V.real_array("q", q)
        if np.any((q < 0.0) | (q > 1.0)):
            raise ValueError("q must lie in [0, 1]")
        flat = q.ravel()
        out = np.empty(flat.shape)
        n = len(self.intervals)
        k_of = np.clip(np.searchsorted(self._offset, flat, side="right") - 1, 0, n - 1)
        for k in range(n):
            sel = k_of == k
            if not np.any(sel):
                continue
            target = np.clip(flat[sel] - self._offset[k], 0.0, self.masses[k])
            edges, cum = self._panels[k], self._cum[k]
            i = np.clip(np.searchsorted(cum, target, side="right") - 1, 0, edges.size - 2)
            a, b = edges[i].copy(), edges[i + 1].copy()
            base, start = cum[i], edges[i]
            frac = (target - base) / np.maximum(cum[i + 1] - base, np.finfo(float).tiny)
            th = a + np.clip(frac, 0.0, 1.0) * (b - a)
            act = np.arange(th.size)
            for _ in range(60):
                if act.size == 0:
                    break
                x = th[act]
                f = base[act] + self._panel_integrals(k, start[act], x) - target[act]
                aa = np.where(f <= 0.0, x, a[act])
                bb = np.where(f > 0.0, x, b[act])
                step = x - f / self._h(k, x)
                new = np.where((step >= aa) & (step <= bb), step, 0.5 * (aa + bb))
                a[act], b[act], th[act] = aa, bb, new
                done = (np.abs(new - x) <= 2e-16 * math.pi) | (bb - aa <= 2e-16 * math.pi) | (f == 0.0)
                act = act[~done]
            out[sel] = self._t_parts(k, th)[0]
        return out.reshape(q.shape)

    def quantiles(self, n: int) -> np.ndarray:
        """The ``n`` midpoint quantiles ``F^{-1}((j + 1/2)/n)``, ``j = 0..n-1``, increasing."""
        n = V.count("n", n, 1, MAX_DRAWS, "time")
        return self.ppf((np.arange(n) + 0.5) / n)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws from ``omega_E`` by the inverse CDF: ``F^{-1}(U)``, ``U ~ U(0, 1)``.

        ``rng`` must be a ``numpy.random.Generator`` (use ``clrlib.rng(...)``); draws in drawn order.
        """
        n = V.count("n", n, 0, MAX_DRAWS, "time")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator (e.g. clrlib.rng(...)), got {type(rng).__name__}")
        return self.ppf(rng.random(n))

    def angle_density(self, k: int, theta: np.ndarray | float) -> np.ndarray:
        """The density of ``omega_E`` on interval ``k`` in the angle variable, ``h_k(theta)``, ``theta in [0, pi]``.

        ``t = lo + (hi - lo) sin^2(theta/2)`` and ``h_k(theta) = w(t) dt/dtheta
        = |t - tau| / (pi sqrt(|(t - o_1)(t - o_2)|))`` (one interval: ``1/pi``), finite and positive on
        the closed interval; ``int_0^pi h_k = omega_E(I_k)``.
        """
        k = V.count("k", k, 0)
        if k >= len(self.intervals):
            raise ValueError(f"k must be < {len(self.intervals)} (the number of intervals), got {k}")
        theta = V.real_array("theta", theta)
        if np.any((theta < 0.0) | (theta > math.pi)):
            raise ValueError("theta must lie in [0, pi]")
        return self._h(k, theta)

    def expect(self, f, tol: float = 1e-14, interval: int | None = None) -> float:
        """``int f d omega_E`` for a function ``f`` smooth on ``E`` (vectorised over an array of ``t``).

        With ``interval=k`` only over the ``k``-th interval (``f`` need only be smooth there).

        Adaptive composite Gauss-Legendre (20 nodes) in the angle variable, ``sum_k int_0^pi f(t(theta))
        h_k(theta) dtheta``: panels are halved until halving changes none by more than ``tol`` times the
        size of the integral. The endpoint singularities of the density are gone in this variable; a
        singularity of ``f`` itself (``log|t - lam|`` with ``lam`` in ``E``) is not handled.
        """
        tol = V.positive("tol", tol)
        if interval is None:
            ks = range(len(self.intervals))
        else:
            ks = [V.count("interval", interval, 0)]
            if ks[0] >= len(self.intervals):
                raise ValueError(f"interval must be < {len(self.intervals)} (the number of intervals), got {interval}")
        total = 0.0
        for k in ks:
            edges = self._panels[k]
            scale = max(float(np.max(np.abs(self._panel_integrals(k, edges[:-1], edges[1:], f)))), 1e-300)
            edges = self._refine(k, f, tol * scale)
            total += float(np.sum(self._panel_integrals(k, edges[:-1], edges[1:], f)))
        return total

    def __repr__(self) -> str:
        return f"EquilibriumMeasure({self.spectrum!r}, masses={tuple(round(m, 6) for m in self.masses)})"


def equilibrium_measure(spectrum: Spectrum) -> EquilibriumMeasure:
    """The equilibrium measure ``omega_E`` of ``E`` (one or two intervals) as an :class:`EquilibriumMeasure`.

    Density ``|t - tau| / (pi sqrt(|(t-a)(t-b)(t-c)(t-d)|))`` on ``E = [a, b] U [c, d]``; for one interval
    ``[a, d]`` the arcsine law, ``F(t) = (2/pi) arcsin(sqrt((t - a)/(d - a)))``. Raises ``ValueError``
    unless ``spectrum`` is a union of one or two intervals of positive length in ``(0, inf)``.
    """
    return EquilibriumMeasure(_check_spectrum(spectrum))
