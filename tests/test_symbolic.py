"""Tests of clrlib.symbolic: the theorem's constants and the sign certificates (the cycle polynomial's
symbolic forms are chapter 4's, asserted there)."""

from __future__ import annotations

import pytest
import sympy as sp

import clrlib
from clrlib.symbolic import (
    bimodal_parametrisation,
    bimodal_symbols,
    certify_abs_le,
    certify_nonnegative,
    clr_constants_sym,
    interval_point,
)


def test_exported():
    assert clrlib.clr_constants_sym is clr_constants_sym
    assert clrlib.certify_nonnegative is certify_nonnegative


def test_certificates_are_sound_on_simple_cases():
    x, y = sp.symbols("x y", positive=True)
    assert certify_nonnegative(x * y + x**2)
    assert certify_nonnegative((x + 1) / (y + 2))
    assert certify_nonnegative(sp.Integer(0))
    assert not certify_nonnegative(x - y)
    assert not certify_nonnegative(-x)
    z = sp.Symbol("z")  # not declared positive: no certificate
    assert not certify_nonnegative(z**2 + 1)
    assert certify_abs_le(x / (x + y), sp.Integer(1))
    assert not certify_abs_le(x, y)


@pytest.mark.parametrize("variant", ["book", "centred"])
def test_factor_bounds(variant):
    b = bimodal_symbols()
    sub, _ = bimodal_parametrisation()
    k = clr_constants_sym(variant)
    small, _ = interval_point(b.mu, b.mu1)
    large, _ = interval_point(b.L1, b.L)
    fp = lambda lam: (1 - k["eta_plus"] * lam).subs(sub)  # noqa: E731
    fm = lambda lam: (1 - k["eta_minus"] * lam).subs(sub)  # noqa: E731
    assert certify_abs_le(fp(small), k["s"].subs(sub))
    assert certify_nonnegative(fm(small)) and certify_nonnegative(1 - fm(small))
    assert certify_abs_le(fp(large), k["A"].subs(sub))
    assert certify_abs_le(fm(large), k["d"].subs(sub))
    # the large step really is unstable on the large cluster: 1 - eta_plus lam < -1 is possible
    assert not certify_nonnegative(fp(large))


def test_bad_input():
    with pytest.raises(ValueError, match="variant"):
        clr_constants_sym("other")


def test_certificates_refuse_floats():
    x, y = sp.symbols("x y", positive=True)
    # false (-1e-17 x < 0); with 30 digits the Float survives construction and is refused
    false_claim = x - (1 + sp.Float("1e-17", 30)) * x
    with pytest.raises(ValueError, match="expr"):
        certify_nonnegative(false_claim)
    with pytest.raises(ValueError, match="expr"):
        certify_nonnegative(x - sp.Float("0.99999999999999999", 30) * x)
    # at the default 15 digits sympy itself rounds 1 + 1e-17 to 1.0 and x - 1.0 x to the exact Zero
    # while *building* the expression: the function receives 0, and no function can see the Float
    # (documented in the docstring: build statements from Rationals)
    assert x - (1 + sp.Float("1e-17")) * x is sp.S.Zero
    with pytest.raises(ValueError, match="expr"):
        certify_nonnegative(0.5 * x)                      # a Python float becomes a sympy Float
    with pytest.raises(ValueError, match="expr"):
        certify_nonnegative(sp.Float(1.0))
    with pytest.raises(ValueError, match="x"):
        certify_abs_le(sp.Float("0.5") * x / (x + y), sp.Integer(1))
    with pytest.raises(ValueError, match="c"):
        certify_abs_le(x / (x + y), sp.Float(1.0))
    # the exact version of the false claim gets no certificate, the exact true ones do
    assert not certify_nonnegative(x - (1 + sp.Rational(1, 10**17)) * x)
    assert certify_nonnegative((1 + sp.Rational(1, 10**17)) * x - x)
    assert certify_abs_le(sp.Rational(1, 2) * x / (x + y), sp.Integer(1))
