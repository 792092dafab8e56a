"""Tests of clrlib.style: one figure style for the book."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.colors as mcolors
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import clrlib  # noqa: E402
from clrlib import style  # noqa: E402


@pytest.fixture
def fresh_rc():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield matplotlib.rcParams


def test_use_sets_rcparams(fresh_rc):
    assert fresh_rc["axes.spines.top"] is True
    clrlib.style.use()
    for key, value in style.RC.items():
        got = fresh_rc[key]
        if isinstance(value, tuple):
            assert tuple(got) == value, key
        else:
            assert got == value, key
    assert fresh_rc["axes.spines.top"] is False and fresh_rc["svg.fonttype"] == "none"
    style.use()                                            # idempotent
    assert fresh_rc["figure.facecolor"] == "white"


def test_use_returns_none_and_draws(fresh_rc):
    assert style.use() is None
    fig, ax = plt.subplots()
    ax.semilogy([1, 2, 3], [1.0, 0.1, 0.01], color=style.color("clr"), label="CLR")
    ax.legend()
    assert tuple(fig.get_size_inches()) == pytest.approx(style.RC["figure.figsize"])
    plt.close(fig)


def test_rc_keys_are_valid_matplotlib_settings():
    for key in style.RC:
        assert key in matplotlib.rcParams, key


def test_colors():
    assert set(clrlib.METHODS) >= {"gd", "chebyshev", "heavy_ball", "nesterov", "cg", "clr", "minimax"}
    colours = {**{m: e.color for m, e in clrlib.METHODS.items()}, **style.ROLE_COLORS}
    for name, value in colours.items():
        assert style.color(name) == value
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", value)
        assert mcolors.is_color_like(value)
    assert len(set(colours.values())) == len(colours)   # methods and roles are distinguishable
    assert not set(clrlib.METHODS) & set(style.ROLE_COLORS)


@pytest.mark.parametrize("name", ["adam", "", "GD", None, 3, ["gd"], {"gd": 1}])
def test_color_rejects_unknown_method(name):
    with pytest.raises(ValueError, match=r"^name must be a method of clrlib.METHODS \["):
        style.color(name)


def test_sequential_palette_is_neutral_and_ordered():
    import matplotlib.colors as mc
    import pytest

    for n in (1, 2, 5, 12):
        cols = clrlib.style.sequential(n)
        assert len(cols) == n
        rgb = [mc.to_rgb(c) for c in cols]
        assert all(r == g == b for r, g, b in rgb)                  # grey: no hue, never a method colour
        assert all(a[0] > b[0] for a, b in zip(rgb, rgb[1:]))      # light to dark
        assert not set(cols) & ({m.color for m in clrlib.METHODS.values()} | set(clrlib.style.ROLE_COLORS.values()))
    for bad in (0, -1, 1.5, True, 257):
        with pytest.raises(ValueError, match="n must"):
            clrlib.style.sequential(bad)


def test_use_fixes_the_svg_hash_salt():
    """Two runs write the same SVG ids: the salt is a fixed string after style.use()."""
    import matplotlib

    clrlib.style.use()
    assert matplotlib.rcParams["svg.hashsalt"] == clrlib.style.SVG_HASHSALT == "clrbook"
