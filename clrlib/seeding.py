"""One seed for the whole book: every random draw of every chapter comes from :func:`rng`.

The base seed is 0 unless the environment variable ``CLRBOOK_SEED`` sets it to another
nonnegative integer. A generator is derived from the base seed *and* the names a chapter gives
it, so adding a draw in one cell never shifts the draws of another:

    seed sequence = SeedSequence([base, h(name_1), h(name_2), ...]),

with ``h`` the first 8 bytes of the BLAKE2b hash of the name's text (stable across Python
processes and versions, unlike the built-in ``hash``). Library functions keep their own
``seed`` arguments; chapters pass them a generator from :func:`rng`.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

__all__ = ["SEED_VARIABLE", "base_seed", "rng"]

SEED_VARIABLE = "CLRBOOK_SEED"


def base_seed() -> int:
    """The book's base seed: ``int(os.environ["CLRBOOK_SEED"])``, or 0 when it is unset.

    Raises ``ValueError`` naming ``CLRBOOK_SEED`` unless its value is a nonnegative integer
    written in decimal digits (an empty value counts as unset).
    """
    raw = os.environ.get(SEED_VARIABLE, "").strip()
    if raw == "":
        return 0
    if not raw.isdigit() or not raw.isascii():
        raise ValueError(f"{SEED_VARIABLE} must be a nonnegative integer, got {raw!r}")
    return int(raw)


def _name_key(name: object) -> int:
    if isinstance(name, bool) or not isinstance(name, (str, int, np.integer)):
        raise ValueError(f"names must be strings or integers, got {name!r}")
    text = f"{type(name).__name__ if not isinstance(name, np.integer) else 'int'}:{name}"
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def rng(*names: str | int) -> np.random.Generator:
    """A ``numpy.random.Generator`` determined by the base seed and ``names``.

    ``rng("ch5", "spectra")`` gives the same stream on every run with the same base seed
    (see :func:`base_seed`), a different one for other names or another base seed. Names are
    strings or integers (``rng("ch6", "instance", 3)``); anything else raises ``ValueError``.
    """
    keys = [_name_key(n) for n in names]
    return np.random.default_rng(np.random.SeedSequence([base_seed(), *keys]))
