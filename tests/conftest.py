"""Shared settings of the clrlib unit tests.

Hypothesis runs under the ``clrlib`` profile: ``derandomize=True`` (the examples are a
deterministic function of each test, so CI never flakes on a new random draw), no deadline
(the first call of a numpy routine can be slow on a busy machine) and no example database
(nothing is written into the repository). Set ``HYPOTHESIS_PROFILE=explore`` to search with
fresh random examples instead.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "clrlib",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    database=None,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "clrlib"))
