"""Tests of clrlib.data: second moments, the two-cluster split, Marchenko-Pastur, spiked data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

import clrlib
from clrlib.data import (
    largest_log_gap,
    marchenko_pastur_density,
    marchenko_pastur_edges,
    second_moment,
    spike_location,
    spiked_data,
    spiked_spectrum,
    two_cluster_split,
)


def test_public_names_exported():
    for name in ["two_cluster_split", "largest_log_gap", "second_moment", "marchenko_pastur_edges",
                 "marchenko_pastur_density", "spike_location", "spiked_data", "spiked_spectrum"]:
        assert getattr(clrlib, name) is getattr(clrlib.data, name)


# ----------------------------------------------------------------- second_moment
def test_second_moment_formulas():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (50, 6))
    n = X.shape[0]
    np.testing.assert_allclose(second_moment(X), X.T @ X / n, rtol=1e-13)
    np.testing.assert_allclose(second_moment(X, centre=True), np.cov(X.T, bias=True), rtol=1e-12, atol=1e-14)
    m = X.mean(axis=0)
    # uncentred = centred + m m^T (a rank-one update by the mean)
    np.testing.assert_allclose(second_moment(X), second_moment(X, centre=True) + np.outer(m, m), atol=1e-13)
    e0 = np.linalg.eigvalsh(second_moment(X))
    e1 = np.linalg.eigvalsh(second_moment(X, ridge=0.25))
    np.testing.assert_allclose(e1, e0 + 0.25, atol=1e-12)
    h = second_moment(X)
    assert np.array_equal(h, h.T)


def test_second_moment_bad_input():
    with pytest.raises(ValueError, match="ridge"):
        second_moment(np.ones((3, 2)), ridge=-1.0)
    with pytest.raises(ValueError, match="X"):
        second_moment(np.ones(3))
    with pytest.raises(ValueError, match="X"):
        second_moment(np.array([[1.0, np.nan]]))


# ----------------------------------------------------------------- the split
def test_split_simple_example():
    eig = np.array([4.0, 1.0, 2.0, 100.0, 150.0])
    b = two_cluster_split(eig)
    assert isinstance(b, clrlib.Bimodal)
    assert (b.mu, b.mu1, b.L1, b.L) == (1.0, 4.0, 100.0, 150.0)
    assert largest_log_gap(eig) == 2
    assert b.kappa_small == 4.0 and b.kappa_large == 1.5 and b.gap == 25.0


def test_split_n_large_and_ties():
    eig = np.array([1.0, 2.0, 4.0, 8.0])
    assert largest_log_gap(eig) == 0  # ties: the smallest index
    b = two_cluster_split(eig, n_large=1)
    assert (b.mu, b.mu1, b.L1, b.L) == (1.0, 4.0, 8.0, 8.0)
    b = two_cluster_split(eig, n_large=3)
    assert (b.mu, b.mu1, b.L1, b.L) == (1.0, 1.0, 2.0, 8.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(1e-6, 1e6), min_size=2, max_size=40))
def test_split_maximises_gap(values):
    eig = np.array(values)
    s = np.sort(eig)
    ratios = s[1:] / s[:-1]
    if ratios.max() <= 1.0:  # all equal: no split exists
        with pytest.raises(ValueError, match="eigenvalues"):
            two_cluster_split(eig)
        return
    b = two_cluster_split(eig)
    assert b.mu == s[0] and b.L == s[-1]
    assert b.gap == pytest.approx(ratios.max(), rel=1e-12)
    # every eigenvalue lies in the hull, none strictly between the clusters
    assert np.all(b.contains(eig))
    assert b.mu1 in s and b.L1 in s


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 20), st.integers(1, 20), st.floats(1.0, 3.0), st.floats(1.0, 3.0),
       st.floats(10.0, 1e4), st.integers(0, 10_000))
def test_split_recovers_planted_clusters(n_small, n_large, ks, kl, gap, seed):
    # clusters [1, ks] and [gap*ks, gap*ks*kl] with gap >= 10 > any within-cluster ratio <= 3
    rng = np.random.default_rng(seed)
    small = np.concatenate([[1.0, ks], rng.uniform(1.0, ks, n_small)])
    large = gap * ks * np.concatenate([[1.0, kl], rng.uniform(1.0, kl, n_large)])
    b = two_cluster_split(rng.permutation(np.concatenate([small, large])))
    assert (b.mu, b.mu1) == (1.0, ks)
    assert b.L1 == pytest.approx(gap * ks) and b.L == pytest.approx(gap * ks * kl)
    b2 = two_cluster_split(np.concatenate([small, large]), n_large=n_large + 2)
    assert b2 == b


def test_split_bad_input():
    with pytest.raises(ValueError, match="eigenvalues"):
        two_cluster_split(np.array([1.0]))
    with pytest.raises(ValueError, match="eigenvalues"):
        two_cluster_split(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="eigenvalues"):
        two_cluster_split(np.array([-1.0, 1.0]))
    with pytest.raises(ValueError, match="eigenvalues"):
        largest_log_gap(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="n_large"):
        two_cluster_split(np.array([1.0, 2.0, 3.0]), n_large=3)
    with pytest.raises(ValueError, match="n_large"):
        two_cluster_split(np.array([1.0, 2.0, 3.0]), n_large=0)
    with pytest.raises(ValueError, match="eigenvalues"):
        two_cluster_split(np.array([1.0, 2.0, 2.0]), n_large=1)


# ----------------------------------------------------------------- Marchenko-Pastur
@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 10.0), st.floats(1e-3, 1e3))
def test_mp_edges_identities(y, s2):
    lo, hi = marchenko_pastur_edges(y, s2)
    assert 0.0 <= lo < hi
    assert hi - lo == pytest.approx(4.0 * s2 * np.sqrt(y), rel=1e-10)
    assert lo * hi == pytest.approx(s2 ** 2 * (1.0 - y) ** 2, rel=1e-9, abs=1e-12 * s2 ** 2)
    assert (lo + hi) / 2 == pytest.approx(s2 * (1.0 + y), rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(0.1, 10.0))
def test_mp_density_is_a_density_with_mean_sigma2(y, s2):
    lo, hi = marchenko_pastur_edges(y, s2)
    mass = quad(lambda x: float(marchenko_pastur_density(x, y, s2)), lo, hi, limit=200)[0]
    mean = quad(lambda x: x * float(marchenko_pastur_density(x, y, s2)), lo, hi, limit=200)[0]
    assert mass == pytest.approx(1.0, abs=1e-6)
    assert mean == pytest.approx(s2, rel=1e-6)
    assert np.all(marchenko_pastur_density(np.array([lo / 2, hi * 2]), y, s2) == 0.0)


def test_mp_edges_match_a_noise_matrix():
    eig = spiked_spectrum(4000, 1000, [], sigma=2.0, seed=3)
    lo, hi = marchenko_pastur_edges(0.25, 4.0)
    assert eig[0] == pytest.approx(lo, rel=0.05)
    assert eig[-1] == pytest.approx(hi, rel=0.05)


def test_mp_bad_input():
    with pytest.raises(ValueError, match="ratio"):
        marchenko_pastur_edges(0.0)
    with pytest.raises(ValueError, match="sigma2"):
        marchenko_pastur_edges(0.5, -1.0)
    with pytest.raises(ValueError, match="ratio"):
        marchenko_pastur_density(1.0, 2.0)


# ----------------------------------------------------------------- spikes
@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 0.9), st.floats(0.1, 10.0), st.floats(0.01, 100.0))
def test_spike_location_properties(y, s2, t):
    edge = marchenko_pastur_edges(y, s2)[1]
    theta = s2 * np.sqrt(y) * (1.0 + t)
    loc = float(spike_location(theta, y, s2))
    assert loc >= edge * (1 - 1e-12)  # above the threshold the outlier leaves the bulk
    assert loc >= s2 + theta  # and lies above the population eigenvalue
    below = float(spike_location(s2 * np.sqrt(y) / (1.0 + t), y, s2))
    assert below == edge
    # continuity at the threshold theta = sigma2 sqrt(y)
    assert float(spike_location(s2 * np.sqrt(y) * (1 + 1e-12), y, s2)) == pytest.approx(edge, rel=1e-9)


def test_spiked_data_covariance_and_outliers():
    X = spiked_data(20000, 10, [9.0, 4.0], sigma=1.0, seed=0)
    eig = np.linalg.eigvalsh(second_moment(X))
    # population covariance I + 9 u1 u1^T + 4 u2 u2^T: eigenvalues 10, 5, 1 (x8)
    np.testing.assert_allclose(eig[-2:], [5.0, 10.0], rtol=0.05)
    np.testing.assert_allclose(eig[:8], 1.0, atol=0.1)
    ev = spiked_spectrum(2000, 400, [20.0, 10.0, 5.0], seed=1)
    np.testing.assert_allclose(ev[-3:], spike_location(np.array([5.0, 10.0, 20.0]), 0.2), rtol=0.1)


def test_spiked_bad_input():
    with pytest.raises(ValueError, match="strengths"):
        spiked_data(10, 3, [1.0, -1.0])
    with pytest.raises(ValueError, match="strengths"):
        spiked_data(10, 1, [1.0, 2.0])
    with pytest.raises(ValueError, match="dim"):
        spiked_spectrum(10, 20, [1.0])
    with pytest.raises(ValueError, match="sigma"):
        spiked_data(10, 3, [1.0], sigma=0.0)
    with pytest.raises(ValueError, match="strength"):
        spike_location(-1.0, 0.5)
