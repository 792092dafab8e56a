"""clrlib.stochastic.minibatch_sgd: full batches reproduce gradient descent; seeds; bad input."""

import numpy as np
import pytest

import clrlib


def data(seed=0, n=50, d=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


def test_is_unbiased_gd_when_the_batch_is_every_row_in_order():
    X, y = data()
    steps = np.full(30, 0.05)
    # a batch of n rows drawn with replacement is not the full data, so compare the expectation instead:
    # with batch_size huge, SGD approaches GD on f = ||Xx - y||^2 / (2n)
    iterates = clrlib.minibatch_sgd(X, y, steps, batch_size=200_000, seed=1)
    x = np.zeros(X.shape[1])
    for eta in steps:
        x = x - eta * X.T @ (X @ x - y) / X.shape[0]
    assert np.linalg.norm(iterates[-1] - x) < 0.02 * np.linalg.norm(x)


def test_shapes_and_reproducibility():
    X, y = data()
    a = clrlib.minibatch_sgd(X, y, np.full(10, 0.1), 5, seed=3)
    b = clrlib.minibatch_sgd(X, y, np.full(10, 0.1), 5, seed=3)
    c = clrlib.minibatch_sgd(X, y, np.full(10, 0.1), 5, seed=4)
    assert a.shape == (10, X.shape[1])
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_one_step_from_x0_is_the_minibatch_gradient_step():
    X, y = data()
    rng_rows = np.random.default_rng(7).integers(0, X.shape[0], size=(1, 3))[0]
    x0 = np.ones(X.shape[1])
    out = clrlib.minibatch_sgd(X, y, [0.2], 3, seed=7, x0=x0)
    Xb = X[rng_rows]
    assert np.allclose(out[0], x0 - 0.2 * Xb.T @ (Xb @ x0 - y[rng_rows]) / 3)


@pytest.mark.parametrize("kwargs, name", [
    (dict(batch_size=0), "batch_size"),
    (dict(steps=[np.nan]), "steps"),
    (dict(y=np.ones(3)), "y"),
    (dict(x0=np.ones(2)), "x0"),
    (dict(seed=-1), "seed"),
])
def test_bad_input(kwargs, name):
    X, y = data()
    args = dict(X=X, y=y, steps=[0.1], batch_size=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        clrlib.minibatch_sgd(**args)
