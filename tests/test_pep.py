"""Tests of clrlib.pep: performance estimation of gradient descent and the silver schedule."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import clrlib
import clrlib.pep as pep


@pytest.mark.parametrize("mu, L, eta_L, N", [(1.0, 7.0, 1.0, 3), (0.3, 2.0, 1.9, 5), (2.0, 50.0, 0.4, 6)])
def test_constant_steps_match_closed_form(mu, L, eta_L, N):
    eta = eta_L / L
    r = clrlib.pep_worst_case([eta] * N, mu, L)
    exact = max(abs(1 - eta * mu), abs(1 - eta * L)) ** (2 * N)
    assert r.value == pytest.approx(exact, rel=1e-5)
    assert r.status == "optimal" and r.gap <= 1e-5 and r.solver in ("CLARABEL", "SCS")
    assert r.distance_factor == pytest.approx(math.sqrt(exact), rel=1e-5)


def test_unstable_step_on_large_block_is_product_of_factor_bounds():
    # one step 1/mu1 = 1/3 and K = 2 steps 1/L on F_{5, 12}: the lemma's product, attained by a
    # one-dimensional piecewise quadratic (slope 12 right of x*, slope 5 left of it)
    r = clrlib.pep_worst_case([1 / 3, 1 / 12, 1 / 12], 5.0, 12.0)
    assert r.distance_factor == pytest.approx((12 / 3 - 1) * (1 - 5 / 12) ** 2, rel=1e-5)


@pytest.mark.parametrize("bad", [dict(steps=[]), dict(steps=[-0.1]), dict(steps=[np.nan]), dict(mu=2.0),
                                 dict(mu=-1.0), dict(L=0.0), dict(steps=[0.1] * (clrlib.PEP_MAX_STEPS + 1)),
                                 dict(rtol=0.0), dict(steps=[[0.1]])])
def test_bad_input_raises(bad):
    args = dict(steps=[0.1, 0.2], mu=1.0, L=2.0)
    args.update(bad)
    with pytest.raises(ValueError):
        clrlib.pep_worst_case(**args)


def test_tiny_worst_case_is_not_certified():
    # a worst case of order 1e-8 is below what the solvers resolve (absolute accuracy ~1e-9..1e-6)
    with pytest.raises(ValueError, match="certified"):
        clrlib.pep_worst_case(clrlib.silver_schedule(1.0, 4.0, 16), 1.0, 4.0)


def test_max_steps_is_enforced_before_solving():
    with pytest.raises(ValueError, match="max_steps"):
        clrlib.pep_worst_case([0.1] * 5, 1.0, 2.0, max_steps=4)


def test_uncertified_answer_raises(monkeypatch):
    monkeypatch.setattr(pep, "_solve", lambda h, q, solver: (0.5, 0.4, "optimal_inaccurate"))
    with pytest.raises(ValueError, match="certified"):
        clrlib.pep_worst_case([0.1], 1.0, 2.0)


def test_disagreeing_solvers_raise(monkeypatch):
    values = {"CLARABEL": (0.5, 0.4, "optimal_inaccurate"), "SCS": (0.3, 0.3, "optimal")}
    monkeypatch.setattr(pep, "_solve", lambda h, q, solver: values[solver])
    with pytest.raises(ValueError):
        clrlib.pep_worst_case([0.1], 1.0, 2.0)


def test_scs_certifies_when_clarabel_fails(monkeypatch):
    values = {"CLARABEL": (math.nan, math.nan, "error: SolverError"), "SCS": (0.3, 0.3, "optimal")}
    monkeypatch.setattr(pep, "_solve", lambda h, q, solver: values[solver])
    r = clrlib.pep_worst_case([0.1], 1.0, 2.0)
    assert r.solver == "SCS" and r.value == 0.3 and r.cross_check is None


@settings(max_examples=40, deadline=None)
@given(kappa=st.floats(1.5, 1e4), n=st.integers(1, 70))
def test_silver_schedule_structure(kappa, n):
    L = 3.0
    mu = L / kappa
    h = clrlib.silver_schedule(mu, L, n)
    assert h.shape == (n,) and np.all(np.isfinite(h)) and np.all(h > 0)
    assert sum(2 ** k for k in clrlib.silver_blocks(n)) == n
    tau = clrlib.silver_rate(mu, L, n)
    assert 0.0 < tau < 1.0
    # the first block of length 1 is the step 2/(mu + L) (its rate ((kappa-1)/(kappa+1))^2)
    assert clrlib.silver_schedule(mu, L, 1)[0] == pytest.approx(2 / (mu + L), rel=1e-12)
    assert clrlib.silver_rate(mu, L, 1) == pytest.approx(((kappa - 1) / (kappa + 1)) ** 2, rel=1e-10)


def test_silver_power_of_two_block_is_self_similar():
    mu, L = 1.0, 40.0
    h8, h4 = clrlib.silver_schedule(mu, L, 8), clrlib.silver_schedule(mu, L, 4)
    np.testing.assert_allclose(h8[:3], h4[:3])
    np.testing.assert_allclose(h8[4:7], h4[:3])
    assert h8[7] == h8.max() and h8[7] > 2 / L    # the last step of a block is its longest, far above 2/L


def test_silver_matches_pepit_example():
    from PEPit.examples.unconstrained_convex_minimization import (
        wc_gradient_descent_silver_stepsize_strongly_convex as wc)
    mu, L, n = 0.2, 5.0, 4
    pepit_tau, theory_tau = wc(L=L, mu=mu, n=n, verbose=-1)
    assert clrlib.silver_rate(mu, L, n) == pytest.approx(theory_tau, rel=1e-12)
    assert clrlib.pep_worst_case(clrlib.silver_schedule(mu, L, n), mu, L).value == pytest.approx(pepit_tau, rel=1e-5)


@pytest.mark.parametrize("bad", [dict(mu=0.0), dict(mu=5.0), dict(L=-1.0), dict(n=0), dict(n=1.5)])
def test_silver_bad_input(bad):
    args = dict(mu=1.0, L=5.0, n=4)
    args.update(bad)
    with pytest.raises(ValueError):
        clrlib.silver_schedule(**args)
    with pytest.raises(ValueError):
        clrlib.silver_rate(**args)


def _n_star(kappa):
    return 2 ** max(0, math.floor(math.log(kappa / 3) / math.log(1 + math.sqrt(2)))) if kappa >= 3 else 1


@pytest.mark.parametrize("kappa, n", [(3.16, 64), (3.16, 128), (5.0, 256), (10.0, 512)])
def test_silver_rate_is_accurate_far_beyond_n_star(kappa, n):
    """Far beyond n*, z_k rounds to 1 in floating point; the rate is computed from w = 1 - z without
    cancellation and equals the silver steps' exact worst case on quadratics (a lower bound of the
    worst case over F_{mu,L}, so the formula is not refuted by quadratics there)."""
    assert n > 16 * _n_star(kappa)
    log_worst = clrlib.log_sup_residual(clrlib.silver_schedule(1.0, kappa, n), clrlib.Interval(1.0, kappa))
    tau = clrlib.silver_rate(1.0, kappa, n)
    assert tau > 0.0 and log_worst == pytest.approx(0.5 * math.log(tau), rel=1e-6)


def test_silver_rate_matches_quadratic_worst_case_up_to_n_star():
    for kappa in (10.0, 30.0, 100.0, 1000.0):
        n_star = 2 ** math.floor(math.log(kappa / 3) / math.log(1 + math.sqrt(2)))
        k = 1
        while k <= n_star:
            worst = clrlib.log_sup_residual(clrlib.silver_schedule(1.0, kappa, k), clrlib.Interval(1.0, kappa))
            assert worst <= 0.5 * math.log(clrlib.silver_rate(1.0, kappa, k)) + 1e-9
            k *= 2


def test_w_recursion_is_the_z_recursion():
    import sympy as sp
    w = sp.symbols("w", positive=True)
    z = 1 - w
    s = sp.sqrt(1 + w**2)
    assert sp.simplify((1 - z * ((1 - z) + sp.sqrt(1 + (1 - z) ** 2))) - w**2 * (w + s) / (1 + s)) == 0


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(1.01, 400.0), n=st.integers(1, 300), j=st.integers(0, 5))
def test_max_block_schedule_and_rate(kappa, n, j):
    m = 2**j
    h = clrlib.silver_schedule(1.0, kappa, n, max_block=m)
    assert h.shape == (n,)
    tau, start = 1.0, 0
    q, r = divmod(n, m) if n >= 2 * m else (0, n)
    for size in [m] * q + [2**k for k in (clrlib.silver_blocks(r) if r else [])]:
        assert size <= m                  # no block longer than max_block
        np.testing.assert_allclose(h[start:start + size], clrlib.silver_schedule(1.0, kappa, size), rtol=1e-13)
        tau *= clrlib.silver_rate(1.0, kappa, size)
        start += size
    assert start == n
    assert clrlib.silver_rate(1.0, kappa, n, max_block=m) == pytest.approx(tau, rel=1e-9)
    if m >= 2 ** (n.bit_length() - 1):   # no block is cut: the binary schedule
        np.testing.assert_array_equal(h, clrlib.silver_schedule(1.0, kappa, n))


@pytest.mark.parametrize("bad", [0, 3, 6, -2, 1.5, "4"])
def test_max_block_bad_input(bad):
    with pytest.raises(ValueError, match="max_block"):
        clrlib.silver_schedule(1.0, 5.0, 8, max_block=bad)
    with pytest.raises(ValueError, match="max_block"):
        clrlib.silver_rate(1.0, 5.0, 8, max_block=bad)
