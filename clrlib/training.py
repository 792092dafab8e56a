"""Training a small network with a step-size schedule, and the spectrum of its Hessian (chapter 10).

Three groups of tools, all built on :class:`~clrlib.mlp.MLP` (loss, exact gradient, exact
Hessian-vector product):

- schedules used in deep learning: the triangular cyclical rate of Smith (2017)
  (:func:`triangular_schedule`) and the one-cycle policy of Smith & Topin (2019)
  (:func:`one_cycle_schedule`), as :class:`~clrlib.schedules.Schedule` objects;
- :func:`train_schedule`: full-batch or minibatch gradient descent with one step size per step,
  recording the full training loss, an evaluation accuracy and parameter snapshots;
  :func:`first_hit` reads off the first recorded iteration at which a curve reaches a target;
- the spectrum of a symmetric operator given only by matrix-vector products: :func:`lanczos`
  (with full reorthogonalisation), stochastic Lanczos quadrature :func:`slq` (Ubaru, Chen &
  Saad, 2017) and its smoothed density :func:`spectral_density`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import _validate as V
from .mlp import MLP
from .schedules import Explicit, Periodic, Schedule, as_steps

__all__ = [
    "TrainingRun",
    "first_hit",
    "lanczos",
    "one_cycle_schedule",
    "slq",
    "spectral_density",
    "train_schedule",
    "triangular_schedule",
]


# --------------------------------------------------------------------------- schedules
def triangular_schedule(base_lr: float, max_lr: float, half_period: int) -> Periodic:
    """The triangular cyclical learning rate of Smith (2017), as a periodic schedule.

    With ``s = half_period`` (Smith's "stepsize"), ``c = floor(1 + t/(2s))`` and
    ``x = |t/s - 2c + 1|``::

        eta_t = base_lr + (max_lr - base_lr) * max(0, 1 - x),

    i.e. a linear rise from ``base_lr`` (at ``t = 0``) to ``max_lr`` (at ``t = s``) and back,
    period ``2s``. Requires ``0 < base_lr <= max_lr`` and ``half_period >= 1``.
    """
    base = V.positive("base_lr", base_lr)
    top = V.positive("max_lr", max_lr)
    if top < base:
        raise ValueError(f"max_lr must be >= base_lr={base!r}, got {max_lr!r}")
    s = V.count("half_period", half_period, 1)
    t = np.arange(2 * s, dtype=float)
    c = np.floor(1.0 + t / (2 * s))
    x = np.abs(t / s - 2.0 * c + 1.0)
    return Periodic(base + (top - base) * np.maximum(0.0, 1.0 - x))


def one_cycle_schedule(max_lr: float, total: int, div: float = 10.0, final_div: float = 100.0,
                       cycle_fraction: float = 0.9) -> Explicit:
    """The one-cycle policy of Smith & Topin (2019): one triangle, then an annihilation phase.

    With ``a = floor(cycle_fraction * total / 2)`` steps per half cycle, ``eta_lo = max_lr/div``
    and ``eta_end = max_lr/final_div``::

        eta_t = eta_lo + (max_lr - eta_lo) t/a                 for 0 <= t <= a,
        eta_t = max_lr - (max_lr - eta_lo) (t - a)/a           for a <= t <= 2a,
        eta_t = eta_lo + (eta_end - eta_lo) (t - 2a)/(total - 1 - 2a)   for 2a <= t < total,

    (the last phase is a linear decay to ``eta_end``; it is absent when ``2a >= total - 1``).
    Requires ``max_lr > 0``, ``total >= 2``, ``div >= 1``, ``final_div >= div`` and
    ``cycle_fraction`` in ``(0, 1]``, with ``a >= 1``.
    """
    top = V.positive("max_lr", max_lr)
    T = V.count("total", total, 2)
    div = V.real("div", div)
    if div < 1.0:
        raise ValueError(f"div must be >= 1, got {div!r}")
    final_div = V.real("final_div", final_div)
    if final_div < div:
        raise ValueError(f"final_div must be >= div={div!r}, got {final_div!r}")
    frac = V.real("cycle_fraction", cycle_fraction)
    if not 0.0 < frac <= 1.0:
        raise ValueError(f"cycle_fraction must lie in (0, 1], got {cycle_fraction!r}")
    a = int(np.floor(frac * T / 2))
    if a < 1:
        raise ValueError(f"cycle_fraction * total / 2 must be >= 1 (one step per half cycle), "
                         f"got cycle_fraction={frac!r}, total={T!r}")
    lo, end = top / div, top / final_div
    t = np.arange(T, dtype=float)
    eta = np.where(t <= a, lo + (top - lo) * t / a, top - (top - lo) * (t - a) / a)
    rest = t > 2 * a
    if np.any(rest):
        eta[rest] = lo + (end - lo) * (t[rest] - 2 * a) / max(T - 1 - 2 * a, 1)
    return Explicit(eta)


# --------------------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainingRun:
    """Result of :func:`train_schedule`.

    ``recorded[j]`` is the iteration at which ``losses[j]`` (full training loss) and
    ``accuracy[j]`` (accuracy on the evaluation set, ``nan`` if none) were measured, before
    that iteration's step (so ``recorded[0] = 0`` is the initial point). ``snapshots[i]`` are the
    parameters at iteration ``snapshot_iterations[i]``. ``diverged`` is True if the loss became
    non-finite; then the run stops and the remaining records are ``nan``.
    """

    theta: np.ndarray
    recorded: np.ndarray
    losses: np.ndarray
    accuracy: np.ndarray
    snapshot_iterations: np.ndarray
    snapshots: np.ndarray
    diverged: bool


def train_schedule(model: MLP, theta0: np.ndarray, X: np.ndarray, y: np.ndarray,
                   schedule: Schedule | Sequence[float] | np.ndarray, steps: int, *,
                   batch_size: int | None = None, seed: int | np.random.Generator = 0,
                   X_eval: np.ndarray | None = None, y_eval: np.ndarray | None = None,
                   record_every: int = 1, snapshots: Sequence[int] = ()) -> TrainingRun:
    """(Minibatch) gradient descent on ``model``'s loss with one step size per iteration::

        theta_{t+1} = theta_t - eta_t grad F_{S_t}(theta_t),    t = 0, ..., steps - 1,

    where ``eta_t`` is the schedule's ``t``-th step and ``F_{S_t}`` the loss on the batch ``S_t``:
    all rows (``batch_size=None``, full-batch gradient descent) or ``batch_size`` rows drawn
    without replacement, a fresh random permutation of the rows each epoch (seeded by ``seed``;
    an incomplete last batch of an epoch is dropped).
    Every ``record_every`` iterations (and at ``t = steps``) the full training loss ``F(theta_t)``
    and the accuracy on ``(X_eval, y_eval)`` are recorded; parameters are copied at the
    iterations listed in ``snapshots`` (each in ``[0, steps]``).
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    th, xx, yy = model._check(theta0, X, y)
    T = V.count("steps", steps, 0)
    etas = as_steps(schedule, T)
    if etas.shape[0] != T or np.any(etas <= 0):
        raise ValueError(f"schedule must give {T} step sizes > 0")
    n = xx.shape[0]
    if batch_size is not None:
        batch_size = V.count("batch_size", batch_size, 1)
        if batch_size > n:
            raise ValueError(f"batch_size must lie in [1, {n}] (the number of rows of X), got {batch_size!r}")
    every = V.count("record_every", record_every, 1)
    if (X_eval is None) != (y_eval is None):
        raise ValueError("X_eval and y_eval must be given together")
    if X_eval is not None:
        _, xe, ye = model._check(th, X_eval, y_eval)
    snaps = sorted({V.count("snapshots", s, 0) for s in snapshots})
    if snaps and snaps[-1] > T:
        raise ValueError(f"snapshots must lie in [0, steps={T}], got {snaps[-1]!r}")
    gen = V.rng(seed)

    rec = np.array(sorted(set(range(0, T + 1, every)) | {T}), dtype=int)
    losses = np.full(rec.size, np.nan)
    acc = np.full(rec.size, np.nan)
    snap_arr = np.full((len(snaps), model.n_params), np.nan)
    snap_pos = {s: i for i, s in enumerate(snaps)}
    theta = th.copy()
    order = np.empty(0, dtype=int)
    pos = 0
    j = 0
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            full = None
            if j < rec.size and rec[j] == t:
                full = model._loss_grad(theta, xx, yy)
                losses[j] = full[0]
                if X_eval is not None:
                    acc[j] = float(np.mean(model._forward(theta, xe)[1].argmax(axis=1) == ye))
                j += 1
                if not np.isfinite(full[0]):
                    diverged = True
            if t in snap_pos:
                snap_arr[snap_pos[t]] = theta
            if diverged or t == T:
                break
            if batch_size is None:
                g = full[1] if full is not None else model._loss_grad(theta, xx, yy)[1]
            else:
                if pos + batch_size > order.size:
                    order = gen.permutation(n)
                    pos = 0
                rows = order[pos: pos + batch_size]
                pos += batch_size
                g = model._loss_grad(theta, xx[rows], yy[rows])[1]
            theta = theta - etas[t] * g
            if not np.all(np.isfinite(theta)):
                diverged = True
                break
    return TrainingRun(theta=theta, recorded=rec, losses=losses, accuracy=acc,
                       snapshot_iterations=np.array(snaps, dtype=int), snapshots=snap_arr,
                       diverged=diverged)


def first_hit(iterations: np.ndarray, values: np.ndarray, target: float, above: bool = True,
              stay: bool = False) -> float:
    """The first recorded iteration at which a curve reaches a target, or ``inf`` if it never does::

        min { iterations[j] : values[j] >= target }                   (stay=False),
        min { iterations[j] : values[i] >= target for all i >= j }    (stay=True: reach and stay),

    with ``<=`` instead of ``>=`` when ``above=False``. ``nan`` values never count as reaching
    the target.
    """
    it = V.real_array("iterations", iterations, ndim=1)
    vals = np.asarray(values, dtype=float)
    if vals.ndim != 1 or vals.shape != it.shape:
        raise ValueError(f"values must be a 1-d array of the same length as iterations ({it.size})")
    tgt = V.real("target", target)
    with np.errstate(invalid="ignore"):
        hit = vals >= tgt if above else vals <= tgt
    if stay:
        hit = np.flip(np.logical_and.accumulate(np.flip(hit)))
    idx = np.flatnonzero(hit)
    return float(it[idx[0]]) if idx.size else float("inf")


# --------------------------------------------------------------------------- spectra
def lanczos(matvec: Callable[[np.ndarray], np.ndarray], v0: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` steps of the Lanczos process on a symmetric operator ``A``, with full reorthogonalisation.

    From ``q_1 = v0/||v0||``: ``w = A q_j - beta_{j-1} q_{j-1}``, ``alpha_j = q_j^T w``,
    ``w -= alpha_j q_j``, then ``w`` is reorthogonalised against all ``q_1..q_j`` (twice) and
    ``beta_j = ||w||``, ``q_{j+1} = w/beta_j``. Returns ``(alpha, beta)``: the diagonal (length
    ``k``) and off-diagonal (length ``k - 1``) of the tridiagonal ``T_k = Q_k^T A Q_k``; ``k = m``
    unless an invariant subspace is found first (``beta_j`` below ``1e-12`` times the largest
    ``|alpha|``), when the process stops early. ``T_k`` satisfies
    ``e_1^T T_k^i e_1 = q_1^T A^i q_1`` for ``i <= 2k - 1``.
    """
    v = V.real_array("v0", v0, ndim=1, nonempty=True)
    nrm = float(np.linalg.norm(v))
    if nrm == 0.0:
        raise ValueError("v0 must be a nonzero vector")
    m = V.count("m", m, 1)
    n = v.size
    m = min(m, n)
    Q = np.zeros((m, n))
    Q[0] = v / nrm
    alpha = np.zeros(m)
    beta = np.zeros(max(m - 1, 0))
    k = m
    for j in range(m):
        w = np.asarray(matvec(Q[j]), dtype=float).ravel()
        if w.shape != (n,):
            raise ValueError(f"matvec must return a vector of length {n}, got shape {w.shape}")
        alpha[j] = Q[j] @ w
        w = w - alpha[j] * Q[j] - (beta[j - 1] * Q[j - 1] if j > 0 else 0.0)
        for _ in range(2):
            w -= Q[: j + 1].T @ (Q[: j + 1] @ w)
        if j == m - 1:
            break
        b = float(np.linalg.norm(w))
        if b <= 1e-12 * max(1.0, float(np.max(np.abs(alpha[: j + 1])))):
            k = j + 1
            break
        beta[j] = b
        Q[j + 1] = w / b
    return alpha[:k].copy(), beta[: k - 1].copy()


def slq(matvec: Callable[[np.ndarray], np.ndarray], n: int, m: int = 40, n_probes: int = 8,
        seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic Lanczos quadrature (Ubaru, Chen & Saad, 2017) for the spectral measure of ``A``.

    The spectral measure ``phi = (1/n) sum_i delta_{lam_i}`` satisfies
    ``int f dphi = tr f(A)/n = E[v^T f(A) v]/n`` for Rademacher probes ``v`` (entries +-1).
    For each of ``n_probes`` probes, ``m`` Lanczos steps from ``v`` give ``T_m = S diag(theta) S^T``,
    and ``v^T f(A) v ~ n sum_k S_{1k}^2 f(theta_k)`` (Gauss quadrature, exact for polynomials of
    degree ``<= 2m - 1``). Returns ``(nodes, weights)``: all the ``theta_k`` and the weights
    ``S_{1k}^2 / n_probes``, which are ``>= 0`` and sum to 1, so that
    ``int f dphi ~ sum_k weights_k f(nodes_k)``.
    """
    n = V.count("n", n, 1)
    m = V.count("m", m, 1)
    n_probes = V.count("n_probes", n_probes, 1)
    gen = V.rng(seed)
    nodes, weights = [], []
    for _ in range(n_probes):
        v = gen.choice(np.array([-1.0, 1.0]), size=n)
        a, b = lanczos(matvec, v, m)
        theta, S = np.linalg.eigh(np.diag(a) + np.diag(b, 1) + np.diag(b, -1))
        nodes.append(theta)
        weights.append(S[0] ** 2 / n_probes)
    return np.concatenate(nodes), np.concatenate(weights)


def spectral_density(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, width: float) -> np.ndarray:
    """The quadrature measure smoothed by a Gaussian of standard deviation ``width``::

        rho(x) = sum_k weights_k exp(-(x - nodes_k)^2 / (2 width^2)) / (sqrt(2 pi) width),

    evaluated at each point of ``grid`` (it integrates to ``sum_k weights_k`` over the line).
    """
    nd = V.real_array("nodes", nodes, ndim=1)
    wt = V.real_array("weights", weights, ndim=1)
    if wt.shape != nd.shape:
        raise ValueError(f"weights must have the same length as nodes ({nd.size}), got {wt.size}")
    g = V.real_array("grid", grid)
    w = V.positive("width", width)
    z = (g[..., None] - nd) / w
    return np.exp(-0.5 * z**2) @ wt / (np.sqrt(2.0 * np.pi) * w)
