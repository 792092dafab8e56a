"""Closed-form rates, iteration counts and the parameters of the book's theorem."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _validate as V
from .schedules import Cyclical
from .spectra import Bimodal, Spectrum, as_spectrum


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


@dataclass(frozen=True)
class CLRParameters:
    """The theorem's cyclical schedule for a spectrum and a target accuracy.

    ``rate`` is the proven per-cycle factor ``max(s, A d^K)`` where, on the small cluster,
    ``|P| <= s`` and, on the large cluster, ``|P| <= A d^K`` (see :func:`clr_parameters`);
    ``cycles`` is the least ``C`` with ``rate^C <= eps`` and ``iterations = cycles (K + 1)``.
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
        raise ValueError("spectrum: no finite K exists (the small cluster is a single point and the large one is not)")
    la, ld, ls = math.log(A), math.log(d), math.log(s)
    K = max(0, math.ceil((la - ls) / -ld))
    while K > 0 and la + (K - 1) * ld <= ls:
        K -= 1
    while la + K * ld > ls:
        K += 1
    return K


def clr_parameters(spectrum: Bimodal, eps: float, variant: str = "paper") -> CLRParameters:
    """Parameters of the cyclical schedule for ``E = [mu, mu1] U [L1, L]`` and accuracy ``eps``.

    ``variant="paper"``: ``eta_plus = 1/mu1``, ``eta_minus = 1/L``; on the small cluster
    ``|P| <= s = 1 - 1/kappa_s``; on the large one ``|P| <= A d^K`` with ``A = L/mu1 - 1`` and
    ``d = 1 - 1/kappa_l``.

    ``variant="centred"``: ``eta_plus = 2/(mu + mu1)``, ``eta_minus = 2/(L1 + L)``;
    ``s = (kappa_s - 1)/(kappa_s + 1)``, ``A = 2L/(mu + mu1) - 1``, ``d = (kappa_l - 1)/(kappa_l + 1)``.

    ``K`` is the least integer with ``A d^K <= s``; then every cycle contracts the worst-case
    error by ``rate = s`` and ``cycles = ceil(log(eps)/log(s))`` cycles of ``K + 1`` steps reach ``eps``.
    """
    if not isinstance(spectrum, Bimodal):
        raise ValueError(f"spectrum must be a clrlib.Bimodal, got {type(spectrum).__name__}")
    eps = V.open_unit("eps", eps)
    mu, mu1, L1, L = spectrum.mu, spectrum.mu1, spectrum.L1, spectrum.L
    ks, kl = spectrum.kappa_small, spectrum.kappa_large
    if variant == "paper":
        eta_plus, eta_minus = 1.0 / mu1, 1.0 / L
        s, A, d = 1.0 - mu / mu1, L / mu1 - 1.0, 1.0 - L1 / L
    elif variant == "centred":
        eta_plus, eta_minus = 2.0 / (mu + mu1), 2.0 / (L1 + L)
        s, A, d = (ks - 1.0) / (ks + 1.0), 2.0 * L / (mu + mu1) - 1.0, (kl - 1.0) / (kl + 1.0)
    else:
        raise ValueError(f"variant must be 'paper' or 'centred', got {variant!r}")
    K = _smallest_K(A, d, s)
    rate = max(s, A * d**K)
    cycles = iterations_for_rate(rate, eps)
    return CLRParameters(eta_plus=eta_plus, eta_minus=eta_minus, K=K, cycles=cycles,
                         iterations=cycles * (K + 1), rate=rate, variant=variant,
                         small_bound=s, large_amplification=A, large_damping=d)
