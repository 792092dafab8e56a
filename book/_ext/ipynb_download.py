"""Offer every chapter as an executed ``.ipynb`` download from the page's download menu.

sphinx-book-theme lists an ``.ipynb`` entry when the page context has ``ipynb_source``, but it sets
that only when a launch provider (Binder, JupyterHub, Colab) is configured, and this book has none
(it must read offline). This handler writes the notebook itself, before the theme builds its
buttons: the chapter's MyST source read with jupytext, with the outputs that the build's execution
cache (jupyter-cache, ``nb_execution_cache_path``) holds for exactly this code merged in.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat


def _executed(app, source: Path) -> nbformat.NotebookNode:
    notebook = jupytext.read(source)
    cache_path = getattr(app.config, "nb_execution_cache_path", "") or str(Path(app.outdir).parent / ".jupyter_cache")
    if Path(cache_path).is_dir():
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
        except KeyError:  # no cached execution matches this code: offer the unexecuted notebook
            pass
    return notebook


def add_ipynb_source(app, pagename, templatename, context, doctree):
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md" or "format_name: myst" not in source.read_text(encoding="utf-8")[:1000]:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_executed(app, source), target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # priority < 500: run before sphinx-book-theme's own html-page-context handlers
    app.connect("html-page-context", add_ipynb_source, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
