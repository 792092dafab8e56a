"""Sympy forms shared by the proof chapters (4, 5 and 11): the theorem's constants and sign certificates.

The functions here return sympy expressions in the symbols of :func:`bimodal_symbols`
(``mu, mu1, L1, L`` positive); the cycle polynomial's own symbolic forms are written out in
chapter 4, the one chapter that uses them. Inequalities are proven with
:func:`certify_nonnegative`, a *sound* certificate: an expression in positive symbols whose
numerator and denominator, over a common denominator, are polynomials with coefficients of
one sign has that sign everywhere in the positive orthant. Domains such as
``lam in [mu, mu1]`` are parametrised so that they become positive orthants
(:func:`bimodal_parametrisation`, :func:`interval_point`).
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

__all__ = [
    "BimodalSymbols",
    "bimodal_symbols",
    "clr_constants_sym",
    "bimodal_parametrisation",
    "interval_point",
    "certify_nonnegative",
    "certify_abs_le",
]


class BimodalSymbols(NamedTuple):
    """The endpoints of ``E = [mu, mu1] U [L1, L]`` as positive symbols."""

    mu: sp.Symbol
    mu1: sp.Symbol
    L1: sp.Symbol
    L: sp.Symbol


def bimodal_symbols() -> BimodalSymbols:
    """``mu, mu1, L1, L`` as positive real symbols."""
    return BimodalSymbols(*sp.symbols("mu mu_1 L_1 L", positive=True))


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
