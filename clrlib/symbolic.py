"""Sympy forms of the cycle polynomial and sign certificates used by the proof chapters.

One cycle of the cyclical schedule (one step ``eta_plus``, then ``K`` steps ``eta_minus``)
multiplies the error by the *cycle polynomial*

    P(lam) = (1 - eta_plus lam) (1 - eta_minus lam)^K.

The functions here return sympy expressions in the symbols of :func:`cycle_symbols`
(``lam, eta_plus, eta_minus`` positive, ``K`` a nonnegative integer) and of
:func:`bimodal_symbols` (``mu, mu1, L1, L`` positive). Inequalities are proven with
:func:`certify_nonnegative`, a *sound* certificate: an expression in positive symbols whose
numerator and denominator, over a common denominator, are polynomials with coefficients of
one sign has that sign everywhere in the positive orthant. Domains such as
``lam in [mu, mu1]`` are parametrised so that they become positive orthants
(:func:`bimodal_parametrisation`, :func:`interval_point`).
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

from . import _validate as V

__all__ = [
    "CycleSymbols",
    "BimodalSymbols",
    "cycle_symbols",
    "bimodal_symbols",
    "cycle_polynomial_sym",
    "cycle_coefficient_sym",
    "cycle_derivative_factor_sym",
    "cycle_critical_point_sym",
    "clr_constants_sym",
    "bimodal_parametrisation",
    "interval_point",
    "certify_nonnegative",
    "certify_abs_le",
]


class CycleSymbols(NamedTuple):
    """The symbols of the cycle polynomial: ``lam``, ``eta_plus``, ``eta_minus`` (positive), ``K``."""

    lam: sp.Symbol
    eta_plus: sp.Symbol
    eta_minus: sp.Symbol
    K: sp.Symbol


class BimodalSymbols(NamedTuple):
    """The endpoints of ``E = [mu, mu1] U [L1, L]`` as positive symbols."""

    mu: sp.Symbol
    mu1: sp.Symbol
    L1: sp.Symbol
    L: sp.Symbol


def cycle_symbols() -> CycleSymbols:
    """``lam, eta_plus, eta_minus`` (positive reals) and ``K`` (a nonnegative integer)."""
    lam, ep, em = sp.symbols("lambda eta_plus eta_minus", positive=True)
    K = sp.Symbol("K", integer=True, nonnegative=True)
    return CycleSymbols(lam, ep, em, K)


def bimodal_symbols() -> BimodalSymbols:
    """``mu, mu1, L1, L`` as positive real symbols."""
    return BimodalSymbols(*sp.symbols("mu mu_1 L_1 L", positive=True))


def _K_or_symbol(K: int | sp.Expr | None) -> sp.Expr:
    if K is None:
        return cycle_symbols().K
    if isinstance(K, sp.Expr):
        return K
    return sp.Integer(V.count("K", K, 0))


def cycle_polynomial_sym(K: int | sp.Expr | None = None) -> sp.Expr:
    """``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K`` (``K`` symbolic when ``None``)."""
    s = cycle_symbols()
    return (1 - s.eta_plus * s.lam) * (1 - s.eta_minus * s.lam) ** _K_or_symbol(K)


def cycle_coefficient_sym(j: int | sp.Expr, K: int | sp.Expr | None = None) -> sp.Expr:
    """The coefficient of ``lam^j`` in ``P`` by the binomial theorem:

        c_j = (-1)^j [ C(K, j) eta_minus^j + eta_plus C(K, j-1) eta_minus^(j-1) ],

    with ``C(K, -1) = 0`` (so ``c_0 = 1``) and ``C(K, K+1) = 0`` (so ``c_{K+1} = (-1)^(K+1) eta_plus eta_minus^K``).
    """
    s = cycle_symbols()
    KK = _K_or_symbol(K)
    jj = j if isinstance(j, sp.Expr) else sp.Integer(V.count("j", j, 0))
    first = sp.binomial(KK, jj) * s.eta_minus ** jj
    second = s.eta_plus * sp.binomial(KK, jj - 1) * s.eta_minus ** (jj - 1) if jj != 0 else sp.Integer(0)
    return (-1) ** jj * (first + second)


def cycle_derivative_factor_sym() -> sp.Expr:
    """``Q(lam) = P'(lam) / (1 - eta_minus lam)^(K-1)`` for symbolic ``K``, a polynomial of degree 1 in ``lam``.

    ``P'(lam) = -(1 - eta_minus lam)^(K-1) [eta_plus (1 - eta_minus lam) + K eta_minus (1 - eta_plus lam)]``,
    so ``Q = (K+1) eta_plus eta_minus lam - eta_plus - K eta_minus``.
    """
    s = cycle_symbols()
    P = cycle_polynomial_sym()
    q = sp.diff(P, s.lam) / (1 - s.eta_minus * s.lam) ** (s.K - 1)
    return sp.expand(sp.powsimp(sp.expand(q), force=True))


def cycle_critical_point_sym() -> sp.Expr:
    """``lam* = (eta_plus + K eta_minus) / ((K + 1) eta_plus eta_minus)``, the zero of :func:`cycle_derivative_factor_sym`.

    Derived with ``sympy.solve``: besides the root ``1/eta_minus`` of ``P`` (a critical point
    only for ``K >= 2``, where ``|P| = 0``), it is the only zero of ``P'``.
    """
    s = cycle_symbols()
    sols = sp.solve(cycle_derivative_factor_sym(), s.lam)
    if len(sols) != 1:  # pragma: no cover - sympy contract
        raise RuntimeError(f"expected one critical point, sympy found {sols!r}")
    return sp.simplify(sols[0])


def clr_constants_sym(variant: str = "book") -> dict[str, sp.Expr]:
    """The schedule's steps and the bounds of the theorem as expressions in ``mu, mu1, L1, L``.

    ``book`` (the book's constants, as in :func:`clrlib.theory.clr_parameters`): ``eta_plus = 1/mu1``, ``eta_minus = 1/L``, ``s = 1 - mu/mu1``, ``A = L/mu1 - 1``,
    ``d = 1 - L1/L``. ``centred``: ``eta_plus = 2/(mu+mu1)``, ``eta_minus = 2/(L1+L)``,
    ``s = (mu1-mu)/(mu1+mu)``, ``A = 2L/(mu+mu1) - 1``, ``d = (L-L1)/(L+L1)``.
    On the small cluster ``|1 - eta_plus lam| <= s`` and ``0 <= 1 - eta_minus lam <= 1``; on the
    large cluster ``|1 - eta_plus lam| <= A`` and ``|1 - eta_minus lam| <= d``.
    Returns a dict with keys ``eta_plus, eta_minus, s, A, d``.
    """
    b = bimodal_symbols()
    if variant == "paper":
        raise ValueError("variant 'paper' is now called 'book' (the constants are the book's); "
                         "variant must be 'book' or 'centred'")
    if variant == "book":
        return {"eta_plus": 1 / b.mu1, "eta_minus": 1 / b.L, "s": 1 - b.mu / b.mu1,
                "A": b.L / b.mu1 - 1, "d": 1 - b.L1 / b.L}
    if variant == "centred":
        return {"eta_plus": 2 / (b.mu + b.mu1), "eta_minus": 2 / (b.L1 + b.L),
                "s": (b.mu1 - b.mu) / (b.mu1 + b.mu), "A": 2 * b.L / (b.mu + b.mu1) - 1,
                "d": (b.L - b.L1) / (b.L + b.L1)}
    raise ValueError(f"variant must be 'book' or 'centred', got {variant!r}")


def bimodal_parametrisation() -> tuple[dict[sp.Symbol, sp.Expr], tuple[sp.Symbol, ...]]:
    """Substitution making ``0 < mu < mu1 < L1 < L`` a positive orthant.

    ``mu = m``, ``mu1 = m + g1``, ``L1 = m + g1 + g2``, ``L = m + g1 + g2 + g3`` with
    ``m, g1, g2, g3 > 0``. Returns ``(substitution dict, (m, g1, g2, g3))``.
    """
    b = bimodal_symbols()
    m, g1, g2, g3 = sp.symbols("m g_1 g_2 g_3", positive=True)
    sub = {b.mu: m, b.mu1: m + g1, b.L1: m + g1 + g2, b.L: m + g1 + g2 + g3}
    return sub, (m, g1, g2, g3)


def interval_point(lo: sp.Expr, hi: sp.Expr) -> tuple[sp.Expr, tuple[sp.Symbol, sp.Symbol]]:
    """A point of the open interval ``(lo, hi)``: ``lam = (p lo + q hi)/(p + q)`` with ``p, q > 0``.

    ``t = q/(p+q)`` runs over ``(0, 1)``, so ``lam = lo + t (hi - lo)``. Returns ``(lam, (p, q))``.
    """
    p, q = sp.symbols("p q", positive=True)
    return (p * lo + q * hi) / (p + q), (p, q)


def _poly_sign(expr: sp.Expr, gens: tuple[sp.Symbol, ...]) -> int | None:
    """+1 / -1 if the polynomial ``expr`` has all coefficients >= 0 / <= 0 (and is nonzero), 0 if zero."""
    expr = sp.expand(expr)
    if expr == 0:
        return 0
    coeffs = sp.Poly(expr, *gens).coeffs() if gens else [expr]
    if not all(c.is_number and c.is_real for c in coeffs):
        return None
    if all(c >= 0 for c in coeffs):
        return 1
    if all(c <= 0 for c in coeffs):
        return -1
    return None


def _exact(name: str, expr: object) -> sp.Expr:
    """``sympify(expr)``, refused with ``ValueError`` if it is not a sympy expression or an integer, or if it
    contains a floating-point number."""
    if isinstance(expr, bool) or not isinstance(expr, (sp.Basic, int)):
        raise ValueError(f"{name} must be an exact sympy expression (or an int), got {type(expr).__name__} "
                         f"{expr!r:.80}")
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr):
        raise ValueError(f"{name} must be an exact sympy expression (or an int), got {expr!r:.80}")
    floats = expr.atoms(sp.Float)
    if floats:
        raise ValueError(
            f"{name} must be exact (integers, sympy Rationals and symbols), got an expression with the "
            f"floating-point number(s) {sorted(floats)!r}: write e.g. sp.Rational(1, 10) instead of 0.1"
        )
    return expr


def certify_nonnegative(expr: sp.Expr) -> bool:
    """True only if ``expr >= 0`` is *proven* for all positive values of its free symbols.

    ``expr`` is brought over a common denominator ``N/D`` (``sympy.cancel``); it is certified
    when ``N`` and ``D`` are polynomials in the free symbols, every free symbol is declared
    positive, ``D`` has coefficients of one sign (so it has that sign and is never zero) and
    ``N`` is zero or has coefficients of the same sign as ``D``. ``False`` means "no
    certificate found", not "negative". If the certificate holds and ``expr`` is not
    identically zero, then ``N`` is a nonzero polynomial with coefficients of one sign, so
    ``expr > 0`` *strictly* on the positive orthant.

    Only exact expressions are accepted: an ``expr`` that contains a sympy ``Float`` (or a
    Python float, which ``sympify`` turns into one) raises ``ValueError``. Floats make the
    arithmetic inexact, and ``cancel`` can then certify false statements such as
    ``x - (1 + Float("1e-17", 30)) * x >= 0`` (``cancel`` works in floating point); use
    ``sympy.Rational`` instead. The refusal sees only the expression it is given: at the default
    15 digits sympy rounds ``1 + Float("1e-17")`` to ``1.0`` and ``x - 1.0*x`` to the exact
    ``Zero`` while *building* the expression, before any function is called, so a statement must
    be written with Rationals from the start.
    """
    expr = _exact("expr", expr)
    gens = tuple(sorted(expr.free_symbols, key=lambda x: x.name))
    if not all(g.is_positive for g in gens):
        return False
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    try:
        sd = _poly_sign(den, gens)
        sn = _poly_sign(num, gens)
    except sp.PolynomialError:
        return False
    if sd is None or sd == 0 or sn is None:
        return False
    return sn == 0 or sn == sd


def certify_abs_le(x: sp.Expr, c: sp.Expr) -> bool:
    """True only if ``|x| <= c`` is proven, i.e. both ``c - x >= 0`` and ``c + x >= 0`` are certified.

    Like :func:`certify_nonnegative`, refuses inexact input: ``x`` or ``c`` containing a sympy
    ``Float`` (or a Python float) raises ``ValueError`` naming the argument.
    """
    x = _exact("x", x)
    c = _exact("c", c)
    return certify_nonnegative(c - x) and certify_nonnegative(c + x)
