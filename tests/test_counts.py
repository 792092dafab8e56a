"""Tests of clrlib.iterations and clrlib.counts: exact first-passage counts against brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import clrlib
from clrlib.counts import log_cyclical_worst_case, log_sup_two_steps
from test_baselines import momentum_residual


def _spectrum(rng: np.random.Generator) -> clrlib.Bimodal:
    while True:
        kappa = 10 ** rng.uniform(1.5, 3.5)
        ks, kl = rng.uniform(1.0, 5.0), rng.uniform(1.0, 5.0)
        if ks * kl < kappa / 2:
            return clrlib.Bimodal.from_ratios(kappa, ks, kl, mu=10 ** rng.uniform(-3, 3))


def _brute_first(steps: np.ndarray, spectrum, eps: float) -> int:
    for t in range(steps.size + 1):
        if clrlib.log_sup_residual(steps[:t], spectrum) <= math.log(eps):
            return t
    raise AssertionError("not reached")


@pytest.mark.parametrize("seed", range(6))
def test_clr_counts_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    s = _spectrum(rng)
    eps = 10 ** rng.uniform(-7, -2)
    for method, variant in (("clr", "book"), ("clr_centred", "centred")):
        p = clrlib.clr_parameters(s, eps, variant)
        T = clrlib.iterations(method, s, eps)
        steps = p.schedule().steps(T + p.K + 1)
        assert _brute_first(steps, s, eps) == T
        assert T <= p.iterations  # the theorem's count is an upper bound


def test_count_can_end_inside_a_cycle():
    # a brute-force scan over many spectra finds counts that are not multiples of K + 1
    rng = np.random.default_rng(11)
    inside = 0
    for _ in range(30):
        s = _spectrum(rng)
        eps = 10 ** rng.uniform(-7, -2)
        p = clrlib.clr_parameters(s, eps, "centred")
        T = clrlib.iterations("clr_centred", s, eps)
        inside += T % (p.K + 1) != 0
    assert inside > 0


@pytest.mark.parametrize("seed", range(4))
def test_closed_forms_match_grids(seed):
    rng = np.random.default_rng(100 + seed)
    s = _spectrum(rng)
    eps = 10 ** rng.uniform(-8, -2)
    lam = np.concatenate([s.grid(3001), [s.mu, s.L]])
    # gradient descent with 2/(mu + L)
    T = clrlib.iterations("gd", s, eps)
    eta = 2.0 / (s.mu + s.L)
    assert clrlib.log_sup_residual(np.full(T, eta), s) <= math.log(eps)
    assert clrlib.log_sup_residual(np.full(T - 1, eta), s) > math.log(eps)
    # Chebyshev: the T-step polynomial's exact sup via its reciprocal-root steps
    T = clrlib.iterations("chebyshev", s, eps)
    for t, ok in ((T, True), (T - 1, False)):
        steps = clrlib.chebyshev_steps(s.mu, s.L, t)
        assert (clrlib.log_sup_residual(steps, s) <= math.log(eps) * (1 - 1e-9)) == ok or \
            abs(clrlib.log_sup_residual(steps, s) - math.log(eps)) < 1e-9
    # heavy ball: recurrence on a grid containing L, where the sup is attained
    T = clrlib.iterations("heavy_ball", s, eps)
    a, b = clrlib.heavy_ball_parameters(s.mu, s.L)
    assert np.max(np.abs(momentum_residual(T, lam, a, b))) <= eps * (1 + 1e-9)
    assert np.max(np.abs(momentum_residual(T - 1, lam, a, b))) > eps


def test_two_step_sup_matches_log_sup_residual():
    rng = np.random.default_rng(5)
    for _ in range(20):
        s = _spectrum(rng)
        ep = 1.0 / rng.uniform(s.mu * 0.5, s.mu1 * 2)
        em = 1.0 / rng.uniform(s.L * 0.4, s.L * 1.2)
        mp, mm = int(rng.integers(0, 5)), int(rng.integers(0, 40))
        steps = np.concatenate([np.full(mp, ep), np.full(mm, em)])
        got = float(log_sup_two_steps(ep, em, mp, mm, s))
        assert got == pytest.approx(clrlib.log_sup_residual(steps, s), rel=1e-9, abs=1e-9)


def test_large_kappa_is_fast_and_ordered():
    s = clrlib.Bimodal.from_ratios(1e10, 2.0, 2.0)
    counts = {m: clrlib.iterations(m, s, 1e-6) for m, e in clrlib.METHODS.items() if e.has_count}
    assert counts["clr_best"] <= min(counts["clr"], counts["clr_centred"])
    assert counts["clr"] < counts["chebyshev"] < counts["heavy_ball"] < counts["gd"]
    assert counts["gd"] == clrlib.gd_iterations(1e10, 1e-6)


def test_clr_best_at_most_theorem_schedules():
    rng = np.random.default_rng(9)
    for _ in range(3):
        s = _spectrum(rng)
        best = clrlib.clr_best_parameters(s, 1e-6)
        assert best.iterations == clrlib.cyclical_iterations(best.eta_plus, best.eta_minus, best.K, s, 1e-6)
        assert best.iterations <= clrlib.iterations("clr_centred", s, 1e-6)
        assert best.iterations <= clrlib.iterations("clr", s, 1e-6)


def test_bad_input():
    s = clrlib.Bimodal.from_ratios(100.0, 2.0, 2.0)
    with pytest.raises(ValueError, match="method"):
        clrlib.iterations("adam", s, 1e-6)
    with pytest.raises(ValueError, match="eps"):
        clrlib.iterations("gd", s, 1.5)
    with pytest.raises(ValueError, match="spectrum"):
        clrlib.iterations("clr", clrlib.Interval(1.0, 10.0), 1e-6)
    with pytest.raises(ValueError, match="eta_plus"):
        clrlib.cyclical_iterations(-1.0, 0.01, 3, s, 1e-6)
    with pytest.raises(ValueError, match="per-cycle factor"):
        clrlib.cyclical_iterations(1.0, 0.01, 0, s, 1e-6)
    with pytest.raises(ValueError, match="T"):
        clrlib.log_worst_case("gd", s, -1)
    with pytest.raises(ValueError, match="m_plus"):
        log_sup_two_steps(1.0, 0.01, -1, 2, s)


@settings(max_examples=50, deadline=None)
@given(log_kappa=st.floats(1.0, 8.0), log_eps=st.floats(-10.0, -1.0))
def test_monotone_in_eps_and_kappa(log_kappa, log_eps):
    kappa, eps = 10.0 ** log_kappa, 10.0 ** log_eps
    s = clrlib.Interval(1.0, kappa)
    for m in ("gd", "chebyshev", "heavy_ball"):
        T = clrlib.iterations(m, s, eps)
        assert clrlib.iterations(m, s, eps / 10) >= T
        assert clrlib.iterations(m, clrlib.Interval(1.0, 2 * kappa), eps) >= T
        assert clrlib.log_worst_case(m, s, T) <= math.log(eps) + 1e-12
        assert clrlib.log_worst_case(m, s, T - 1) > math.log(eps)
    assert clrlib.iterations("chebyshev", s, eps) <= clrlib.iterations("heavy_ball", s, eps)


@settings(max_examples=50, deadline=None)
@given(log_kappa=st.floats(2.0, 8.0), log_eps=st.floats(-9.0, -1.0))
def test_clr_count_is_first_passage(log_kappa, log_eps):
    s = clrlib.Bimodal.from_ratios(10.0 ** log_kappa, 3.0, 2.0)
    eps = 10.0 ** log_eps
    p = clrlib.clr_parameters(s, eps, "centred")
    T = clrlib.iterations("clr_centred", s, eps)
    w = log_cyclical_worst_case(p.eta_plus, p.eta_minus, p.K, s, np.arange(T + 1))
    assert w[T] <= math.log(eps)
    assert np.all(w[:T] > math.log(eps))


def test_two_interval_spectrum_is_accepted_and_edge_cases():
    s = clrlib.Bimodal(1.0, 2.0, 100.0, 200.0)
    as_list = clrlib.Spectrum([(1.0, 2.0), (100.0, 200.0)])
    for m in ("clr", "clr_centred", "clr_best"):
        assert clrlib.iterations(m, as_list, 1e-6) == clrlib.iterations(m, s, 1e-6)
    # a one-point small cluster: the theorem has no finite K, the search still works
    point = clrlib.Bimodal(1.0, 1.0, 100.0, 1000.0)
    best = clrlib.clr_best_parameters(point, 1e-6)
    w = log_cyclical_worst_case(best.eta_plus, best.eta_minus, best.K, point, np.arange(best.iterations + 1))
    assert w[-1] <= math.log(1e-6) and np.all(w[:-1] > math.log(1e-6))
    # kappa = 1 baselines
    one = clrlib.Interval(3.0, 3.0)
    assert clrlib.iterations("gd", one, 1e-6) == clrlib.iterations("chebyshev", one, 1e-6) == 1
    assert clrlib.iterations("heavy_ball", one, 1e-6) == 1
