"""Tests of clrlib.network: exact gradient and Hessian-vector product of a small tanh network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib
from clrlib.network import MLP, TrainingRun, hessian_operator, hessian_top_eigenvalues, train


def problem(sizes, n=9, wd=0.03, seed=0):
    rng = np.random.default_rng(seed)
    model = MLP(sizes, weight_decay=wd)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    theta = model.init(seed + 1) + 0.3 * rng.standard_normal(model.n_params)
    return model, theta, X, y, rng


def fd_gradient(model, theta, X, y, h=1e-6):
    eye = np.eye(model.n_params)
    return np.array([(model.loss(theta + h * e, X, y) - model.loss(theta - h * e, X, y)) / (2 * h) for e in eye])


def test_public_names_exported():
    for name in ["MLP", "TrainingRun", "train", "hessian_operator", "hessian_top_eigenvalues"]:
        assert getattr(clrlib, name) is getattr(clrlib.network, name)


def test_shapes_and_pack_roundtrip():
    model = MLP([4, 3, 2])
    assert model.n_params == 4 * 3 + 3 + 3 * 2 + 2
    theta = np.arange(model.n_params, dtype=float)
    layers = model.unpack(theta)
    assert [W.shape for W, _ in layers] == [(4, 3), (3, 2)]
    assert [b.shape for _, b in layers] == [(3,), (2,)]
    np.testing.assert_array_equal(np.concatenate([np.r_[W.ravel(), b] for W, b in layers]), theta)  # views, in order
    assert layers[0][1][0] == 12.0  # b_1 follows W_1 (row-major)


def test_loss_at_zero_is_log_classes():
    model = MLP([3, 5, 4], weight_decay=0.0)
    X = np.ones((6, 3))
    y = np.array([0, 1, 2, 3, 0, 1])
    assert model.loss(np.zeros(model.n_params), X, y) == pytest.approx(np.log(4.0), rel=1e-14)


@pytest.mark.parametrize("sizes", [[3, 2], [4, 5, 3], [3, 4, 3, 2]])
def test_gradient_matches_central_differences(sizes):
    model, theta, X, y, _ = problem(sizes)
    loss, grad = model.loss_and_gradient(theta, X, y)
    assert loss == pytest.approx(model.loss(theta, X, y), rel=1e-14)
    np.testing.assert_allclose(grad, fd_gradient(model, theta, X, y), atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("sizes", [[3, 2], [4, 5, 3], [3, 4, 3, 2]])
def test_hvp_matches_differences_of_the_gradient(sizes):
    model, theta, X, y, rng = problem(sizes, seed=2)
    for _ in range(3):
        v = rng.standard_normal(model.n_params)
        hv = model.hvp(theta, v, X, y)
        np.testing.assert_allclose(hv, model.hvp_fd(theta, v, X, y, eps=1e-5), atol=1e-7, rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=4), st.integers(1, 8), st.floats(0.0, 0.1),
       st.integers(0, 10_000))
def test_hvp_properties_random_networks(sizes, n, wd, seed):
    sizes = sizes[:-1] + [max(2, sizes[-1])]
    model, theta, X, y, rng = problem(sizes, n=n, wd=wd, seed=seed)
    u = rng.standard_normal(model.n_params)
    v = rng.standard_normal(model.n_params)
    hu, hv = model.hvp(theta, u, X, y), model.hvp(theta, v, X, y)
    scale = np.linalg.norm(hu) * np.linalg.norm(v) + 1e-12
    assert abs(u @ hv - v @ hu) <= 1e-12 * scale + 1e-14  # symmetry u^T H v = v^T H u
    # linearity in v and agreement with differences of the exact gradient
    np.testing.assert_allclose(model.hvp(theta, 2 * u - v, X, y), 2 * hu - hv, atol=1e-11 * (1 + np.abs(hu).max()))
    np.testing.assert_allclose(hv, model.hvp_fd(theta, v, X, y), atol=1e-6 * (1 + np.abs(hv).max()))


def test_dense_hessian_and_weight_decay():
    model, theta, X, y, _ = problem([3, 4, 3])
    H = model.hessian(theta, X, y)
    assert np.array_equal(H, H.T)
    # Jacobian of the gradient by central differences
    h = 1e-6
    J = np.stack([(model.gradient(theta + h * e, X, y) - model.gradient(theta - h * e, X, y)) / (2 * h)
                  for e in np.eye(model.n_params)], axis=1)
    np.testing.assert_allclose(H, J, atol=1e-7)
    model0 = MLP(model.sizes, weight_decay=0.0)
    np.testing.assert_allclose(H - model0.hessian(theta, X, y), model.weight_decay * np.eye(model.n_params),
                               atol=1e-14)


def test_top_eigenvalues_match_dense():
    model, theta, X, y, _ = problem([4, 6, 3], n=20)
    dense = np.sort(np.linalg.eigvalsh(model.hessian(theta, X, y)))[::-1]
    top = hessian_top_eigenvalues(model, theta, X, y, k=5, seed=1)
    np.testing.assert_allclose(top, dense[:5], rtol=1e-7, atol=1e-10)
    op = hessian_operator(model, theta, X, y)
    v = np.ones(model.n_params)
    np.testing.assert_allclose(op @ v, model.hvp(theta, v, X, y))


def test_train_decreases_loss():
    model, theta, X, y, _ = problem([4, 6, 3], n=30)
    res = train(model, theta, X, y, 0.3, steps=200)
    assert isinstance(res, TrainingRun)
    assert res.losses.shape == (201,)
    assert res.losses[-1] < 0.8 * res.losses[0]
    assert res.losses[0] == pytest.approx(model.loss(theta, X, y))
    assert res.losses[-1] == pytest.approx(model.loss(res.theta, X, y))
    res2 = train(model, theta, X, y, np.full(200, 0.3), steps=200)
    np.testing.assert_array_equal(res.theta, res2.theta)
    res3 = train(model, theta, X, y, 0.1, steps=100, momentum=0.9)
    assert res3.losses[-1] < res3.losses[0]
    acc = model.accuracy(res.theta, X, y)
    assert 0.0 <= acc <= 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="sizes"):
        MLP([3])
    with pytest.raises(ValueError, match="sizes"):
        MLP([3, 0, 2])
    with pytest.raises(ValueError, match="weight_decay"):
        MLP([3, 2], weight_decay=-1.0)
    model, theta, X, y, _ = problem([3, 2])
    with pytest.raises(ValueError, match="theta"):
        model.loss(theta[:-1], X, y)
    with pytest.raises(ValueError, match="X"):
        model.loss(theta, X[:, :2], y)
    with pytest.raises(ValueError, match="y"):
        model.loss(theta, X, y + 5)
    with pytest.raises(ValueError, match="y"):
        model.loss(theta, X, y.astype(float))
    with pytest.raises(ValueError, match="v"):
        model.hvp(theta, np.ones(3), X, y)
    with pytest.raises(ValueError, match="eps"):
        model.hvp_fd(theta, np.ones(model.n_params), X, y, eps=0.0)
    with pytest.raises(ValueError, match="k"):
        hessian_top_eigenvalues(model, theta, X, y, k=model.n_params)
    with pytest.raises(ValueError, match="steps"):
        train(model, theta, X, y, 0.1, steps=-1)
    with pytest.raises(ValueError, match="schedule"):
        train(model, theta, X, y, [0.1], steps=2)
    with pytest.raises(ValueError, match="schedule"):
        train(model, theta, X, y, -0.1, steps=2)
    with pytest.raises(ValueError, match="momentum"):
        train(model, theta, X, y, 0.1, steps=2, momentum=1.0)
    with pytest.raises(ValueError, match="model"):
        train(object(), theta, X, y, 0.1, steps=2)


def test_loss_is_stable_for_large_logits():
    model = MLP([2, 3], weight_decay=0.0)
    theta = np.zeros(model.n_params)
    model.unpack(theta)[0][0][0] = [1000.0, 0.0, -1000.0]           # W_1's first row, through the view
    X = np.array([[1.0, 0.0]])
    assert model.loss(theta, X, np.array([0])) == pytest.approx(0.0, abs=1e-300)
    assert model.loss(theta, X, np.array([2])) == pytest.approx(2000.0, rel=1e-14)
    assert np.all(np.isfinite(model.gradient(theta, X, np.array([2]))))


def test_stacked_networks_match_one_at_a_time():
    """S networks as one batch: the same losses, gradients and Hessian rows as one network at a time."""
    model, _, X, y, rng = problem([4, 5, 3], n=11)
    thetas = model.init(rng, count=3)
    Xs = rng.standard_normal((3, 11, 4))
    ys = rng.integers(0, 3, (3, 11))
    loss, grad = model.loss_and_gradient(thetas, Xs, ys)
    shared = model.gradient(thetas, X, y)
    for s in range(3):
        l1, g1 = model.loss_and_gradient(thetas[s], Xs[s], ys[s])
        assert loss[s] == pytest.approx(l1, rel=1e-13)
        np.testing.assert_allclose(grad[s], g1, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(shared[s], model.gradient(thetas[s], X, y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.accuracy(thetas, Xs, ys), [model.accuracy(t, x, c) for t, x, c in zip(thetas, Xs, ys)])
    V = rng.standard_normal((4, model.n_params))
    np.testing.assert_allclose(model._hvp(thetas[0], V, X, y), [model.hvp(thetas[0], v, X, y) for v in V],
                               rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="X"):
        model.loss(thetas, Xs[:2], ys[:2])
    with pytest.raises(ValueError, match="theta"):
        model.hvp(thetas, V[0], X, y)
