"""Collect the book's MyST Markdown notebooks as nbval tests.

nbval (pinned in requirements.txt) collects only ``.ipynb`` files. This hook hands every
``book/*.md`` whose front matter declares ``format_name: myst`` to nbval's own notebook
collector, after reading it with jupytext: each code cell becomes a test item.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbval import plugin as nbval_plugin

BOOK = Path(__file__).parent / "book"


def is_myst_notebook(path: Path) -> bool:
    """True for a ``.md`` under ``book/`` whose jupytext header says ``format_name: myst``."""
    if path.suffix != ".md" or BOOK not in path.resolve().parents:
        return False
    head = path.read_text(encoding="utf-8")[:1000]
    return head.startswith("---") and "format_name: myst" in head


class _JupytextFormat:
    """Stands in for the ``nbformat`` module inside nbval while one notebook is collected."""

    def __init__(self, notebook: nbformat.NotebookNode):
        self._notebook = notebook

    def read(self, *args, **kwargs) -> nbformat.NotebookNode:
        return self._notebook

    def __getattr__(self, name):
        return getattr(nbformat, name)


class MystNotebook(nbval_plugin.IPyNbFile):
    """nbval's notebook collector, fed by ``jupytext.read`` instead of ``nbformat.read``."""

    def collect(self):
        notebook = jupytext.read(str(self.path))
        original = nbval_plugin.nbformat
        nbval_plugin.nbformat = _JupytextFormat(notebook)
        try:
            yield from super().collect()
        finally:
            nbval_plugin.nbformat = original


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and is_myst_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
