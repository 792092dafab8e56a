"""Two clusters from a set of eigenvalues: the bimodal hull that chapters 3, 9 and 10 read off a spectrum.

:func:`two_cluster_split` splits sorted positive eigenvalues at their largest log-gap
(:func:`largest_log_gap`) and returns the :class:`~clrlib.spectra.Bimodal` hull of the two groups.
(The least-squares Hessian and the Marchenko-Pastur / spiked-model formulas used only by chapter 3
live in that chapter.)
"""

from __future__ import annotations

import numpy as np

from . import _validate as V
from .spectra import Bimodal

__all__ = ["largest_log_gap", "two_cluster_split"]


def _positive_sorted(name: str, eigenvalues: np.ndarray) -> np.ndarray:
    eig = V.real_array(name, eigenvalues, ndim=1)
    if eig.size < 2:
        raise ValueError(f"{name} must contain at least 2 entries to form two clusters, got {eig.size}")
    if np.any(eig <= 0):
        raise ValueError(f"{name} must all be > 0 (drop null directions or add a ridge first), "
                         f"smallest is {eig.min()!r}")
    return np.sort(eig)


def largest_log_gap(eigenvalues: np.ndarray) -> int:
    """Index ``i*`` of the largest ratio between consecutive sorted eigenvalues.

    With ``lam_(0) <= ... <= lam_(m-1)`` the sorted eigenvalues (all ``> 0``)::

        i* = argmax_{0 <= i < m-1} log(lam_(i+1) / lam_(i)),

    ties broken by the smallest ``i``. The small cluster is ``lam_(0..i*)`` and the large one
    ``lam_(i*+1..m-1)``.
    """
    eig = _positive_sorted("eigenvalues", eigenvalues)
    gaps = np.diff(np.log(eig))
    return int(np.argmax(gaps))


def two_cluster_split(eigenvalues: np.ndarray, n_large: int | None = None) -> Bimodal:
    """The best two-cluster hull ``[mu, mu1] U [L1, L]`` of a set of positive eigenvalues.

    Sort the eigenvalues, ``lam_(0) <= ... <= lam_(m-1)``. By default the split is at the
    largest log-gap (see :func:`largest_log_gap`): with ``i* = argmax_i log(lam_(i+1)/lam_(i))``::

        mu = lam_(0),  mu1 = lam_(i*),  L1 = lam_(i*+1),  L = lam_(m-1).

    Among all splits into a lower and an upper group, this one maximises the gap ratio
    ``L1/mu1``. With ``n_large`` given, the large cluster is the top ``n_large`` eigenvalues
    instead (``1 <= n_large <= m-1``); the two groups must then be separated
    (``lam_(m-1-n_large) < lam_(m-n_large)``).
    """
    eig = _positive_sorted("eigenvalues", eigenvalues)
    m = eig.size
    if n_large is None:
        i = largest_log_gap(eig)
    else:
        n_large = V.count("n_large", n_large, 1)
        if n_large > m - 1:
            raise ValueError(f"n_large must lie in [1, {m - 1}] (one less than the number of eigenvalues), "
                             f"got {n_large!r}")
        i = m - 1 - n_large
    if not eig[i] < eig[i + 1]:
        raise ValueError(f"eigenvalues must have a strictly positive gap at the split (after index {i}), "
                         f"got {eig[i]!r} and {eig[i + 1]!r}")
    return Bimodal(float(eig[0]), float(eig[i]), float(eig[i + 1]), float(eig[-1]))
