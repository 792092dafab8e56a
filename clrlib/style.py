"""One figure style for the whole book.

Call :func:`use` once at the top of a chapter. Figures are drawn as SVG on a white
background (readable in the light and the dark theme), with one colour per method.
"""

from __future__ import annotations

import matplotlib as mpl

#: One colour per method, used by every chapter (colour-blind safe, Okabe-Ito).
COLORS: dict[str, str] = {
    "gd": "#0072B2",
    "chebyshev": "#E69F00",
    "heavy_ball": "#009E73",
    "nesterov": "#56B4E9",
    "cg": "#CC79A7",
    "clr": "#D55E00",
    "clr_centred": "#F0A070",
    "minimax": "#000000",
    "bound": "#777777",
    "small": "#0072B2",
    "large": "#D55E00",
}

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


def color(method: str) -> str:
    """The book's colour for ``method`` (a key of :data:`COLORS`)."""
    if not isinstance(method, str) or method not in COLORS:
        raise ValueError(f"method must be one of {sorted(COLORS)}, got {method!r}")
    return COLORS[method]


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
