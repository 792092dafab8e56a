"""Tests of clrlib.theory: GD's closed forms and the parameters of the book's theorem."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib
from clrlib.theory import RATE_GUARD


def exact_sup(p, spec) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return clrlib.sup_residual(p.schedule().steps(p.iterations), spec)


# --- gradient descent ---------------------------------------------------------------------

def test_gd_closed_forms():
    assert clrlib.gd_rate(3.0) == 0.5
    assert clrlib.gd_step(clrlib.Interval(1.0, 3.0)) == 0.5
    T = clrlib.gd_iterations(3.0, 1e-3)
    assert 0.5**T <= 1e-3 < 0.5 ** (T - 1)
    assert clrlib.iterations_for_rate(0.5, 0.25) == 2
    assert clrlib.iterations_for_rate(0.0, 0.5) == 1


@pytest.mark.parametrize("fn, args, name", [
    (clrlib.gd_rate, (0.5,), "kappa"),
    (clrlib.gd_iterations, (10.0, 1.5), "eps"),
    (clrlib.iterations_for_rate, (1.0, 0.1), "rate"),
])
def test_gd_bad_input(fn, args, name):
    with pytest.raises(ValueError, match=name):
        fn(*args)


# --- the theorem's parameters -------------------------------------------------------------

def check(spec: clrlib.Bimodal, eps: float, variant: str) -> clrlib.CLRParameters:
    p = clrlib.clr_parameters(spec, eps, variant)
    s, A, d, K = p.small_bound, p.large_amplification, p.large_damping, p.K
    # the rule: K is the least integer with A d^K <= s
    assert A * d**K <= s * (1 + 1e-12)
    if K > 0:
        assert A * d ** (K - 1) > s * (1 - 1e-12)
    # the proven rate bounds the true per-cycle factor
    cf = clrlib.cycle_factor(p.eta_plus, p.eta_minus, K, spec)
    assert cf <= p.rate
    # ... and exceeds the exact-arithmetic bound max(s, A d^K) = s only by the rounding of the float steps
    assert s <= p.rate <= max(s * (1 + 2 * RATE_GUARD) + 1e-14 * (1 + K),
                              (A + 1e-15 * (1 + A)) * (d + 2e-15) ** K * (1 + 2 * RATE_GUARD))
    # cycles: least C with rate^C <= eps; the schedule reaches eps, exactly
    assert p.rate**p.cycles <= eps * (1 + 1e-12)
    assert p.iterations == p.cycles * (K + 1)
    assert exact_sup(p, spec) <= eps
    # the explicit bounds of the theorem
    assert K <= p.K_bound
    assert p.iterations <= p.iteration_bound
    return p


def test_paper_values():
    spec = clrlib.Bimodal(1.0, 2.0, 100.0, 200.0)
    p = check(spec, 1e-6, "book")
    assert (p.eta_plus, p.eta_minus) == (0.5, 1 / 200)
    assert p.small_bound == 0.5 and p.large_amplification == 99.0 and p.large_damping == 0.5
    # 99 / 2^K <= 1/2  <=>  2^K >= 198  <=>  K = 8
    assert p.K == 8
    assert p.cycles == 20  # 2^-20 <= 1e-6 < 2^-19
    assert p.iterations == 180


def test_centred_values():
    spec = clrlib.Bimodal(1.0, 3.0, 100.0, 300.0)
    p = check(spec, 1e-3, "centred")
    assert p.eta_plus == 0.5 and p.eta_minus == 2 / 400
    assert p.small_bound == 0.5 and p.large_amplification == 149.0 and p.large_damping == 0.5
    assert p.K == 9  # 149/2^9 < 1/2 <= 149/2^8
    assert p.cycles == 10


def test_K_zero_and_tie():
    # L/mu1 - 1 <= 1 - mu/mu1: no small steps needed; here A = s exactly (a tie)
    spec = clrlib.Bimodal(1.0, 4.0, 5.0, 7.0)
    p = check(spec, 1e-4, "book")
    assert p.K == 0 and p.large_amplification == p.small_bound == 0.75


def test_kappa_large_one():
    spec = clrlib.Bimodal(1.0, 2.0, 50.0, 50.0)
    p = check(spec, 1e-5, "book")
    assert p.large_damping == 0.0 and p.K == 1


def test_kappa_small_one():
    # a point small cluster with a genuine large cluster: no finite K
    with pytest.raises(ValueError, match="spectrum"):
        clrlib.clr_parameters(clrlib.Bimodal(1.0, 1.0, 50.0, 100.0), 1e-3)
    # both clusters points: one cycle of two steps annihilates both
    p = clrlib.clr_parameters(clrlib.Bimodal(1.0, 1.0, 50.0, 50.0), 1e-3)
    assert p.K == 1 and p.rate <= 1e-12 and p.iterations == 2
    assert exact_sup(p, clrlib.Bimodal(1.0, 1.0, 50.0, 50.0)) == 0.0


def test_rate_covers_rounded_steps_when_kappa_small_near_one():
    # s = (ks-1)/(ks+1) ~ 1e-5: the float eta_plus moves |1 - eta_plus lam| by ~1e-16, i.e. 1e-11 relative
    spec = clrlib.Bimodal.from_ratios(1946188081675.1558, 1.0000220521369627, 1.0)
    check(spec, 2.4163100500063704e-07, "centred")
    spec = clrlib.Bimodal.from_ratios(1e6, 1.0 + 1e-9, 3.0)
    for variant in ("book", "centred"):
        check(spec, 1e-3, variant)


def test_two_interval_spectrum_accepted():
    p = clrlib.clr_parameters(clrlib.Spectrum([(1.0, 2.0), (100.0, 200.0)]), 1e-6)
    assert p.K == 8


@pytest.mark.parametrize("args, name", [
    ((clrlib.Interval(1.0, 10.0), 1e-3), "spectrum"),
    ((clrlib.Bimodal(1.0, 2.0, 10.0, 20.0), 0.0), "eps"),
    ((clrlib.Bimodal(1.0, 2.0, 10.0, 20.0), 1.0), "eps"),
    ((clrlib.Bimodal(1.0, 2.0, 10.0, 20.0), 1e-3, "other"), "variant"),
])
def test_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        clrlib.clr_parameters(*args)


@settings(max_examples=50, deadline=None)
@given(
    log_kappa=st.floats(1.0, 12.0), ks=st.floats(1.0001, 20.0), kl=st.floats(1.0, 20.0),
    log_eps=st.floats(-12.0, -1.0), variant=st.sampled_from(["book", "centred"]),
)
def test_random_spectra(log_kappa, ks, kl, log_eps, variant):
    kappa = 10.0**log_kappa
    if ks * kl >= kappa:
        return
    spec = clrlib.Bimodal.from_ratios(kappa, ks, kl)
    p = check(spec, 10.0**log_eps, variant)
    assert p.schedule().steps(p.K + 1).tolist() == [p.eta_plus] + [p.eta_minus] * p.K


def test_centred_never_worse_on_examples():
    rng = np.random.default_rng(1)
    for _ in range(200):
        kappa = 10 ** rng.uniform(2, 10)
        ks, kl = rng.uniform(1.1, 20, 2)
        if ks * kl >= kappa:
            continue
        spec = clrlib.Bimodal.from_ratios(kappa, ks, kl)
        assert clrlib.clr_parameters(spec, 1e-6, "centred").iterations <= clrlib.clr_parameters(spec, 1e-6).iterations


# --- one set of theorem constants: the sympy constants of chapters 4-5 against clr_parameters ------

def _smallest_K_exact(A, d, s) -> int:
    """The least integer K >= 0 with A d^K <= s, in exact rational arithmetic."""
    if A <= s:
        return 0
    if d == 0:
        return 1
    K = max(0, math.ceil(math.log(A / s) / math.log(1 / d)) - 2)
    while A * d**K > s:
        K += 1
    return K


@pytest.mark.parametrize("variant", ["book", "centred"])
def test_sympy_constants_are_clr_parameters(variant):
    """clr_constants_sym (the proofs of chapters 4-5) and clr_parameters (every number) cannot drift apart.

    On 300 random spectra (kappa_l = 1 included), with the float endpoints read as exact rationals:
    eta_plus, eta_minus, s, A, d agree to rounding; K is the least integer with A d^K <= s computed
    exactly from the sympy constants; rate lies between s and the rounding allowance built from the
    sympy constants; cycles and iterations follow; K_bound and iteration_bound are the theorem's
    explicit bounds (c = 1 for the book's steps, c = 2 for the centred ones) evaluated on the sympy
    constants.
    """
    import sympy as sp

    from clrlib.symbolic import bimodal_symbols, clr_constants_sym

    b = bimodal_symbols()
    consts = clr_constants_sym(variant)
    c = 1 if variant == "book" else 2
    u = 2.0**-52
    rng = np.random.default_rng(14)
    checked = 0
    while checked < 300:
        kappa = 10 ** rng.uniform(1, 12)
        ks = 1 + 10 ** rng.uniform(-6, 1.5)
        kl = 1.0 if rng.random() < 0.2 else 1 + 10 ** rng.uniform(-3, 1.5)
        if ks * kl >= kappa:
            continue
        eps = 10 ** rng.uniform(-12, -1)
        spec = clrlib.Bimodal.from_ratios(kappa, ks, kl)
        p = clrlib.clr_parameters(spec, eps, variant)
        ends = dict(zip(b, (sp.Rational(x) for x in (spec.mu, spec.mu1, spec.L1, spec.L))))
        ex = {k: v.subs(ends) for k, v in consts.items()}      # exact rationals
        assert all(isinstance(v, sp.Rational) for v in ex.values())
        assert math.isclose(p.eta_plus, float(ex["eta_plus"]), rel_tol=1e-15)
        assert math.isclose(p.eta_minus, float(ex["eta_minus"]), rel_tol=1e-15)
        s, A, d = (float(ex[k]) for k in ("s", "A", "d"))
        assert math.isclose(p.small_bound, s, rel_tol=1e-9, abs_tol=1e-15)
        assert math.isclose(p.large_amplification, A, rel_tol=1e-12)
        assert math.isclose(p.large_damping, d, rel_tol=1e-9, abs_tol=1e-15)
        K = _smallest_K_exact(ex["A"], ex["d"], ex["s"])
        if p.K != K:                                             # only in a near tie A d^K = s
            near = min(abs(math.log(A * d**k / s)) for k in (K, p.K) if d > 0 or k == 0)
            assert abs(p.K - K) == 1 and near < 1e-9, (p.K, K)
        # rate: at least the exact s, at most the rounding allowance computed from the sympy constants
        # (s, A, d moved by the few units of roundoff clrlib makes when it evaluates them in float64)
        s_, A_, d_ = s + 2 * u, A * (1 + 2 * u), d + 2 * u
        allowance = max((s_ + 4 * u * (1 + s_)) * (1 + 4 * u) ** p.K, (A_ + 4 * u * (1 + A_)) * (d_ + 8 * u) ** p.K)
        assert s <= p.rate <= allowance * (1 + 1e-12) * (1 + 1e-13)
        assert p.rate**p.cycles <= eps * (1 + 1e-12) and (p.cycles == 1 or p.rate ** (p.cycles - 1) > eps * (1 - 1e-12))
        assert p.iterations == p.cycles * (p.K + 1)
        if p.rate <= s * (1 + 1e-9):                              # the theorem's C, unless a tie s^C = eps
            C = math.log(1 / eps) / math.log(1 / s)
            assert p.cycles == math.ceil(C) or abs(C - round(C)) < 1e-6
        # the explicit bounds of thm-05-main / thm-05-centred, on the sympy constants
        if A <= s:
            K_bound = 0.0
        else:
            K_bound = 1 + kl / c * math.log(float(ex["A"] / ex["s"]))
        assert math.isclose(p.K_bound, K_bound, rel_tol=1e-9)
        cyc = ks / c * math.log(1 / eps)
        if abs(cyc - round(cyc)) > 1e-9:
            assert math.isclose(p.iteration_bound, (K_bound + 1) * math.ceil(cyc), rel_tol=1e-9)
        assert p.K <= p.K_bound and p.iterations <= p.iteration_bound
        checked += 1
