"""clrlib.rng: one base seed (CLRBOOK_SEED) for every draw of the book, streams named stably."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import clrlib


def test_default_base_seed_is_zero(monkeypatch):
    monkeypatch.delenv("CLRBOOK_SEED", raising=False)
    assert clrlib.base_seed() == 0
    monkeypatch.setenv("CLRBOOK_SEED", "")
    assert clrlib.base_seed() == 0


@pytest.mark.parametrize("value", ["-1", "1.5", "abc", "1e3", "0x10", " 3 4", "٣"])
def test_bad_seed_variable_names_it(monkeypatch, value):
    monkeypatch.setenv("CLRBOOK_SEED", value)
    with pytest.raises(ValueError, match="CLRBOOK_SEED"):
        clrlib.rng("x")


def test_streams_are_reproducible_and_distinct(monkeypatch):
    monkeypatch.setenv("CLRBOOK_SEED", "7")
    a = clrlib.rng("ch1", "draw").random(5)
    assert np.array_equal(a, clrlib.rng("ch1", "draw").random(5))
    assert not np.array_equal(a, clrlib.rng("ch1", "other").random(5))
    assert not np.array_equal(clrlib.rng("ch1", 1).random(5), clrlib.rng("ch1", "1").random(5))
    monkeypatch.setenv("CLRBOOK_SEED", "8")
    assert not np.array_equal(a, clrlib.rng("ch1", "draw").random(5))


def test_names_are_hashed_stably_across_processes(monkeypatch):
    """Python's own hash of a str changes between processes; the stream must not."""
    monkeypatch.setenv("CLRBOOK_SEED", "3")
    here = clrlib.rng("stable", 2).integers(0, 2**62)
    code = "import clrlib; print(clrlib.rng('stable', 2).integers(0, 2**62))"
    for hashseed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={"CLRBOOK_SEED": "3", "PYTHONHASHSEED": hashseed, "PATH": ""})
        assert int(out.stdout) == here


@pytest.mark.parametrize("name", [1.5, None, True, ("a",)])
def test_bad_names_raise(name):
    with pytest.raises(ValueError, match="names"):
        clrlib.rng(name)
