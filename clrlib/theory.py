"""Closed-form rates, iteration counts and the parameters of the book's theorem."""

from __future__ import annotations

import math

import numpy as np
from dataclasses import dataclass

from . import _validate as V
from .schedules import Cyclical
from .spectra import Bimodal, Spectrum, as_bimodal, as_spectrum


def gd_step(spectrum: Spectrum) -> float:
    """The best constant step on ``[mu, L]``: ``eta* = 2 / (mu + L)``."""
    spec = as_spectrum(spectrum)
    return 2.0 / (spec.mu + spec.L)


def gd_rate(kappa: float) -> float:
    """The per-step factor of GD with ``eta*``: ``(kappa - 1) / (kappa + 1)``, ``kappa >= 1``."""
    kappa = V.positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    return (kappa - 1.0) / (kappa + 1.0)


def least_power(log_rate: float, log_eps: float) -> int:
    """The least integer ``T >= 0`` with ``T log_rate <= log_eps`` (``log_rate < 0``), exactly in float arithmetic.

    ``T = ceil(log_eps / log_rate)`` corrected by at most a few steps for rounding; beyond ``2^52``
    (where consecutive integers are no longer distinct floats) the ceiling itself is returned.
    """
    if log_eps >= 0.0:
        return 0
    if log_rate == -math.inf:
        return 1
    q = log_eps / log_rate
    if not math.isfinite(q):
        raise ValueError(f"the count log(eps)/log(rate) = {q!r} is not a finite number (rate too close to 1)")
    T = max(0, math.ceil(q))
    if T >= 2**52:
        return T
    while T > 0 and (T - 1) * log_rate <= log_eps:
        T -= 1
    while T * log_rate > log_eps:
        T += 1
    return T


def first_true(pred, lo: int, hi: int) -> int:
    """The least ``n`` in ``(lo, hi]`` with ``pred(n)``, by bisection, for ``pred`` monotone (false at ``lo``, true at ``hi``)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def iterations_for_rate(rate: float, eps: float) -> int:
    """The smallest ``T >= 0`` with ``rate^T <= eps``: ``ceil(log(eps) / log(rate))`` (see :func:`least_power`)."""
    rate = V.real("rate", rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must lie in [0, 1), got {rate!r}")
    eps = V.open_unit("eps", eps)
    if rate == 0.0:
        return 1
    return least_power(math.log(rate), math.log(eps))


def gd_iterations(kappa: float, eps: float) -> int:
    """Steps GD with ``eta* = 2/(mu+L)`` needs for ``((kappa-1)/(kappa+1))^T <= eps``.

    ``log((kappa - 1)/(kappa + 1)) = log1p(-2/(kappa + 1))``, accurate for huge ``kappa``; the count is
    exact up to ``2^52`` and the rounded ceiling beyond (e.g. about ``3.5e299`` for ``kappa = 1e300``).
    """
    kappa = V.positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    eps = V.open_unit("eps", eps)
    if kappa == 1:
        return 1
    return least_power(math.log1p(-2.0 / (kappa + 1.0)), math.log(eps))


#: Relative amount by which :attr:`CLRParameters.rate` is rounded up, so that the float is an upper
#: bound on the exact per-cycle factor despite rounding in ``s``, ``A d^K`` and the logarithms.
RATE_GUARD: float = 1e-12

_U = 2.0**-52  # unit roundoff of float64 (twice the relative rounding error)


def _float_step_rate(ls: float, la: float, ld: float, K: int) -> float:
    """``max(s, A d^K)`` enlarged to hold for the floating-point steps as well (arguments as logs).

    The returned steps ``eta`` are floats, within a relative ``u/2`` of the exact ones, and a
    factor ``|1 - eta lam|`` then moves by at most ``u eta lam`` (plus as much again for evaluating
    it). With ``eta_plus lam <= 1 + s`` and ``eta_minus lam <= 1`` (book) or ``<= 2`` (centred) on
    the relevant cluster, the bounds become ``(s + 4u(1+s)) (1 + 4u)^K`` on the small cluster and
    ``(A + 4u(1+A)) (d + 8u)^K`` on the large one; the maximum is finally rounded up by the
    relative :data:`RATE_GUARD`. For ordinary spectra this is ``s (1 + ~1e-12)``. Evaluated in log
    space (no overflow for huge ``K``); may return a number ``>= 1`` (then no float64 schedule is proven).
    """
    s, A, d = math.exp(ls), math.exp(la), math.exp(ld)
    small = math.log(s + 4 * _U * (1 + s)) + K * math.log1p(4 * _U)
    large = math.log(A + 4 * _U * (1 + A)) + K * math.log(d + 8 * _U)
    return math.exp(min(max(small, large), 1.0)) * (1.0 + RATE_GUARD)


@dataclass(frozen=True)
class CLRParameters:
    """The theorem's cyclical schedule for a spectrum and a target accuracy.

    On the small cluster ``|P| <= s`` (``small_bound``); on the large cluster
    ``|P| <= A d^K`` (``large_amplification``, ``large_damping``); ``K`` is the least integer
    with ``A d^K <= s``. ``rate`` is the proven per-cycle factor ``max(s, A d^K) = s``, enlarged
    by a few units of roundoff so that it also bounds the factor of the floating-point steps
    ``eta_plus``, ``eta_minus`` (``(s + 4u(1+s))(1+4u)^K (1 + 1e-12)`` in the usual case, see
    ``_float_step_rate``); ``cycles`` is the least ``C`` with ``rate^C <= eps`` and
    ``iterations = cycles (K + 1)``.

    ``K_bound`` and ``iteration_bound`` are the explicit bounds of the theorem (chapter 5):
    with ``c = 1`` (book) or ``c = 1/2`` (centred),

        K <= K_bound = 1 + c kappa_l log(A / s)        (0 when A <= s),
        iterations <= iteration_bound = (K_bound + 1) ceil(c kappa_s log(1/eps)).
    """

    eta_plus: float
    eta_minus: float
    K: int
    cycles: int
    iterations: int
    rate: float
    variant: str
    small_bound: float
    large_amplification: float
    large_damping: float
    K_bound: float = math.nan
    iteration_bound: float = math.nan

    def schedule(self) -> Cyclical:
        """The schedule object (``eta_plus`` then ``K`` times ``eta_minus``, repeated)."""
        return Cyclical(self.eta_plus, self.eta_minus, self.K)


def _smallest_K(la: float, ld: float, ls: float) -> int:
    """The least integer ``K >= 0`` with ``log A + K log d <= log s`` (``log d < 0``; logs may be ``-inf``)."""
    if la <= ls:
        return 0
    if ld == -math.inf:
        return 1
    if ls == -math.inf:
        raise ValueError(
            "spectrum must have kappa_small > 1 (mu < mu1) unless kappa_large = 1: with mu = mu1 "
            "the small-cluster bound is s = 0 and no finite K gives A d^K <= s"
        )
    return least_power(ld, ls - la)


def clr_parameters(spectrum: Bimodal, eps: float, variant: str = "book") -> CLRParameters:
    """Parameters of the cyclical schedule for ``E = [mu, mu1] U [L1, L]`` and accuracy ``eps``.

    ``variant="book"`` (the scheme the paper describes -- one unstable step, then small stable ones --
    with the book's own constants, see chapter 5; the paper's constants are unknown, so the old name
    ``"paper"`` is refused with a ``ValueError`` that says so):
    ``eta_plus = 1/mu1``, ``eta_minus = 1/L``; on the small cluster
    ``|P| <= s = 1 - 1/kappa_s``; on the large one ``|P| <= A d^K`` with ``A = L/mu1 - 1`` and
    ``d = 1 - 1/kappa_l``.

    ``variant="centred"``: ``eta_plus = 2/(mu + mu1)``, ``eta_minus = 2/(L1 + L)``;
    ``s = (kappa_s - 1)/(kappa_s + 1)``, ``A = 2L/(mu + mu1) - 1``, ``d = (kappa_l - 1)/(kappa_l + 1)``.

    ``K`` is the least integer with ``A d^K <= s``; then every cycle contracts the worst-case
    error by ``rate = s`` (enlarged by a few units of roundoff to cover the floating-point
    steps) and ``cycles``, the least ``C``
    with ``rate^C <= eps``, cycles of ``K + 1`` steps reach ``eps``:
    ``max_{lam in E} |p_T(lam)| <= eps`` for ``T = iterations = cycles (K + 1)``.

    ``spectrum`` is a :class:`~clrlib.spectra.Bimodal` (or a two-interval spectrum);
    ``eps`` lies in ``(0, 1)``. Raises ``ValueError`` when ``kappa_s = 1`` and ``kappa_l > 1``
    (no finite ``K`` exists).
    """
    spectrum = as_bimodal(spectrum, "clr_parameters")
    eps = V.open_unit("eps", eps)
    mu, mu1, L1, L = spectrum.mu, spectrum.mu1, spectrum.L1, spectrum.L
    ks, kl = spectrum.kappa_small, spectrum.kappa_large
    # s, A, d and their logarithms without cancellation or overflow (kappa up to 1e300, clusters of
    # relative width 1e-16)
    if variant == "paper":
        raise ValueError("variant 'paper' is now called 'book' (the constants are the book's): "
                         "variant must be 'book' or 'centred'")
    if variant == "book":
        eta_plus, eta_minus = 1.0 / mu1, 1.0 / L
        ls = math.log1p(-mu / mu1) if mu < mu1 else -math.inf           # s = 1 - mu/mu1
        la = math.log(L - mu1) - math.log(mu1)                            # A = L/mu1 - 1
        ld = math.log1p(-L1 / L) if L1 < L else -math.inf                # d = 1 - L1/L
        c = 1.0
    elif variant == "centred":
        eta_plus, eta_minus = 2.0 / (mu + mu1), 2.0 / (L1 + L)
        ls = math.log(mu1 - mu) - math.log(mu1 + mu) if mu < mu1 else -math.inf
        la = math.log(L - 0.5 * (mu + mu1)) + math.log(2.0) - math.log(mu + mu1)   # A = 2L/(mu + mu1) - 1
        ld = math.log(L - L1) - math.log(L) - math.log1p(L1 / L) if L1 < L else -math.inf
        c = 0.5
    else:
        raise ValueError(f"variant must be 'book' or 'centred', got {variant!r}")
    with np.errstate(over="ignore"):  # reported as before; A = inf only if L/mu1 exceeds float64
        if variant == "book":
            s, A, d = 1.0 - mu / mu1, float(np.float64(L) / mu1 - 1.0), 1.0 - L1 / L
        else:
            s, A, d = (mu1 - mu) / (mu1 + mu), float(2.0 * np.float64(L) / (mu + mu1) - 1.0), (L - L1) / (L + L1)
    K = 0 if A <= s else _smallest_K(la, ld, ls)
    rate = _float_step_rate(ls, la, ld, K)
    if rate >= 1.0:
        raise ValueError(f"spectrum is too ill-conditioned for float64 (kappa_small = {ks:.6g}, kappa_large = "
                         f"{kl:.6g}): the proven per-cycle rate {rate!r} of the float steps is not below 1")
    cycles = iterations_for_rate(rate, eps)
    if K == 0:
        K_bound = 0.0
    elif ls == -math.inf:  # kappa_s = 1 and kappa_l = 1: K = 1 annihilates both clusters
        K_bound = 1.0
    else:
        K_bound = 1.0 + c * kl * (la - ls)
    iteration_bound = (K_bound + 1.0) * math.ceil(c * ks * (-math.log(eps)))
    if cycles * (K + 1) > iteration_bound:
        # the float steps' proven rate (s enlarged by roundoff, which grows like K u) needs more cycles
        # than the theorem allows: refuse rather than return a count above the theorem's bound
        raise ValueError(
            f"spectrum is too ill-conditioned for float64 (kappa_small = {ks:.6g}, kappa_large = {kl:.6g}, "
            f"K = {K}): the rounding of the float steps raises the proven rate from {s!r} to {rate!r}, "
            f"so {cycles * (K + 1)} iterations exceed the theorem's bound {iteration_bound:.6g}")
    return CLRParameters(eta_plus=eta_plus, eta_minus=eta_minus, K=K, cycles=cycles,
                         iterations=cycles * (K + 1), rate=rate, variant=variant,
                         small_bound=s, large_amplification=A, large_damping=d,
                         K_bound=K_bound, iteration_bound=iteration_bound)
