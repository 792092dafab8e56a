"""Tests of clrlib.training: schedules, (minibatch) training, Lanczos and stochastic Lanczos quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clrlib import training
from clrlib.mlp import MLP, hessian_operator
from clrlib.schedules import Explicit, Periodic
from clrlib.training import (
    first_hit,
    lanczos,
    one_cycle_schedule,
    slq,
    spectral_density,
    train_schedule,
    triangular_schedule,
)


def test_all_names_exist():
    for name in training.__all__:
        assert hasattr(training, name)


def small_problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    model = MLP([5, 4, 3], weight_decay=0.01)
    X = rng.standard_normal((n, 5))
    y = rng.integers(0, 3, n)
    return model, model.init(seed), X, y


# --------------------------------------------------------------------------- schedules
def test_triangular_matches_smith_formula():
    base, top, s = 0.1, 1.0, 5
    sched = triangular_schedule(base, top, s)
    assert isinstance(sched, Periodic) and sched.period == 2 * s
    t = np.arange(37)
    c = np.floor(1 + t / (2 * s))
    x = np.abs(t / s - 2 * c + 1)
    np.testing.assert_allclose(sched.steps(37), base + (top - base) * np.maximum(0, 1 - x), rtol=1e-15)
    eta = sched.steps(2 * s + 1)
    assert eta[0] == pytest.approx(base) and eta[s] == pytest.approx(top) and eta[2 * s] == pytest.approx(base)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 1.0), st.floats(1.0, 10.0), st.integers(1, 30))
def test_triangular_bounds_and_period(base, factor, s):
    sched = triangular_schedule(base, base * factor, s)
    eta = sched.steps(6 * s)
    assert np.all(eta >= base * (1 - 1e-12)) and np.all(eta <= base * factor * (1 + 1e-12))
    np.testing.assert_array_equal(eta[: 2 * s], eta[2 * s: 4 * s])


def test_one_cycle_shape():
    T, top = 100, 2.0
    sched = one_cycle_schedule(top, T, div=10.0, final_div=100.0, cycle_fraction=0.9)
    assert isinstance(sched, Explicit) and len(sched) == T
    eta = sched.steps()
    a = 45
    assert eta[0] == pytest.approx(top / 10) and eta[a] == pytest.approx(top)
    assert eta[2 * a] == pytest.approx(top / 10) and eta[-1] == pytest.approx(top / 100)
    assert np.all(np.diff(eta[: a + 1]) > 0) and np.all(np.diff(eta[a: T]) < 0)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-2, 10.0), st.integers(4, 300), st.floats(1.0, 50.0), st.floats(0.1, 1.0))
def test_one_cycle_bounds(top, T, div, frac):
    if np.floor(frac * T / 2) < 1:
        return
    eta = one_cycle_schedule(top, T, div=div, final_div=div * 10, cycle_fraction=frac).steps()
    assert eta.size == T and np.all(eta > 0) and eta.max() <= top * (1 + 1e-12)
    assert eta.max() == pytest.approx(top)


@pytest.mark.parametrize("kwargs, arg", [
    (dict(base_lr=0.0, max_lr=1.0, half_period=3), "base_lr"),
    (dict(base_lr=1.0, max_lr=0.5, half_period=3), "max_lr"),
    (dict(base_lr=0.1, max_lr=1.0, half_period=0), "half_period"),
])
def test_triangular_bad_input(kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        triangular_schedule(**kwargs)


@pytest.mark.parametrize("kwargs, arg", [
    (dict(max_lr=-1.0, total=10), "max_lr"),
    (dict(max_lr=1.0, total=1), "total"),
    (dict(max_lr=1.0, total=10, div=0.5), "div"),
    (dict(max_lr=1.0, total=10, div=10, final_div=5), "final_div"),
    (dict(max_lr=1.0, total=10, cycle_fraction=1.5), "cycle_fraction"),
    (dict(max_lr=1.0, total=3, cycle_fraction=0.5), "cycle_fraction"),
])
def test_one_cycle_bad_input(kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        one_cycle_schedule(**kwargs)


# --------------------------------------------------------------------------- training
def test_full_batch_matches_mlp_train():
    from clrlib.mlp import train

    model, theta0, X, y = small_problem()
    etas = np.linspace(0.5, 0.1, 25)
    ref = train(model, theta0, X, y, 25, etas)
    run = train_schedule(model, theta0, X, y, etas, 25, X_eval=X, y_eval=y, snapshots=[0, 10, 25])
    np.testing.assert_allclose(run.theta, ref.theta, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(run.losses, ref.losses, rtol=1e-13)
    np.testing.assert_array_equal(run.recorded, np.arange(26))
    np.testing.assert_array_equal(run.snapshots[0], theta0)
    np.testing.assert_allclose(run.snapshots[2], ref.theta, rtol=1e-13, atol=1e-15)
    assert run.accuracy[-1] == pytest.approx(model.accuracy(run.theta, X, y))
    assert not run.diverged


def test_minibatch_steps_use_batches():
    model, theta0, X, y = small_problem(n=12)
    run = train_schedule(model, theta0, X, y, [0.3, 0.2], 2, batch_size=4, seed=5, record_every=5)
    perm = np.random.default_rng(5).permutation(12)
    th = theta0.copy()
    for t, eta in enumerate([0.3, 0.2]):
        rows = perm[4 * t: 4 * t + 4]
        th = th - eta * model.gradient(th, X[rows], y[rows])
    np.testing.assert_allclose(run.theta, th, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(run.recorded, [0, 2])
    assert np.all(np.isnan(run.accuracy))


def test_minibatch_is_seeded_and_full_batch_size_equals_gd():
    model, theta0, X, y = small_problem(n=20)
    a = train_schedule(model, theta0, X, y, [0.2] * 7, 7, batch_size=5, seed=3)
    b = train_schedule(model, theta0, X, y, [0.2] * 7, 7, batch_size=5, seed=3)
    np.testing.assert_array_equal(a.theta, b.theta)
    full = train_schedule(model, theta0, X, y, [0.2] * 7, 7)
    whole = train_schedule(model, theta0, X, y, [0.2] * 7, 7, batch_size=20, seed=9)
    np.testing.assert_allclose(whole.theta, full.theta, rtol=1e-12, atol=1e-14)


def test_divergence_is_flagged():
    model, theta0, X, y = small_problem()
    run = train_schedule(model, theta0, X, y, [1e200] * 5, 5)
    assert run.diverged


def test_train_bad_input():
    model, theta0, X, y = small_problem()
    with pytest.raises(ValueError, match="model"):
        train_schedule("net", theta0, X, y, [0.1], 1)
    with pytest.raises(ValueError, match="schedule"):
        train_schedule(model, theta0, X, y, [0.1, -0.1], 2)
    with pytest.raises(ValueError, match="batch_size"):
        train_schedule(model, theta0, X, y, [0.1], 1, batch_size=1000)
    with pytest.raises(ValueError, match="X_eval"):
        train_schedule(model, theta0, X, y, [0.1], 1, X_eval=X)
    with pytest.raises(ValueError, match="snapshots"):
        train_schedule(model, theta0, X, y, [0.1], 1, snapshots=[5])
    with pytest.raises(ValueError, match="record_every"):
        train_schedule(model, theta0, X, y, [0.1], 1, record_every=0)


def test_first_hit():
    it = np.arange(6)
    v = np.array([0.1, 0.96, 0.9, 0.97, np.nan, 0.98])
    assert first_hit(it, v, 0.95) == 1.0
    assert first_hit(it, v, 0.99) == np.inf
    assert first_hit(it, np.array([0.1, 0.96, 0.9, 0.97, 0.96, 0.98]), 0.95, stay=True) == 3.0
    assert first_hit(it, np.array([5.0, 4, 3, 2, 1, 0]), 2.5, above=False) == 3.0
    with pytest.raises(ValueError, match="values"):
        first_hit(it, v[:3], 0.5)
    with pytest.raises(ValueError, match="target"):
        first_hit(it, v, np.nan)


# --------------------------------------------------------------------------- Lanczos and SLQ
def sym_matrix(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n))
    return (A + A.T) / 2


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 30), st.integers(1, 12), st.integers(0, 10_000))
def test_lanczos_matches_moments(n, m, seed):
    """e_1^T T^i e_1 = q_1^T A^i q_1 for i <= 2k - 1: Gauss quadrature is exact to that degree."""
    A = sym_matrix(n, seed)
    v = np.random.default_rng(seed + 1).standard_normal(n)
    a, b = lanczos(lambda x: A @ x, v, m)
    k = a.size
    assert 1 <= k <= min(m, n) and b.size == k - 1
    Tm = np.diag(a) + np.diag(b, 1) + np.diag(b, -1)
    q = v / np.linalg.norm(v)
    scale = np.linalg.norm(A, 2)
    for i in range(2 * k):
        lhs = np.linalg.matrix_power(Tm, i)[0, 0]
        rhs = q @ np.linalg.matrix_power(A, i) @ q
        assert abs(lhs - rhs) <= 1e-9 * scale**i * (i + 1)


def test_lanczos_full_gives_exact_spectrum_and_stops_on_invariant_subspace():
    A = np.diag(np.arange(1.0, 11.0))
    a, b = lanczos(lambda x: A @ x, np.ones(10), 30)
    assert a.size == 10
    Tm = np.diag(a) + np.diag(b, 1) + np.diag(b, -1)
    np.testing.assert_allclose(np.linalg.eigvalsh(Tm), np.arange(1.0, 11.0), rtol=1e-10)
    v = np.zeros(10)
    v[[0, 3]] = 1.0  # lies in a 2-dimensional invariant subspace
    a, b = lanczos(lambda x: A @ x, v, 8)
    assert a.size == 2
    with pytest.raises(ValueError, match="v0"):
        lanczos(lambda x: A @ x, np.zeros(10), 3)
    with pytest.raises(ValueError, match="m"):
        lanczos(lambda x: A @ x, np.ones(10), 0)
    with pytest.raises(ValueError, match="matvec"):
        lanczos(lambda x: x[:3], np.ones(10), 3)


def test_slq_weights_and_exact_trace_moments():
    lam = np.linspace(-1.0, 3.0, 50)
    A = np.diag(lam)
    nodes, weights = slq(lambda x: A @ x, 50, m=10, n_probes=4, seed=0)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0)
    # with Rademacher probes v^T A^i v = sum lam^i exactly for a diagonal A, so the moments are exact
    for i in range(1, 20):
        assert weights @ nodes**i == pytest.approx(np.mean(lam**i), rel=1e-8, abs=1e-10)
    assert nodes.max() <= 3.0 + 1e-12 and nodes.min() >= -1.0 - 1e-12   # Ritz values lie in the hull


def test_slq_on_a_network_hessian():
    model, theta, X, y = small_problem(n=30)
    op = hessian_operator(model, theta, X, y)
    lam = np.linalg.eigvalsh(model.hessian(theta, X, y))
    nodes, weights = slq(op.matvec, model.n_params, m=model.n_params, n_probes=3, seed=1)
    assert nodes.max() == pytest.approx(lam[-1], rel=1e-8) and nodes.min() == pytest.approx(lam[0], abs=1e-8)
    with pytest.raises(ValueError, match="n_probes"):
        slq(op.matvec, model.n_params, n_probes=0)


def test_spectral_density_integrates_to_total_weight():
    nodes, weights = np.array([0.0, 1.0, 2.0]), np.array([0.2, 0.3, 0.5])
    grid = np.linspace(-2, 4, 6001)
    rho = spectral_density(nodes, weights, grid, width=0.1)
    assert np.trapezoid(rho, grid) == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError, match="width"):
        spectral_density(nodes, weights, grid, width=0.0)
    with pytest.raises(ValueError, match="weights"):
        spectral_density(nodes, weights[:2], grid, width=0.1)
