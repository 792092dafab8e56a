"""Tests of clrlib.polynomials: residual polynomials and their exact sup norms.

``p(lam) = prod_t (1 - eta_t lam)``. Reference values come from a naive product (short
schedules), from exact rational / multi-precision arithmetic (``fractions``, ``mpmath``) and
from closed forms (constant steps, Chebyshev steps).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import clrlib
from clrlib import (Bimodal, Interval, Spectrum, argmax_residual, log_abs_residual, log_sup_residual,
                    residual, sup_residual)

EPS = np.finfo(float).eps


# ---------------------------------------------------------------- references

def naive(steps, lam):
    """The product in the order written, in float64."""
    lam = np.asarray(lam, dtype=float)
    out = np.ones(lam.shape)
    for eta in steps:
        out = out * (1.0 - eta * lam)
    return out


def exact_log_abs(steps, lam, dps=60):
    """``log|p(lam)|`` in multi-precision, from the exact binary values of the floats."""
    with mpmath.workdps(dps):
        prod = mpmath.mpf(1)
        x = mpmath.mpf(float(lam))
        for eta in steps:
            prod *= 1 - mpmath.mpf(float(eta)) * x
        return mpmath.log(abs(prod)), mpmath.sign(prod)


def chebyshev_steps(mu, L, T):
    """Steps ``1/r_k`` at the roots ``r_k`` of the degree-T Chebyshev polynomial on [mu, L]."""
    k = np.arange(1, T + 1)
    roots = 0.5 * (L + mu) + 0.5 * (L - mu) * np.cos((2 * k - 1) * np.pi / (2 * T))
    return 1.0 / roots


def brute_force_sup(steps, spectrum, n=4001):
    """max |p| on a fine grid (endpoints included), each grid-local maximum refined by bounded Brent.

    Every value returned is |p| at a point of the spectrum, so it is a lower bound of the true
    sup; the refinement makes it the true sup to ~1e-12 unless a bump is narrower than the grid.
    """
    steps = np.asarray(steps, float)

    def neg_abs(x):
        return -abs(float(naive(steps, x)))

    best = 0.0
    for lo, hi in spectrum.intervals:
        g = np.linspace(lo, hi, n) if hi > lo else np.array([lo])
        v = np.abs(naive(steps, g))
        best = max(best, float(v.max()))
        if g.size < 3:
            continue
        left = np.concatenate([[-np.inf], v[:-1]])
        right = np.concatenate([v[1:], [-np.inf]])
        for i in np.flatnonzero((v >= left) & (v >= right)):
            a, b = g[max(i - 1, 0)], g[min(i + 1, g.size - 1)]
            res = minimize_scalar(neg_abs, bounds=(a, b), method="bounded",
                                  options={"xatol": 1e-15 * max(abs(b), 1.0), "maxiter": 2000})
            best = max(best, -float(res.fun))
    return best


# ---------------------------------------------------------------- strategies

@st.composite
def spectra(draw):
    """One, two (bimodal) or three intervals, spread over several decades."""
    m = draw(st.integers(1, 3))
    x = draw(st.floats(1e-3, 10.0))
    pairs = []
    for _ in range(m):
        lo = x
        hi = lo * draw(st.floats(1.0, 30.0))
        pairs.append((lo, hi))
        x = hi * draw(st.floats(1.05, 100.0))
    return Spectrum(pairs)


@st.composite
def spectrum_and_steps(draw, max_T=10):
    """A spectrum and steps ``1/r`` with roots ``r`` log-uniform in [mu/2, 2L] (stable and unstable)."""
    spec = draw(spectra())
    T = draw(st.integers(1, max_T))
    lo, hi = math.log(spec.mu / 2), math.log(2 * spec.L)
    logs = draw(st.lists(st.floats(lo, hi), min_size=T, max_size=T))
    return spec, np.exp(-np.array(logs))


short_steps = st.lists(st.floats(-2.0, 3.0, allow_subnormal=False), min_size=0, max_size=12)
lams = st.lists(st.floats(-3.0, 5.0, allow_subnormal=False), min_size=1, max_size=20)


# ---------------------------------------------------------------- residual

@given(short_steps, lams)
@settings(max_examples=60)
def test_residual_equals_naive_product(steps, lam):
    lam = np.array(lam)
    got = residual(steps, lam)
    want = naive(steps, lam)
    # each factor (1 - eta lam) is rounded the same way up to one ulp: compare with that scale
    scale = np.ones(lam.shape)
    for eta in steps:
        scale = scale * (np.abs(1.0 - eta * lam) + EPS * np.abs(eta * lam))
    assert got.shape == lam.shape
    assert np.all(np.abs(got - want) <= 1e-13 * (len(steps) + 1) * scale)


def test_residual_short_schedule_by_hand():
    steps = [0.5, 0.25, 1.0]
    lam = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 8.0])
    want = [(1 - 0.5 * x) * (1 - 0.25 * x) * (1 - x) for x in lam]
    assert np.allclose(residual(steps, lam), want, rtol=1e-15, atol=0)
    assert residual(steps, 3.0) == pytest.approx((1 - 1.5) * (1 - 0.75) * (1 - 3.0), rel=1e-15)
    assert residual([], [1.0, 2.0]).tolist() == [1.0, 1.0]
    assert residual([0.0, 0.0], [5.0]).tolist() == [1.0]


@pytest.mark.parametrize("shape", [(), (1,), (7,), (2, 3), (2, 0, 4), (3, 1, 2, 2)])
def test_residual_vectorised_over_any_shape(shape):
    rng = np.random.default_rng(0)
    steps = rng.uniform(0.0, 2.0, 9)
    lam = rng.uniform(0.0, 3.0, shape)
    for f in (residual, log_abs_residual):
        out = np.asarray(f(steps, lam))
        assert out.shape == shape
        flat = np.array([f(steps, float(x)) for x in lam.ravel()]).reshape(shape)
        assert np.allclose(out, flat, rtol=1e-14, atol=0)
    assert np.allclose(residual(steps, lam), naive(steps, lam), rtol=1e-12, atol=1e-300)


def test_residual_large_lam_array_is_chunked_consistently():
    steps = np.linspace(0.01, 1.9, 400)
    lam = np.linspace(0.0, 1.0, 20_001)          # 20001 x 400 > one work chunk
    out = residual(steps, lam)
    idx = [0, 4_999, 5_000, 5_001, 12_345, 20_000]
    assert np.allclose(out[idx], [residual(steps, lam[i]) for i in idx], rtol=1e-13, atol=0)


@given(short_steps, short_steps, lams)
@settings(max_examples=60)
def test_residual_of_concatenation_is_product(a, b, lam):
    lam = np.array(lam)
    pa, pb, pab = residual(a, lam), residual(b, lam), residual(a + b, lam)
    assert np.allclose(pab, pa * pb, rtol=1e-12, atol=1e-300)
    assert np.allclose(residual(b + a, lam), pab, rtol=1e-12, atol=1e-300)   # order does not matter
    la, lb, lab = log_abs_residual(a, lam), log_abs_residual(b, lam), log_abs_residual(a + b, lam)
    finite = np.isfinite(lab)
    assert np.array_equal(finite, np.isfinite(la) & np.isfinite(lb))
    assert np.allclose(lab[finite], (la + lb)[finite], rtol=0, atol=1e-12 * (1 + np.abs(lab[finite]).max(initial=0)))


@given(short_steps)
@settings(max_examples=30)
def test_residual_at_zero_is_one(steps):
    assert residual(steps, 0.0) == 1.0
    assert log_abs_residual(steps, 0.0) == 0.0
    assert np.all(residual(steps, np.zeros(3)) == 1.0)


@given(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=8), st.data())
@settings(max_examples=50)
def test_root_at_reciprocal_step(steps, data):
    k = data.draw(st.integers(0, len(steps) - 1))
    eta = steps[k]
    lam = 1.0 / eta
    others = [s for j, s in enumerate(steps) if s != eta]
    mult = len(steps) - len(others)
    bound = abs(float(naive(others, lam))) * (4 * EPS) ** mult * 1.01 + 1e-300
    assert abs(residual(steps, lam)) <= bound        # 1/eta is a root up to rounding of 1/eta
    # where eta * lam rounds to exactly 1 the residual is exactly 0 and its log is -inf
    steps2 = steps + [0.5]
    assert residual(steps2, 2.0) == 0.0
    assert log_abs_residual(steps2, 2.0) == -np.inf


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_root_multiplicity_and_sign():
    steps = [0.5, 0.5, 0.25]
    lam = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert residual(steps, lam).tolist() == [(0.5) ** 2 * 0.75, 0.0, 0.25 * 0.25, 0.0, 1.5 ** 2 * (-0.25)]
    assert np.sign(residual([1.0], [0.5, 2.0])).tolist() == [1.0, -1.0]
    assert np.sign(residual([1.0, 1.0, 1.0], [2.0])).tolist() == [-1.0]


def _overflowing_schedule():
    """60 large steps (|1 - eta lam| ~ 1e6 each: naive partial products reach ~1e360) then
    small steps bringing the product back to ~1e-3: the result is representable."""
    rng = np.random.default_rng(7)
    big = 1e6 * (1 + 0.01 * rng.random(60))          # distinct, to exercise many different factors
    small = np.full(363, 0.9)                          # |1 - 0.9| = 0.1 at lam = 1
    return np.concatenate([big, small])


def test_residual_no_overflow_for_long_unstable_schedule():
    steps = _overflowing_schedule()
    lam = 1.0
    with np.errstate(over="ignore"):
        partial = np.cumprod(1.0 - steps * lam)
    assert not np.all(np.isfinite(partial))            # the naive product overflows on the way
    exact_log, exact_sign = exact_log_abs(steps, lam)
    assert -700 < exact_log < 700                      # ... but the result is representable
    got = residual(steps, lam)
    assert np.isfinite(got)
    want = float(exact_sign * mpmath.exp(exact_log))
    assert got == pytest.approx(want, rel=1e-11)
    assert log_abs_residual(steps, lam) == pytest.approx(float(exact_log), rel=0, abs=1e-11)


def test_residual_no_overflow_with_few_distinct_steps_fraction_exact():
    # (1 - 3 lam)^400 (1 - lam/4)^1000 at lam = 1 is 2^400 (3/4)^1000, exactly (Fraction)
    steps = [3.0] * 400 + [0.25] * 1000
    exact = Fraction(-2) ** 400 * Fraction(3, 4) ** 1000
    got = residual(steps, np.array([1.0]))[0]
    assert got == pytest.approx(float(exact), rel=1e-12)
    # 2^1100 (3/4)^2000 ~ 1e81, but the partial product 2^1100 alone overflows float64
    steps2 = [3.0] * 1100 + [0.25] * 2000
    exact2 = Fraction(2) ** 1100 * Fraction(3, 4) ** 2000
    with np.errstate(over="ignore"):
        assert not np.all(np.isfinite(np.cumprod(1.0 - np.array(steps2))))
    assert 1e-300 < float(exact2) < 1e300
    assert residual(steps2, 1.0) == pytest.approx(float(exact2), rel=1e-12)


def test_residual_accurate_for_many_tiny_steps():
    # (1 - eta lam)^T with eta lam ~ 3e-11: rounding 1 - eta lam would cost ~1e-10 relative
    steps = np.full(1_000_000, 3e-11)
    lam = np.array([1.0, 0.7])
    for x, got in zip(lam, residual(steps, lam)):
        exact_log, _ = exact_log_abs([3e-11], x)
        want = float(mpmath.exp(1_000_000 * exact_log))
        assert got == pytest.approx(want, rel=1e-13)


def test_log_abs_residual_beyond_float_range():
    steps = [10.0] * 400                               # |1 - 10 * 2|^400 = 19^400 ~ 1e511
    assert residual(steps, 2.0) == np.inf
    assert log_abs_residual(steps, 2.0) == pytest.approx(400 * math.log(19.0), rel=1e-14)
    steps = [10.0] * 401
    assert residual(steps, 2.0) == -np.inf
    tiny = [0.5] * 2000                                # 2^-2000 underflows to 0 but its log does not
    assert residual(tiny, 1.0) == 0.0
    assert log_abs_residual(tiny, 1.0) == pytest.approx(-2000 * math.log(2.0), rel=1e-14)


@given(short_steps, lams)
@settings(max_examples=50)
def test_log_abs_residual_consistent_with_residual(steps, lam):
    lam = np.array(lam)
    p = residual(steps, lam)
    lg = log_abs_residual(steps, lam)
    assert lg.shape == p.shape
    assert np.array_equal(p == 0.0, lg == -np.inf)
    nz = p != 0.0
    assert np.allclose(np.exp(lg[nz]), np.abs(p[nz]), rtol=1e-14, atol=0)


@pytest.mark.parametrize("steps, lam, name", [
    ([1.0, np.nan], 1.0, "steps"), ([np.inf], 1.0, "steps"), ([[1.0, 2.0]], 1.0, "steps"),
    (1.0, 1.0, "steps"), ("abc", 1.0, "steps"), ([1.0, "x"], 1.0, "steps"), ([True], 1.0, "steps"),
    ([1.0], np.nan, "lam"), ([1.0], [1.0, np.inf], "lam"), ([1.0], "2", "lam"), ([1.0], 1j, "lam"),
])
def test_residual_rejects(steps, lam, name):
    for f in (residual, log_abs_residual):
        with pytest.raises(ValueError, match=rf"^{name} must"):
            f(steps, lam)


# ---------------------------------------------------------------- sup_residual

@given(spectrum_and_steps(), st.integers(0, 2**31))
@settings(max_examples=50)
def test_sup_residual_dominates_sampled_eigenvalues(case, seed):
    spec, steps = case
    s = sup_residual(steps, spec)
    lam = spec.sample(200, seed)
    assert np.all(np.abs(residual(steps, lam)) <= s * (1 + 1e-12))
    assert np.all(log_abs_residual(steps, lam) <= log_sup_residual(steps, spec) + 1e-12)


@given(spectrum_and_steps(max_T=8))
@settings(max_examples=50)
def test_sup_residual_equals_refined_brute_force(case):
    spec, steps = case
    s = sup_residual(steps, spec)
    ref = brute_force_sup(steps, spec)
    assert s >= ref * (1 - 1e-12)                      # never below a value it must dominate
    assert s == pytest.approx(ref, rel=1e-9)


def test_brute_force_reference_is_not_grid_limited():
    # the maximum of |1 - lam|*|1 - lam/3| on [1.2, 2.9] is at lam = 2, between coarse grid points
    spec = Interval(1.2, 2.9)
    steps = [1.0, 1.0 / 3.0]
    assert brute_force_sup(steps, spec, n=4) == pytest.approx(1.0 / 3.0, rel=1e-13)
    assert sup_residual(steps, spec) == pytest.approx(1.0 / 3.0, rel=1e-14)
    assert argmax_residual(steps, spec) == pytest.approx(2.0, rel=1e-8)


@given(st.floats(1e-3, 1e3), st.floats(1.0, 1e4), st.floats(1e-3, 2.5), st.integers(1, 60))
@settings(max_examples=50)
def test_sup_residual_constant_step_closed_form(mu, kappa, c, T):
    L = mu * kappa
    eta = c / L
    want = max(abs(1 - eta * mu), abs(1 - eta * L)) ** T
    assert sup_residual([eta] * T, Interval(mu, L)) == pytest.approx(want, rel=1e-12)
    spec = Bimodal(mu, mu * 1.5, L * 2, L * 3)
    want2 = max(abs(1 - eta * mu), abs(1 - eta * L * 3)) ** T
    assert sup_residual([eta] * T, spec) == pytest.approx(want2, rel=1e-12)


def test_sup_residual_best_constant_step():
    mu, L, T = 1.0, 9.0, 25
    eta = 2.0 / (mu + L)
    assert sup_residual(np.full(T, eta), Interval(mu, L)) == pytest.approx(0.8 ** T, rel=1e-13)


@pytest.mark.parametrize("mu, L, T", [(1.0, 10.0, 1), (1.0, 10.0, 2), (0.5, 40.0, 7), (1.0, 100.0, 50),
                                      (2.0, 200.0, 200), (1.0, 100.0, 500), (1e-3, 1.0, 500)])
def test_sup_residual_chebyshev_closed_form(mu, L, T):
    steps = chebyshev_steps(mu, L, T)
    with mpmath.workdps(50):
        x0 = (mpmath.mpf(L) + mu) / (mpmath.mpf(L) - mu)
        want = 1 / mpmath.cosh(T * mpmath.acosh(x0))     # 1 / T_T((L + mu) / (L - mu))
        log_want = float(mpmath.log(want))
    got = sup_residual(steps, Interval(mu, L))
    assert got == pytest.approx(float(want), rel=1e-9)
    assert log_sup_residual(steps, Interval(mu, L)) == pytest.approx(log_want, rel=0, abs=1e-9)
    if T == 500 and L / mu == 100:
        assert 1e-45 < got < 1e-40                     # the regime the book needs: far below 1


@given(spectrum_and_steps())
@settings(max_examples=50)
def test_argmax_residual_in_spectrum_and_attains(case):
    spec, steps = case
    x = argmax_residual(steps, spec)
    assert isinstance(x, float)
    assert spec.contains(x)
    assert abs(residual(steps, x)) == pytest.approx(sup_residual(steps, spec), rel=1e-12)
    assert log_abs_residual(steps, x) == pytest.approx(log_sup_residual(steps, spec), rel=0, abs=1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_sup_residual_edge_cases():
    spec = Bimodal(1.0, 2.0, 10.0, 20.0)
    assert sup_residual([], spec) == 1.0 and log_sup_residual([], spec) == 0.0
    assert argmax_residual([], spec) in (1.0, 2.0, 10.0, 20.0)
    assert sup_residual([0.0, 0.0], spec) == 1.0
    # a root exactly at an endpoint of each interval
    for root in (1.0, 2.0, 10.0, 20.0):
        assert sup_residual([1.0 / root], spec) == pytest.approx(max(abs(1 - x / root) for x in (1, 2, 10, 20)))
    # degenerate intervals: the sup is the max over the points
    pts = Spectrum([(1.0, 1.0), (3.0, 3.0)])
    assert sup_residual([0.5, 0.1], pts) == pytest.approx(max(abs(naive([0.5, 0.1], [1.0, 3.0]))), rel=1e-15)
    # a list of pairs is accepted as a spectrum
    assert sup_residual([0.1], [(1.0, 2.0)]) == pytest.approx(0.9, rel=1e-15)
    assert isinstance(sup_residual([0.1], [(1.0, 2.0)]), float)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_sup_residual_root_at_endpoint_up_to_rounding():
    # u * a rounds to exactly 1 although fl(1/u) != a: a is a root of the computed p, and the
    # maximum of |(1 - u lam)(1 - lam/(4a))| on [a, 3a] is 9/16 at lam = 2.5 a (it was missed)
    u = 6.405920704482398
    a = 0.15610558515035516
    assert u * a == 1.0 and 1.0 / u != a
    steps = [u, 1.0 / (4.0 * a)]
    assert sup_residual(steps, Interval(a, 3 * a)) == pytest.approx(9 / 16, rel=1e-12)
    assert sup_residual(steps, Bimodal(a, 3 * a, 10.0, 11.0)) >= 9 / 16 * (1 - 1e-12)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@given(st.floats(1e-3, 1e3), st.sampled_from([-1, 0, 1]), st.floats(1.5, 10.0), st.floats(1.2, 20.0))
@settings(max_examples=60)
def test_sup_residual_step_one_over_endpoint(a, ulps, c, width):
    # steps 1/a (and its float neighbours) put a root exactly on, or within rounding of, the
    # interval's left end; a second root c*a makes the maximum interior or at the right end
    u = 1.0 / a
    for _ in range(abs(ulps)):
        u = float(np.nextafter(u, np.inf if ulps > 0 else 0.0))
    steps = [u, 1.0 / (c * a)]
    spec = Interval(a, width * a)
    ref = brute_force_sup(steps, spec, n=2001)
    got = sup_residual(steps, spec)
    assert got >= ref * (1 - 1e-12)
    assert got == pytest.approx(ref, rel=1e-9)


def test_sup_residual_interior_maximum_between_roots():
    # p = (1 - lam)(1 - lam/4): max of |p| on [1, 4] at lam = 2.5, value 9/16 (not at an endpoint)
    steps = [1.0, 0.25]
    assert sup_residual(steps, Interval(1.0, 4.0)) == pytest.approx(9 / 16, rel=1e-15)
    assert argmax_residual(steps, Interval(1.0, 4.0)) == pytest.approx(2.5, rel=1e-10)
    # same polynomial on a union where the outer endpoint wins
    assert sup_residual(steps, [(1.0, 4.0), (5.0, 6.0)]) == pytest.approx(5 * 0.5, rel=1e-15)


def test_log_sup_residual_beyond_float_range():
    mu, L, T = 1.0, 10.0, 400
    eta = 3.0 / mu                                      # |1 - 3 * 10| = 29 per step
    assert sup_residual([eta] * T, Interval(mu, L)) == np.inf
    assert log_sup_residual([eta] * T, Interval(mu, L)) == pytest.approx(T * math.log(29.0), rel=1e-14)
    assert sup_residual([0.1] * 10_000, Interval(1.0, 2.0)) == 0.0     # 0.9^10000 underflows
    assert log_sup_residual([0.1] * 10_000, Interval(1.0, 2.0)) == pytest.approx(10_000 * math.log(0.9), rel=1e-13)


def test_sup_residual_long_schedule_few_distinct_steps_is_fast():
    spec = Bimodal(0.1, 1.0, 5.0, 6.0)
    cycle = np.concatenate([[1.8], np.full(9, 2 / 11)])  # one unstable step, nine stable ones
    steps = np.tile(cycle, 100_000)                     # 10^6 steps
    start = time.perf_counter()
    lg = log_sup_residual(steps, spec)
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0      # O(T) work on 10^6 steps (~0.1 s here); generous for a loaded CI machine
    # |P^c| has the same argmax as |P|, so log sup |P^c| = c log sup |P|
    assert lg == pytest.approx(100_000 * log_sup_residual(cycle, spec), rel=1e-12)
    assert argmax_residual(steps, spec) == pytest.approx(argmax_residual(cycle, spec), rel=1e-10)
    assert -1e5 < lg < -1e4                             # contracts, far below float64's range
    assert sup_residual(steps, spec) == 0.0


def test_sup_residual_newton_converges_in_few_sweeps(monkeypatch):
    # 1000 Chebyshev steps on [1, 1e4]: 999 pieces between roots, each with an interior maximum.
    # The safeguarded Newton must not fall back to ~50 bisections per piece (it used to: 4 s).
    from clrlib import polynomials as P
    calls = []
    original = P._dlog

    def counting(u, m, lam):
        calls.append(lam.size)
        return original(u, m, lam)

    monkeypatch.setattr(P, "_dlog", counting)
    T, mu, L = 1000, 1.0, 1e4
    lg = log_sup_residual(chebyshev_steps(mu, L, T), Interval(mu, L))
    with mpmath.workdps(40):
        want = -float(mpmath.log(mpmath.cosh(T * mpmath.acosh((mpmath.mpf(L) + mu) / (mpmath.mpf(L) - mu)))))
    assert lg == pytest.approx(want, abs=1e-9)
    assert len(calls) <= 15                            # 2 bracket evaluations + a few Newton sweeps
    assert sum(calls) <= 8 * T
    # equioscillation: |p| has the same maximum 1/T_T(x0) on every one of the 999 pieces, so
    # every interior stationary point found must reach it (one wrong piece would show here)
    monkeypatch.setattr(P, "_dlog", original)
    u, m = P._distinct_steps(chebyshev_steps(mu, L, T))
    cand = P.critical_points(u, m, Interval(mu, L))
    interior = cand[(cand > mu) & (cand < L)]
    assert interior.size == T - 1
    assert np.allclose(log_abs_residual(chebyshev_steps(mu, L, T), interior), want, rtol=0, atol=1e-9)


def test_sup_residual_many_distinct_steps():
    rng = np.random.default_rng(3)
    spec = Bimodal(1.0, 3.0, 50.0, 60.0)
    steps = 1.0 / rng.uniform(0.5, 70.0, 300)          # 300 distinct roots, many inside the spectrum
    s = log_sup_residual(steps, spec)
    grid = spec.grid(20_001)
    assert s >= log_abs_residual(steps, grid).max() - 1e-12
    x = argmax_residual(steps, spec)
    assert spec.contains(x) and log_abs_residual(steps, x) == pytest.approx(s, abs=1e-10)


AS_SPEC = r"^spectrum must be a clrlib.Spectrum or a sequence of \(lo, hi\) pairs: "  # as_spectrum names its argument


@pytest.mark.parametrize("steps, spectrum, pattern", [
    ([np.nan], [(1.0, 2.0)], r"^steps must"),
    ([np.inf, 1.0], [(1.0, 2.0)], r"^steps must"),
    ([[1.0]], [(1.0, 2.0)], r"^steps must be a 1-dimensional"),
    ("abc", [(1.0, 2.0)], r"^steps must"),
    (0.5, [(1.0, 2.0)], r"^steps must be a 1-dimensional"),
    ([0.5], [(2.0, 1.0)], AS_SPEC + r"intervals\[0\] must satisfy lo <= hi"),
    ([0.5], [(0.0, 1.0)], AS_SPEC + r"intervals\[0\]\[0\] must be a finite number > 0"),
    ([0.5], [(-1.0, 1.0)], AS_SPEC + r"intervals\[0\]\[0\] must"),
    ([0.5], [(1.0, 3.0), (2.0, 4.0)], AS_SPEC + r"intervals\[1\] must start above"),
    ([0.5], [], AS_SPEC + r"intervals must contain"),
    ([0.5], 3.0, AS_SPEC + r"intervals must be a sequence"),
    ([0.5], None, AS_SPEC + r"intervals must be a sequence"),
    ([0.5], [(1.0, np.nan)], AS_SPEC + r"intervals\[0\]\[1\] must"),
])
def test_sup_residual_rejects(steps, spectrum, pattern):
    for f in (sup_residual, log_sup_residual, argmax_residual):
        with pytest.raises(ValueError, match=pattern):
            f(steps, spectrum)


def test_public_names():
    for name in ("residual", "log_abs_residual", "sup_residual", "log_sup_residual", "argmax_residual"):
        assert getattr(clrlib, name) is getattr(clrlib.polynomials, name)
