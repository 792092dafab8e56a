"""Let the single-page builder (``make pdf``) skip hidden cell parts like the HTML builder does.

sphinx-jupyterbook-latex replaces the inputs of ``hide-input`` cells (the exercises' checked solutions)
by its ``HiddenCellNode`` also for ``singlehtml``, but registers a visitor for ``html`` only; without one
the single-page build stops with "unknown node type: HiddenCellNode".
"""

from __future__ import annotations

from docutils import nodes


def _skip(self, node):
    raise nodes.SkipNode


def _builder_inited(app):
    """For ``singlehtml`` only: the HTML visitors plus one for ``HiddenCellNode`` (a ``singlehtml`` entry
    in Sphinx's registry would otherwise hide every ``html`` one, e.g. sphinx-proof's theorem nodes)."""
    if app.builder.name != "singlehtml":
        return
    handlers = dict(app.registry.translation_handlers.get("html", {}))
    handlers["HiddenCellNode"] = (_skip, None)
    app.registry.translation_handlers["singlehtml"] = handlers


def setup(app):
    app.connect("builder-inited", _builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
