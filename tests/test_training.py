"""Tests of clrlib.network.train, the one training loop (full batch, minibatch, stacked networks)."""

from __future__ import annotations

import numpy as np
import pytest

from clrlib.network import MLP, train


def small_problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    model = MLP([5, 4, 3], weight_decay=0.01)
    X = rng.standard_normal((n, 5))
    y = rng.integers(0, 3, n)
    return model, model.init(seed), X, y


# --------------------------------------------------------------------------- training
def test_full_batch_matches_the_gradient_recursion():
    model, theta0, X, y = small_problem()
    etas = np.linspace(0.5, 0.1, 25)
    th, ref_losses = theta0.copy(), []
    for eta in etas:
        loss, g = model.loss_and_gradient(th, X, y)
        ref_losses.append(loss)
        th = th - eta * g
    ref_losses.append(model.loss(th, X, y))
    ref = type("Ref", (), dict(theta=th, losses=np.array(ref_losses)))
    run = train(model, theta0, X, y, etas, 25, X_eval=X, y_eval=y, snapshots=[0, 10, 25])
    np.testing.assert_allclose(run.theta, ref.theta, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(run.losses, ref.losses, rtol=1e-13)
    np.testing.assert_array_equal(run.recorded, np.arange(26))
    np.testing.assert_array_equal(run.snapshots[0], theta0)
    np.testing.assert_allclose(run.snapshots[2], ref.theta, rtol=1e-13, atol=1e-15)
    assert run.accuracy[-1] == pytest.approx(model.accuracy(run.theta, X, y))
    assert not run.diverged


def test_minibatch_steps_use_batches():
    model, theta0, X, y = small_problem(n=12)
    run = train(model, theta0, X, y, [0.3, 0.2], 2, batch_size=4, seed=5, record_every=5)
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
    a = train(model, theta0, X, y, [0.2] * 7, 7, batch_size=5, seed=3)
    b = train(model, theta0, X, y, [0.2] * 7, 7, batch_size=5, seed=3)
    np.testing.assert_array_equal(a.theta, b.theta)
    full = train(model, theta0, X, y, [0.2] * 7, 7)
    whole = train(model, theta0, X, y, [0.2] * 7, 7, batch_size=20, seed=9)
    np.testing.assert_allclose(whole.theta, full.theta, rtol=1e-12, atol=1e-14)


def test_divergence_is_flagged():
    model, theta0, X, y = small_problem()
    run = train(model, theta0, X, y, [1e200] * 5, 5)
    assert run.diverged


def test_train_bad_input():
    model, theta0, X, y = small_problem()
    with pytest.raises(ValueError, match="model"):
        train("net", theta0, X, y, [0.1], 1)
    with pytest.raises(ValueError, match="schedule"):
        train(model, theta0, X, y, [0.1, -0.1], 2)
    with pytest.raises(ValueError, match="batch_size"):
        train(model, theta0, X, y, [0.1], 1, batch_size=1000)
    with pytest.raises(ValueError, match="X_eval"):
        train(model, theta0, X, y, [0.1], 1, X_eval=X)
    with pytest.raises(ValueError, match="snapshots"):
        train(model, theta0, X, y, [0.1], 1, snapshots=[5])
    with pytest.raises(ValueError, match="record_every"):
        train(model, theta0, X, y, [0.1], 1, record_every=0)


def test_stacked_networks_train_like_separate_runs():
    model, _, X, y = small_problem(n=16)
    rng = np.random.default_rng(4)
    thetas = model.init(rng, count=3)
    etas = np.array([np.full(6, 0.1), np.full(6, 0.3), np.linspace(0.5, 0.1, 6)])
    stacked = train(model, thetas, X, y, etas, 6, X_eval=X, y_eval=y, snapshots=[3])
    assert stacked.losses.shape == (7, 3) and stacked.snapshots.shape == (1, 3, model.n_params)
    for s in range(3):
        one = train(model, thetas[s], X, y, etas[s], 6, X_eval=X, y_eval=y, snapshots=[3])
        np.testing.assert_allclose(stacked.theta[s], one.theta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(stacked.losses[:, s], one.losses, rtol=1e-12)
        np.testing.assert_allclose(stacked.accuracy[:, s], one.accuracy)
    # one network diverging does not stop the others
    blow = train(model, thetas, X, y, np.array([np.full(4, 1e200), np.full(4, 0.1), np.full(4, 0.1)]), 4)
    assert blow.diverged.tolist() == [True, False, False]
    assert np.isnan(blow.losses[-1, 0]) and np.all(np.isfinite(blow.losses[:, 1:]))
    with pytest.raises(ValueError, match="schedule"):
        train(model, thetas, X, y, etas[:2], 6)
    mini = train(model, thetas, X, y, 0.2, 3, batch_size=4, seed=2)
    assert mini.theta.shape == thetas.shape and not mini.diverged.any()
