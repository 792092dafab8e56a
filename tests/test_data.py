"""Tests of clrlib.data: the two-cluster split (largest log-gap) of a set of eigenvalues.

The least-squares Hessian, Marchenko-Pastur and spiked-model helpers moved into chapter 3,
which asserts their formulas where it uses them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clrlib
from clrlib.data import largest_log_gap, two_cluster_split


def test_public_names_exported():
    for name in ["two_cluster_split", "largest_log_gap"]:
        assert getattr(clrlib, name) is getattr(clrlib.data, name)


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
