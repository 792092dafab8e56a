"""Input checks shared by clrlib's public functions.

Every check raises :class:`ValueError` with a message that names the argument
and the range it must lie in.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def real(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise ``ValueError`` naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    try:
        out = float(value)
    except OverflowError:  # an int (or Fraction) beyond float64's range
        out = math.inf
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return out


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a float in (0, inf), or raise ``ValueError``."""
    out = real(name, value)
    if out <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return out


def open_unit(name: str, value: Any) -> float:
    """Return ``value`` as a float in (0, 1), or raise ``ValueError``."""
    out = real(name, value)
    if not 0.0 < out < 1.0:
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return out


#: Most entries a public function allocates for one array argument or result (memory budget, 80 MB of float64).
MAX_SIZE: int = 10_000_000

#: Largest repeat count or exponent (``K``, ``m_plus``, ...) a formula takes (int64 arithmetic on counts).
MAX_EXPONENT: int = 2**62


def count(name: str, value: Any, minimum: int = 0, maximum: int | None = None, budget: str = "memory") -> int:
    """Return ``value`` as an int >= ``minimum`` (and ``<= maximum``, a documented budget), or raise ``ValueError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    out = int(value)
    if out < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and out > maximum:
        raise ValueError(f"{name} must be <= {maximum} ({budget} budget), got {value!r}")
    return out


def real_array(name: str, value: Any, ndim: int | None = None, nonempty: bool = False) -> np.ndarray:
    """Return ``value`` as a float64 array of finite entries, or raise ``ValueError``.

    Only real numbers are accepted: booleans, complex numbers and strings (even numeric
    ones such as ``"1.5"``) raise, rather than being silently converted. Objects that
    ``float()`` converts (``Fraction``, sympy numbers such as ``sqrt(2)``) are accepted.
    """
    def bad() -> ValueError:
        shown = repr(value)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        return ValueError(f"{name} must be an array of finite real numbers, got {shown}")

    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "O":  # e.g. Fraction or sympy numbers: float() decides, but not these
            ok = not any(isinstance(v, (bool, np.bool_, str, bytes)) for v in raw.flat)
        else:
            ok = raw.dtype.kind in "iuf"
        arr = np.asarray(raw, dtype=np.float64) if ok else None
    except (TypeError, ValueError, OverflowError) as exc:
        raise bad() from exc
    if arr is None:
        raise bad()
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must contain at least one entry, got an empty array")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no nan or inf)")
    return arr


def rng(seed: Any) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed (int >= 0) or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(count("seed", seed, 0))
