"""Closed-form rates, iteration counts and the parameters of the book's theorem."""

from __future__ import annotations

import math
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


def iterations_for_rate(rate: float, eps: float) -> int:
    """The smallest ``T >= 0`` with ``rate^T <= eps``: ``ceil(log(eps) / log(rate))``."""
    rate = V.real("rate", rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must lie in [0, 1), got {rate!r}")
    eps = V.open_unit("eps", eps)
    if rate == 0.0:
        return 1
    log_rate, log_eps = math.log(rate), math.log(eps)
    T = max(0, math.ceil(log_eps / log_rate))
    while T > 0 and (T - 1) * log_rate <= log_eps:
        T -= 1
    while T * log_rate > log_eps:
        T += 1
    return T


def gd_iterations(kappa: float, eps: float) -> int:
    """Steps GD with ``eta* = 2/(mu+L)`` needs for ``((kappa-1)/(kappa+1))^T <= eps``."""
    kappa = V.positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    eps = V.open_unit("eps", eps)
    if kappa == 1:
        return 1
    # log((kappa-1)/(kappa+1)) = log1p(-2/(kappa+1)), accurate for huge kappa
    log_rate = math.log1p(-2.0 / (kappa + 1.0))
    T = max(0, math.ceil(math.log(eps) / log_rate))
    while T > 0 and (T - 1) * log_rate <= math.log(eps):
        T -= 1
    while T * log_rate > math.log(eps):
        T += 1
    return T


#: Relative amount by which :attr:`CLRParameters.rate` is rounded up, so that the float is an upper
#: bound on the exact per-cycle factor despite rounding in ``s``, ``A d^K`` and the logarithms.
RATE_GUARD: float = 1e-12

_U = 2.0**-52  # unit roundoff of float64 (twice the relative rounding error)


def _float_step_rate(s: float, A: float, d: float, K: int) -> float:
    """``max(s, A d^K)`` enlarged to hold for the floating-point steps as well.

    The returned steps ``eta`` are floats, within a relative ``u/2`` of the exact ones, and a
    factor ``|1 - eta lam|`` then moves by at most ``u eta lam`` (plus as much again for evaluating
    it). With ``eta_plus lam <= 1 + s`` and ``eta_minus lam <= 1`` (book) or ``<= 2`` (centred) on
    the relevant cluster, the bounds become ``(s + 4u(1+s)) (1 + 4u)^K`` on the small cluster and
    ``(A + 4u(1+A)) (d + 8u)^K`` on the large one; the maximum is finally rounded up by the
    relative :data:`RATE_GUARD`. For ordinary spectra this is ``s (1 + ~1e-12)``.
    """
    small = (s + 4 * _U * (1 + s)) * (1 + 4 * _U) ** K
    large = (A + 4 * _U * (1 + A)) * (d + 8 * _U) ** K
    return max(small, large) * (1.0 + RATE_GUARD)


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


def _smallest_K(A: float, d: float, s: float) -> int:
    """The least integer ``K >= 0`` with ``A d^K <= s`` (``A > 0``, ``0 <= d < 1``, ``0 <= s < 1``)."""
    if A <= s:
        return 0
    if d == 0.0:
        return 1
    if s == 0.0:
        raise ValueError(
            "spectrum must have kappa_small > 1 (mu < mu1) unless kappa_large = 1: with mu = mu1 "
            "the small-cluster bound is s = 0 and no finite K gives A d^K <= s"
        )
    la, ld, ls = math.log(A), math.log(d), math.log(s)
    K = max(0, math.ceil((la - ls) / -ld))
    while K > 0 and la + (K - 1) * ld <= ls:
        K -= 1
    while la + K * ld > ls:
        K += 1
    return K


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
    if variant == "paper":
        raise ValueError("variant 'paper' is now called 'book' (the constants are the book's): "
                         "variant must be 'book' or 'centred'")
    if variant == "book":
        eta_plus, eta_minus = 1.0 / mu1, 1.0 / L
        s, A, d = 1.0 - mu / mu1, L / mu1 - 1.0, 1.0 - L1 / L
        c = 1.0
    elif variant == "centred":
        eta_plus, eta_minus = 2.0 / (mu + mu1), 2.0 / (L1 + L)
        s, A, d = (mu1 - mu) / (mu1 + mu), 2.0 * L / (mu + mu1) - 1.0, (L - L1) / (L + L1)
        c = 0.5
    else:
        raise ValueError(f"variant must be 'book' or 'centred', got {variant!r}")
    K = _smallest_K(A, d, s)
    rate = _float_step_rate(s, A, d, K)
    if rate >= 1.0:
        raise ValueError(f"spectrum is too ill-conditioned for float64: the proven rate {rate!r} is not below 1")
    cycles = iterations_for_rate(rate, eps)
    if A <= s:
        K_bound = 0.0
    elif s == 0.0:  # kappa_s = 1 and kappa_l = 1: K = 1 annihilates both clusters
        K_bound = 1.0
    else:
        K_bound = 1.0 + c * kl * math.log(A / s)
    iteration_bound = (K_bound + 1.0) * math.ceil(c * ks * math.log(1.0 / eps))
    return CLRParameters(eta_plus=eta_plus, eta_minus=eta_minus, K=K, cycles=cycles,
                         iterations=cycles * (K + 1), rate=rate, variant=variant,
                         small_bound=s, large_amplification=A, large_damping=d,
                         K_bound=K_bound, iteration_bound=iteration_bound)
