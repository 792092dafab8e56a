"""Step-size schedules: objects whose ``steps(T)`` gives the first ``T`` step sizes.

A schedule is periodic or explicit; ``steps(T)`` always returns a float64 array of length
``T``. Gradient descent with it leaves the residual ``prod_t (1 - steps[t] lam)``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _validate as V

#: Most steps ``Schedule.steps(T)`` materialises (memory budget: 80 MB of float64).
MAX_STEPS: int = 10_000_000


class Schedule:
    """Base class: a sequence of step sizes ``eta_0, eta_1, ...``."""

    def steps(self, T: int) -> np.ndarray:  # pragma: no cover - abstract
        """The first ``T`` step sizes."""
        raise NotImplementedError

    def _check_T(self, T: int) -> int:
        T = V.count("T", T, 0)
        if T > MAX_STEPS:
            raise ValueError(f"T must be <= MAX_STEPS = {MAX_STEPS} (memory budget), got {T}")
        return T


class Periodic(Schedule):
    """The steps ``cycle[0], ..., cycle[n-1]`` repeated: ``eta_t = cycle[t mod n]``."""

    def __init__(self, cycle: Sequence[float] | np.ndarray):
        c = V.real_array("cycle", cycle, ndim=1, nonempty=True)
        if np.any(c <= 0):
            raise ValueError("cycle must contain only step sizes > 0")
        self._cycle = c.copy()
        self._cycle.setflags(write=False)

    @property
    def cycle(self) -> np.ndarray:
        """One period of the schedule (read-only)."""
        return self._cycle

    @property
    def period(self) -> int:
        """The number of steps in one cycle."""
        return int(self._cycle.size)

    def steps(self, T: int) -> np.ndarray:
        """``eta_t = cycle[t mod period]`` for ``t < T``."""
        T = self._check_T(T)
        return np.resize(self._cycle, T).astype(np.float64)

    def __repr__(self) -> str:
        return f"Periodic(cycle={self._cycle.tolist()!r})"


class Constant(Periodic):
    """The constant schedule ``eta_t = eta``."""

    def __init__(self, eta: float):
        self.eta = V.positive("eta", eta)
        super().__init__([self.eta])

    def __repr__(self) -> str:
        return f"Constant(eta={self.eta!r})"


class Cyclical(Periodic):
    """One large step then ``K`` small ones, repeated: ``eta_plus, eta_minus x K, eta_plus, ...``.

    One cycle's residual is ``P(lam) = (1 - eta_plus lam)(1 - eta_minus lam)^K``.
    """

    def __init__(self, eta_plus: float, eta_minus: float, K: int):
        self.eta_plus = V.positive("eta_plus", eta_plus)
        self.eta_minus = V.positive("eta_minus", eta_minus)
        self.K = V.count("K", K, 0)
        if self.K >= MAX_STEPS:
            raise ValueError(f"K must be < MAX_STEPS = {MAX_STEPS} (memory budget: one cycle is stored), got {K}")
        super().__init__(np.concatenate([[self.eta_plus], np.full(self.K, self.eta_minus)]))

    def __repr__(self) -> str:
        return f"Cyclical(eta_plus={self.eta_plus!r}, eta_minus={self.eta_minus!r}, K={self.K!r})"


class Explicit(Schedule):
    """A finite list of steps; ``steps(T)`` needs ``T <= len(schedule)``."""

    def __init__(self, steps: Sequence[float] | np.ndarray):
        s = V.real_array("steps", steps, ndim=1)
        if np.any(s <= 0):
            raise ValueError("steps must contain only step sizes > 0")
        self._steps = s.copy()
        self._steps.setflags(write=False)

    def __len__(self) -> int:
        return int(self._steps.size)

    def steps(self, T: int | None = None) -> np.ndarray:
        """The first ``T`` steps (all of them when ``T`` is None)."""
        if T is None:
            return self._steps.copy()
        T = self._check_T(T)
        if T > self._steps.size:
            raise ValueError(f"T must be <= {self._steps.size} (the schedule's length), got {T!r}")
        return self._steps[:T].copy()

    def __repr__(self) -> str:
        return f"Explicit(<{self._steps.size} steps>)"


def constant(eta: float) -> Constant:
    """The constant schedule ``eta_t = eta`` (``eta > 0``)."""
    return Constant(eta)


def clr_schedule(eta_plus: float, eta_minus: float, K: int) -> Cyclical:
    """The cyclical schedule: ``eta_plus`` once, then ``eta_minus`` ``K`` times, repeated."""
    return Cyclical(eta_plus, eta_minus, K)


def as_steps(schedule: Schedule | Sequence[float] | np.ndarray, T: int | None = None) -> np.ndarray:
    """The step sizes of a schedule (its first ``T``) or of an explicit array of steps."""
    if isinstance(schedule, Schedule):
        if T is None:
            if isinstance(schedule, Explicit):
                return schedule.steps()
            raise ValueError("T must be given (an integer >= 0) for an infinite schedule")
        return schedule.steps(T)
    s = V.real_array("schedule", schedule, ndim=1)
    if s.size > MAX_STEPS:
        raise ValueError(f"schedule must have at most MAX_STEPS = {MAX_STEPS} entries (memory budget), got {s.size}")
    if T is not None:
        T = V.count("T", T, 0)
        if T > s.size:
            raise ValueError(f"T must be <= {s.size} (the number of steps given), got {T!r}")
        s = s[:T]
    return s
