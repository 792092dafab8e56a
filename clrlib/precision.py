"""Finite precision: step orderings that keep rounding errors small (chapters 2, 7, 8 and 12).

In exact arithmetic the order of the steps does not change ``p_T(lam) = prod_t (1 - eta_t lam)``;
in floating point it decides how much the rounding error committed at step ``t`` is amplified by the
steps that follow it, ``prod_{s>t} (1 - eta_s lam)``.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V

__all__ = ["ORDERINGS", "MAX_ORDER_STEPS", "fractal_permutation", "order_steps"]


def fractal_permutation(T: int) -> np.ndarray:
    """The fractal permutation of ``0..T-1`` for ``T`` a power of two.

    ``sigma_1 = [1]`` and ``sigma_{2m} = [sigma_m(1), 2m+1-sigma_m(1), sigma_m(2), 2m+1-sigma_m(2), ...]``
    (1-based), so each index is followed by its mirror image: ``[1, 8, 4, 5, 2, 7, 3, 6]`` for ``T = 8``.
    Applied to sorted step sizes it interleaves large and small steps at every scale, in the spirit of
    the fractal schedules of Agarwal, Goel and Zhang (2021). Returned 0-based.
    """
    T = V.count("T", T, 1, V.MAX_SIZE)
    if T & (T - 1):
        raise ValueError(f"T must be a power of two (1, 2, 4, ...), got {T!r}")
    sigma = np.array([1])
    while sigma.size < T:
        m = sigma.size
        nxt = np.empty(2 * m, dtype=int)
        nxt[0::2] = sigma
        nxt[1::2] = 2 * m + 1 - sigma
        sigma = nxt
    return sigma - 1


#: The orderings :func:`order_steps` knows.
ORDERINGS: tuple[str, ...] = ("leja", "fractal", "interleaved")


def order_steps(steps: np.ndarray, how: str = "leja", *, first: str = "smallest",
                n_large: int | None = None) -> np.ndarray:
    """``steps`` (all ``> 0``) reordered; always a permutation of the input (repeated steps included).

    One convention for every ordering: the steps are first sorted starting from ``first``
    (``"smallest"``: increasing steps, i.e. decreasing roots ``r = 1/eta``; ``"largest"``: decreasing
    steps, increasing roots), call this ``s_0, s_1, ..., s_{T-1}``; then

    - ``how="leja"``: the roots form a Leja sequence: ``r_0 = 1/s_0``, then
      ``r_k = argmax prod_{i<k} |r - r_i|`` over the unused roots (log space; ties, e.g. repeated
      steps, go to the first unused one in sorted order). Every prefix of the product stays as large as
      possible away from the chosen roots, which keeps partial products of ``|1 - eta lam|`` balanced.
    - ``how="fractal"``: ``s`` permuted by :func:`fractal_permutation` of the next power of two
      ``m >= T`` with the indices ``>= T`` dropped (Agarwal, Goel and Zhang 2021). For ``T`` a power of
      two and ``first="smallest"`` this is ``sort(steps)[fractal_permutation(T)]``; with
      ``first="largest"`` the permutation indexes the roots increasingly.
    - ``how="interleaved"``: the ``n_large`` largest steps at positions ``floor((i + 1/2) T / n_large)``,
      the others in decreasing order in between (``first`` is not used). ``n_large`` defaults to the
      number of steps above the largest ratio gap of the sorted steps.

    Work is ``O(T^2)`` for Leja and ``O(T)`` otherwise; ``T`` at most :data:`MAX_ORDER_STEPS`.
    """
    s = V.real_array("steps", steps, ndim=1, nonempty=True)
    if np.any(s <= 0):
        raise ValueError("steps must all be > 0")
    if s.size > MAX_ORDER_STEPS:
        raise ValueError(f"steps must have at most MAX_ORDER_STEPS = {MAX_ORDER_STEPS} entries (budget), "
                         f"got {s.size}")
    if how not in ORDERINGS:
        raise ValueError(f"how must be one of {list(ORDERINGS)}, got {how!r}")
    if first not in ("smallest", "largest"):
        raise ValueError(f"first must be 'smallest' or 'largest', got {first!r}")
    srt = np.sort(s) if first == "smallest" else np.sort(s)[::-1]
    T = srt.size
    if how == "fractal":
        perm = fractal_permutation(1 << (T - 1).bit_length())
        return srt[perm[perm < T]]
    if how == "interleaved":
        return _interleave(np.sort(s)[::-1], n_large)
    r = 1.0 / srt
    order = np.empty(T, dtype=int)
    used = np.zeros(T, dtype=bool)
    score = np.zeros(T)
    i = 0
    for k in range(T):
        order[k] = i
        used[i] = True
        with np.errstate(divide="ignore"):
            score += np.log(np.abs(r - r[i]))
        if k + 1 < T:
            free = np.flatnonzero(~used)
            i = int(free[np.argmax(score[free])])
    return srt[order]


#: Most steps :func:`order_steps` accepts (the Leja ordering costs ``O(T^2)``).
MAX_ORDER_STEPS: int = 100_000


def _interleave(desc: np.ndarray, n_large: int | None) -> np.ndarray:
    T = desc.size
    if n_large is None:
        n_large = int(np.argmax(desc[:-1] / desc[1:])) + 1 if T > 1 else 1
    n_large = V.count("n_large", n_large, 0)
    if n_large > T:
        raise ValueError(f"n_large must be <= {T} (the number of steps), got {n_large}")
    big, small = desc[:n_large], desc[n_large:]
    pos = set(int(p) for p in np.floor((np.arange(n_large) + 0.5) * T / max(n_large, 1)))
    out, bi, si = [], 0, 0
    for t in range(T):
        if (t in pos and bi < n_large) or si >= small.size:
            out.append(big[bi])
            bi += 1
        else:
            out.append(small[si])
            si += 1
    return np.asarray(out)
