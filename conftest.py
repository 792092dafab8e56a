"""Collect the book's MyST Markdown notebooks as nbval tests.

nbval (pinned in requirements.txt) collects only ``.ipynb`` files. This hook hands every
``book/*.md`` whose front matter declares ``format_name: myst`` to nbval's own notebook
collector, after reading it with jupytext: each code cell becomes a test item.

Base seeds: with ``CLRBOOK_TEST_SEEDS`` set (e.g. ``"1 2"``; ``make test`` sets it), every chapter
is collected once per seed, as ``book/NN_slug.md::seed=S``, and its kernel starts with
``CLRBOOK_SEED=S`` (see ``clrlib.rng``). Without it, a chapter runs once under the
``CLRBOOK_SEED`` of the environment (0 when unset). The strict build in
``tests/test_rendered_book.py`` executes every chapter under base seed 0.
"""

from __future__ import annotations

import os
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

    seed: str | None = None

    def setup(self):
        """Start the kernel with ``CLRBOOK_SEED`` set to this item's seed (if it has one)."""
        if self.seed is None:
            return super().setup()
        saved = os.environ.get("CLRBOOK_SEED")
        os.environ["CLRBOOK_SEED"] = self.seed
        try:
            return super().setup()
        finally:
            if saved is None:
                os.environ.pop("CLRBOOK_SEED", None)
            else:
                os.environ["CLRBOOK_SEED"] = saved

    def collect(self):
        notebook = jupytext.read(str(self.path))
        original = nbval_plugin.nbformat
        nbval_plugin.nbformat = _JupytextFormat(notebook)
        try:
            yield from super().collect()
        finally:
            nbval_plugin.nbformat = original


def test_seeds() -> list[str]:
    """The base seeds of ``CLRBOOK_TEST_SEEDS`` (blank- or comma-separated nonnegative integers)."""
    raw = os.environ.get("CLRBOOK_TEST_SEEDS", "").replace(",", " ").split()
    for s in raw:
        if not s.isdigit():
            raise ValueError(f"CLRBOOK_TEST_SEEDS must list nonnegative integers, got {s!r}")
    return raw


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if not ((opt.nbval or opt.nbval_lax) and is_myst_notebook(file_path)):
        return None
    seeds = test_seeds()
    if not seeds:
        return MystNotebook.from_parent(parent, path=file_path)
    return SeededChapter.from_parent(parent, path=file_path)


class SeededChapter(pytest.File):
    """One chapter under every seed of ``CLRBOOK_TEST_SEEDS``: a ``seed=S`` child per seed.

    Node ids read ``book/NN_slug.md::seed=S::Cell i``; ``--dist loadscope`` keeps each
    (chapter, seed) pair's cells on one worker, in order.
    """

    def collect(self):
        for seed in test_seeds():
            child = MystNotebook.from_parent(self, path=self.path, name=f"seed={seed}",
                                            nodeid=f"{self.nodeid}::seed={seed}")
            child.seed = seed
            yield child
