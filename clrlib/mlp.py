"""A small multilayer perceptron in numpy: loss, exact gradient and exact Hessian-vector product.

The network with layer sizes ``(d_0, d_1, ..., d_L)`` maps a batch ``X`` (``n x d_0``) to logits::

    a_0 = X,   z_l = a_{l-1} W_l + b_l  (l = 1..L),   a_l = tanh(z_l)  (l < L),   logits = z_L,

and its loss is the mean softmax cross-entropy plus an L2 term on every parameter::

    F(theta) = -(1/n) sum_i log softmax(z_L)_{i, y_i} + (weight_decay / 2) ||theta||^2.

``theta`` is one flat vector: for each layer ``W_l`` (``d_{l-1} x d_l``, row-major) then ``b_l``.
The gradient is backpropagation; the Hessian-vector product ``H(theta) v`` is Pearlmutter's
R-operator (forward-over-reverse differentiation, exact up to rounding), checked in the tests
against central differences of the gradient (:meth:`MLP.hvp_fd`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from . import _validate as V

__all__ = ["MLP", "TrainResult", "hessian_operator", "hessian_top_eigenvalues", "train"]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


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
    def init(self, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Seeded initial parameters: ``W_l ~ N(0, 1/d_{l-1})`` entrywise, ``b_l = 0``."""
        gen = V.rng(seed)
        theta = np.zeros(self.n_params)
        for (off, a, b), (W, _) in zip(self._shapes, self.unpack(theta)):
            W[...] = gen.standard_normal((a, b)) / np.sqrt(a)
        return theta

    def unpack(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``[(W_1, b_1), ..., (W_L, b_L)]`` into the flat vector ``theta`` (no copy)."""
        if not isinstance(theta, np.ndarray) or theta.ndim != 1 or theta.shape[0] != self.n_params:
            raise ValueError(f"theta must be a 1-d float array of length n_params={self.n_params}, "
                             f"got {getattr(theta, 'shape', type(theta))}")
        layers = []
        for off, a, b in self._shapes:
            W = theta[off: off + a * b].reshape(a, b)
            layers.append((W, theta[off + a * b: off + a * b + b]))
        return layers

    def pack(self, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The flat vector of ``[(W_1, b_1), ...]`` (inverse of :meth:`unpack`)."""
        if len(layers) != len(self._shapes):
            raise ValueError(f"layers must have {len(self._shapes)} (W, b) pairs, got {len(layers)}")
        parts = []
        for i, ((W, b), (_, a, c)) in enumerate(zip(layers, self._shapes)):
            W = np.asarray(W, dtype=float)
            b = np.asarray(b, dtype=float)
            if W.shape != (a, c) or b.shape != (c,):
                raise ValueError(f"layers[{i}] must be (W, b) with shapes {(a, c)} and {(c,)}, "
                                 f"got {W.shape} and {b.shape}")
            parts += [W.ravel(), b]
        return np.concatenate(parts)

    # ----------------------------------------------------------------- checks
    def _check(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        th = V.real_array("theta", theta, ndim=1)
        if th.shape[0] != self.n_params:
            raise ValueError(f"theta must have length n_params={self.n_params}, got {th.shape[0]}")
        xx = V.real_array("X", X, ndim=2)
        if xx.shape[1] != self.sizes[0] or xx.shape[0] < 1:
            raise ValueError(f"X must have shape (n >= 1, {self.sizes[0]}), got {xx.shape}")
        yy = np.asarray(y)
        if yy.ndim != 1 or yy.shape[0] != xx.shape[0] or not np.issubdtype(yy.dtype, np.integer):
            raise ValueError(f"y must be a 1-d integer array with one label per row of X ({xx.shape[0]})")
        if yy.min() < 0 or yy.max() >= self.sizes[-1]:
            raise ValueError(f"y must hold class labels in [0, {self.sizes[-1] - 1}]")
        return th, xx, yy

    def _forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        acts = [X]
        layers = self.unpack(theta)
        for l, (W, b) in enumerate(layers):
            z = acts[-1] @ W + b
            if l < len(layers) - 1:
                acts.append(np.tanh(z))
            else:
                return acts, z
        raise AssertionError("unreachable")  # pragma: no cover

    # ----------------------------------------------------------------- values
    def logits(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """The logits ``z_L`` (``n x d_L``) of the batch ``X``."""
        th = V.real_array("theta", theta, ndim=1)
        xx = V.real_array("X", X, ndim=2)
        if th.shape[0] != self.n_params or xx.shape[1] != self.sizes[0]:
            raise ValueError(f"theta must have length {self.n_params} and X must have {self.sizes[0]} columns")
        return self._forward(th, xx)[1]

    def accuracy(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """The fraction of rows whose largest logit is the label ``y_i``."""
        th, xx, yy = self._check(theta, X, y)
        return float(np.mean(self._forward(th, xx)[1].argmax(axis=1) == yy))

    def loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """``F(theta) = -(1/n) sum_i log softmax(z_L)_{i, y_i} + (weight_decay/2) ||theta||^2``."""
        th, xx, yy = self._check(theta, X, y)
        return self._loss_grad(th, xx, yy)[0]

    def loss_and_gradient(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """``(F(theta), grad F(theta))`` by backpropagation.

        With ``delta_L = (softmax(z_L) - onehot(y)) / n`` and
        ``delta_{l-1} = (delta_l W_l^T) * (1 - a_{l-1}^2)``:
        ``dF/dW_l = a_{l-1}^T delta_l + wd W_l``, ``dF/db_l = 1^T delta_l + wd b_l``.
        """
        th, xx, yy = self._check(theta, X, y)
        return self._loss_grad(th, xx, yy)

    def _loss_grad(self, th: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> tuple[float, np.ndarray]:
        n = xx.shape[0]
        acts, z = self._forward(th, xx)
        rows = np.arange(n)
        shifted = z - z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        loss = float(np.mean(log_norm - shifted[rows, yy])) + 0.5 * self.weight_decay * float(th @ th)
        delta = np.exp(shifted - log_norm[:, None])  # softmax(z)
        delta[rows, yy] -= 1.0
        delta /= n
        layers = self.unpack(th)
        grad = np.empty_like(th)
        glayers = self.unpack(grad)
        for l in range(len(layers) - 1, -1, -1):
            W, _ = layers[l]
            gW, gb = glayers[l]
            gW[...] = acts[l].T @ delta
            gb[...] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ W.T) * (1.0 - acts[l] ** 2)
        grad += self.weight_decay * th
        return loss, grad

    def gradient(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``grad F(theta)`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta, X, y)[1]

    def hvp(self, theta: np.ndarray, v: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The exact Hessian-vector product ``H(theta) v = d/dt grad F(theta + t v) |_{t=0}``.

        Pearlmutter's R-operator ``R{.} = d/dt (.)(theta + t v)|_{t=0}`` applied to backpropagation,
        with ``v = (V_l, c_l)``: forward ``R z_l = R a_{l-1} W_l + a_{l-1} V_l + c_l``,
        ``R a_l = (1 - a_l^2) R z_l``; at the output ``R p = p * (R z_L - <p, R z_L>)``,
        ``R delta_L = R p / n``; backward::

            R(dF/dW_l)   = R a_{l-1}^T delta_l + a_{l-1}^T R delta_l,    R(dF/db_l) = 1^T R delta_l,
            R delta_{l-1} = (R delta_l W_l^T + delta_l V_l^T) * (1 - a_{l-1}^2)
                            - 2 (delta_l W_l^T) * a_{l-1} * R a_{l-1},

        and finally ``+ weight_decay * v``.
        """
        th, xx, yy = self._check(theta, X, y)
        vv = V.real_array("v", v, ndim=1)
        if vv.shape[0] != self.n_params:
            raise ValueError(f"v must have length n_params={self.n_params}, got {vv.shape[0]}")
        return self._hvp(th, vv, xx, yy)

    def _hvp(self, th: np.ndarray, vv: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        n = xx.shape[0]
        layers = self.unpack(th)
        vlayers = self.unpack(vv)
        nl = len(layers)
        acts = [xx]
        racts = [np.zeros_like(xx)]
        for l, ((W, b), (VW, cb)) in enumerate(zip(layers, vlayers)):
            z = acts[-1] @ W + b
            rz = racts[-1] @ W + acts[-1] @ VW + cb
            if l < nl - 1:
                a = np.tanh(z)
                acts.append(a)
                racts.append((1.0 - a ** 2) * rz)
        p = _softmax(z)
        rp = p * (rz - np.sum(p * rz, axis=1, keepdims=True))
        delta = p.copy()
        delta[np.arange(n), yy] -= 1.0
        delta /= n
        rdelta = rp / n
        out = np.empty_like(th)
        olayers = self.unpack(out)
        for l in range(nl - 1, -1, -1):
            W, _ = layers[l]
            VW, _ = vlayers[l]
            oW, ob = olayers[l]
            oW[...] = racts[l].T @ delta + acts[l].T @ rdelta
            ob[...] = rdelta.sum(axis=0)
            if l > 0:
                a, ra = acts[l], racts[l]
                back = delta @ W.T
                rdelta = (rdelta @ W.T + delta @ VW.T) * (1.0 - a ** 2) - 2.0 * back * a * ra
                delta = back * (1.0 - a ** 2)
        out += self.weight_decay * vv
        return out

    def hvp_fd(self, theta: np.ndarray, v: np.ndarray, X: np.ndarray, y: np.ndarray,
               eps: float = 1e-5) -> np.ndarray:
        """Central differences of the exact gradient, ``(g(theta + e v) - g(theta - e v)) / (2 e)``.

        ``e = eps / max(1, ||v||)``. Error ``O(e^2)`` plus rounding ``O(u / e)``; a check of :meth:`hvp`.
        """
        th, xx, yy = self._check(theta, X, y)
        vv = V.real_array("v", v, ndim=1)
        if vv.shape[0] != self.n_params:
            raise ValueError(f"v must have length n_params={self.n_params}, got {vv.shape[0]}")
        e = V.positive("eps", eps) / max(1.0, float(np.linalg.norm(vv)))
        gp = self._loss_grad(th + e * vv, xx, yy)[1]
        gm = self._loss_grad(th - e * vv, xx, yy)[1]
        return (gp - gm) / (2.0 * e)

    def hessian(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The dense Hessian ``[H e_1, ..., H e_p]`` from ``p = n_params`` exact products, symmetrised."""
        th, xx, yy = self._check(theta, X, y)
        eye = np.eye(self.n_params)
        h = np.stack([self._hvp(th, eye[j], xx, yy) for j in range(self.n_params)], axis=1)
        return 0.5 * (h + h.T)


def hessian_operator(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> LinearOperator:
    """The Hessian ``H(theta)`` as a symmetric scipy ``LinearOperator`` (``v -> model.hvp(theta, v, X, y)``)."""
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    th, xx, yy = model._check(theta, X, y)
    p = model.n_params
    return LinearOperator((p, p), matvec=lambda v: model._hvp(th, np.asarray(v, dtype=float).ravel(), xx, yy),
                          dtype=np.float64)


def hessian_top_eigenvalues(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray, k: int = 20,
                            seed: int | np.random.Generator = 0, tol: float = 1e-8) -> np.ndarray:
    """The ``k`` largest (algebraic) eigenvalues of ``H(theta)``, sorted decreasing.

    Lanczos (ARPACK, ``scipy.sparse.linalg.eigsh(which="LA")``) on :func:`hessian_operator`,
    with a seeded random start vector; every iteration is one exact Hessian-vector product.
    """
    op = hessian_operator(model, theta, X, y)
    k = V.count("k", k, 1)
    if k >= model.n_params:
        raise ValueError(f"k must be < n_params={model.n_params}, got {k}")
    tol = V.positive("tol", tol)
    v0 = V.rng(seed).standard_normal(model.n_params)
    vals = eigsh(op, k=k, which="LA", v0=v0, tol=tol, return_eigenvectors=False)
    return np.sort(vals)[::-1]


@dataclass(frozen=True)
class TrainResult:
    """Result of :func:`train`: final parameters and the loss before each step (plus the final one)."""

    theta: np.ndarray
    losses: np.ndarray


def train(model: MLP, theta0: np.ndarray, X: np.ndarray, y: np.ndarray, steps: int,
          lr: float | Sequence[float] | np.ndarray, momentum: float = 0.0) -> TrainResult:
    """Full-batch gradient descent (with optional heavy-ball momentum ``beta``)::

        m_{t+1} = beta m_t + grad F(theta_t),   theta_{t+1} = theta_t - eta_t m_{t+1},

    with ``eta_t = lr`` (a float) or ``lr[t]`` (one step size per step). ``losses[t] = F(theta_t)``
    for ``t = 0..steps``.
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    th, xx, yy = model._check(theta0, X, y)
    steps = V.count("steps", steps, 0)
    if np.ndim(lr) == 0:
        etas = np.full(steps, V.positive("lr", lr))
    else:
        etas = V.real_array("lr", lr, ndim=1)
        if etas.shape[0] != steps or np.any(etas <= 0):
            raise ValueError(f"lr must be a float > 0 or {steps} step sizes > 0")
    beta = V.real("momentum", momentum)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
    theta = th.copy()
    m = np.zeros_like(theta)
    losses = np.empty(steps + 1)
    for t in range(steps):
        losses[t], g = model._loss_grad(theta, xx, yy)
        m = beta * m + g
        theta -= etas[t] * m
    losses[steps] = model._loss_grad(theta, xx, yy)[0]
    return TrainResult(theta=theta, losses=losses)
