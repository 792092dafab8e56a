"""A cycle for spectra with more than two clusters: one step size per cluster.

For ``E = [a_1, b_1] U ... U [a_m, b_m]`` (sorted), the cycle takes ``n_j`` steps of size ``1/b_j``
for ``j = 1..m`` (``n_1 = 1``), so its polynomial is ``P(lam) = prod_j (1 - lam/b_j)^{n_j}``.
On cluster ``i``:

* a factor with ``j < i`` amplifies: ``|1 - lam/b_j| <= b_i/b_j - 1`` (it may exceed 1);
* the factor ``j = i`` contracts: ``0 <= 1 - lam/b_i <= 1 - a_i/b_i``;
* a factor with ``j > i`` lies in ``[0, 1]`` because ``lam < b_j``.

So ``|P| <= prod_{j<i} (b_i/b_j - 1)^{n_j} (1 - a_i/b_i)^{n_i}`` on cluster ``i``. Choosing each
``n_i`` (``i = 2..m``, in order) as the least count that makes this ``<= s = 1 - a_1/b_1`` gives a
cycle that contracts by ``s`` everywhere on ``E``. For ``m = 2`` this is the theorem's schedule
(``eta_plus = 1/mu1``, ``eta_minus = 1/L``, ``K = n_2``).
"""

from __future__ import annotations

import math

import numpy as np

from .schedules import Periodic
from .spectra import Spectrum, as_spectrum

__all__ = ["MultiClusterCycle", "multi_cluster_schedule"]


class MultiClusterCycle(Periodic):
    """The cycle ``n_1`` steps of ``1/b_1``, ..., ``n_m`` steps of ``1/b_m`` (see the module docstring).

    ``counts`` are the ``n_j`` (one per cluster, possibly 0), ``etas`` the step sizes ``1/b_j`` and
    ``rate`` the proven per-cycle factor ``s = 1 - a_1/b_1``.
    """

    def __init__(self, etas: np.ndarray, counts: np.ndarray, rate: float):
        self.etas = np.asarray(etas, dtype=float)
        self.counts = np.asarray(counts, dtype=int)
        self.rate = float(rate)
        super().__init__(np.repeat(self.etas, self.counts))

    def __repr__(self) -> str:
        return f"MultiClusterCycle(counts={self.counts.tolist()!r}, rate={self.rate!r})"


def multi_cluster_schedule(spectrum: Spectrum) -> MultiClusterCycle:
    """The one-step-size-per-cluster cycle whose proven per-cycle factor is ``1 - a_1/b_1``.

    ``n_1 = 1`` and, for ``i >= 2``, ``n_i`` is the least integer with
    ``sum_{j<i} n_j log(b_i/b_j - 1) + n_i log(1 - a_i/b_i) <= log(1 - a_1/b_1)``.
    Raises ``ValueError`` if the first cluster is a single point while a later one is not
    (then no finite count exists).
    """
    spec = as_spectrum(spectrum)
    a = np.array([lo for lo, _ in spec.intervals])
    b = np.array([hi for _, hi in spec.intervals])
    s = 1.0 - a[0] / b[0]
    counts = [1]
    for i in range(1, a.size):
        log_amp = sum(n * math.log(b[i] / b[j] - 1.0) for j, n in enumerate(counts) if b[i] / b[j] - 1.0 > 0)
        if any(b[i] / b[j] - 1.0 == 0 for j in range(i)):  # cannot happen for disjoint intervals
            log_amp = -math.inf
        damp = 1.0 - a[i] / b[i]
        if damp == 0.0:
            counts.append(1)
            continue
        if s == 0.0:
            raise ValueError("spectrum: the first cluster is a single point, so no finite count damps the others")
        ld, ls = math.log(damp), math.log(s)
        n = max(0, math.ceil((log_amp - ls) / -ld))
        while n > 0 and log_amp + (n - 1) * ld <= ls:
            n -= 1
        while log_amp + n * ld > ls:
            n += 1
        counts.append(n)
    return MultiClusterCycle(1.0 / b, np.array(counts), s)
