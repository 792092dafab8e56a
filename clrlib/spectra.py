"""Spectra (unions of intervals holding the Hessian's eigenvalues) and quadratic problems.

A *spectrum* here is a finite union of disjoint closed intervals
``E = [a_1, b_1] U ... U [a_m, b_m]`` with ``0 < a_1 <= b_1 < a_2 <= ... <= b_m``.
:class:`Interval` is the one-interval case ``[mu, L]``; :class:`Bimodal` is the
two-cluster case ``[mu, mu1] U [L1, L]`` of the book.

A :class:`Quadratic` is ``f(x) = 1/2 x^T H x - b^T x`` with minimiser ``x* = H^{-1} b``;
its gradient is ``H x - b = H (x - x*)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import _validate as V


class Spectrum:
    """A finite union of disjoint closed intervals in ``(0, inf)``.

    Parameters
    ----------
    intervals:
        Pairs ``(a_i, b_i)`` with ``0 < a_1 <= b_1 < a_2 <= b_2 < ...`` (sorted, disjoint).
    """

    def __init__(self, intervals: Sequence[Sequence[float]]):
        pairs = []
        try:
            raw = [tuple(p) for p in intervals]
        except TypeError as exc:
            raise ValueError(f"intervals must be a sequence of (lo, hi) pairs, got {intervals!r}") from exc
        if not raw:
            raise ValueError("intervals must contain at least one (lo, hi) pair")
        for i, p in enumerate(raw):
            if len(p) != 2:
                raise ValueError(f"intervals[{i}] must be a (lo, hi) pair, got {p!r}")
            lo = V.positive(f"intervals[{i}][0]", p[0])
            hi = V.positive(f"intervals[{i}][1]", p[1])
            if hi < lo:
                raise ValueError(f"intervals[{i}] must satisfy lo <= hi, got {p!r}")
            if pairs and lo <= pairs[-1][1]:
                raise ValueError(
                    f"intervals[{i}] must start above the end of intervals[{i - 1}] "
                    f"(sorted and disjoint), got {p!r} after {pairs[-1]!r}"
                )
            pairs.append((lo, hi))
        self._intervals = tuple(pairs)

    @property
    def intervals(self) -> tuple[tuple[float, float], ...]:
        """The intervals ``((a_1, b_1), ..., (a_m, b_m))``, sorted and disjoint."""
        return self._intervals

    @property
    def mu(self) -> float:
        """The smallest point ``a_1`` of the spectrum."""
        return self._intervals[0][0]

    @property
    def L(self) -> float:
        """The largest point ``b_m`` of the spectrum."""
        return self._intervals[-1][1]

    @property
    def kappa(self) -> float:
        """The condition number ``kappa = L / mu``."""
        return self.L / self.mu

    def contains(self, lam: np.ndarray | float) -> np.ndarray:
        """Boolean mask: ``lam`` lies in one of the intervals (endpoints included); NaN is never inside."""
        try:
            raw = np.asarray(lam)
            if raw.dtype.kind not in "iuf" and not (raw.dtype.kind == "O" and raw.size and all(
                    isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in raw.flat)):
                raise TypeError
            lam = raw.astype(float)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"lam must be a real number or an array of real numbers, got {lam!r:.200}") from exc
        inside = np.zeros(lam.shape, dtype=bool)
        for lo, hi in self._intervals:
            inside |= (lam >= lo) & (lam <= hi)
        return inside

    def grid(self, n: int = 1001, spacing: str = "linear") -> np.ndarray:
        """``n`` points in each interval (endpoints included), concatenated in increasing order.

        ``spacing="linear"`` spaces them evenly, ``"log"`` evenly in ``log(lam)``.
        """
        n = V.count("n", n, 2, V.MAX_SIZE)
        if spacing not in ("linear", "log"):
            raise ValueError(f"spacing must be 'linear' or 'log', got {spacing!r}")
        parts = []
        for lo, hi in self._intervals:
            part = np.geomspace(lo, hi, n) if spacing == "log" else np.linspace(lo, hi, n)
            # rounding (e.g. geomspace with lo == hi) must not leave [lo, hi] or break the order
            parts.append(np.maximum.accumulate(np.clip(part, lo, hi)))
        return np.concatenate(parts)

    def sample(self, n: int | Sequence[int], seed: int | np.random.Generator = 0,
               *, endpoints: bool = True) -> np.ndarray:
        """Seeded eigenvalues drawn uniformly from each interval, sorted.

        ``n`` is the count per interval (an int) or one count for each interval.
        With ``endpoints=True`` every interval's two endpoints are among the draws, so the
        sample's extreme eigenvalues are exactly ``mu`` and ``L``.
        """
        gen = V.rng(seed)
        counts = [n] * len(self._intervals) if np.ndim(n) == 0 else list(n)
        if len(counts) != len(self._intervals):
            raise ValueError(f"n must be an int or have one count per interval ({len(self._intervals)}), got {n!r}")
        least = 2 if endpoints else 1
        parts = []
        for i, ((lo, hi), c) in enumerate(zip(self._intervals, counts)):
            c = V.count(f"n[{i}]" if np.ndim(n) else "n", c, least, V.MAX_SIZE)
            if endpoints:
                parts.append(np.concatenate([[lo, hi], gen.uniform(lo, hi, c - 2)]))
            else:
                parts.append(gen.uniform(lo, hi, c))
        return np.sort(np.concatenate(parts))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spectrum) and self._intervals == other._intervals

    def __hash__(self) -> int:
        return hash(self._intervals)

    def __repr__(self) -> str:
        body = " U ".join(f"[{lo:.6g}, {hi:.6g}]" for lo, hi in self._intervals)
        return f"{type(self).__name__}({body})"


class Interval(Spectrum):
    """The one-interval spectrum ``[mu, L]`` with ``0 < mu <= L``."""

    def __init__(self, mu: float, L: float):
        mu = V.positive("mu", mu)
        L = V.positive("L", L)
        if L < mu:
            raise ValueError(f"L must be >= mu (0 < mu <= L), got mu={mu!r}, L={L!r}")
        super().__init__([(mu, L)])

    def __repr__(self) -> str:
        return f"Interval(mu={self.mu!r}, L={self.L!r})"


class Bimodal(Spectrum):
    """The bimodal spectrum ``E = [mu, mu1] U [L1, L]`` with ``0 < mu <= mu1 < L1 <= L``.

    Derived quantities: ``kappa = L/mu``, ``kappa_small = mu1/mu``, ``kappa_large = L/L1``,
    and the gap ratio ``L1/mu1 > 1``.
    """

    def __init__(self, mu: float, mu1: float, L1: float, L: float):
        mu = V.positive("mu", mu)
        mu1 = V.positive("mu1", mu1)
        L1 = V.positive("L1", L1)
        L = V.positive("L", L)
        if not mu <= mu1:
            raise ValueError(f"mu1 must satisfy mu <= mu1 (0 < mu <= mu1 < L1 <= L), got mu={mu!r}, mu1={mu1!r}")
        if not mu1 < L1:
            raise ValueError(f"L1 must satisfy mu1 < L1 (0 < mu <= mu1 < L1 <= L), got mu1={mu1!r}, L1={L1!r}")
        if not L1 <= L:
            raise ValueError(f"L must satisfy L1 <= L (0 < mu <= mu1 < L1 <= L), got L1={L1!r}, L={L!r}")
        super().__init__([(mu, mu1), (L1, L)])

    @classmethod
    def from_ratios(cls, kappa: float, kappa_small: float, kappa_large: float, mu: float = 1.0) -> "Bimodal":
        """The spectrum with ``L/mu = kappa``, ``mu1/mu = kappa_small``, ``L/L1 = kappa_large``.

        Requires ``kappa_small * kappa_large < kappa`` so that ``mu1 < L1``.
        """
        kappa = V.positive("kappa", kappa)
        ks = V.positive("kappa_small", kappa_small)
        kl = V.positive("kappa_large", kappa_large)
        if ks < 1:
            raise ValueError(f"kappa_small must be >= 1, got {kappa_small!r}")
        if kl < 1:
            raise ValueError(f"kappa_large must be >= 1, got {kappa_large!r}")
        if not ks * kl < kappa:
            raise ValueError(
                f"kappa must exceed kappa_small * kappa_large (= {ks * kl!r}) so the clusters are disjoint, got {kappa!r}"
            )
        mu = V.positive("mu", mu)
        L = mu * kappa
        if not np.isfinite(L):
            raise ValueError(f"mu * kappa must be a finite number (float64), got mu={mu!r}, kappa={kappa!r}")
        mu1, L1 = mu * ks, L / kl
        if not mu1 < L1:  # ks * kl < kappa, but rounding can still make mu1 >= L1
            raise ValueError(
                f"kappa must exceed kappa_small * kappa_large (= {ks * kl!r}) by more than rounding "
                f"so that mu1 = mu * kappa_small < L1 = L / kappa_large, got {kappa!r}"
            )
        return cls(mu, mu1, L1, L)

    @property
    def mu1(self) -> float:
        """Upper end of the small cluster."""
        return self._intervals[0][1]

    @property
    def L1(self) -> float:
        """Lower end of the large cluster."""
        return self._intervals[1][0]

    @property
    def kappa_small(self) -> float:
        """``kappa_s = mu1 / mu``, the condition number of the small cluster."""
        return self.mu1 / self.mu

    @property
    def kappa_large(self) -> float:
        """``kappa_l = L / L1``, the condition number of the large cluster."""
        return self.L / self.L1

    @property
    def gap(self) -> float:
        """The ratio ``L1 / mu1 > 1`` between the clusters."""
        return self.L1 / self.mu1

    def __repr__(self) -> str:
        return f"Bimodal(mu={self.mu!r}, mu1={self.mu1!r}, L1={self.L1!r}, L={self.L!r})"


def as_spectrum(spectrum: Spectrum | Sequence[Sequence[float]]) -> Spectrum:
    """Return ``spectrum`` if it is a :class:`Spectrum`, else build one from ``(lo, hi)`` pairs."""
    if isinstance(spectrum, Spectrum):
        return spectrum
    try:
        return Spectrum(spectrum)
    except ValueError as exc:  # name the caller's argument, not Spectrum's
        raise ValueError(f"spectrum must be a clrlib.Spectrum or a sequence of (lo, hi) pairs: {exc}") from None


def as_bimodal(spectrum: Spectrum | Sequence[Sequence[float]], method: str = "this method") -> Bimodal:
    """``spectrum`` as a :class:`Bimodal` (a two-interval spectrum is converted), else ``ValueError``."""
    if isinstance(spectrum, Bimodal):
        return spectrum
    spec = as_spectrum(spectrum)
    if len(spec.intervals) == 2:
        (mu, mu1), (L1, L) = spec.intervals
        return Bimodal(mu, mu1, L1, L)
    raise ValueError(f"spectrum must be a clrlib.Bimodal (two intervals) for {method!r}, got {spec!r}")


#: Largest dimension of a dense ``n x n`` matrix built here (memory budget: 128 MB).
MAX_DENSE: int = 4000


def random_orthogonal(n: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """A Haar-distributed ``n x n`` orthogonal matrix: ``Q`` of ``QR(G)``, columns sign-fixed."""
    n = V.count("n", n, 1, MAX_DENSE, "memory (an n x n matrix)")
    gen = V.rng(seed)
    q, r = np.linalg.qr(gen.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


@dataclass(frozen=True, eq=False)
class Quadratic:
    """``f(x) = 1/2 x^T H x - b^T x`` with ``H`` symmetric positive definite.

    Build it with :meth:`from_eigenvalues` (diagonal or randomly rotated), :meth:`from_hessian`
    or :meth:`from_least_squares`. ``eigenvalues`` are those of ``H``; ``hessian`` is ``None``
    for a diagonal problem (then ``H = diag(eigenvalues)``, applied without forming it).
    Problems compare and hash by identity (their fields are arrays).
    """

    eigenvalues: np.ndarray
    b: np.ndarray
    x_star: np.ndarray
    hessian: np.ndarray | None = field(default=None, repr=False)

    @property
    def dim(self) -> int:
        """The dimension ``n`` of ``x``."""
        return int(self.b.shape[0])

    @property
    def is_diagonal(self) -> bool:
        """True when ``H`` is diagonal (the problem lives in its eigenbasis)."""
        return self.hessian is None

    def _cast(self, name: str, dtype: np.dtype) -> np.ndarray:
        """``self.<name>`` in ``dtype``; a cast copy is made once and kept (not per product)."""
        arr = getattr(self, name)
        if arr.dtype == dtype:
            return arr
        cache = self.__dict__.setdefault("_casts", {})   # frozen: bypass __setattr__
        key = (name, np.dtype(dtype).str)
        if key not in cache:
            cache[key] = arr.astype(dtype)
        return cache[key]

    def _vector(self, name: str, v) -> np.ndarray:
        """``v`` as a float vector of length ``dim`` (float32/float64 arrays pass unchanged, unchecked for
        finiteness so that runners can detect divergence themselves)."""
        if not (isinstance(v, np.ndarray) and v.dtype in (np.float32, np.float64)):
            v = V.real_array(name, v, ndim=1)
        if v.shape != (self.dim,):
            raise ValueError(f"{name} must be a vector of length dim = {self.dim}, got shape {v.shape}")
        return v

    def hvp(self, v: np.ndarray) -> np.ndarray:
        """The Hessian-vector product ``H v`` (in the dtype of ``v``)."""
        v = self._vector("v", v)
        if self.hessian is None:
            return self._cast("eigenvalues", v.dtype) * v
        return self._cast("hessian", v.dtype) @ v

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """The gradient ``H x - b``, in the dtype of ``x``."""
        x = self._vector("x", x)
        return self.hvp(x) - self._cast("b", x.dtype)

    def value(self, x: np.ndarray) -> float:
        """``f(x) - f(x*) = 1/2 (x - x*)^T H (x - x*)`` (``inf`` only if it exceeds float64's range)."""
        e = self._vector("x", V.real_array("x", x, ndim=1)) - self.x_star
        return 0.5 * float(e @ self.hvp(e))

    @classmethod
    def from_eigenvalues(cls, eigenvalues: np.ndarray, seed: int | np.random.Generator = 0,
                         *, rotated: bool = True) -> "Quadratic":
        """A quadratic whose Hessian has the given eigenvalues.

        ``rotated=True``: ``H = Q diag(eigenvalues) Q^T`` with ``Q`` Haar-random (dense, as a real
        problem is). ``rotated=False``: ``H = diag(eigenvalues)``. ``x*`` is standard normal,
        ``b = H x*``; both from ``seed``.
        """
        eig = V.real_array("eigenvalues", eigenvalues, ndim=1, nonempty=True)
        if np.any(eig <= 0):
            raise ValueError("eigenvalues must all be > 0 (a positive definite Hessian)")
        gen = V.rng(seed)
        n = eig.size
        if n > (MAX_DENSE if rotated else V.MAX_SIZE):
            raise ValueError(f"eigenvalues must have at most {MAX_DENSE if rotated else V.MAX_SIZE} entries "
                             f"({'a dense rotated Hessian' if rotated else 'memory'} budget), got {n}")
        x_star = gen.standard_normal(n)
        if not rotated:
            return cls(eigenvalues=eig.copy(), b=eig * x_star, x_star=x_star, hessian=None)
        q = random_orthogonal(n, gen)
        h = (q * eig) @ q.T
        h = 0.5 * (h + h.T)
        return cls(eigenvalues=eig.copy(), b=h @ x_star, x_star=x_star, hessian=h)

    @classmethod
    def from_hessian(cls, hessian: np.ndarray, b: np.ndarray) -> "Quadratic":
        """The quadratic with a given symmetric positive definite ``H`` and linear term ``b``."""
        h = V.real_array("hessian", hessian, ndim=2)
        if h.shape[0] != h.shape[1] or h.shape[0] == 0:
            raise ValueError(f"hessian must be a non-empty square matrix, got shape {h.shape}")
        if not np.allclose(h, h.T, rtol=1e-12, atol=1e-12 * np.abs(h).max()):
            raise ValueError("hessian must be symmetric")
        bb = V.real_array("b", b, ndim=1)
        if bb.shape[0] != h.shape[0]:
            raise ValueError(f"b must have length {h.shape[0]} (the size of hessian), got {bb.shape[0]}")
        eig = np.linalg.eigvalsh(h)
        if eig[0] <= 0:
            raise ValueError(f"hessian must be positive definite, its smallest eigenvalue is {eig[0]!r}")
        return cls(eigenvalues=eig, b=bb.copy(), x_star=np.linalg.solve(h, bb), hessian=h.copy())

    @classmethod
    def from_least_squares(cls, X: np.ndarray, y: np.ndarray) -> "Quadratic":
        """Least squares ``f(x) = 1/2 ||X x - y||^2``: ``H = X^T X``, ``b = X^T y``."""
        xx = V.real_array("X", X, ndim=2)
        yy = V.real_array("y", y, ndim=1)
        if yy.shape[0] != xx.shape[0]:
            raise ValueError(f"y must have one entry per row of X ({xx.shape[0]}), got {yy.shape[0]}")
        return cls.from_hessian(xx.T @ xx, xx.T @ yy)


def least_squares_data(eigenvalues: np.ndarray, n_samples: int, seed: int | np.random.Generator = 0,
                       noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A random design ``X`` (``n_samples x d``) with ``X^T X`` having the given eigenvalues, and ``y``.

    ``X = U diag(sqrt(eigenvalues)) V^T`` with ``U`` (``n_samples x d``, orthonormal columns) and
    ``V`` Haar-random,
    ``y = X w + noise * N(0, I)`` with ``w`` standard normal. Needs ``n_samples >= d``.
    """
    eig = V.real_array("eigenvalues", eigenvalues, ndim=1, nonempty=True)
    if np.any(eig <= 0):
        raise ValueError("eigenvalues must all be > 0")
    d = eig.size
    n_samples = V.count("n_samples", n_samples, d, V.MAX_SIZE // d)
    if d > MAX_DENSE:
        raise ValueError(f"eigenvalues must have at most MAX_DENSE = {MAX_DENSE} entries (memory budget), got {d}")
    noise = V.real("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    gen = V.rng(seed)
    q, r = np.linalg.qr(gen.standard_normal((n_samples, d)))   # reduced QR: n x d, orthonormal columns
    u = q * np.sign(np.diag(r))
    v = random_orthogonal(d, gen)
    X = (u * np.sqrt(eig)) @ v.T
    y = X @ gen.standard_normal(d) + noise * gen.standard_normal(n_samples)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError(f"eigenvalues and noise must keep X and y within float64's range "
                         f"(largest eigenvalue {eig.max():.3g}, noise {noise:.3g})")
    return X, y
