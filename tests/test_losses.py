"""clrlib.losses: logistic regression's gradient and Hessian against finite differences; descend."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import clrlib


def problem(seed: int, n: int = 60, d: int = 5, ridge: float = 1e-2) -> clrlib.LogisticRegression:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d)
    y = (rng.uniform(size=n) < 0.5).astype(float)
    return clrlib.LogisticRegression(X, y, ridge=ridge)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_gradient_matches_central_differences(seed):
    lr = problem(seed)
    w = np.random.default_rng(seed + 1).standard_normal(lr.dim)
    h = 1e-6
    fd = np.array([(lr.value(w + h * e) - lr.value(w - h * e)) / (2 * h) for e in np.eye(lr.dim)])
    assert np.allclose(lr.gradient(w), fd, rtol=1e-6, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_hvp_matches_differences_of_the_gradient_and_is_symmetric(seed):
    lr = problem(seed)
    rng = np.random.default_rng(seed + 2)
    w, u, v = rng.standard_normal((3, lr.dim))
    h = 1e-6
    fd = (lr.gradient(w + h * v) - lr.gradient(w - h * v)) / (2 * h)
    assert np.allclose(lr.hvp(w, v), fd, rtol=1e-6, atol=1e-8)
    assert np.allclose(lr.hessian(w) @ v, lr.hvp(w, v), rtol=1e-12, atol=1e-14)
    assert np.isclose(u @ lr.hvp(w, v), v @ lr.hvp(w, u), rtol=1e-12)


def test_minimizer_has_zero_gradient_and_descend_converges():
    lr = problem(3)
    w_star = lr.minimizer()
    assert np.linalg.norm(lr.gradient(w_star)) <= 1e-13
    L = np.linalg.eigvalsh(lr.hessian(w_star))[-1]
    run = clrlib.descend(lr.gradient, np.zeros(lr.dim), np.full(3000, 1.0 / L), w_star)
    assert run.errors.shape == (3001,)
    assert run.errors[-1] < 1e-6 * run.errors[0]


def test_descend_detects_divergence():
    with pytest.raises(clrlib.DivergenceError) as info:
        clrlib.descend(lambda x: 10 * x, np.ones(3), np.full(200, 1.0), np.zeros(3))   # factor -9 per step
    assert info.value.step < 200


@pytest.mark.parametrize("kwargs, name", [
    (dict(X=np.ones((3, 2)), y=np.array([0.0, 1.0])), "y"),
    (dict(X=np.ones((2, 2)), y=np.array([0.0, 2.0])), "y"),
    (dict(X=np.ones(3), y=np.array([0.0, 1.0, 1.0])), "X"),
    (dict(X=np.ones((2, 2)), y=np.array([0.0, 1.0]), ridge=-1.0), "ridge"),
    (dict(X=np.full((2, 2), np.nan), y=np.array([0.0, 1.0])), "X"),
])
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        clrlib.LogisticRegression(**kwargs)


def test_bad_weights_and_steps():
    lr = problem(0)
    with pytest.raises(ValueError, match="w"):
        lr.gradient(np.zeros(lr.dim + 1))
    with pytest.raises(ValueError, match="x_star"):
        clrlib.descend(lr.gradient, np.zeros(lr.dim), [0.1], np.zeros(lr.dim + 1))
    with pytest.raises(ValueError, match="steps"):
        clrlib.descend(lr.gradient, np.zeros(lr.dim), [np.inf], np.zeros(lr.dim))
