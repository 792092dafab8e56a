"""Tests of clrlib.cycle_factor: the exact per-cycle factor max_E |(1 - a lam)(1 - b lam)^K|."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib


def brute_force(a: float, b: float, K: int, intervals, n: int = 20001) -> float:
    """max |P| on a fine grid of each interval, refined around the grid maximiser."""
    best = 0.0
    for lo, hi in intervals:
        lam = np.linspace(lo, hi, n)
        vals = np.abs((1 - a * lam) * (1 - b * lam) ** K)
        i = int(np.argmax(vals))
        h = (hi - lo) / (n - 1)
        fine = np.linspace(max(lo, lam[i] - h), min(hi, lam[i] + h), 4001)
        best = max(best, float(vals[i]), float(np.max(np.abs((1 - a * fine) * (1 - b * fine) ** K))))
    return best


def formula(a: float, b: float, K: int, intervals) -> float:
    """max of |P| at the endpoints and at lam* = (a + K b)/((K+1) a b) when lam* lies in E."""
    cand = [x for iv in intervals for x in iv]
    if K >= 1:
        ls = (a + K * b) / ((K + 1) * a * b)
        if any(lo <= ls <= hi for lo, hi in intervals):
            cand.append(ls)
    cand = np.array(cand)
    return float(np.max(np.abs((1 - a * cand) * (1 - b * cand) ** K)))


def test_known_values():
    # K = 0: |1 - lam| on [0.5, 1] U [2, 3] is largest at lam = 3
    assert clrlib.cycle_factor(1.0, 0.1, 0, [(0.5, 1.0), (2.0, 3.0)]) == pytest.approx(2.0, rel=1e-15)
    # K = 1, a = 1, b = 1/3 on [2, 3]: lam* = (1 + 1/3)/(2/3) = 2, P(2) = (-1)(1/3)
    assert clrlib.cycle_factor(1.0, 1 / 3, 1, [(2.0, 3.0)]) == pytest.approx(1 / 3, rel=1e-14)


def test_paper_schedule_small_cluster_endpoint():
    spec = clrlib.Bimodal(1.0, 4.0, 50.0, 100.0)
    a, b = 1 / spec.mu1, 1 / spec.L
    for K in range(0, 30):
        expected = formula(a, b, K, spec.intervals)
        assert clrlib.cycle_factor(a, b, K, spec) == pytest.approx(expected, rel=1e-13)


@settings(max_examples=50, deadline=None)
@given(
    mu=st.floats(0.01, 10), r1=st.floats(1.0, 30), gap=st.floats(1.01, 100), r2=st.floats(1.0, 30),
    a_scale=st.floats(0.05, 3), b_scale=st.floats(0.05, 3), K=st.integers(0, 40),
)
def test_against_brute_force(mu, r1, gap, r2, a_scale, b_scale, K):
    mu1 = mu * r1
    L1 = mu1 * gap
    L = L1 * r2
    spec = clrlib.Bimodal(mu, mu1, L1, L)
    a = a_scale / mu1
    b = b_scale / L
    got = clrlib.cycle_factor(a, b, K, spec)
    brute = brute_force(a, b, K, spec.intervals)
    # the grid never exceeds the true maximum; the refined grid gets within 1e-9
    assert brute <= got * (1 + 1e-12)
    assert got <= brute * (1 + 1e-9)
    assert got == pytest.approx(formula(a, b, K, spec.intervals), rel=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        sup = clrlib.sup_residual(np.r_[a, np.full(K, b)], spec)
    assert got == pytest.approx(sup, rel=1e-10)


def test_huge_factor_does_not_overflow():
    spec = clrlib.Bimodal.from_ratios(1e10, 2.0, 2.0)
    # one unstable step and no damping: the factor is L/mu1 - 1 ~ 5e9, and K = 40 with b = 1/L
    assert clrlib.cycle_factor(1 / spec.mu1, 1 / spec.L, 0, spec) == pytest.approx(spec.L / spec.mu1 - 1, rel=1e-12)
    big = clrlib.cycle_factor(1e3 / spec.mu1, 1e-3 / spec.L, 200, spec)
    assert np.isfinite(big) and big > 1


@pytest.mark.parametrize(
    "args, name",
    [
        ((0.0, 1.0, 1, [(1.0, 2.0)]), "eta_plus"),
        ((-1.0, 1.0, 1, [(1.0, 2.0)]), "eta_plus"),
        ((1.0, float("nan"), 1, [(1.0, 2.0)]), "eta_minus"),
        ((1.0, 1.0, -1, [(1.0, 2.0)]), "K"),
        ((1.0, 1.0, 1.5, [(1.0, 2.0)]), "K"),
        ((1.0, 1.0, 1, [(2.0, 1.0)]), "intervals"),
    ],
)
def test_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        clrlib.cycle_factor(*args)
