"""Performance estimation (PEP) of gradient descent, and the silver step-size schedule.

Two tools for chapter 11 (*Beyond quadratics*) and for any chapter that asks what a step-size
schedule guarantees on **every** smooth strongly convex function, not only on quadratics. Only chapter 11 uses them
today; they stay in the library because each carries a tested certificate or closed form (the PEP's
solver checks and cross-check, the silver recursion without cancellation) that a chapter should not hide.

**Worst case over a function class.** ``F_{mu,L}`` is the class of ``L``-smooth ``mu``-strongly
convex functions on ``R^d`` (any ``d``). Gradient descent with absolute steps ``eta_0, ..., eta_{N-1}``,
``x_{t+1} = x_t - eta_t grad f(x_t)``, has the exact worst case::

    tau(eta; mu, L) = sup { ||x_N - x*||^2 / ||x_0 - x*||^2 : f in F_{mu,L}, x_0 != x* }.

By the interpolation theorem of Taylor, Hendrickx and Glineur (2017) this supremum is the value of
a semidefinite program of size ``N + 2`` (the performance estimation problem). :func:`pep_worst_case`
builds it with PEPit and solves it with an open-source interior-point solver (Clarabel), checks
the certificate (solver status, primal-dual gap) and cross-checks with a second solver (SCS) when
Clarabel's answer is not certified. The problem is scaled to ``L = 1`` first (steps ``eta_t L``,
class ``F_{mu/L, 1}``); the ratio ``tau`` is scale invariant.

**The silver schedule.** :func:`silver_schedule` returns the strongly convex silver steps of
Altschuler and Parrilo (arXiv:2309.07879) as absolute steps, and :func:`silver_rate` the
rate that goes with them. The rate is proved for blocks of at most ``n* = 2^floor(log_{1+sqrt 2}(kappa/3))``
steps; ``max_block=n*`` builds schedules from proven blocks only (chapter 11 counts the least number of
steps whose proven guarantee reaches a target, and adds that method, ``"silver"``, to the registry).
"""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np

from . import _validate as V

__all__ = ["PEP_MAX_STEPS", "PEPResult", "pep_worst_case", "silver_schedule", "silver_rate", "silver_blocks"]

#: The largest number of steps :func:`pep_worst_case` accepts. The SDP has ``N + 2`` Gram
#: variables and ``(N + 1)(N + 2)`` interpolation constraints; on 2 cores a solve took about
#: 0.1 s at ``N = 8``, 0.5 s at ``N = 16``, 3 s at ``N = 32`` and minutes at ``N = 64``.
PEP_MAX_STEPS: int = 32

_SOLVERS = ("CLARABEL", "SCS")
#: Solver settings: SCS is a first-order method and needs tight tolerances to certify ~1e-6 relative.
_SOLVER_OPTIONS: dict[str, dict] = {"CLARABEL": {}, "SCS": {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iters": 200000}}
#: Relative agreement required between Clarabel and SCS when Clarabel alone is not certified.
CROSS_RTOL: float = 1e-4


@dataclass(frozen=True)
class PEPResult:
    """A certified worst case of ``||x_N - x*||^2 / ||x_0 - x*||^2`` over ``F_{mu,L}``.

    Its fields:

    value : float
        The certified value: the dual bound (an upper bound on the worst case whose proof PEPit
        reconstructs from the solver's multipliers) of the solver that certified it.
    lower : float
        The primal value (the ratio attained by the worst-case function the solver found).
    gap : float
        ``|value - lower| / value``, the relative primal-dual gap.
    status : str
        The certifying solver's status (``"optimal"``).
    solver : str
        The certifying solver, ``"CLARABEL"`` or ``"SCS"``.
    cross_check : float or None
        The other solver's value when a cross-check was run, else ``None``.
    seconds : float
        Wall time of all the solves.
    """

    value: float
    lower: float
    gap: float
    status: str
    solver: str
    cross_check: float | None
    seconds: float

    @property
    def distance_factor(self) -> float:
        """``sqrt(value)``: the worst case of ``||x_N - x*|| / ||x_0 - x*||``."""
        return math.sqrt(max(self.value, 0.0))


def _solve(h: np.ndarray, q: float, solver: str) -> tuple[float, float, str]:
    """Solve the PEP of steps ``h`` (scaled, L = 1) on ``F_{q,1}``; return (dual, primal, status)."""
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    problem = PEP()
    func = problem.declare_function(SmoothStronglyConvexFunction, mu=q, L=1.0)
    xs = func.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x = x0
    for step in h:
        x = x - float(step) * func.gradient(x)
    metric = (x - xs) ** 2
    problem.set_performance_metric(metric)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")   # cvxpy's "may be inaccurate": read from the status instead
        try:
            dual = problem.solve(wrapper="cvxpy", solver=solver, verbose=0, **_SOLVER_OPTIONS[solver])
        except Exception as exc:  # a solver failure is an uncertified answer, reported as such
            return math.nan, math.nan, f"error: {type(exc).__name__}"
    status = str(getattr(getattr(problem.wrapper, "prob", None), "status", "unknown"))
    if dual is None:
        return math.nan, math.nan, status
    try:
        primal = float(metric.eval())
    except Exception:  # no primal point: not certified
        primal = math.nan
    return float(dual), primal, status


def pep_worst_case(steps, mu: float, L: float, *, rtol: float = 1e-5, max_steps: int = PEP_MAX_STEPS) -> PEPResult:
    """Exact worst case of ``||x_N - x*||^2 / ||x_0 - x*||^2`` over ``F_{mu,L}`` for gradient descent.

    The steps are absolute: ``x_{t+1} = x_t - steps[t] * grad f(x_t)``. The value is that of the
    performance-estimation SDP (Taylor, Hendrickx and Glineur 2017), built with PEPit on the
    class scaled to ``L = 1`` (steps ``steps * L``, strong convexity ``mu / L``)::

        tau = max  ||x_N - x*||^2
              s.t. ||x_0 - x*||^2 <= 1, the interpolation inequalities of F_{mu/L,1}
                   between every pair of {x*, x_0, ..., x_{N-1}}.

    It is solved with Clarabel. The answer is *certified* when the solver reports ``"optimal"``
    and the relative primal-dual gap ``|dual - primal| / dual`` is at most ``rtol`` (so a worst case
    far below the solver's absolute accuracy, about ``1e-9``, is never certified).
    Otherwise SCS solves it too; if SCS certifies it and the two values agree to ``rtol``
    relative (or SCS alone certifies it when Clarabel failed outright), SCS's value is returned. If
    Clarabel's status is ``"optimal_inaccurate"`` but its gap is at most ``rtol``, its value is returned
    when SCS (gap at most ``10 * CROSS_RTOL``) agrees with it to :data:`CROSS_RTOL` relative.
    Anything else raises ``ValueError``: this function never returns a number no solver certified.

    Parameters
    ----------
    steps : array_like
        ``N`` finite step sizes ``>= 0``, ``1 <= N <= max_steps``.
    mu, L : float
        ``0 <= mu < L``.
    rtol : float
        Relative tolerance of the certificate, in ``(0, 1)``.
    max_steps : int
        The largest ``N`` accepted (default :data:`PEP_MAX_STEPS`); the cost grows fast with ``N``.

    Returns
    -------
    PEPResult

    Raises
    ------
    ValueError
        On bad input (naming the argument), ``N > max_steps``, or an answer no solver certified.
    """
    h = V.real_array("steps", steps, ndim=1, nonempty=True)
    if np.any(h < 0):
        raise ValueError(f"steps must be >= 0, got min {h.min()!r}")
    L = V.positive("L", L)
    mu = V.real("mu", mu)
    if not 0.0 <= mu < L:
        raise ValueError(f"mu must satisfy 0 <= mu < L = {L!r}, got {mu!r}")
    rtol = V.open_unit("rtol", rtol)
    max_steps = V.count("max_steps", max_steps, 1)
    if h.size > max_steps:
        raise ValueError(f"steps must have at most max_steps = {max_steps} entries (PEP cost grows fast "
                         f"with N), got {h.size}")
    h_scaled, q = h * L, mu / L
    t0 = time.perf_counter()

    def certified(dual: float, primal: float, status: str) -> tuple[bool, float]:
        if not (math.isfinite(dual) and math.isfinite(primal)):
            return False, math.inf
        gap = abs(dual - primal) / abs(dual) if dual > 0 else math.inf
        return status == "optimal" and gap <= rtol, gap

    d1, p1, s1 = _solve(h_scaled, q, "CLARABEL")
    ok1, g1 = certified(d1, p1, s1)
    if ok1:
        return PEPResult(d1, p1, g1, s1, "CLARABEL", None, time.perf_counter() - t0)
    d2, p2, s2 = _solve(h_scaled, q, "SCS")
    ok2, g2 = certified(d2, p2, s2)
    seconds = time.perf_counter() - t0
    if ok2 and (not math.isfinite(d1) or abs(d2 - d1) <= rtol * abs(d2)):
        return PEPResult(d2, p2, g2, s2, "SCS", d1 if math.isfinite(d1) else None, seconds)
    # Clarabel's gap is small but its status inaccurate: accept only if SCS, solved independently, agrees
    if (s1 == "optimal_inaccurate" and g1 <= rtol and math.isfinite(d2) and g2 <= 10 * CROSS_RTOL
            and abs(d2 - d1) <= CROSS_RTOL * abs(d1)):
        return PEPResult(d1, p1, g1, s1 + " (cross-checked by SCS)", "CLARABEL", d2, seconds)
    raise ValueError(f"steps: no solver certified the worst case (CLARABEL: status {s1!r}, value {d1!r}, gap {g1:.2e}; "
                     f"SCS: status {s2!r}, value {d2!r}, gap {g2:.2e}); rescale or shorten the schedule")


#: The longest silver schedule :func:`silver_schedule` builds (steps); longer requests are refused.
MAX_SILVER_STEPS = 2**20

#: The silver ratio ``rho = 1 + sqrt 2``.


def _silver_kappa(mu: float, L: float) -> float:
    mu, L = V.positive("mu", mu), V.positive("L", L)
    if not mu < L:
        raise ValueError(f"mu must satisfy 0 < mu < L = {L!r}, got {mu!r}")
    kappa = L / mu
    if not math.isfinite(kappa):
        raise ValueError(f"L/mu must be a finite float (at most about 1.8e308), got L = {L!r}, mu = {mu!r}")
    return kappa


def _silver_log_taus(kappa: float, kmax: int) -> list[float]:
    """``log tau_{2^k}`` for ``k = 0..kmax``, ``tau_{2^k} = ((1 - z_k)/(1 + z_k))^2``, without cancellation.

    While ``z_k < 1/2`` the recursion runs on ``z`` (``log(1 - z)`` by ``log1p``); from ``z_k >= 1/2`` on
    it runs on ``w_k = 1 - z_k`` (exact there), ``w_{k+1} = w_k^2 (w_k + s_k)/(1 + s_k)``,
    ``s_k = sqrt(1 + w_k^2)`` (the same recursion: ``1 - z r`` with ``z = 1 - w``, ``r = w + s``), so
    ``tau`` keeps its relative accuracy as ``z_k -> 1`` (``log tau_{2^{k+1}} ~ 2 log tau_{2^k}`` there).
    """
    out: list[float] = []
    z, w = 1.0 / kappa, None
    for _ in range(kmax + 1):
        if w is None and z >= 0.5:
            w = 1.0 - z
        if w is None:
            out.append(2.0 * (math.log1p(-z) - math.log1p(z)))
            z = z * ((1.0 - z) + math.sqrt(1.0 + (1.0 - z) ** 2))
        else:
            out.append(2.0 * (math.log(w) - math.log(2.0 - w)) if w > 0.0 else -math.inf)
            s = math.sqrt(1.0 + w * w)
            w = w * w * (w + s) / (1.0 + s)
    return out


def _silver_unit_blocks(kappa: float, k: int) -> tuple[np.ndarray, float]:
    """The silver block of length ``2^k`` for ``L = 1`` (steps ``h_t``, i.e. ``eta_t = h_t / L``) and ``z_k``."""
    psi = lambda t: (1.0 + kappa * t) / (1.0 + t)  # noqa: E731
    z = 1.0 / kappa
    block = [psi(z)]                               # length 1: 2/(1 + 1/kappa) = 2 kappa / (kappa + 1)
    for _ in range(k):
        r = (1.0 - z) + math.sqrt(1.0 + (1.0 - z) ** 2)
        y_new, z_new = z / r, z * r
        head = block[:-1]
        block = head + [psi(y_new)] + head + [psi(z_new)]
        z = z_new
    return np.asarray(block), z


def _silver_max_block(max_block) -> int | None:
    if max_block is None:
        return None
    m = V.count("max_block", max_block, 1)
    if m & (m - 1):
        raise ValueError(f"max_block must be None or a power of two >= 1, got {max_block!r}")
    return m


def _silver_plan(n: int, max_block: int | None) -> tuple[int, int, list[int]]:
    """``(q, j, ks)``: ``q`` blocks of length ``2^j = max_block`` first, then the blocks ``2^k, k in ks``
    (the binary digits of the remainder, smallest first). Without ``max_block``: ``q = 0``."""
    if max_block is None or n < 2 * max_block:
        return 0, 0, silver_blocks(n) if n > 0 else []
    q, r = divmod(n, max_block)
    return q, max_block.bit_length() - 1, (silver_blocks(r) if r else [])


def silver_blocks(n: int) -> list[int]:
    """The exponents ``k`` of the power-of-two blocks ``2^k`` that make up ``n``, smallest first."""
    n = V.count("n", n, 1)
    return [k for k in range(n.bit_length()) if n >> k & 1]


def silver_schedule(mu: float, L: float, n: int, *, max_block: int | None = None) -> np.ndarray:
    """The ``n`` steps of the strongly convex silver schedule (Altschuler and Parrilo, 2309.07879), absolute.

    With ``kappa = L/mu`` and ``psi(t) = (1 + kappa t)/(1 + t)``, set ``y_0 = z_0 = 1/kappa`` and
    ``z_{j+1} = z_j r_j``, ``y_{j+1} = z_j / r_j``, ``r_j = (1 - z_j) + sqrt(1 + (1 - z_j)^2)``.
    The block of length 1 is ``(psi(z_0))`` (the step ``2/(mu + L)``) and the block of length
    ``2^{j+1}`` is ``(h', psi(y_{j+1}), h', psi(z_{j+1}))`` with ``h'`` the block of length ``2^j``
    without its last step. For ``n = 2^k`` the schedule is the block of length ``2^k`` divided by
    ``L``; otherwise the blocks of the binary digits of ``n`` are concatenated, smallest first
    (as in PEPit's silver example). Its rate is :func:`silver_rate`.

    With ``max_block = m`` (a power of two) no block is longer than ``m``: for ``n >= 2m`` the schedule
    is ``q = n // m`` blocks of length ``m`` followed by the binary blocks of ``n - q m`` (smallest first);
    for ``n < 2m`` it is the binary schedule. ``max_block = n* = 2^floor(log_rho(kappa/3))``
    (``rho = 1 + sqrt 2``) keeps every block in the range of the theorem (see :func:`silver_rate`).

    Parameters
    ----------
    mu, L : float
        ``0 < mu < L``.
    n : int
        Number of steps, ``1 <= n <= MAX_SILVER_STEPS``.
    max_block : int or None
        ``None`` (binary blocks) or a power of two ``>= 1``.
    """
    kappa = _silver_kappa(mu, L)
    if V.count("n", n, 1) > MAX_SILVER_STEPS:
        raise ValueError(f"n must be at most MAX_SILVER_STEPS = {MAX_SILVER_STEPS} (budget), got {n!r}")
    q, j, ks = _silver_plan(int(n), _silver_max_block(max_block))
    parts = ([np.tile(_silver_unit_blocks(kappa, j)[0], q)] if q else []) + [_silver_unit_blocks(kappa, k)[0] for k in ks]
    return np.concatenate(parts) / L


def silver_rate(mu: float, L: float, n: int, *, max_block: int | None = None) -> float:
    """The silver schedule's rate ``tau_n`` (``||x_n - x*||^2 <= tau_n ||x_0 - x*||^2``) and where it is a guarantee.

    For a block of length ``2^k``, ``tau_{2^k} = ((1 - z_k)/(1 + z_k))^2`` with ``z_k`` the recursion of
    :func:`silver_schedule`; the schedule of ``n`` steps (with the same ``max_block``) multiplies the
    rates of its blocks. Computed in log space without cancellation as ``z_k -> 1``; only the final
    ``exp`` can underflow (``tau_n`` below about ``1e-308`` loses precision, below ``5e-324`` it is ``0.0``).

    Where it is a guarantee on all of ``F_{mu,L}``: PEPit's silver example states the theorem
    (citing Theorem 4.1 of arXiv:2309.07879) for blocks ``n <= n* = 2^floor(log_rho(kappa/3))``,
    ``rho = 1 + sqrt 2``. Each such block maps ``||x - x*||^2`` to at most ``tau`` times itself
    from any start, so the rates of consecutive blocks multiply: with ``max_block <= n*`` (or
    ``kappa < 3`` and ``max_block = 1``, the step ``2/(mu + L)``) ``tau_n`` is a proven guarantee.
    For blocks longer than ``n*`` it is the same formula but not covered by that statement
    (chapter 11 measures it against PEP and against the exact worst case on quadratics).

    Parameters
    ----------
    mu, L : float
        ``0 < mu < L``.
    n : int
        Number of steps, ``n >= 1``.
    max_block : int or None
        ``None`` (binary blocks) or a power of two ``>= 1``, as in :func:`silver_schedule`.
    """
    kappa = _silver_kappa(mu, L)
    n = V.count("n", n, 1)
    q, j, ks = _silver_plan(n, _silver_max_block(max_block))
    lt = _silver_log_taus(kappa, max([j] + ks))
    log_tau = sum(lt[k] for k in ks) + (q * lt[j] if q else 0.0)
    return math.exp(log_tau)
