"""Tests of clrlib.methods: gradient descent on quadratics, matrix-free, with divergence detection.

The reference is the polynomial picture: ``x_t - x* = p_t(H) (x_0 - x*)`` with
``p_t(lam) = prod_{s<t} (1 - eta_s lam)``, evaluated in the eigenbasis of ``H``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib
from clrlib import Bimodal, DivergenceError, Quadratic, Run, clr_schedule, constant, gradient_descent, residual


def predicted_errors(problem: Quadratic, steps: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """``||p_t(H) e_0||`` for t = 0..T, computed in the eigenbasis of H."""
    H = np.diag(problem.eigenvalues) if problem.is_diagonal else problem.hessian
    w, V = np.linalg.eigh(H)
    c = V.T @ (x0 - problem.x_star)
    out = [np.linalg.norm(c)]
    for t in range(1, steps.size + 1):
        out.append(np.linalg.norm(residual(steps[:t], w) * c))
    return np.array(out)


@pytest.mark.parametrize("rotated", [False, True])
def test_gd_matches_polynomial_well_conditioned(rotated):
    eig = clrlib.Interval(1.0, 10.0).sample(40, seed=1)
    q = Quadratic.from_eigenvalues(eig, seed=2, rotated=rotated)
    T = 60
    run = gradient_descent(q, constant(2.0 / 11.0), T)
    assert isinstance(run, Run)
    assert run.errors.shape == (T + 1,) and run.x.shape == (40,)
    want = predicted_errors(q, constant(2.0 / 11.0).steps(T), np.zeros(40))
    assert np.allclose(run.errors, want, rtol=1e-8, atol=0)
    assert run.errors[0] == pytest.approx(np.linalg.norm(q.x_star), rel=1e-15)
    assert np.allclose(run.relative, want / want[0], rtol=1e-8)
    # the final iterate itself: x_T = x* + p_T(H) e_0
    H = np.diag(eig) if not rotated else q.hessian
    w, V = np.linalg.eigh(H)
    x_T = q.x_star + V @ (residual(constant(2.0 / 11.0).steps(T), w) * (V.T @ (-q.x_star)))
    assert np.allclose(run.x, x_T, rtol=0, atol=1e-8 * np.linalg.norm(q.x_star))
    # and the worst case over the spectrum bounds every run
    bound = clrlib.sup_residual(constant(2.0 / 11.0).steps(T), clrlib.Interval(1.0, 10.0))
    assert run.errors[-1] <= bound * run.errors[0] * (1 + 1e-10)


@given(st.integers(0, 2**31), st.floats(0.1, 1.9), st.integers(1, 40), st.booleans())
@settings(max_examples=25)
def test_gd_matches_polynomial_random(seed, c, T, rotated):
    rng = np.random.default_rng(seed)
    eig = rng.uniform(1.0, 5.0, 12)
    q = Quadratic.from_eigenvalues(eig, seed=rng, rotated=rotated)
    x0 = rng.standard_normal(12)
    steps = c / 5.0 * rng.uniform(0.5, 1.0, T)
    run = gradient_descent(q, steps, x0=x0)
    assert np.allclose(run.errors, predicted_errors(q, steps, x0), rtol=1e-8, atol=0)


def test_gd_with_unstable_cyclical_schedule_matches_polynomial():
    spec = Bimodal(1.0, 2.0, 80.0, 100.0)
    q = Quadratic.from_eigenvalues(spec.sample(30, seed=3), seed=4, rotated=True)
    sched = clr_schedule(1.0 / 1.5, 2.0 / 180.0, 8)         # the large step is unstable on [80, 100]
    assert 1.0 / 1.5 * 100.0 > 2.0
    T = 9 * 6
    run = gradient_descent(q, sched, T)
    want = predicted_errors(q, sched.steps(T), np.zeros(q.dim))
    assert np.allclose(run.errors, want, rtol=1e-6, atol=1e-10 * want[0])
    assert run.errors[1] > run.errors[0]                    # the unstable step amplifies first
    assert run.errors[-1] < 1e-3 * run.errors[0]            # and the cycle contracts overall


def test_gd_accepts_schedule_objects_arrays_and_explicit():
    q = Quadratic.from_eigenvalues(np.linspace(1.0, 4.0, 8), seed=0, rotated=False)
    a = gradient_descent(q, constant(0.3), 10)
    b = gradient_descent(q, np.full(10, 0.3))
    c = gradient_descent(q, clrlib.Explicit(np.full(12, 0.3)), 10)
    d = gradient_descent(q, clrlib.Explicit(np.full(10, 0.3)))
    for other in (b, c, d):
        assert np.array_equal(a.errors, other.errors) and np.array_equal(a.x, other.x)
    zero = gradient_descent(q, constant(0.3), 0)
    assert zero.errors.shape == (1,) and np.array_equal(zero.x, np.zeros(8))


def test_gd_x0_and_exact_start():
    q = Quadratic.from_eigenvalues(np.linspace(1.0, 4.0, 5), seed=0, rotated=True)
    run = gradient_descent(q, constant(0.3), 5, x0=q.x_star)
    assert np.allclose(run.errors, 0.0, atol=1e-14)
    x0 = np.arange(5.0)
    run = gradient_descent(q, constant(0.3), 3, x0=x0)
    assert run.errors[0] == pytest.approx(np.linalg.norm(x0 - q.x_star), rel=1e-15)
    assert x0.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]          # x0 not modified


class CountingQuadratic(Quadratic):
    """A Quadratic that counts Hessian-vector products."""

    def hvp(self, v):
        object.__setattr__(self, "calls", getattr(self, "calls", 0) + 1)
        return super().hvp(v)


def test_gd_is_matrix_free_one_hvp_per_step():
    base = Quadratic.from_eigenvalues(np.linspace(1.0, 4.0, 6), seed=0, rotated=True)
    q = CountingQuadratic(eigenvalues=base.eigenvalues, b=base.b, x_star=base.x_star, hessian=base.hessian)
    gradient_descent(q, constant(0.2), 17)
    assert q.calls == 17


def _first_crossing(growth: float, e0: float, threshold: float) -> int:
    return math.floor(math.log(threshold / e0) / math.log(growth)) + 1


def test_divergence_error_on_unstable_constant_step():
    eig = np.array([1.0, 10.0])
    q = Quadratic.from_eigenvalues(eig, seed=0, rotated=False)
    x0 = q.x_star + np.array([0.0, 1.0])                    # error only along lam = 10
    eta = 3.0 / 10.0                                        # |1 - 3| = 2 per step: unstable
    with pytest.raises(DivergenceError) as info:
        gradient_descent(q, constant(eta), 2000, x0=x0)
    err = info.value
    assert isinstance(err, FloatingPointError)
    assert err.step == _first_crossing(2.0, 1.0, 1e150)     # first t with 2^t > 1e150
    assert err.errors.shape == (err.step + 1,)
    assert err.norm == err.errors[-1] > 1e150 and np.all(err.errors[:-1] <= 1e150)
    assert "step" in str(err) and str(err.step) in str(err)
    with pytest.raises(DivergenceError) as info:
        gradient_descent(q, constant(eta), 2000, x0=x0, overflow=1e6)
    assert info.value.step == _first_crossing(2.0, 1.0, 1e6)
    # stable up to the crossing: no error with fewer steps
    run = gradient_descent(q, constant(eta), _first_crossing(2.0, 1.0, 1e6) - 1, x0=x0, overflow=1e6)
    assert run.errors[-1] <= 1e6


def test_divergence_error_when_float32_overflows():
    q = Quadratic.from_eigenvalues(np.array([1.0, 10.0]), seed=0, rotated=False)
    x0 = q.x_star + np.array([0.0, 1.0])
    with pytest.raises(DivergenceError) as info:
        gradient_descent(q, constant(30.0), 10_000, x0=x0)
    assert info.value.step == _first_crossing(299.0, 1.0, 1e150)   # |1 - 30 * 10| = 299 per step
    with pytest.raises(DivergenceError) as info32:
        gradient_descent(q, constant(30.0), 10_000, x0=x0, dtype=np.float32)
    # float32 overflows (x_t = inf, ~3.4e38) long before the 1e150 threshold
    assert info32.value.step == _first_crossing(299.0, 1.0, float(np.finfo(np.float32).max))
    assert not np.isfinite(info32.value.norm)


def test_divergence_threshold_above_1e154_is_respected():
    q = Quadratic.from_eigenvalues(np.array([1.0, 10.0]), seed=0, rotated=False)
    x0 = q.x_star + np.array([0.0, 1.0])
    with pytest.raises(DivergenceError) as info:
        gradient_descent(q, constant(30.0), 10_000, x0=x0, overflow=1e300)
    assert info.value.step == _first_crossing(299.0, 1.0, 1e300)
    assert np.isfinite(info.value.norm)


@pytest.mark.parametrize("rotated", [False, True])
def test_gd_float32(rotated):
    eig = clrlib.Interval(1.0, 10.0).sample(30, seed=5)
    q = Quadratic.from_eigenvalues(eig, seed=6, rotated=rotated)
    r64 = gradient_descent(q, constant(2.0 / 11.0), 40)
    r32 = gradient_descent(q, constant(2.0 / 11.0), 40, dtype=np.float32)
    assert r32.x.dtype == np.float32 and r64.x.dtype == np.float64
    assert r32.errors.dtype == np.float64
    assert np.allclose(r32.errors[:10], r64.errors[:10], rtol=1e-4)
    # float32 stalls near its precision: the error floor is about eps32 * ||x*||
    floor = np.finfo(np.float32).eps * np.linalg.norm(q.x_star)
    assert r32.errors[-1] <= max(r64.errors[-1], 0) + 100 * floor
    assert gradient_descent(q, constant(2.0 / 11.0), 400, dtype=np.float32).errors[-1] > 1e-3 * floor


@pytest.mark.parametrize("kwargs, pattern", [
    ({"problem": np.eye(2)}, r"^problem must have a .gradient"),
    ({"problem": None}, r"^problem must have a .gradient"),
    ({"schedule": constant(0.1), "T": None}, r"^T must be given"),
    ({"T": -1}, r"^T must be an integer >= 0"),
    ({"T": 2.5}, r"^T must be an integer >= 0"),
    ({"schedule": [0.1, 0.1], "T": 3}, r"^T must be <= 2"),
    ({"schedule": [0.1, np.nan]}, r"^schedule must"),
    ({"x0": np.zeros(3)}, r"^x0 must have length 2"),
    ({"x0": [np.nan, 0.0]}, r"^x0 must"),
    ({"x0": np.zeros((2, 1))}, r"^x0 must be a 1-dimensional"),
    ({"dtype": np.float16}, r"^dtype must be float32 or float64"),
    ({"dtype": np.int64}, r"^dtype must be float32 or float64"),
    ({"dtype": np.complex128}, r"^dtype must be float32 or float64"),
    ({"overflow": 0.0}, r"^overflow must"),
    ({"overflow": np.inf}, r"^overflow must"),
])
def test_gd_rejects(kwargs, pattern):
    args = {"problem": Quadratic.from_eigenvalues([1.0, 2.0], rotated=False), "schedule": constant(0.1), "T": 3}
    args.update(kwargs)
    problem, schedule, T = args.pop("problem"), args.pop("schedule"), args.pop("T")
    with pytest.raises(ValueError, match=pattern):
        gradient_descent(problem, schedule, T, **args)


def test_gd_rejects_unknown_dtype_name():
    q = Quadratic.from_eigenvalues([1.0, 2.0], rotated=False)
    with pytest.raises(ValueError, match=r"^dtype must be float32 or float64"):
        gradient_descent(q, constant(0.1), 3, dtype="banana")
