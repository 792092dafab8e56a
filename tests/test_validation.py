"""Tests of clrlib._validate: every check raises ValueError naming the argument and its range."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clrlib import _validate as V

NOT_REAL = [math.nan, math.inf, -math.inf, np.nan, np.float32("inf"), True, False, np.bool_(True),
            "1.0", np.str_("2"), None, 1 + 2j, np.complex128(1.0), [1.0], (1.0,), np.array([1.0]), 10**400]


@pytest.mark.parametrize("value", NOT_REAL, ids=repr)
def test_real_rejects_non_finite_and_non_real(value):
    with pytest.raises(ValueError, match=r"^xval must be a finite real number"):
        V.real("xval", value)


@pytest.mark.parametrize("value, expected", [(0, 0.0), (-3, -3.0), (2.5, 2.5), (np.float32(0.5), 0.5),
                                             (np.int64(7), 7.0), (Fraction(1, 4), 0.25), (np.uint8(3), 3.0)])
def test_real_accepts_real_numbers(value, expected):
    out = V.real("x", value)
    assert type(out) is float and out == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=50)
def test_real_is_identity_on_finite_floats(x):
    assert V.real("x", x) == x


@pytest.mark.parametrize("value", [0, 0.0, -1e-300, -5, math.nan, True, "1"], ids=repr)
def test_positive_rejects(value):
    with pytest.raises(ValueError, match=r"^eta must be a finite"):
        V.positive("eta", value)


def test_positive_message_names_range():
    with pytest.raises(ValueError, match=r"eta must be a finite number > 0, got -2"):
        V.positive("eta", -2)
    assert V.positive("eta", 5e-324) == 5e-324


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.1, math.nan, False], ids=repr)
def test_open_unit_rejects(value):
    with pytest.raises(ValueError, match=r"^eps must"):
        V.open_unit("eps", value)


def test_open_unit_accepts_interior():
    assert V.open_unit("eps", 0.25) == 0.25


@pytest.mark.parametrize("value", [-1, 2.0, 1.5, True, np.bool_(False), "3", None, math.nan, np.float64(3.0)], ids=repr)
def test_count_rejects(value):
    with pytest.raises(ValueError, match=r"^K must be an integer >= 0"):
        V.count("K", value)


def test_count_minimum_and_numpy_ints():
    assert V.count("K", np.int32(4), 4) == 4
    assert type(V.count("K", np.int64(4))) is int
    with pytest.raises(ValueError, match=r"K must be an integer >= 5, got 4"):
        V.count("K", 4, 5)


@pytest.mark.parametrize("value", [[1.0, math.nan], [math.inf], np.array([1.0, -np.inf]), "abc", ["1.5"],
                                   [True, False], np.array([True]), np.array([1 + 1j]), [1j], None,
                                   [[1, 2], [3]], {"a": 1}, [10**400], np.array(["x"])], ids=repr)
def test_real_array_rejects(value):
    with pytest.raises(ValueError, match=r"^arr must"):
        V.real_array("arr", value)


def test_real_array_shape_checks():
    with pytest.raises(ValueError, match=r"arr must be a 1-dimensional array, got shape \(2, 2\)"):
        V.real_array("arr", np.ones((2, 2)), ndim=1)
    with pytest.raises(ValueError, match=r"arr must contain at least one entry"):
        V.real_array("arr", [], nonempty=True)
    assert V.real_array("arr", []).shape == (0,)


def test_real_array_accepts_and_converts():
    out = V.real_array("arr", [1, 2.5, np.float32(3), Fraction(1, 2)])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.5, 3.0, 0.5]
    assert V.real_array("arr", np.arange(6, dtype=np.int16).reshape(2, 3), ndim=2).shape == (2, 3)
    assert V.real_array("arr", 3.0).shape == ()


def test_real_array_accepts_objects_float_converts():
    sp = pytest.importorskip("sympy")
    out = V.real_array("arr", [sp.sqrt(2), sp.Rational(1, 2), Fraction(3, 4), 1])
    assert out.tolist() == [math.sqrt(2), 0.5, 0.75, 1.0]
    for bad in ([sp.I], [sp.Symbol("x")], np.array([Fraction(1, 2), "1.5"], dtype=object),
                np.array([1.0, True], dtype=object), [Fraction(1, 2), 1j]):
        with pytest.raises(ValueError, match=r"^arr must be an array of finite real numbers"):
            V.real_array("arr", bad)


def test_real_array_message_is_short_for_huge_input():
    with pytest.raises(ValueError) as info:
        V.real_array("arr", ["x"] * 100_000)
    assert len(str(info.value)) < 400


def test_rng_seeding():
    a = V.rng(3).standard_normal(4)
    b = V.rng(3).standard_normal(4)
    c = V.rng(4).standard_normal(4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    gen = np.random.default_rng(1)
    assert V.rng(gen) is gen
    for bad in (-1, 1.5, "1", True, None):
        with pytest.raises(ValueError, match=r"^seed must be an integer >= 0"):
            V.rng(bad)
