"""Tests of clrlib.schedules: step-size schedules and their ``steps(T)``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib
from clrlib import Constant, Cyclical, Explicit, Periodic, Schedule, as_steps, clr_schedule, constant

step = st.floats(1e-6, 1e6)


@given(step, st.integers(0, 200))
@settings(max_examples=50)
def test_constant_steps(eta, T):
    s = constant(eta).steps(T)
    assert isinstance(constant(eta), Constant) and isinstance(constant(eta), Schedule)
    assert s.shape == (T,) and s.dtype == np.float64
    assert np.all(s == eta)
    assert constant(eta).eta == eta


@given(st.lists(step, min_size=1, max_size=10), st.integers(0, 100))
@settings(max_examples=50)
def test_periodic_steps_are_periodic(cycle, T):
    sched = Periodic(cycle)
    s = sched.steps(T)
    assert s.shape == (T,) and s.dtype == np.float64
    n = len(cycle)
    assert sched.period == n and sched.cycle.tolist() == [float(c) for c in cycle]
    for t in range(T):
        assert s[t] == cycle[t % n]
    assert np.array_equal(sched.steps(T + 7)[:T], s)          # prefixes agree
    if T >= n:
        assert np.array_equal(s[n:], s[:-n])                  # shift by one period


@given(step, step, st.integers(0, 30), st.integers(0, 200))
@settings(max_examples=50)
def test_cyclical_order_large_first_then_K_small(eta_plus, eta_minus, K, T):
    sched = clr_schedule(eta_plus, eta_minus, K)
    assert isinstance(sched, Cyclical)
    assert (sched.eta_plus, sched.eta_minus, sched.K, sched.period) == (eta_plus, eta_minus, K, K + 1)
    s = sched.steps(T)
    assert s.shape == (T,)
    for t in range(T):
        assert s[t] == (eta_plus if t % (K + 1) == 0 else eta_minus)


def test_cyclical_concrete():
    s = clr_schedule(10.0, 0.5, 3).steps(9)
    assert s.tolist() == [10.0, 0.5, 0.5, 0.5, 10.0, 0.5, 0.5, 0.5, 10.0]
    assert clr_schedule(2.0, 1.0, 0).steps(3).tolist() == [2.0, 2.0, 2.0]
    assert clr_schedule(2.0, 1.0, 2).cycle.tolist() == [2.0, 1.0, 1.0]


def test_steps_returns_a_fresh_array_and_cycle_is_read_only():
    sched = Periodic([1.0, 2.0])
    s = sched.steps(4)
    s[:] = 0.0
    assert sched.steps(4).tolist() == [1.0, 2.0, 1.0, 2.0]
    with pytest.raises(ValueError):
        sched.cycle[0] = 5.0
    ex = Explicit([1.0, 2.0, 3.0])
    out = ex.steps(2)
    out[0] = 9.0
    assert ex.steps().tolist() == [1.0, 2.0, 3.0]
    src = np.array([1.0, 2.0])
    p = Periodic(src)
    src[0] = 7.0
    assert p.steps(2).tolist() == [1.0, 2.0]                 # the schedule copied its input


def test_explicit_bounds():
    ex = Explicit([0.1, 0.2, 0.3])
    assert len(ex) == 3
    assert ex.steps().tolist() == [0.1, 0.2, 0.3]
    assert ex.steps(0).shape == (0,)
    assert ex.steps(3).tolist() == [0.1, 0.2, 0.3]
    assert ex.steps(2).tolist() == [0.1, 0.2]
    with pytest.raises(ValueError, match=r"^T must be <= 3"):
        ex.steps(4)
    with pytest.raises(ValueError, match=r"^T must be an integer >= 0"):
        ex.steps(-1)
    assert Explicit([]).steps().shape == (0,)


def test_as_steps():
    assert as_steps(constant(0.5), 3).tolist() == [0.5, 0.5, 0.5]
    assert as_steps(Explicit([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert as_steps(Explicit([1.0, 2.0]), 1).tolist() == [1.0]
    assert as_steps([1.0, 2.0, 3.0]).tolist() == [1.0, 2.0, 3.0]
    assert as_steps(np.array([1.0, 2.0, 3.0]), 2).tolist() == [1.0, 2.0]
    assert as_steps([3, 4]).dtype == np.float64
    with pytest.raises(ValueError, match=r"^T must be given"):
        as_steps(constant(0.5))
    with pytest.raises(ValueError, match=r"^T must be <= 2"):
        as_steps([1.0, 2.0], 3)
    with pytest.raises(ValueError, match=r"^T must be an integer >= 0"):
        as_steps([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match=r"^schedule must"):
        as_steps([1.0, np.nan])
    with pytest.raises(ValueError, match=r"^schedule must be a 1-dimensional"):
        as_steps([[1.0]])


def test_schedule_residual_link():
    # the residual of a cyclical schedule over c cycles is the c-th power of the cycle's residual
    sched = clr_schedule(3.0, 0.4, 4)
    lam = np.linspace(0.1, 2.0, 7)
    cycle = clrlib.residual(sched.cycle, lam)
    assert np.allclose(clrlib.residual(sched.steps(15), lam), cycle ** 3, rtol=1e-12)
    assert np.allclose(cycle, (1 - 3.0 * lam) * (1 - 0.4 * lam) ** 4, rtol=1e-13)


BAD_STEP = [0.0, -1.0, math.nan, math.inf, True, "1", None]


@pytest.mark.parametrize("value", BAD_STEP, ids=repr)
def test_constant_rejects(value):
    with pytest.raises(ValueError, match=r"^eta must"):
        constant(value)
    with pytest.raises(ValueError, match=r"^eta must"):
        Constant(value)


@pytest.mark.parametrize("value", BAD_STEP, ids=repr)
def test_cyclical_rejects_bad_steps(value):
    with pytest.raises(ValueError, match=r"^eta_plus must"):
        clr_schedule(value, 1.0, 3)
    with pytest.raises(ValueError, match=r"^eta_minus must"):
        clr_schedule(1.0, value, 3)


@pytest.mark.parametrize("K", [-1, 1.5, 2.0, True, "3", None, math.nan])
def test_cyclical_rejects_bad_K(K):
    with pytest.raises(ValueError, match=r"^K must be an integer >= 0"):
        clr_schedule(2.0, 1.0, K)


@pytest.mark.parametrize("cycle, pattern", [
    ([], r"^cycle must contain at least one"),
    ([1.0, 0.0], r"^cycle must contain only step sizes > 0"),
    ([1.0, -2.0], r"^cycle must contain only step sizes > 0"),
    ([1.0, np.nan], r"^cycle must contain only finite"),
    ([[1.0, 2.0]], r"^cycle must be a 1-dimensional"),
    ("ab", r"^cycle must"),
    ([True], r"^cycle must"),
])
def test_periodic_rejects(cycle, pattern):
    with pytest.raises(ValueError, match=pattern):
        Periodic(cycle)


@pytest.mark.parametrize("steps, pattern", [
    ([1.0, 0.0], r"^steps must contain only step sizes > 0"),
    ([np.inf], r"^steps must contain only finite"),
    ([[1.0]], r"^steps must be a 1-dimensional"),
])
def test_explicit_rejects(steps, pattern):
    with pytest.raises(ValueError, match=pattern):
        Explicit(steps)


@pytest.mark.parametrize("T", [-1, 1.5, 3.0, True, "2", None])
def test_steps_rejects_bad_T(T):
    for sched in (constant(1.0), clr_schedule(2.0, 1.0, 2), Periodic([1.0, 2.0])):
        with pytest.raises(ValueError, match=r"^T must be an integer >= 0"):
            sched.steps(T)


def test_reprs():
    assert repr(constant(0.5)) == "Constant(eta=0.5)"
    assert repr(clr_schedule(2.0, 1.0, 3)) == "Cyclical(eta_plus=2.0, eta_minus=1.0, K=3)"
    assert "Periodic" in repr(Periodic([1.0])) and "Explicit" in repr(Explicit([1.0]))
