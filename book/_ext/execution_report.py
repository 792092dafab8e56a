"""The execution report's environment table: ``{clrbook-environment}``.

The directive writes, at build time and from the very environment that executes the chapters (the
build's Python, the same ``.venv`` the kernels run in), a table of the Python version, the versions
of the packages the book relies on, and the base seed ``clrlib.base_seed()`` (``CLRBOOK_SEED``) the
chapters ran under. ``book/execution_report.md`` puts it beside myst-nb's ``{nb-exec-table}`` (each
chapter's last execution time and status).

The page is re-read on every build (``env-get-outdated``), so the table never shows the versions of
an earlier build.
"""

from __future__ import annotations

import platform
from importlib import metadata

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

# The packages whose versions decide what the chapters compute and how the book is built.
PACKAGES = [
    "numpy", "scipy", "sympy", "matplotlib", "scikit-learn",
    "jupyter-book", "sphinx", "myst-nb", "myst-parser", "jupyter-cache", "nbclient", "ipykernel",
    "jupytext", "sphinx-proof", "sphinx-exercise", "sphinxcontrib-bibtex", "nbval", "clrlib",
]
PAGE_DIRECTIVE = "clrbook-environment"


def environment_rows() -> list[tuple[str, str]]:
    """(name, version) rows: Python, every package of PACKAGES, and the base seed."""
    import clrlib

    rows = [("Python", f"{platform.python_version()} ({platform.python_implementation()})")]
    for name in PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    rows.append(("base seed (clrlib.base_seed(), CLRBOOK_SEED)", str(clrlib.base_seed())))
    return rows


def table(rows: list[tuple[str, str]], header: tuple[str, str]) -> nodes.table:
    tab = nodes.table(classes=["colwidths-auto", "clrbook-environment"])
    group = nodes.tgroup(cols=2)
    tab += group
    group += [nodes.colspec(colwidth=50), nodes.colspec(colwidth=50)]
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    body = nodes.tbody()
    group += body
    for name, version in rows:
        body += nodes.row("", nodes.entry("", nodes.paragraph(text=name)),
                          nodes.entry("", nodes.paragraph("", "", nodes.literal(text=version))))
    return tab


class EnvironmentTable(SphinxDirective):
    """``{clrbook-environment}``: the versions and the base seed of this build."""

    has_content = False

    def run(self):
        self.env.metadata[self.env.docname]["clrbook_environment"] = True
        return [table(environment_rows(), ("Component", "Version"))]


def always_outdated(app, env, added, changed, removed):
    """Re-read the pages holding the table on every build (their values are the build's)."""
    return [doc for doc, meta in env.metadata.items() if meta.get("clrbook_environment") and doc not in changed]


def setup(app):
    app.add_directive(PAGE_DIRECTIVE, EnvironmentTable)
    app.connect("env-get-outdated", always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
