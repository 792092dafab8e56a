"""Spectra of real and synthetic data: where two clusters of eigenvalues come from.

Least squares ``f(w) = 1/(2n) ||X w - y||^2`` has the constant Hessian ``H = X^T X / n``, the
(uncentred) second-moment matrix of the features. This module builds such Hessians
(:func:`second_moment`), splits a set of eigenvalues into two clusters (:func:`two_cluster_split`,
returning a :class:`~clrlib.spectra.Bimodal` hull), and provides the random-matrix model
"low-rank signal plus isotropic noise" (:func:`spiked_data`, :func:`spiked_spectrum`) with its
Marchenko-Pastur bulk (:func:`marchenko_pastur_edges`, :func:`marchenko_pastur_density`) and the
positions of its outliers (:func:`spike_location`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _validate as V
from .spectra import Bimodal, random_orthogonal

__all__ = [
    "largest_log_gap",
    "marchenko_pastur_density",
    "marchenko_pastur_edges",
    "second_moment",
    "spike_location",
    "spiked_data",
    "spiked_spectrum",
    "two_cluster_split",
]


def second_moment(X: np.ndarray, *, centre: bool = False, ridge: float = 0.0) -> np.ndarray:
    """The least-squares Hessian of a design matrix, optionally centred and with a ridge.

    With ``n`` rows ``x_i`` and ``m = (1/n) sum_i x_i`` (used only when ``centre=True``)::

        H = (1/n) sum_i (x_i - c m)(x_i - c m)^T + ridge * I,     c = 1 if centre else 0.

    ``centre=False`` is the Hessian of ``1/(2n) ||X w - y||^2 + ridge/2 ||w||^2``; ``centre=True``
    is the same after subtracting the column means (the covariance matrix plus the ridge). The
    result is symmetric (symmetrised exactly) and positive semidefinite; with ``ridge > 0`` it is
    positive definite with every eigenvalue ``>= ridge``.
    """
    xx = V.real_array("X", X, ndim=2)
    if xx.shape[0] < 1 or xx.shape[1] < 1:
        raise ValueError(f"X must have at least one row and one column, got shape {xx.shape}")
    ridge = V.real("ridge", ridge)
    if ridge < 0:
        raise ValueError(f"ridge must be >= 0, got {ridge!r}")
    if centre:
        xx = xx - xx.mean(axis=0)
    h = xx.T @ xx / xx.shape[0]
    h = 0.5 * (h + h.T)
    if ridge:
        h = h + ridge * np.eye(h.shape[0])
    return h


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


def marchenko_pastur_edges(ratio: float, sigma2: float = 1.0) -> tuple[float, float]:
    """The edges of the Marchenko-Pastur law with aspect ratio ``y = d/n`` and noise variance ``sigma2``.

    For ``X`` (``n x d``) with i.i.d. entries of mean 0 and variance ``sigma2``, as ``n, d -> inf``
    with ``d/n -> y``, the nonzero eigenvalues of ``X^T X / n`` fill::

        [lam_-, lam_+] = [sigma2 (1 - sqrt(y))^2, sigma2 (1 + sqrt(y))^2].

    (For ``y > 1`` there are in addition ``d - n`` zero eigenvalues.) Returns ``(lam_-, lam_+)``.
    """
    y = V.positive("ratio", ratio)
    s2 = V.positive("sigma2", sigma2)
    r = np.sqrt(y)
    return float(s2 * (1.0 - r) ** 2), float(s2 * (1.0 + r) ** 2)


def marchenko_pastur_density(lam: np.ndarray | float, ratio: float, sigma2: float = 1.0) -> np.ndarray:
    """The Marchenko-Pastur density of the nonzero eigenvalues, for ``0 < ratio = y <= 1``::

        rho(lam) = sqrt((lam_+ - lam)(lam - lam_-)) / (2 pi sigma2 y lam)   on [lam_-, lam_+],

    and 0 outside (it integrates to 1 for ``y <= 1``).
    """
    y = V.positive("ratio", ratio)
    if y > 1:
        raise ValueError(f"ratio must lie in (0, 1] (d <= n), got {ratio!r}")
    s2 = V.positive("sigma2", sigma2)
    x = V.real_array("lam", lam)
    lo, hi = marchenko_pastur_edges(y, s2)
    inside = (x > lo) & (x < hi)
    out = np.zeros_like(x)
    xi = x[inside]
    out[inside] = np.sqrt((hi - xi) * (xi - lo)) / (2.0 * np.pi * s2 * y * xi)
    return out


def spike_location(strength: np.ndarray | float, ratio: float, sigma2: float = 1.0) -> np.ndarray:
    """Where a spike of the population covariance lands in the sample spectrum (large n, d).

    Population covariance ``sigma2 I + theta u u^T``, aspect ratio ``y = d/n``. If
    ``theta > sigma2 sqrt(y)`` the top sample eigenvalue leaves the bulk and converges to::

        lam(theta) = (sigma2 + theta) (1 + sigma2 y / theta),

    which exceeds the bulk edge ``sigma2 (1 + sqrt(y))^2``; below that threshold it sticks to the
    edge, and this function returns the edge. Returns an array of the shape of ``strength``.
    """
    th = V.real_array("strength", strength)
    if np.any(th <= 0):
        raise ValueError("strength must be > 0 everywhere")
    y = V.positive("ratio", ratio)
    s2 = V.positive("sigma2", sigma2)
    edge = marchenko_pastur_edges(y, s2)[1]
    out = (s2 + th) * (1.0 + s2 * y / th)
    return np.where(th > s2 * np.sqrt(y), out, edge)


def spiked_data(n_samples: int, dim: int, strengths: Sequence[float] | np.ndarray, sigma: float = 1.0,
                seed: int | np.random.Generator = 0) -> np.ndarray:
    """A low-rank signal plus isotropic Gaussian noise: ``n_samples x dim`` rows ``x_i``::

        x_i = sum_j sqrt(theta_j) g_ij u_j + sigma z_i,   g_ij, z_i ~ N(0, 1), N(0, I) i.i.d.,

    with ``u_j`` orthonormal (the first columns of a Haar-random orthogonal matrix). The rows have
    mean 0 and covariance ``sigma^2 I + sum_j theta_j u_j u_j^T`` (the spiked covariance model).
    ``strengths`` are the ``theta_j > 0`` (at most ``dim`` of them).
    """
    n = V.count("n_samples", n_samples, 1)
    d = V.count("dim", dim, 1)
    th = V.real_array("strengths", strengths, ndim=1)
    if th.size > d:
        raise ValueError(f"strengths must have at most dim={d} entries, got {th.size}")
    if np.any(th <= 0):
        raise ValueError("strengths must all be > 0")
    sigma = V.positive("sigma", sigma)
    gen = V.rng(seed)
    u = random_orthogonal(d, gen)[:, : th.size]
    g = gen.standard_normal((n, th.size))
    z = gen.standard_normal((n, d))
    return (g * np.sqrt(th)) @ u.T + sigma * z


def spiked_spectrum(n_samples: int, dim: int, strengths: Sequence[float] | np.ndarray, sigma: float = 1.0,
                    seed: int | np.random.Generator = 0) -> np.ndarray:
    """Sorted eigenvalues of ``X^T X / n`` for ``X = spiked_data(n_samples, dim, strengths, sigma, seed)``.

    For ``dim <= n_samples`` (the only case allowed here) the ``dim - k`` bulk eigenvalues
    follow the Marchenko-Pastur law on ``sigma^2 (1 -+ sqrt(dim/n))^2`` and each strength
    ``theta_j > sigma^2 sqrt(dim/n)`` produces one outlier near :func:`spike_location`.
    """
    n = V.count("n_samples", n_samples, 1)
    d = V.count("dim", dim, 1)
    if d > n:
        raise ValueError(f"dim must be <= n_samples={n}, got {d}")
    X = spiked_data(n, d, strengths, sigma, seed)
    return np.linalg.eigvalsh(second_moment(X))
