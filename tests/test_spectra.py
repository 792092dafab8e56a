"""Tests of clrlib.spectra: Spectrum, Interval, Bimodal, their samplers, and Quadratic problems."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import clrlib
from clrlib import Bimodal, Interval, Quadratic, Spectrum

BAD_NUMBERS = [math.nan, math.inf, -math.inf, -1.0, 0.0, 0, True, "2", None, 1j]

pos = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def bimodals(draw):
    """Four sorted endpoints 0 < mu <= mu1 < L1 <= L over many scales."""
    mu = draw(st.floats(1e-4, 1e2))
    ks = draw(st.floats(1.0, 50.0))
    gap = draw(st.floats(1.01, 1e3))
    kl = draw(st.floats(1.0, 50.0))
    mu1 = mu * ks
    L1 = mu1 * gap
    L = L1 * kl
    return Bimodal(mu, mu1, L1, L)


# ---------------------------------------------------------------- Bimodal: validation

@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
def test_bimodal_rejects_bad_number_naming_argument(position, value):
    args = [1.0, 2.0, 3.0, 4.0]
    args[position] = value
    name = ["mu", "mu1", "L1", "L"][position]
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Bimodal(*args)


@pytest.mark.parametrize("args, name", [
    ((2.0, 1.0, 3.0, 4.0), "mu1"),       # mu > mu1
    ((1.0, 3.0, 3.0, 4.0), "L1"),        # mu1 == L1 (clusters must be disjoint)
    ((1.0, 3.5, 3.0, 4.0), "L1"),        # mu1 > L1
    ((1.0, 2.0, 4.0, 3.0), "L"),         # L1 > L
    ((4.0, 3.0, 2.0, 1.0), "mu1"),       # reversed
])
def test_bimodal_rejects_wrong_order(args, name):
    with pytest.raises(ValueError, match=rf"^{name} must satisfy .*0 < mu <= mu1 < L1 <= L"):
        Bimodal(*args)


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0, 2.0, 3.0])),
                min_size=4, max_size=4))
@settings(max_examples=100)
def test_bimodal_accepts_exactly_the_valid_endpoints(x):
    mu, mu1, L1, L = x
    valid = all(math.isfinite(v) for v in x) and 0 < mu <= mu1 < L1 <= L
    if valid:
        assert Bimodal(mu, mu1, L1, L).intervals == ((mu, mu1), (L1, L))
    else:
        with pytest.raises(ValueError, match=r"^(mu|mu1|L1|L) must"):
            Bimodal(mu, mu1, L1, L)


def test_bimodal_degenerate_clusters_allowed():
    b = Bimodal(1.0, 1.0, 5.0, 5.0)
    assert b.kappa_small == 1.0 and b.kappa_large == 1.0 and b.kappa == 5.0


@given(bimodals())
@settings(max_examples=50)
def test_bimodal_properties(b):
    mu, mu1 = b.intervals[0]
    L1, L = b.intervals[1]
    assert (b.mu, b.mu1, b.L1, b.L) == (mu, mu1, L1, L)
    assert 0 < mu <= mu1 < L1 <= L
    assert b.kappa == L / mu
    assert b.kappa_small == mu1 / mu
    assert b.kappa_large == L / L1
    assert b.gap == L1 / mu1 > 1
    assert len(b.intervals) == 2
    assert isinstance(b, Spectrum)
    assert b == Bimodal(mu, mu1, L1, L) and hash(b) == hash(Bimodal(mu, mu1, L1, L))


def test_bimodal_properties_concrete():
    b = Bimodal(0.5, 2.0, 40.0, 100.0)
    assert b.intervals == ((0.5, 2.0), (40.0, 100.0))
    assert (b.kappa, b.kappa_small, b.kappa_large, b.gap) == (200.0, 4.0, 2.5, 20.0)
    assert b.mu == 0.5 and b.L == 100.0
    assert all(type(x) is float for pair in b.intervals for x in pair)
    assert "Bimodal" in repr(b) and "mu1=2.0" in repr(b)
    assert clrlib.Bimodal is Bimodal


@given(st.floats(1.0, 100.0), st.floats(1.0, 100.0), st.floats(1.001, 1e4), st.floats(1e-3, 1e3))
@settings(max_examples=50)
def test_from_ratios_round_trips(ks, kl, slack, mu):
    kappa = ks * kl * slack
    b = Bimodal.from_ratios(kappa, ks, kl, mu=mu)
    assert b.mu == mu
    assert b.kappa == pytest.approx(kappa, rel=1e-14)
    assert b.kappa_small == pytest.approx(ks, rel=1e-14)
    assert b.kappa_large == pytest.approx(kl, rel=1e-14)
    again = Bimodal.from_ratios(b.kappa, b.kappa_small, b.kappa_large, mu=b.mu)
    assert np.allclose(np.ravel(again.intervals), np.ravel(b.intervals), rtol=1e-13, atol=0)


def test_from_ratios_default_mu_is_one():
    b = Bimodal.from_ratios(1000.0, 10.0, 4.0)
    assert b.intervals == ((1.0, 10.0), (250.0, 1000.0))


@pytest.mark.parametrize("args, name", [
    ((10.0, 2.0, 5.0), "kappa"),           # ks * kl == kappa: clusters touch
    ((10.0, 4.0, 5.0), "kappa"),           # ks * kl > kappa
    ((10.0, 0.5, 2.0), "kappa_small"),
    ((10.0, 2.0, 0.5), "kappa_large"),
    ((math.nan, 2.0, 2.0), "kappa"),
    ((math.inf, 2.0, 2.0), "kappa"),
    ((-10.0, 2.0, 2.0), "kappa"),
    ((10.0, "2", 2.0), "kappa_small"),
    ((10.0, 2.0, True), "kappa_large"),
    ((10.0, 2.0, 2.0, 0.0), "mu"),
    ((10.0, 2.0, 2.0, -1.0), "mu"),
    ((1e300, 2.0, 2.0, 1e10), "mu \\* kappa"),   # L = mu * kappa overflows
])
def test_from_ratios_rejects(args, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Bimodal.from_ratios(*args)


def test_from_ratios_rounding_cannot_produce_touching_clusters():
    # ks * kl < kappa by one ulp, yet mu * ks >= (mu * kappa) / kl after rounding: must name kappa.
    ks, kl, mu = 1.1317284857407488, 6.805583809154088, 9.424438356939493
    kappa = float(np.nextafter(ks * kl, np.inf))
    assert ks * kl < kappa and not mu * ks < mu * kappa / kl
    with pytest.raises(ValueError, match=r"^kappa must exceed"):
        Bimodal.from_ratios(kappa, ks, kl, mu=mu)


# ---------------------------------------------------------------- Interval and Spectrum

@pytest.mark.parametrize("args, name", [((0.0, 1.0), "mu"), ((math.nan, 1.0), "mu"), ((1.0, math.inf), "L"),
                                        ((2.0, 1.0), "L"), ((True, 2.0), "mu"), ((1.0, "2"), "L")])
def test_interval_rejects(args, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Interval(*args)


def test_interval_properties():
    s = Interval(2.0, 8.0)
    assert s.intervals == ((2.0, 8.0),) and s.mu == 2.0 and s.L == 8.0 and s.kappa == 4.0
    assert Interval(3.0, 3.0).kappa == 1.0
    assert s == Spectrum([(2, 8)])


@pytest.mark.parametrize("intervals, pattern", [
    ([], r"^intervals must contain at least one"),
    (5, r"^intervals must be a sequence"),
    (None, r"^intervals must be a sequence"),
    ((1.0, 2.0), r"^intervals must be a sequence"),          # one pair, not a sequence of pairs
    ([(1.0,)], r"^intervals\[0\] must be a \(lo, hi\) pair"),
    ([(1.0, 2.0, 3.0)], r"^intervals\[0\] must be a \(lo, hi\) pair"),
    ([(2.0, 1.0)], r"^intervals\[0\] must satisfy lo <= hi"),
    ([(0.0, 1.0)], r"^intervals\[0\]\[0\] must be a finite number > 0"),
    ([(1.0, math.nan)], r"^intervals\[0\]\[1\] must be a finite real"),
    ([(1.0, 2.0), (2.0, 3.0)], r"^intervals\[1\] must start above the end of intervals\[0\]"),  # touching
    ([(1.0, 3.0), (2.0, 4.0)], r"^intervals\[1\] must start above"),                            # overlapping
    ([(3.0, 4.0), (1.0, 2.0)], r"^intervals\[1\] must start above"),                            # unsorted
    ([(1.0, 2.0), (3.0, "x")], r"^intervals\[1\]\[1\] must be"),
])
def test_spectrum_rejects(intervals, pattern):
    with pytest.raises(ValueError, match=pattern):
        Spectrum(intervals)


def test_spectrum_accepts_arrays_and_three_intervals():
    s = Spectrum(np.array([[1, 2], [3, 4], [10, 20]]))
    assert s.intervals == ((1.0, 2.0), (3.0, 4.0), (10.0, 20.0))
    assert s.mu == 1.0 and s.L == 20.0 and s.kappa == 20.0
    assert clrlib.as_spectrum(s) is s
    assert clrlib.as_spectrum([(1, 2), (3, 4), (10, 20)]) == s
    assert s.contains([1.0, 2.5, 3.0, 20.0, 21.0, 0.5]).tolist() == [True, False, True, True, False, False]


@given(bimodals(), st.integers(2, 50), st.sampled_from(["linear", "log"]))
@settings(max_examples=50)
def test_grid(b, n, spacing):
    g = b.grid(n, spacing)
    assert np.array_equal(g, b.grid(n, spacing))
    assert g.shape == (2 * n,)
    assert np.all(np.diff(g) >= 0)
    assert np.all(b.contains(g))
    for lo, hi in b.intervals:
        assert lo in g and hi in g


@pytest.mark.parametrize("spacing", ["linear", "log"])
def test_grid_degenerate_interval_stays_inside(spacing):
    # np.geomspace(5, 5, 3) rounds to [5, 5 + 1ulp, 5 - 1ulp]: the grid must stay in [lo, hi], sorted
    g = Bimodal(1.0, 1.0, 5.0, 5.0).grid(3, spacing)
    assert g.tolist() == [1.0, 1.0, 1.0, 5.0, 5.0, 5.0]
    g = Bimodal(0.1, 0.3, 7.0, 7.7).grid(1000, spacing)
    assert np.all(np.diff(g) >= 0) and np.all(Bimodal(0.1, 0.3, 7.0, 7.7).contains(g))


@pytest.mark.parametrize("kwargs, name", [({"n": 1}, "n"), ({"n": 2.0}, "n"), ({"n": True}, "n"),
                                          ({"spacing": "cubic"}, "spacing")])
def test_grid_rejects(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Bimodal(1, 2, 3, 4).grid(**kwargs)


# ---------------------------------------------------------------- samplers

@given(bimodals(), st.integers(2, 40), st.integers(0, 2**32), st.booleans())
@settings(max_examples=50)
def test_sample_inside_sorted_reproducible(b, n, seed, endpoints):
    x = b.sample(n, seed, endpoints=endpoints)
    assert x.shape == (2 * n,) and x.dtype == np.float64
    assert np.all(np.diff(x) >= 0)
    assert np.all(b.contains(x))
    assert np.array_equal(x, b.sample(n, seed, endpoints=endpoints))
    for lo, hi in b.intervals:
        inside = (x >= lo) & (x <= hi)
        assert inside.sum() == n                      # n per interval
        if endpoints:
            assert lo in x and hi in x
    if endpoints:
        assert x[0] == b.mu and x[-1] == b.L


@given(bimodals(), st.integers(0, 2**32))
@settings(max_examples=30)
def test_sample_different_seeds_differ(b, seed):
    assume(b.kappa_small > 1 or b.kappa_large > 1)  # else every draw is an endpoint
    a = b.sample(20, seed)
    c = b.sample(20, seed + 1)
    assert not np.array_equal(a, c)


def test_sample_without_endpoints_misses_them_and_default_includes_them():
    b = Bimodal(1.0, 2.0, 30.0, 40.0)
    x = b.sample(50, 0, endpoints=False)
    assert not np.any(np.isin([1.0, 2.0, 30.0, 40.0], x))
    y = b.sample(50, 0)
    assert np.all(np.isin([1.0, 2.0, 30.0, 40.0], y))


def test_sample_counts_per_interval_and_generator_seed():
    b = Bimodal(1.0, 2.0, 30.0, 40.0)
    x = b.sample([3, 7], 5)
    assert np.sum(x <= 2.0) == 3 and np.sum(x >= 30.0) == 7
    gen = np.random.default_rng(9)
    first = b.sample(10, gen)
    second = b.sample(10, gen)                         # the generator advances
    assert not np.array_equal(first, second)
    assert np.array_equal(first, b.sample(10, np.random.default_rng(9)))


@pytest.mark.parametrize("args, kwargs, name", [
    ((1,), {}, "n"),                       # endpoints need two points per interval
    ((0,), {"endpoints": False}, "n"),
    ((2.5,), {}, "n"),
    (([2, 3, 4],), {}, "n"),
    (([2, 1],), {}, r"n\[1\]"),
    ((5, -1), {}, "seed"),
    ((5, 1.5), {}, "seed"),
    ((5, "0"), {}, "seed"),
])
def test_sample_rejects(args, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Bimodal(1, 2, 3, 4).sample(*args, **kwargs)


# ---------------------------------------------------------------- Quadratic problems

@pytest.mark.parametrize("rotated", [False, True])
def test_quadratic_from_eigenvalues(rotated):
    eig = Bimodal(1.0, 2.0, 50.0, 60.0).sample(10, 1)
    q = Quadratic.from_eigenvalues(eig, seed=3, rotated=rotated)
    assert q.dim == 20 and q.is_diagonal is (not rotated)
    H = np.diag(eig) if not rotated else q.hessian
    assert np.allclose(np.linalg.eigvalsh(H), np.sort(eig), rtol=1e-12, atol=0)
    assert np.allclose(H, H.T, rtol=0, atol=0)
    assert np.allclose(H @ q.x_star, q.b, rtol=1e-12, atol=1e-12)
    v = np.random.default_rng(0).standard_normal(20)
    assert np.allclose(q.hvp(v), H @ v, rtol=1e-12, atol=1e-12)
    assert np.allclose(q.gradient(q.x_star), 0.0, atol=1e-11)
    assert q.value(q.x_star) == pytest.approx(0.0, abs=1e-20)
    x = q.x_star + v
    assert q.value(x) == pytest.approx(0.5 * v @ H @ v, rel=1e-12)
    same = Quadratic.from_eigenvalues(eig, seed=3, rotated=rotated)
    assert np.array_equal(same.b, q.b) and np.array_equal(same.x_star, q.x_star)
    assert q.hvp(v.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("rotated", [False, True])
def test_quadratic_float32_products_cast_once(rotated):
    q = Quadratic.from_eigenvalues(np.linspace(1.0, 3.0, 6), seed=1, rotated=rotated)
    v = np.random.default_rng(2).standard_normal(6).astype(np.float32)
    H32 = (np.diag(q.eigenvalues) if not rotated else q.hessian).astype(np.float32)
    out = q.hvp(v)
    assert out.dtype == np.float32
    assert np.allclose(out, H32 @ v, rtol=1e-6, atol=1e-6)
    g = q.gradient(v)
    assert g.dtype == np.float32 and np.allclose(g, H32 @ v - q.b.astype(np.float32), rtol=1e-5, atol=1e-5)
    name = "eigenvalues" if not rotated else "hessian"
    assert q._cast(name, np.dtype(np.float32)) is q._cast(name, np.dtype(np.float32))   # not re-cast per step
    assert q._cast(name, np.dtype(np.float64)) is getattr(q, name)


def test_quadratic_compares_and_hashes_by_identity():
    a = Quadratic.from_eigenvalues([1.0, 2.0], seed=0)
    b = Quadratic.from_eigenvalues([1.0, 2.0], seed=0)
    assert a == a and a != b                   # comparing array fields would raise
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_quadratic_from_hessian_and_least_squares():
    X, y = clrlib.least_squares_data(np.array([1.0, 4.0, 9.0]), 8, seed=2, noise=0.1)
    assert X.shape == (8, 3) and y.shape == (8,)
    assert np.allclose(np.linalg.eigvalsh(X.T @ X), [1.0, 4.0, 9.0], rtol=1e-12)
    q = Quadratic.from_least_squares(X, y)
    assert np.allclose(q.x_star, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)
    assert np.allclose(q.eigenvalues, [1.0, 4.0, 9.0], rtol=1e-12)
    q2 = Quadratic.from_hessian(q.hessian, q.b)
    assert np.allclose(q2.x_star, q.x_star)


def test_random_orthogonal():
    Q = clrlib.random_orthogonal(30, seed=4)
    assert np.allclose(Q.T @ Q, np.eye(30), atol=1e-13)
    assert np.array_equal(Q, clrlib.random_orthogonal(30, seed=4))
    assert not np.array_equal(Q, clrlib.random_orthogonal(30, seed=5))
    with pytest.raises(ValueError, match=r"^n must"):
        clrlib.random_orthogonal(0)


@pytest.mark.parametrize("call, name", [
    (lambda: Quadratic.from_eigenvalues([1.0, -1.0]), "eigenvalues"),
    (lambda: Quadratic.from_eigenvalues([1.0, 0.0]), "eigenvalues"),
    (lambda: Quadratic.from_eigenvalues([]), "eigenvalues"),
    (lambda: Quadratic.from_eigenvalues([[1.0]]), "eigenvalues"),
    (lambda: Quadratic.from_eigenvalues([1.0, np.nan]), "eigenvalues"),
    (lambda: Quadratic.from_eigenvalues([1.0], seed=-2), "seed"),
    (lambda: Quadratic.from_hessian([[1.0, 2.0], [0.0, 1.0]], [1.0, 1.0]), "hessian"),
    (lambda: Quadratic.from_hessian([[1.0, 0.0], [0.0, -1.0]], [1.0, 1.0]), "hessian"),
    (lambda: Quadratic.from_hessian(np.ones((2, 3)), [1.0, 1.0]), "hessian"),
    (lambda: Quadratic.from_hessian(np.eye(2), [1.0, 1.0, 1.0]), "b"),
    (lambda: Quadratic.from_least_squares(np.eye(3), [1.0, 2.0]), "y"),
    (lambda: clrlib.least_squares_data([1.0, 2.0], 1), "n_samples"),
    (lambda: clrlib.least_squares_data([1.0, 2.0], 3, noise=-1.0), "noise"),
])
def test_quadratic_rejects(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        call()
