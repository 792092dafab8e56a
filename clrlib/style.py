"""One figure style for the whole book.

Call :func:`use` once at the top of a chapter. Figures are drawn as SVG on a white
background (readable in the light and the dark theme), with one colour per method
(:func:`color`, read from :data:`clrlib.registry.METHODS`). SVG ids are salted with a fixed string
(``svg.hashsalt``) so repeated builds write identical files.
"""

from __future__ import annotations

import matplotlib as mpl

#: Colours of things that are not methods but recur across chapters (documented roles):
#: ``"bound"`` a proven bound or reference line, ``"small"`` / ``"large"`` the small and the large
#: cluster of a bimodal spectrum. Method colours live in :data:`clrlib.registry.METHODS` (one colour per
#: method, read by :func:`color`); figures of other things use :func:`sequential`.
ROLE_COLORS: dict[str, str] = {
    "bound": "#777777",
    "small": "#882255",
    "large": "#44AA99",
}

#: Fixed salt for the ids matplotlib writes into SVG files, so two builds give identical figures.
SVG_HASHSALT = "clrbook"

RC: dict[str, object] = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "font.size": 10,
    "svg.fonttype": "none",
    "svg.hashsalt": SVG_HASHSALT,
}


def use() -> None:
    """Apply the book's matplotlib style and, inside Jupyter, SVG output."""
    mpl.rcParams.update(RC)
    try:  # only inside an IPython kernel
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats("svg")
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        pass


def color(name: str) -> str:
    """The book's colour for a method (its entry in :data:`clrlib.registry.METHODS`) or a role of :data:`ROLE_COLORS`."""
    from .registry import METHODS

    if isinstance(name, str) and name in METHODS:
        return METHODS[name].color
    if isinstance(name, str) and name in ROLE_COLORS:
        return ROLE_COLORS[name]
    raise ValueError(f"name must be a method of clrlib.METHODS {list(METHODS)} or a role {list(ROLE_COLORS)}, "
                     f"got {name!r}")


def sequential(n: int) -> list[str]:
    """``n`` colours of a neutral sequential palette (light grey to near black), as hex strings.

    For figures whose lines are not methods (seeds, step orderings, several constant steps, values of
    ``K``): colour ``i`` is the grey level ``0.75 - 0.65 i / (n - 1)`` (a single colour is mid grey), so
    no line borrows a method's colour.
    """
    import numbers

    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= int(n) <= 256:
        raise ValueError(f"n must be an integer in [1, 256], got {n!r}")
    n = int(n)
    levels = [0.45] if n == 1 else [0.75 - 0.65 * i / (n - 1) for i in range(n)]
    return [mpl.colors.to_hex((g, g, g)) for g in levels]
