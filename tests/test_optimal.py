"""Tests of clrlib.optimal: Green's-function bound, minimax (Remez vs LP), cheaper schedules, best schedule."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import clrlib
from clrlib import optimal as O


def _spec(kappa, ks, kl):
    return clrlib.Bimodal.from_ratios(kappa, ks, kl)


@pytest.mark.parametrize("kappa", [10.0, 1e3, 1e6])
def test_green_one_interval_closed_form(kappa):
    closed = math.log((math.sqrt(kappa) + 1) / (math.sqrt(kappa) - 1))
    assert O.green_function(clrlib.Interval(1.0, kappa)) == pytest.approx(closed, rel=1e-12)
    # two intervals whose gap closes tend to the same value
    b = math.sqrt(kappa)
    for gap in (1e-4, 1e-8):
        g = O.green_function(clrlib.Spectrum([(1.0, b), (b * (1 + gap), kappa)]))
        assert g == pytest.approx(closed, rel=10 * math.sqrt(gap) + 1e-9)
        assert g >= closed * (1 - 1e-12)  # removing a gap makes E smaller, g larger


def test_harmonic_measure_sums_to_one_and_density_integrates():
    from scipy.integrate import quad
    spec = _spec(1e4, 3, 5)
    gb = O.green_lower_bound(spec, 1e-6)
    assert sum(gb.harmonic_measure) == pytest.approx(1.0, abs=1e-10)
    assert spec.mu1 < gb.tau < spec.L1
    total = sum(quad(lambda t: O.equilibrium_density(spec, np.array([t]))[0], lo, hi, limit=200)[0]
                for lo, hi in spec.intervals)
    assert total == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kappa,ks,kl,n", [(1e2, 2, 2, 10), (1e4, 3, 5, 40), (1e6, 1.5, 10, 80), (1e8, 10, 1.5, 60)])
def test_lower_bound_below_minimax_and_certified_bracket(kappa, ks, kl, n):
    spec = _spec(kappa, ks, kl)
    gb = O.green_lower_bound(spec, 1e-6)
    M = O.minimax(spec, n)
    assert M.sup == pytest.approx(clrlib.sup_residual(1.0 / M.roots, spec), rel=1e-12)
    assert M.lower <= M.sup * (1 + 1e-12)
    assert M.sup <= M.lower * (1 + 1e-4)
    assert gb.bound(n) <= M.lower
    # no polynomial of degree n beats the minimax one: per-cluster Chebyshev of the same degree
    k = max(1, round(n * gb.harmonic_measure[0]))
    other = np.concatenate([1 / O.chebyshev_roots(spec.mu, spec.mu1, k), 1 / O.chebyshev_roots(spec.L1, spec.L, n - k)])
    assert clrlib.sup_residual(other, spec) >= M.lower


@pytest.mark.parametrize("kappa,ks,kl,n", [(50.0, 2, 2, 6), (1e3, 3, 3, 14)])
def test_equioscillation_and_lp_agree(kappa, ks, kl, n):
    spec = _spec(kappa, ks, kl)
    M = O.minimax(spec, n)
    ref = M.reference
    assert ref.size == n + 1
    vals = clrlib.residual(1.0 / M.roots, ref)
    assert np.all(np.abs(vals) >= M.sup * (1 - 1e-6))
    assert np.all(np.sign(vals[1:]) == -np.sign(vals[:-1]))
    h, roots = O.minimax_lp(spec, n)
    assert h <= M.sup * (1 + 1e-6)
    assert h >= M.sup * (1 - 1e-4)
    assert roots.size == n
    np.testing.assert_allclose(roots, M.roots, rtol=1e-3)


def test_one_interval_minimax_is_chebyshev():
    spec = clrlib.Interval(1.0, 100.0)
    M = O.minimax(spec, 7)
    assert M.sup == pytest.approx(1 / math.cosh(7 * math.acosh(101 / 99)), rel=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.floats(2.0, 5.0), st.floats(1.2, 6.0), st.floats(1.2, 6.0), st.integers(3, 25))
def test_minimax_beats_bound_property(logk, ks, kl, n):
    spec = _spec(10.0 ** logk, ks, kl)
    M = O.minimax(spec, n)
    assert O.green_lower_bound(spec, 0.5).bound(n) <= M.sup
    assert M.sup <= M.lower * (1 + 1e-4)


def test_schedules_reach_eps_and_order():
    spec = _spec(1e4, 3, 3)
    eps = 1e-6
    n = O.minimax_iterations(spec, eps)
    assert O.minimax(spec, n).sup <= eps < O.minimax(spec, n - 1).sup
    lb = O.green_lower_bound(spec, eps).iterations
    cp = O.cheb_per_cluster(spec, eps)
    assert clrlib.sup_residual(cp.steps, spec) <= eps
    mom = O.clr_momentum(spec, eps)
    hb = O.cyclical_heavy_ball(spec, eps)
    clr = clrlib.clr_parameters(spec, eps).iterations
    assert lb <= n <= cp.iterations
    assert mom.iterations <= clr
    for m in ("minimax", "cheb_per_cluster", "clr_momentum", "cyclical_heavy_ball"):
        assert clrlib.iterations(m, spec, eps) >= lb
    assert clrlib.iterations("cyclical_heavy_ball", spec, eps) == hb.iterations


def test_cyclical_heavy_ball_symmetric_case_is_minimax_rate():
    # symmetric equal-length clusters: T_J(Q) is the minimax polynomial of degree 2J
    spec = clrlib.Bimodal(1.0, 3.0, 98.0, 100.0)
    hb = O.cyclical_heavy_ball(spec, 1e-6)
    assert hb.helps
    M = O.minimax(spec, hb.iterations)
    assert M.sup == pytest.approx(hb.sup, rel=1e-6)


def test_best_schedule_reaches_eps_in_float64():
    spec = _spec(1e8, 2, 2)
    eps = 1e-6
    B = O.best_schedule(spec, eps)
    assert isinstance(B, clrlib.Explicit)
    assert len(B) <= 1.1 * B.minimax_count
    assert clrlib.sup_residual(B.steps(), spec) <= eps
    prob = clrlib.Quadratic.from_eigenvalues(spec.sample(60, seed=3), seed=4, rotated=True)
    run = clrlib.gradient_descent(prob, B, len(B))
    assert run.relative[-1] <= eps
    # the increasing order blows up
    bad = np.sort(B.steps())
    run_bad = None
    try:
        run_bad = clrlib.gradient_descent(prob, bad)
    except clrlib.DivergenceError:
        pass
    assert run_bad is None or run_bad.relative[-1] > eps


def test_bad_input_raises():
    spec = _spec(1e3, 2, 2)
    with pytest.raises(ValueError, match="eps"):
        O.green_lower_bound(spec, 1.5)
    with pytest.raises(ValueError, match="degree"):
        O.minimax(spec, 0)
    with pytest.raises(ValueError, match="method"):
        clrlib.iterations("newton", spec, 1e-6)
    with pytest.raises(ValueError, match="spectrum"):
        O.minimax(clrlib.Spectrum([(1, 2), (3, 4), (5, 6)]), 3)
    with pytest.raises(ValueError, match="spectrum"):
        O.cheb_per_cluster(clrlib.Interval(1, 10), 1e-3)
    with pytest.raises(ValueError, match="x"):
        O.green_function(spec, 2.0)
    with pytest.raises(ValueError, match="margin"):
        O.best_schedule(spec, 1e-3, margin=2.0)
    with pytest.raises(ValueError, match="steps"):
        clrlib.order_steps([1.0, -1.0])
    with pytest.raises(ValueError, match="steps"):
        clrlib.order_steps([], "fractal")


def test_orders_are_permutations():
    s = np.array([0.5, 0.1, 0.01, 1.0, 0.2])
    for how in clrlib.precision.ORDERINGS:
        for first in ("smallest", "largest"):
            assert np.array_equal(np.sort(clrlib.order_steps(s, how, first=first)), np.sort(s))
    # the fractal permutation of 8 sorted roots
    roots = np.arange(1.0, 9.0)
    assert np.array_equal(1 / clrlib.order_steps(1 / roots, "fractal", first="largest"), roots[[0, 7, 3, 4, 1, 6, 2, 5]])
    assert clrlib.order_steps(s)[0] == s.min()  # Leja starts at the largest root
    # repeated steps: still a permutation (issue 16)
    rep = np.array([1.0, 0.5, 0.5, 0.25])
    for how in clrlib.precision.ORDERINGS:
        assert np.array_equal(np.sort(clrlib.order_steps(rep, how)), np.sort(rep))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 12.0), st.floats(0.01, 3.0), st.floats(0.01, 3.0), st.integers(0, 40), st.integers(0, 120))
def test_cluster_closed_form_is_the_exact_sup(logk, log_ks, log_kl, k, m):
    # sup_E |p_k q_m| = max(T_m(l(mu)), |T_k(s(L))|) / (T_k(s(0)) T_m(l(0))) agrees with the exact sup of the steps
    assume(log_ks + log_kl < logk)
    spec = _spec(10.0 ** logk, 10.0 ** log_ks, 10.0 ** log_kl)
    closed = float(O._cluster_log_sup(spec, np.array([k]), np.array([m]))[0])
    exact = clrlib.log_sup_residual(O._cluster_steps(spec, k, m), spec) if k + m else 0.0
    assert closed == pytest.approx(exact, abs=1e-9 * (k + m + 1) * (1 + abs(exact)))


@pytest.mark.parametrize("spec,eps", [(_spec(1e3, 3, 3), 1e-4), (_spec(1e4, 1.5, 10), 1e-3), (_spec(1e2, 10, 2), 1e-5)])
def test_cheb_per_cluster_is_the_least_pair(spec, eps):
    # brute force over every (k, m) with k + m below the answer: none reaches eps (exact sup of the steps)
    cp = O.cheb_per_cluster(spec, eps)
    assert clrlib.log_sup_residual(cp.steps, spec) <= math.log(eps)
    assert cp.k_small + cp.k_large == cp.iterations == cp.steps.size
    for k in range(cp.iterations):
        m = cp.iterations - 1 - k  # the sup decreases in m, so k + m = T - 1 is the only case to check
        assert clrlib.log_sup_residual(O._cluster_steps(spec, k, m), spec) > math.log(eps) if k + m else True


@pytest.mark.parametrize("spec,eps", [(clrlib.Bimodal(1, 10, 1e4, 1e6), 1e-6), (clrlib.Bimodal(1, 10, 100, 17782.8), 1e-12),
                                      (clrlib.Bimodal(1, 2, 1.6e308, 1.7e308), 0.1)])
def test_cheb_per_cluster_answers_fast_on_the_hard_cases(spec, eps):
    import time
    start = time.perf_counter()
    cp = O.cheb_per_cluster(spec, eps)
    assert time.perf_counter() - start < 5.0  # was 22-30 s (an exact sup per candidate m)
    assert cp.sup <= eps and cp.iterations <= O.MAX_CLUSTER_STEPS
