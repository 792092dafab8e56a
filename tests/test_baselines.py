"""Tests of clrlib.baselines: closed-form worst cases and runners.

The residual recurrences below are the tests' own oracles (chapter 2 writes them out for the reader;
clrlib keeps only what two chapters use: the log worst cases and the runners)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import clrlib


def _problem(mu=1.0, L=100.0, n=60, seed=0):
    eig = clrlib.Interval(mu, L).sample(n, seed=seed)
    return clrlib.Quadratic.from_eigenvalues(eig, seed=seed)


def _predicted(problem, r):
    """``||r(H) e_0||`` from the residual evaluated at the eigenvalues (x0 = 0)."""
    q = np.linalg.eigh(problem.hessian)[1]
    lam = np.linalg.eigvalsh(problem.hessian)
    c = q.T @ (0.0 - problem.x_star)
    return np.linalg.norm(r(lam) * c)


def cheb_residual(mu, L, T, lam):
    """C_T(lam) = T_T((L + mu - 2 lam)/(L - mu)) / T_T(sigma), by numpy's Chebyshev series (small T only)."""
    y = (L + mu - 2 * np.asarray(lam, dtype=float)) / (L - mu)
    c = np.zeros(T + 1)
    c[T] = 1.0
    return np.polynomial.chebyshev.chebval(y, c) / np.polynomial.chebyshev.chebval((L + mu) / (L - mu), c)


def momentum_residual(T, lam, a, b, nesterov=False):
    """Heavy ball (a = alpha, b = beta): r_{t+1} = (1 + b - a lam) r_t - b r_{t-1}; Nesterov (a = step):
    r_{t+1} = (1 - a lam)((1 + b) r_t - b r_{t-1}); both with r_0 = 1, r_1 = 1 - a lam."""
    q = 1 - a * np.asarray(lam, dtype=float)
    prev, cur = np.ones_like(q), q
    for _ in range(T - 1):
        prev, cur = cur, (q * ((1 + b) * cur - b * prev) if nesterov else (1 + b - a * lam) * cur - b * prev)
    return cur if T > 0 else prev


def test_chebyshev_recurrence_matches_closed_form():
    pb = _problem()
    run = clrlib.chebyshev_iteration(pb, 1.0, 100.0, 30)
    for t in (1, 2, 5, 17, 30):
        pred = _predicted(pb, lambda lam: cheb_residual(1.0, 100.0, t, lam))
        assert run.errors[t] == pytest.approx(pred, rel=1e-8)


def test_chebyshev_steps_give_chebyshev_residual():
    lam = np.linspace(0.0, 120.0, 301)
    for order in ("increasing", "decreasing", "leja"):
        steps = clrlib.chebyshev_steps(1.0, 100.0, 12, order)
        assert np.allclose(clrlib.residual(steps, lam), cheb_residual(1.0, 100.0, 12, lam),
                           rtol=1e-9, atol=1e-12)
    assert clrlib.sup_residual(clrlib.chebyshev_steps(1.0, 100.0, 12), clrlib.Interval(1.0, 100.0)) == \
        pytest.approx(math.exp(clrlib.log_chebyshev_worst_case(100.0, 12)), rel=1e-10)


def test_heavy_ball_runner_and_closed_form():
    pb = _problem()
    a, b = clrlib.heavy_ball_parameters(1.0, 100.0)
    run = clrlib.heavy_ball(pb, a, b, 40)
    for t in (1, 3, 10, 40):
        pred = _predicted(pb, lambda lam: momentum_residual(t, lam, a, b))
        assert run.errors[t] == pytest.approx(pred, rel=1e-8)
        lam = np.concatenate([np.linspace(1.0, 100.0, 5001)])
        grid_max = np.max(np.abs(momentum_residual(t, lam, a, b)))
        assert grid_max == pytest.approx(math.exp(clrlib.log_heavy_ball_worst_case(100.0, t)), rel=1e-12)


def test_nesterov_runner_matches_residual():
    pb = _problem()
    s, b = clrlib.nesterov_parameters(1.0, 100.0)
    run = clrlib.nesterov(pb, s, b, 40)
    for t in (1, 2, 9, 40):
        pred = _predicted(pb, lambda lam: momentum_residual(t, lam, s, b, nesterov=True))
        assert run.errors[t] == pytest.approx(pred, rel=1e-8)


def test_divergence_raises():
    pb = _problem()
    with pytest.raises(clrlib.DivergenceError):
        clrlib.heavy_ball(pb, 1.0, 0.5, 200)


@settings(max_examples=50, deadline=None)
@given(log_kappa=st.floats(0.1, 10.0), T=st.integers(1, 10_000))
def test_worst_cases_ordered(log_kappa, T):
    kappa = 10.0 ** log_kappa
    cheb = clrlib.log_chebyshev_worst_case(kappa, T)
    hb = clrlib.log_heavy_ball_worst_case(kappa, T)
    gd = T * math.log((kappa - 1) / (kappa + 1))
    assert cheb <= hb + 1e-12
    assert cheb <= gd + 1e-9
    # the heavy-ball worst case is unimodal: it decreases from the first T where it is below 1
    if hb < 0:
        assert clrlib.log_heavy_ball_worst_case(kappa, T + 1) < hb
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    ratio = rho * (1 + (1 + rho) / (1 + T * (1 + rho)))
    assert clrlib.log_heavy_ball_worst_case(kappa, T + 1) - hb == pytest.approx(math.log(ratio), abs=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="L"):
        clrlib.chebyshev_steps(2.0, 1.0, 3)
    with pytest.raises(ValueError, match="order"):
        clrlib.chebyshev_steps(1.0, 2.0, 3, "random")
    with pytest.raises(ValueError, match="T"):
        clrlib.chebyshev_steps(1.0, 2.0, 0)
    with pytest.raises(ValueError, match="beta"):
        clrlib.heavy_ball(_problem(), 0.1, 1.5, 3)
    with pytest.raises(ValueError, match="kappa"):
        clrlib.log_heavy_ball_worst_case(0.5, 3)
    with pytest.raises(ValueError, match="problem"):
        clrlib.heavy_ball("not a problem", 0.1, 0.5, 3)
