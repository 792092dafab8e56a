"""Tests of clrlib.equilibrium: the equilibrium measure of one or two intervals as a probability law."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats
from scipy.integrate import quad

import clrlib


def _bimodal(a, w1, gap, w2):
    """``[a, a + w1] U [a + w1 + gap, a + w1 + gap + w2]``."""
    b = a + w1
    c = b + gap
    return clrlib.Spectrum([(a, b), (c, c + w2)])


spectra = st.builds(
    _bimodal,
    st.floats(0.01, 100.0), st.floats(0.01, 100.0), st.floats(1e-3, 1e3), st.floats(0.01, 1e3),
)


def _cdf_by_quad(spec, tau, x):
    """An independent CDF: the density in ``t`` with quad's algebraic endpoint weights (Gauss-Jacobi)."""
    kw = dict(epsabs=1e-15, epsrel=1e-14, limit=400)
    total = 0.0
    for k, (lo, hi) in enumerate(spec.intervals):
        if x <= lo:
            break
        if len(spec.intervals) == 1:
            f = lambda t: 1.0 / math.pi  # noqa: E731
        else:
            (a, b), (c, d) = spec.intervals
            o1, o2 = (c, d) if k == 0 else (a, b)
            f = lambda t, o1=o1, o2=o2: abs(t - tau) / (math.pi * math.sqrt(abs((t - o1) * (t - o2))))  # noqa: E731
        if x >= hi:  # int_lo^hi f(t) (t - lo)^-1/2 (hi - t)^-1/2 dt
            total += quad(f, lo, hi, weight="alg", wvar=(-0.5, -0.5), **kw)[0]
        else:        # int_lo^x [f(t) (hi - t)^-1/2] (t - lo)^-1/2 dt
            total += quad(lambda t: f(t) / math.sqrt(hi - t), lo, x, weight="alg", wvar=(-0.5, 0.0), **kw)[0]
    return total


# ----------------------------------------------------------------------------- one interval

@pytest.mark.parametrize("a,d", [(1.0, 2.0), (1.0, 1e4), (0.3, 0.31), (5.0, 1e8)])
def test_one_interval_is_the_arcsine_law(a, d):
    m = clrlib.equilibrium_measure(clrlib.Interval(a, d))
    t = np.linspace(a, d, 201)
    closed = 2.0 / math.pi * np.arcsin(np.sqrt((t - a) / (d - a)))
    assert np.max(np.abs(m.cdf(t) - closed)) < 1e-13
    inner = t[1:-1]
    np.testing.assert_allclose(m.density(inner), 1.0 / (math.pi * np.sqrt((inner - a) * (d - inner))), rtol=1e-12)
    assert m.masses == pytest.approx((1.0,), abs=1e-14)
    assert math.isnan(m.tau)
    # the midpoint quantiles of the arcsine law are the Chebyshev roots
    for n in (1, 7, 64):
        np.testing.assert_allclose(m.quantiles(n), clrlib.chebyshev_roots(a, d, n), rtol=1e-12)


# ----------------------------------------------------------------------------- two intervals

@pytest.mark.parametrize("spec", [
    clrlib.Bimodal(1.0, 2.0, 50.0, 100.0),
    clrlib.Bimodal.from_ratios(1e6, 3, 3),
    clrlib.Bimodal(1.0, 10.0, 10.001, 11.0),      # a tiny gap
    clrlib.Bimodal(1.0, 1.0 + 1e-6, 30.0, 1e5),   # a tiny first cluster
])
def test_cdf_matches_an_independent_quadrature(spec):
    m = clrlib.equilibrium_measure(spec)
    xs = np.concatenate([np.linspace(lo, hi, 9) for lo, hi in spec.intervals])
    xs = np.concatenate([xs, [0.5 * (spec.intervals[0][1] + spec.intervals[1][0])]])
    ref = np.array([_cdf_by_quad(spec, m.tau, x) for x in xs])
    assert np.max(np.abs(m.cdf(xs) - ref)) < 1e-10
    gb = clrlib.green_lower_bound(spec, 0.5)
    np.testing.assert_allclose(m.masses, gb.harmonic_measure, atol=1e-11)
    assert sum(m.masses) == pytest.approx(1.0, abs=1e-11)


@settings(max_examples=40)
@given(spectra)
def test_masses_are_the_harmonic_measures(spec):
    m = clrlib.equilibrium_measure(spec)
    gb = clrlib.green_lower_bound(spec, 0.5)
    assert sum(m.masses) == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(m.masses, gb.harmonic_measure, atol=1e-9)
    assert m.tau == gb.tau


@settings(max_examples=40)
@given(spectra, st.floats(0.05, 20.0))
def test_cdf_is_monotone_and_scale_invariant(spec, s):
    m = clrlib.equilibrium_measure(spec)
    (a, b), (c, d) = spec.intervals
    t = np.sort(np.concatenate([np.linspace(0.5 * a, 1.5 * d, 400), np.linspace(a, b, 50), np.linspace(c, d, 50)]))
    F = m.cdf(t)
    assert np.all(np.diff(F) >= -1e-15)
    assert F[0] == 0.0 and F[-1] == 1.0
    assert m.cdf(b) == pytest.approx(m.masses[0], abs=1e-14)
    assert m.cdf(0.5 * (b + c)) == pytest.approx(m.masses[0], abs=1e-14)
    scaled = clrlib.equilibrium_measure(clrlib.Spectrum([(s * a, s * b), (s * c, s * d)]))
    np.testing.assert_allclose(scaled.cdf(s * t), F, atol=1e-10)


@settings(max_examples=30)
@given(st.floats(0.01, 100.0), st.floats(0.01, 100.0), st.floats(1e-3, 1e3))
def test_mirror_symmetric_spectrum(a, w, gap):
    spec = _bimodal(a, w, gap, w)
    m = clrlib.equilibrium_measure(spec)
    mid = 0.5 * (spec.mu + spec.L)
    assert m.masses[0] == pytest.approx(0.5, abs=1e-10)
    assert m.tau == pytest.approx(mid, rel=1e-10)
    # inner points only: at an end the CDF grows like a square root, so the rounding of 2 mid - t shows
    inner = np.concatenate([np.linspace(lo, hi, 21)[1:-1] for lo, hi in spec.intervals])
    np.testing.assert_allclose(m.cdf(inner) + m.cdf(2 * mid - inner), 1.0, atol=1e-10)
    assert m.cdf(spec.mu) == 0.0 and m.cdf(spec.L) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(m.density(inner), m.density(2 * mid - inner), rtol=1e-6)


@settings(max_examples=30)
@given(spectra, st.integers(1, 300))
def test_quantiles_and_ppf_invert_the_cdf(spec, n):
    m = clrlib.equilibrium_measure(spec)
    x = m.quantiles(n)
    assert np.all(np.diff(x) >= 0) and np.all(spec.contains(x))
    np.testing.assert_allclose(m.cdf(x), (np.arange(n) + 0.5) / n, atol=1e-12)
    q = np.linspace(0.0, 1.0, 57)
    np.testing.assert_allclose(m.cdf(m.ppf(q)), q, atol=1e-12)


def test_tiny_gap_tends_to_the_arcsine_law():
    one = clrlib.equilibrium_measure(clrlib.Interval(1.0, 100.0))
    two = clrlib.equilibrium_measure(clrlib.Spectrum([(1.0, 10.0), (10.0 + 1e-9, 100.0)]))
    t = np.linspace(1.0, 100.0, 301)
    assert np.max(np.abs(one.cdf(t) - two.cdf(t))) < 1e-4


@pytest.mark.parametrize("spec", [clrlib.Bimodal(1.0, 3.0, 7.0, 9.0), clrlib.Bimodal(0.2, 0.5, 40.0, 41.0)])
def test_sample_passes_a_kolmogorov_smirnov_test(spec):
    m = clrlib.equilibrium_measure(spec)
    gen = np.random.default_rng(20261201)  # a fixed stream: the test is deterministic
    x = m.sample(20000, gen)
    assert np.all(spec.contains(x))
    assert stats.kstest(x, m.cdf).pvalue > 1e-3
    frac = np.mean(x <= spec.intervals[0][1])
    assert abs(frac - m.masses[0]) < 5 * math.sqrt(m.masses[0] * (1 - m.masses[0]) / x.size)
    # the same generator state gives the same draws
    assert np.array_equal(m.sample(10, np.random.default_rng(5)), m.sample(10, np.random.default_rng(5)))


@pytest.mark.parametrize("a,d", [(1.0, 4.0), (2.0, 1e6)])
def test_expect_gives_the_arcsine_moments(a, d):
    m = clrlib.equilibrium_measure(clrlib.Interval(a, d))
    assert m.expect(lambda t: np.ones_like(t)) == pytest.approx(1.0, abs=1e-14)
    assert m.expect(lambda t: t) == pytest.approx(0.5 * (a + d), rel=1e-13)
    # E[1/t] = 1/sqrt(ad), E[1/t^2] = (a + d) / (2 (ad)^(3/2)) for the arcsine law on [a, d]
    assert m.expect(lambda t: 1.0 / t) == pytest.approx(1.0 / math.sqrt(a * d), rel=1e-12)
    assert m.expect(lambda t: 1.0 / t**2) == pytest.approx((a + d) / (2 * (a * d) ** 1.5), rel=1e-12)


def test_angle_density():
    spec = clrlib.Bimodal(1.0, 2.0, 50.0, 100.0)
    m = clrlib.equilibrium_measure(spec)
    th = np.linspace(0.0, math.pi, 101)
    for k, (lo, hi) in enumerate(spec.intervals):
        t = lo + (hi - lo) * np.sin(th / 2) ** 2
        t[-1] = hi
        assert t[0] == lo and t[-1] == hi and np.all(np.diff(t) > 0)
        h = m.angle_density(k, th)
        assert np.all(h > 0) and np.all(np.isfinite(h))
        inner = slice(1, -1)
        np.testing.assert_allclose(h[inner], m.density(t[inner]) * 0.5 * (hi - lo) * np.sin(th[inner]), rtol=1e-9)
        assert quad(lambda x: m.angle_density(k, x), 0, math.pi, epsabs=1e-15)[0] == pytest.approx(m.masses[k], abs=1e-13)
    assert m.expect(lambda t: np.ones_like(t)) == pytest.approx(1.0, abs=1e-13)
    for k in (0, 1):
        assert m.expect(lambda t: np.ones_like(t), interval=k) == pytest.approx(m.masses[k], abs=1e-13)
    with pytest.raises(ValueError, match="interval must"):
        m.expect(np.ones_like, interval=2)
    with pytest.raises(ValueError, match="k must"):
        m.angle_density(2, 0.5)
    with pytest.raises(ValueError, match="theta must"):
        m.angle_density(0, 4.0)


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad", [
    [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)],   # three intervals
    [(1.0, 1.0), (3.0, 4.0)],               # a point
    [(1.0, 2.0), (3.0, 3.0)],
    [(-1.0, 2.0)],                          # not in (0, inf)
    [(2.0, 1.0)],
    "spectrum",
    [],
])
def test_bad_spectrum_raises(bad):
    with pytest.raises(ValueError, match="spectrum"):
        clrlib.equilibrium_measure(bad)


def test_bad_arguments_raise():
    m = clrlib.equilibrium_measure(clrlib.Bimodal(1.0, 2.0, 50.0, 100.0))
    with pytest.raises(ValueError, match="q must lie"):
        m.ppf([0.5, 1.5])
    with pytest.raises(ValueError, match="n must"):
        m.quantiles(0)
    with pytest.raises(ValueError, match="n must"):
        m.sample(-1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng must"):
        m.sample(3, 0)
    with pytest.raises(ValueError, match="t must"):
        m.cdf("x")
    assert m.sample(0, np.random.default_rng(0)).shape == (0,)
