"""One registry of methods: :data:`METHODS` maps a method's name to its :class:`Method`.

Each entry holds everything the book needs to know about a method in one place: its label and its
colour in figures (a colour means that method everywhere), what it needs to know about the
spectrum (``"interval"``: only ``mu = min E`` and ``L = max E``; ``"clusters"``: the two clusters of
a :class:`~clrlib.spectra.Bimodal`), and how its worst case and its count are computed:

- ``log_worst_case(spectrum, T, eps)``: ``log W_T``, ``W_T = sup_{lam in E} |r_T(lam)|`` the exact
  worst-case error after ``T`` steps (``None`` where no closed form per ``T`` exists); ``eps`` fixes
  the parameters of methods tuned for an accuracy (the cyclical schedules);
- ``count(spectrum, eps)``: the least ``T`` with ``W_T <= eps`` (``None`` for methods without a
  residual polynomial independent of the start, e.g. conjugate gradient, or without a closed form);
- ``monotone``: ``W_T`` is non-increasing in ``T``, so ``count - 1`` steps do not reach ``eps``.

:func:`iterations` and :func:`log_worst_case` read the registry; so do :func:`clrlib.style.color`
and the chapters' labels. **Adding a method is one call**::

    clrlib.register(clrlib.Method("silver", label="silver steps", color="#6A3D9A",
                                  needs="interval", count=my_count, log_worst_case=my_log_wc))

(or, inside clrlib, one entry in the tuple at the bottom of this module).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from . import _validate as V
from .baselines import log_chebyshev_worst_case, log_heavy_ball_worst_case
from .counts import (
    clr_best_parameters,
    cyclical_iterations,
    log_cyclical_worst_case,
)
from .optimal import best_schedule, cheb_per_cluster, clr_momentum, cyclical_heavy_ball, minimax, minimax_iterations
from .polynomials import log_sup_residual
from .spectra import Spectrum, as_bimodal, as_spectrum
from .theory import clr_parameters, first_true, gd_iterations

__all__ = ["Method", "METHODS", "register", "iterations", "log_worst_case"]

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Method:
    """A method of the book: name, label, colour, what it needs, and how its worst case and count are computed.

    ``needs`` is ``"interval"`` or ``"clusters"``; ``count(spectrum, eps) -> int`` and
    ``log_worst_case(spectrum, T, eps) -> float`` may be ``None`` (see :attr:`has_count`);
    ``monotone`` says ``W_T`` is non-increasing in ``T``; ``note`` says in words how the count is made.
    """

    name: str
    label: str
    color: str
    needs: str
    count: Callable[[Spectrum, float], int] | None = None
    log_worst_case: Callable[[Spectrum, int, float], float] | None = None
    monotone: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be an identifier string, got {self.name!r}")
        if not isinstance(self.label, str) or not self.label:
            raise ValueError(f"label must be a non-empty string, got {self.label!r}")
        if not isinstance(self.color, str) or not _HEX.match(self.color):
            raise ValueError(f"color must be a hex colour '#RRGGBB', got {self.color!r}")
        if self.needs not in ("interval", "clusters"):
            raise ValueError(f"needs must be 'interval' or 'clusters', got {self.needs!r}")
        for field in ("count", "log_worst_case"):
            f = getattr(self, field)
            if f is not None and not callable(f):
                raise ValueError(f"{field} must be callable or None, got {f!r}")

    @property
    def has_count(self) -> bool:
        """True when :func:`iterations` can count this method (it has a closed-form or exact count)."""
        return self.count is not None


#: Every method of the book, by name (insertion order is the order of tables and legends).
METHODS: dict[str, Method] = {}


def register(method: Method, *, replace: bool = False) -> Method:
    """Add ``method`` to :data:`METHODS` (``ValueError`` if the name is taken, unless ``replace``).

    Its colour must differ from every other method's colour (a colour means one method).
    """
    if not isinstance(method, Method):
        raise TypeError(f"method must be a clrlib.Method, got {type(method).__name__}")
    if method.name in METHODS and not replace:
        raise ValueError(f"method name {method.name!r} is already registered (pass replace=True)")
    clash = [m.name for m in METHODS.values() if m.name != method.name and m.color.lower() == method.color.lower()]
    if clash:
        raise ValueError(f"color {method.color!r} is already the colour of {clash[0]!r}")
    METHODS[method.name] = method
    return method


def _get(name: str) -> Method:
    if not isinstance(name, str) or name not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {name!r}")
    return METHODS[name]


def iterations(method: str, spectrum: Spectrum, eps: float) -> int:
    """The least ``T`` with worst-case error ``W_T = sup_{lam in E} |r_T(lam)| <= eps`` (exact).

    ``method`` is a key of :data:`METHODS` whose entry has a count (``Method.has_count``);
    ``eps`` in ``(0, 1)``. Work is bounded: a count beyond ``clrlib.counts.MAX_COUNT`` steps
    is refused with ``ValueError``.
    """
    m = _get(method)
    if m.count is None:
        raise ValueError(f"method {method!r} has no count (Method.has_count is False); "
                         f"method must be one of {[k for k, v in METHODS.items() if v.has_count]}")
    spec = as_spectrum(spectrum)
    eps = V.open_unit("eps", eps)
    return int(m.count(spec, eps))


def log_worst_case(method: str, spectrum: Spectrum, T: int, eps: float = 1e-6) -> float:
    """``log W_T`` for ``method`` after ``T`` steps; ``eps`` fixes the parameters of the cyclical schedules."""
    m = _get(method)
    if m.log_worst_case is None:
        raise ValueError(f"method {method!r} has no worst case per T; method must be one of "
                         f"{[k for k, v in METHODS.items() if v.log_worst_case is not None]}")
    spec = as_spectrum(spectrum)
    T = V.count("T", T, 0)
    eps = V.open_unit("eps", eps)
    return float(m.log_worst_case(spec, T, eps))


# ----------------------------------------------------------------------------- the entries

def _first_T(log_w: Callable[[int], float], log_eps: float, hi: int) -> int:
    """Least ``T`` in ``[1, hi']`` with ``log_w(T) <= log_eps`` for an up-set ``{T : log_w(T) <= log_eps}``."""
    while log_w(hi) > log_eps:
        if hi > 2**1100:  # pragma: no cover - W_T is decreasing; this only guards against a bad entry
            raise ValueError("the count exceeds 2**1100 steps (budget)")
        hi *= 2
    return first_true(lambda T: log_w(T) <= log_eps, 0, hi)


def _gd_log(spec: Spectrum, T: int, eps: float) -> float:
    kappa = spec.kappa
    if kappa == 1.0:
        return 0.0 if T == 0 else -math.inf
    return T * math.log1p(-2.0 / (kappa + 1.0))


def _cheb_count(spec: Spectrum, eps: float) -> int:
    kappa = spec.kappa
    if kappa == 1.0:
        return 1
    guess = max(1, int((math.log(2.0) - math.log(eps)) * math.sqrt(kappa) / 2.0) + 1)  # acosh(1/eps) <= log(2/eps)
    return _first_T(lambda T: log_chebyshev_worst_case(kappa, T), math.log(eps), guess)


def _hb_count(spec: Spectrum, eps: float) -> int:
    """Heavy ball's ``W_T`` first rises (a transient hump, ``W_T >= 1 > eps`` there) then decreases:
    ``{T : W_T <= eps}`` is an up-set, found by bisection."""
    kappa = spec.kappa
    if kappa == 1.0:
        return 1
    guess = max(1, int(2.0 * math.sqrt(kappa) * (-math.log(eps) + 10.0)))
    return _first_T(lambda T: log_heavy_ball_worst_case(kappa, T), math.log(eps), guess)


def _clr_triple(name: str, spec, eps: float) -> tuple[float, float, int]:
    spec = as_bimodal(spec, name)
    if name == "clr_best":
        b = clr_best_parameters(spec, eps)
        return b.eta_plus, b.eta_minus, b.K
    p = clr_parameters(spec, eps, "book" if name == "clr" else "centred")
    return p.eta_plus, p.eta_minus, p.K


def _clr_log(name: str):
    return lambda spec, T, eps: float(log_cyclical_worst_case(*_clr_triple(name, spec, eps), as_bimodal(spec, name), T))


def _clr_count(name: str):
    def count(spec, eps: float) -> int:
        spec = as_bimodal(spec, name)
        if name == "clr_best":
            return clr_best_parameters(spec, eps).iterations
        return cyclical_iterations(*_clr_triple(name, spec, eps), spec, eps)
    return count


def _minimax_log(spec: Spectrum, T: int, eps: float) -> float:
    if T == 0:
        return 0.0
    M = minimax(spec, T)
    return math.log(M.sup) if M.sup > 0.0 else log_sup_residual(M.steps, spec)  # the sup may underflow


for _m in (
    Method("gd", "gradient descent", "#0072B2", "interval",
           count=lambda spec, eps: gd_iterations(spec.kappa, eps), log_worst_case=_gd_log, monotone=True,
           note="constant step 2/(mu + L): W_T = ((kappa - 1)/(kappa + 1))^T"),
    Method("chebyshev", "Chebyshev", "#E69F00", "interval", count=_cheb_count,
           log_worst_case=lambda spec, T, eps: log_chebyshev_worst_case(spec.kappa, T), monotone=True,
           note="W_T = 1/T_T((kappa + 1)/(kappa - 1)), bisection"),
    Method("heavy_ball", "heavy ball", "#009E73", "interval", count=_hb_count,
           log_worst_case=lambda spec, T, eps: log_heavy_ball_worst_case(spec.kappa, T), monotone=False,
           note="Polyak's parameters: W_T = rho^T (1 + T (1 + rho)), up-set bisection"),
    Method("nesterov", "Nesterov", "#56B4E9", "interval",
           note="no closed-form worst case: figures only (label and colour)"),
    Method("cg", "conjugate gradient", "#CC79A7", "interval",
           note="no residual polynomial independent of e_0: measured on sampled problems only"),
    Method("clr", "CLR (book constants)", "#D55E00", "clusters", count=_clr_count("clr"),
           log_worst_case=_clr_log("clr"), monotone=False,
           note="clr_parameters(variant='book'); exact count by cyclical_iterations"),
    Method("clr_centred", "CLR (centred)", "#F0A070", "clusters", count=_clr_count("clr_centred"),
           log_worst_case=_clr_log("clr_centred"), monotone=False,
           note="clr_parameters(variant='centred'); exact count by cyclical_iterations"),
    Method("clr_best", "CLR (best on a grid)", "#8C2D04", "clusters", count=_clr_count("clr_best"),
           log_worst_case=_clr_log("clr_best"), monotone=False,
           note="clr_best_parameters: least exact count over a grid of (eta_plus, eta_minus, K)"),
    Method("minimax", "minimax polynomial", "#000000", "clusters", count=minimax_iterations,
           log_worst_case=_minimax_log, monotone=True,
           note="least degree whose minimax polynomial on E reaches eps (Remez); E may be one or two intervals"),
    Method("cheb_per_cluster", "Chebyshev per cluster", "#A6761D", "clusters",
           count=lambda spec, eps: cheb_per_cluster(spec, eps).iterations,
           note="fewest k + m over per-cluster Chebyshev nodes"),
    Method("clr_momentum", "CLR with momentum", "#7F3C8D", "clusters",
           count=lambda spec, eps: clr_momentum(spec, eps).iterations,
           note="Chebyshev momentum across cycles, whole cycles"),
    Method("cyclical_heavy_ball", "cyclical heavy ball", "#005F46", "clusters",
           count=lambda spec, eps: cyclical_heavy_ball(spec, eps).iterations,
           note="two-interval polynomial of Goujaud et al. (2022), whole cycles of two steps"),
    Method("best_schedule", "minimax steps, Leja order", "#66A61E", "clusters",
           count=lambda spec, eps: len(best_schedule(spec, eps)),
           note="best_schedule: the minimax polynomial's reciprocal roots, up to 10 % more steps for a margin"),
):
    register(_m)
del _m
