"""A small multilayer perceptron in numpy, its exact derivatives, and the one loop that trains it.

Used by chapters 3 and 10. It stays in the library (not in a chapter) because it carries
derivatives a chapter should not hide: the gradient (backpropagation) and the Hessian-vector
product (Pearlmutter's R-operator) are unit-tested against central differences in
``tests/test_mlp.py``, and :func:`train` is the only training loop of the book.

The network with layer sizes ``(d_0, d_1, ..., d_L)`` maps a batch ``X`` (``n x d_0``) to logits::

    a_0 = X,   z_l = a_{l-1} W_l + b_l  (l = 1..L),   a_l = tanh(z_l)  (l < L),   logits = z_L,

and its loss is the mean softmax cross-entropy plus an L2 term on every parameter::

    F(theta) = -(1/n) sum_i log softmax(z_L)_{i, y_i} + (weight_decay / 2) ||theta||^2.

``theta`` is one flat vector: for each layer ``W_l`` (``d_{l-1} x d_l``, row-major) then ``b_l``.
Loss, gradient, accuracy and :func:`train` also take a *stack* of ``S`` networks, ``theta`` of
shape ``(S, p)`` with ``X`` of shape ``(n, d_0)`` (shared) or ``(S, n, d_0)`` (one data set per
network), so that many seeds or settings train at once as one batch of matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.sparse.linalg import ArpackError, LinearOperator, eigsh

from . import _validate as V
from .schedules import Schedule, as_steps

__all__ = ["MLP", "TrainingRun", "hessian_operator", "hessian_top_eigenvalues", "train"]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _mm(a: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``a @ W``; a shared ``a`` (``n x d``) times stacked ``W`` (``S x d x h``) as one matrix product."""
    if a.ndim == 2 and W.ndim == 3:
        S, d, h = W.shape
        return np.moveaxis((a @ np.moveaxis(W, 0, 1).reshape(d, S * h)).reshape(-1, S, h), 1, 0)
    return a @ W


def _mm_t(a: np.ndarray, D: np.ndarray) -> np.ndarray:
    """``a^T @ D``; a shared ``a`` (``n x d``) with stacked ``D`` (``S x n x h``) as one matrix product."""
    if a.ndim == 2 and D.ndim == 3:
        S, n, h = D.shape
        return np.moveaxis((a.T @ np.moveaxis(D, 0, 1).reshape(n, S * h)).reshape(-1, S, h), 1, 0)
    return _t(a) @ D


class MLP:
    """A tanh multilayer perceptron with softmax cross-entropy and an L2 term (see the module doc).

    Parameters
    ----------
    sizes:
        Layer widths ``(d_0, ..., d_L)``, at least two, each ``>= 1``; ``d_L`` is the number of classes.
    weight_decay:
        The coefficient ``>= 0`` of ``(weight_decay/2) ||theta||^2`` in the loss.
    """

    def __init__(self, sizes: Sequence[int], weight_decay: float = 0.0):
        try:
            raw = list(sizes)
        except TypeError as exc:
            raise ValueError(f"sizes must be a sequence of layer widths, got {sizes!r}") from exc
        if len(raw) < 2:
            raise ValueError(f"sizes must contain at least 2 widths (input and output), got {sizes!r}")
        self.sizes: tuple[int, ...] = tuple(V.count(f"sizes[{i}]", s, 1) for i, s in enumerate(raw))
        wd = V.real("weight_decay", weight_decay)
        if wd < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.weight_decay: float = wd
        shapes = []
        offset = 0
        for a, b in zip(self.sizes[:-1], self.sizes[1:]):
            shapes.append((offset, a, b))
            offset += a * b + b
        self._shapes = tuple(shapes)
        self.n_params: int = offset

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes!r}, weight_decay={self.weight_decay!r})"

    # ----------------------------------------------------------------- parameters
    def init(self, seed: int | np.random.Generator = 0, count: int | None = None) -> np.ndarray:
        """Seeded initial parameters: ``W_l ~ N(0, 1/d_{l-1})`` entrywise, ``b_l = 0``.

        Shape ``(n_params,)``, or ``(count, n_params)`` (``count`` networks) when ``count`` is given.
        """
        gen = V.rng(seed)
        lead = () if count is None else (V.count("count", count, 1),)
        theta = np.zeros(lead + (self.n_params,))
        for (off, a, b), (W, _) in zip(self._shapes, self.unpack(theta)):
            W[...] = gen.standard_normal(lead + (a, b)) / np.sqrt(a)
        return theta

    def unpack(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``[(W_1, b_1), ..., (W_L, b_L)]`` into ``theta`` (no copy); leading axes are kept."""
        if not isinstance(theta, np.ndarray) or theta.ndim not in (1, 2) or theta.shape[-1] != self.n_params:
            raise ValueError(f"theta must be a float array of shape (n_params,) or (S, n_params) with "
                             f"n_params={self.n_params}, got {getattr(theta, 'shape', type(theta))}")
        lead = theta.shape[:-1]
        return [(theta[..., off: off + a * b].reshape(lead + (a, b)), theta[..., off + a * b: off + a * b + b])
                for off, a, b in self._shapes]

    # ----------------------------------------------------------------- checks
    def _check(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray,
               batched: bool = True, name: str = "theta") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        th = V.real_array(name, theta)
        if th.ndim not in ((1, 2) if batched else (1,)) or th.shape[-1] != self.n_params:
            raise ValueError(f"{name} must have length n_params={self.n_params}"
                             + (" (shape (n_params,) or (S, n_params))" if batched else "")
                             + f", got shape {th.shape}")
        xx = V.real_array("X", X)
        ok = xx.ndim == 2 or (xx.ndim == 3 and th.ndim == 2 and xx.shape[0] == th.shape[0])
        if not ok or xx.shape[-1] != self.sizes[0] or xx.shape[-2] < 1:
            raise ValueError(f"X must have shape (n >= 1, {self.sizes[0]}) (or (S, n, {self.sizes[0]}) for "
                             f"S stacked networks), got {xx.shape}")
        yy = np.asarray(y)
        if yy.shape != xx.shape[:-1] or not np.issubdtype(yy.dtype, np.integer):
            raise ValueError(f"y must be an integer array with one label per row of X (shape {xx.shape[:-1]})")
        if yy.min() < 0 or yy.max() >= self.sizes[-1]:
            raise ValueError(f"y must hold class labels in [0, {self.sizes[-1] - 1}]")
        return th, xx, yy

    def _onehot(self, yy: np.ndarray) -> np.ndarray:
        return (yy[..., None] == np.arange(self.sizes[-1])).astype(float)

    def _forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        acts = [X]
        layers = self.unpack(theta)
        for l, (W, b) in enumerate(layers):
            z = _mm(acts[-1], W) + b[..., None, :]
            if l == len(layers) - 1:
                return acts, z
            acts.append(np.tanh(z))
        raise AssertionError("unreachable")  # pragma: no cover

    # ----------------------------------------------------------------- values
    def logits(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """The logits ``z_L`` (``n x d_L``, or ``S x n x d_L`` for stacked networks) of the batch ``X``."""
        th, xx, _ = self._check(theta, X, np.zeros(np.shape(X)[:-1], dtype=int))
        return self._forward(th, xx)[1]

    def accuracy(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
        """The fraction of rows whose largest logit is the label ``y_i`` (one per network if stacked)."""
        th, xx, yy = self._check(theta, X, y)
        out = np.mean(self._forward(th, xx)[1].argmax(axis=-1) == yy, axis=-1)
        return float(out) if th.ndim == 1 else out

    def loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
        """``F(theta) = -(1/n) sum_i log softmax(z_L)_{i, y_i} + (weight_decay/2) ||theta||^2``."""
        th, xx, yy = self._check(theta, X, y)
        return self._loss_grad(th, xx, self._onehot(yy))[0]

    def loss_and_gradient(self, theta: np.ndarray, X: np.ndarray,
                          y: np.ndarray) -> tuple[float | np.ndarray, np.ndarray]:
        """``(F(theta), grad F(theta))`` by backpropagation.

        With ``delta_L = (softmax(z_L) - onehot(y)) / n`` and
        ``delta_{l-1} = (delta_l W_l^T) * (1 - a_{l-1}^2)``:
        ``dF/dW_l = a_{l-1}^T delta_l + wd W_l``, ``dF/db_l = 1^T delta_l + wd b_l``.
        """
        th, xx, yy = self._check(theta, X, y)
        return self._loss_grad(th, xx, self._onehot(yy))

    def _loss_grad(self, th: np.ndarray, xx: np.ndarray, onehot: np.ndarray,
                   want_grad: bool = True) -> tuple[float | np.ndarray, np.ndarray]:
        n = xx.shape[-2]
        acts, z = self._forward(th, xx)
        shifted = z - z.max(axis=-1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=-1))
        loss = np.mean(log_norm - np.sum(shifted * onehot, axis=-1), axis=-1) \
            + 0.5 * self.weight_decay * np.sum(th * th, axis=-1)
        loss = float(loss) if th.ndim == 1 else loss
        if not want_grad:
            return loss, th
        delta = (np.exp(shifted - log_norm[..., None]) - onehot) / n  # (softmax(z) - onehot) / n
        layers = self.unpack(th)
        grad = np.empty(np.broadcast_shapes(th.shape, z.shape[:-2] + (self.n_params,)))
        glayers = self.unpack(grad)
        for l in range(len(layers) - 1, -1, -1):
            gW, gb = glayers[l]
            gW[...] = _mm_t(acts[l], delta)
            gb[...] = delta.sum(axis=-2)
            if l > 0:
                delta = (delta @ _t(layers[l][0])) * (1.0 - acts[l] ** 2)
        grad += self.weight_decay * th
        return loss, grad

    def gradient(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``grad F(theta)`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta, X, y)[1]

    def hvp(self, theta: np.ndarray, v: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The exact Hessian-vector product ``H(theta) v = d/dt grad F(theta + t v) |_{t=0}`` (one network).

        Pearlmutter's R-operator ``R{.} = d/dt (.)(theta + t v)|_{t=0}`` applied to backpropagation,
        with ``v = (V_l, c_l)``: forward ``R z_l = R a_{l-1} W_l + a_{l-1} V_l + c_l``,
        ``R a_l = (1 - a_l^2) R z_l``; at the output ``R p = p * (R z_L - <p, R z_L>)``,
        ``R delta_L = R p / n``; backward::

            R(dF/dW_l)   = R a_{l-1}^T delta_l + a_{l-1}^T R delta_l,    R(dF/db_l) = 1^T R delta_l,
            R delta_{l-1} = (R delta_l W_l^T + delta_l V_l^T) * (1 - a_{l-1}^2)
                            - 2 (delta_l W_l^T) * a_{l-1} * R a_{l-1},

        and finally ``+ weight_decay * v``.
        """
        th, xx, yy = self._check(theta, X, y, batched=False)
        vv = V.real_array("v", v, ndim=1)
        if vv.shape[0] != self.n_params:
            raise ValueError(f"v must have length n_params={self.n_params}, got {vv.shape[0]}")
        return self._hvp(th, vv, xx, yy)

    def _hvp(self, th: np.ndarray, vv: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        # vv may be a stack (k, p) of directions: the products are then computed together
        n = xx.shape[0]
        layers = self.unpack(th)
        vlayers = self.unpack(vv)
        nl = len(layers)
        acts = [xx]
        racts = [np.zeros_like(xx)]
        for l, ((W, b), (VW, cb)) in enumerate(zip(layers, vlayers)):
            z = acts[-1] @ W + b
            rz = racts[-1] @ W + acts[-1] @ VW + cb[..., None, :]
            if l < nl - 1:
                a = np.tanh(z)
                acts.append(a)
                racts.append((1.0 - a ** 2) * rz)
        p = _softmax(z)
        rp = p * (rz - np.sum(p * rz, axis=-1, keepdims=True))
        delta = p.copy()
        delta[np.arange(n), yy] -= 1.0
        delta /= n
        rdelta = rp / n
        out = np.empty_like(vv)
        olayers = self.unpack(out)
        for l in range(nl - 1, -1, -1):
            W, _ = layers[l]
            VW, _ = vlayers[l]
            oW, ob = olayers[l]
            oW[...] = _t(racts[l]) @ delta + acts[l].T @ rdelta
            ob[...] = rdelta.sum(axis=-2)
            if l > 0:
                a, ra = acts[l], racts[l]
                back = delta @ W.T
                rdelta = (rdelta @ W.T + delta @ _t(VW)) * (1.0 - a ** 2) - 2.0 * back * a * ra
                delta = back * (1.0 - a ** 2)
        out += self.weight_decay * vv
        return out

    def hvp_fd(self, theta: np.ndarray, v: np.ndarray, X: np.ndarray, y: np.ndarray,
               eps: float = 1e-5) -> np.ndarray:
        """Central differences of the exact gradient, ``(g(theta + e v) - g(theta - e v)) / (2 e)``.

        ``e = eps / max(1, ||v||)``. Error ``O(e^2)`` plus rounding ``O(u / e)``; a check of :meth:`hvp`.
        """
        th, xx, yy = self._check(theta, X, y, batched=False)
        vv = V.real_array("v", v, ndim=1)
        if vv.shape[0] != self.n_params:
            raise ValueError(f"v must have length n_params={self.n_params}, got {vv.shape[0]}")
        e = V.positive("eps", eps) / max(1.0, float(np.linalg.norm(vv)))
        oh = self._onehot(yy)
        return (self._loss_grad(th + e * vv, xx, oh)[1] - self._loss_grad(th - e * vv, xx, oh)[1]) / (2.0 * e)

    def hessian(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The dense Hessian ``[H e_1, ..., H e_p]`` from ``p = n_params`` exact products (in batches), symmetrised."""
        th, xx, yy = self._check(theta, X, y, batched=False)
        eye = np.eye(self.n_params)
        chunk = max(1, 2_000_000 // (xx.shape[0] * max(self.sizes)))    # directions per batch of products
        h = np.concatenate([self._hvp(th, eye[j: j + chunk], xx, yy) for j in range(0, self.n_params, chunk)])
        return 0.5 * (h + h.T)


def hessian_operator(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> LinearOperator:
    """The Hessian ``H(theta)`` as a symmetric scipy ``LinearOperator`` (``v -> model.hvp(theta, v, X, y)``)."""
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    th, xx, yy = model._check(theta, X, y, batched=False)
    p = model.n_params
    return LinearOperator((p, p), matvec=lambda v: model._hvp(th, np.asarray(v, dtype=float).ravel(), xx, yy),
                          dtype=np.float64)


#: Most parameters for which :func:`hessian_top_eigenvalues` falls back to the dense Hessian when ARPACK fails.
MAX_DENSE_HESSIAN: int = 2_000


def hessian_top_eigenvalues(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray, k: int = 20,
                            seed: int | np.random.Generator = 0, tol: float = 1e-8) -> np.ndarray:
    """The ``k`` largest (algebraic) eigenvalues of ``H(theta)``, sorted decreasing.

    Lanczos (ARPACK, ``scipy.sparse.linalg.eigsh(which="LA")``) on :func:`hessian_operator`,
    with a seeded random start vector; every iteration is one exact Hessian-vector product. Where ARPACK
    cannot run (a Hessian that vanishes) the eigenvalues of the dense Hessian (``n_params`` products).
    """
    op = hessian_operator(model, theta, X, y)
    k = V.count("k", k, 1)
    if k >= model.n_params:
        raise ValueError(f"k must be < n_params={model.n_params}, got {k}")
    tol = V.positive("tol", tol)
    v0 = V.rng(seed).standard_normal(model.n_params)
    try:
        vals = eigsh(op, k=k, which="LA", v0=v0, tol=tol, return_eigenvectors=False)
    except ArpackError as exc:  # e.g. a Hessian that vanishes (saturated units): ARPACK cannot start
        if model.n_params > MAX_DENSE_HESSIAN:
            raise ValueError(f"theta: ARPACK failed on this Hessian ({exc}) and n_params = {model.n_params} is above "
                             f"MAX_DENSE_HESSIAN = {MAX_DENSE_HESSIAN} (memory budget) for the dense fallback") from None
        H = op @ np.eye(model.n_params)
        vals = np.linalg.eigvalsh(0.5 * (H + H.T))[-k:]
    return np.sort(vals)[::-1]


# --------------------------------------------------------------------------- the training loop
@dataclass(frozen=True)
class TrainingRun:
    """Result of :func:`train`.

    ``recorded[j]`` is the iteration at which ``losses[j]`` (full training loss) and
    ``accuracy[j]`` (accuracy on the evaluation set, ``nan`` if none) were measured, before
    that iteration's step (so ``recorded[0] = 0`` is the initial point). ``snapshots[i]`` are the
    parameters at iteration ``snapshot_iterations[i]``. ``diverged`` is True if the loss or the
    parameters became non-finite; the records of a diverged network are ``nan`` from then on.
    For ``S`` stacked networks ``theta`` has shape ``(S, p)``, ``losses`` and ``accuracy`` have a
    trailing axis of length ``S``, ``snapshots`` has shape ``(len(snapshots), S, p)`` and
    ``diverged`` is a boolean array of length ``S``.
    """

    theta: np.ndarray
    recorded: np.ndarray
    losses: np.ndarray
    accuracy: np.ndarray
    snapshot_iterations: np.ndarray
    snapshots: np.ndarray
    diverged: bool | np.ndarray


def train(model: MLP, theta0: np.ndarray, X: np.ndarray, y: np.ndarray,
          schedule: float | Schedule | Sequence[float] | np.ndarray, steps: int, *,
          momentum: float = 0.0, batch_size: int | None = None, seed: int | np.random.Generator = 0,
          X_eval: np.ndarray | None = None, y_eval: np.ndarray | None = None,
          record_every: int = 1, snapshots: Sequence[int] = (), dtype: type = np.float64) -> TrainingRun:
    """(Minibatch) gradient descent, with optional heavy-ball momentum ``beta``, one step size per step::

        m_{t+1} = beta m_t + grad F_{S_t}(theta_t),   theta_{t+1} = theta_t - eta_t m_{t+1},

    for ``t = 0, ..., steps - 1``; ``beta = 0`` is plain gradient descent. ``eta_t`` is ``schedule``
    (a float), the ``t``-th step of a :class:`~clrlib.schedules.Schedule` or of a sequence of
    ``steps`` step sizes, or, for ``S`` stacked networks (``theta0`` of shape ``(S, p)``), row ``s``
    of an ``(S, steps)`` array for network ``s``. ``F_{S_t}`` is the loss on the batch ``S_t``:
    all rows (``batch_size=None``: full-batch gradient descent) or ``batch_size`` rows drawn without
    replacement, a fresh random permutation of the rows each epoch (seeded by ``seed``, one
    permutation per network; an incomplete last batch of an epoch is dropped).
    Every ``record_every`` iterations (and at ``t = steps``) the full training loss ``F(theta_t)``
    and the accuracy on ``(X_eval, y_eval)`` are recorded; parameters are copied at the
    iterations listed in ``snapshots`` (each in ``[0, steps]``). ``dtype`` (``float64`` or
    ``float32``) is the precision of the arithmetic; ``float32`` is about twice as fast.
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    th, xx, yy = model._check(theta0, X, y, name="theta0")
    T = V.count("steps", steps, 0, V.MAX_SIZE)
    S = th.shape[0] if th.ndim == 2 else None
    if np.ndim(schedule) == 0 and not isinstance(schedule, Schedule):
        etas = np.full(T, V.positive("schedule", schedule))
    elif isinstance(schedule, Schedule) or np.ndim(schedule) == 1:
        etas = as_steps(schedule, T) if isinstance(schedule, Schedule) else V.real_array("schedule", schedule)
    else:
        etas = V.real_array("schedule", schedule, ndim=2)
        if S is None or etas.shape[0] != S:
            raise ValueError(f"schedule must be 1-d, or have one row per stacked network, got shape {etas.shape}")
    if etas.shape[-1] != T or np.any(etas <= 0):
        raise ValueError(f"schedule must give {T} step sizes > 0, got {etas.shape[-1]}")
    etas = etas.T if etas.ndim == 2 else etas               # etas[t] is a number or one step per network
    beta = V.real("momentum", momentum)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
    n = xx.shape[-2]
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
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}")
    th, xx, etas = th.astype(dtype), xx.astype(dtype), etas.astype(dtype)
    if X_eval is not None:
        xe = xe.astype(dtype)

    lead = () if S is None else (S,)
    rec = np.array(sorted(set(range(0, T + 1, every)) | {T}), dtype=int)
    losses = np.full((rec.size,) + lead, np.nan)
    acc = np.full((rec.size,) + lead, np.nan)
    snap_arr = np.full((len(snaps),) + th.shape, np.nan)
    snap_pos = {s: i for i, s in enumerate(snaps)}
    onehot = model._onehot(yy).astype(dtype)
    theta, m = th.copy(), np.zeros_like(th)
    dead = np.zeros(lead, dtype=bool)
    order, pos, j = None, n, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            full = None
            if j < rec.size and rec[j] == t:
                full = model._loss_grad(theta, xx, onehot, want_grad=batch_size is None and t < T)
                dead |= ~np.isfinite(full[0])
                losses[j] = np.where(dead, np.nan, full[0])
                if X_eval is not None:
                    acc[j] = np.where(dead, np.nan, np.mean(model._forward(theta, xe)[1].argmax(axis=-1) == ye,
                                                            axis=-1))
                j += 1
            if t in snap_pos:
                snap_arr[snap_pos[t]] = theta
            if t == T or np.all(dead):
                break
            if batch_size is None:
                g = full[1] if full is not None else model._loss_grad(theta, xx, onehot)[1]
            else:
                if pos + batch_size > n:
                    order = gen.permutation(n) if S is None else np.stack([gen.permutation(n) for _ in range(S)])
                    pos = 0
                rows = order[..., pos: pos + batch_size]
                pos += batch_size
                idx = (np.arange(S)[:, None], rows) if xx.ndim == 3 else rows
                xb, ob = xx[idx], onehot[idx]
                g = model._loss_grad(theta, xb, ob)[1]
            m = beta * m + g if beta else g
            eta = etas[t] if np.ndim(etas[t]) == 0 else etas[t][:, None]
            theta = theta - eta * m
            dead |= ~np.all(np.isfinite(theta), axis=-1)
            if S is not None and np.any(dead):
                theta[dead], m[dead] = np.nan, 0.0
    diverged = bool(dead) if S is None else dead
    return TrainingRun(theta=theta, recorded=rec, losses=losses, accuracy=acc,
                       snapshot_iterations=np.array(snaps, dtype=int), snapshots=snap_arr,
                       diverged=diverged)
