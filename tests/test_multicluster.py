"""clrlib.multicluster: the one-step-size-per-cluster cycle meets its proven per-cycle factor."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import clrlib


@st.composite
def spectra(draw):
    m = draw(st.integers(2, 4))
    lo = 1.0
    pairs = []
    for _ in range(m):
        width = draw(st.floats(1.05, 5.0))
        gap = draw(st.floats(3.0, 100.0))
        pairs.append((lo, lo * width))
        lo = lo * width * gap
    return clrlib.Spectrum(pairs)


@settings(max_examples=60, deadline=None)
@given(spectra())
def test_cycle_contracts_by_its_proven_rate_and_counts_are_minimal(spec):
    cyc = clrlib.multi_cluster_schedule(spec)
    a, b = spec.intervals[0]
    assert cyc.rate == pytest.approx(1 - a / b)
    assert clrlib.sup_residual(cyc.cycle, spec) <= cyc.rate * (1 + 1e-12)
    assert cyc.counts[0] == 1 and cyc.etas[0] == pytest.approx(1 / b)
    # minimality: one step fewer of any later size breaks the bound on that cluster
    for i in range(1, cyc.counts.size):
        if cyc.counts[i] == 0:
            continue
        counts = cyc.counts.copy()
        counts[i] -= 1
        lo, hi = spec.intervals[i]
        log_bound = sum(c * np.log(hi * e - 1) for e, c in zip(cyc.etas[:i], counts[:i])) + counts[i] * np.log1p(-lo / hi)
        assert log_bound > np.log(cyc.rate)


def test_two_clusters_give_the_theorem_schedule():
    for spec in [clrlib.Bimodal(1, 2, 50, 100), clrlib.Bimodal(1, 3, 10, 1e5), clrlib.Bimodal(0.1, 0.4, 100, 120)]:
        p = clrlib.clr_parameters(spec, 1e-6)
        assert np.array_equal(clrlib.multi_cluster_schedule(spec).cycle, p.schedule().steps(p.K + 1))


def test_point_first_cluster_is_rejected():
    with pytest.raises(ValueError, match="spectrum"):
        clrlib.multi_cluster_schedule(clrlib.Spectrum([(1.0, 1.0), (10.0, 20.0)]))
