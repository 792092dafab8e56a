"""Offer every chapter as an executed ``.ipynb`` that reads in plain Jupyter (download menu + one zip).

sphinx-book-theme lists an ``.ipynb`` entry when the page context has ``ipynb_source``, but it sets
that only when a launch provider (Binder, JupyterHub, Colab) is configured, and this book has none
(it must read offline). This handler writes the notebook itself, before the theme builds its
buttons: the chapter's MyST source read with jupytext, with the outputs that the build's execution
cache (jupyter-cache, ``nb_execution_cache_path``) holds for exactly this code merged in.

Plain Jupyter renders CommonMark and ``$...$`` math but no MyST, so every Markdown cell is rewritten
from what *this* Sphinx build resolved (nothing is guessed from the text):

* ``{prf:theorem}``, ``{prf:lemma}``, ``{prf:definition}`` ... become block quotes headed by their
  number and title (``> **Theorem 5.1** (Title).``), ``{prf:proof}`` an italic *Proof.* ending in ∎;
  ``{exercise}``/``{solution}`` (sphinx-exercise) likewise; admonitions become block quotes;
  ``{math}`` blocks become ``$$...$$`` with ``\\tag{N.k}``.
* ``{prf:ref}``, ``{numref}``, ``{ref}``, ``{eq}``, ``{doc}`` and ``{cite:t}``/``{cite:p}`` become the
  text the HTML page shows: each is resolved by the domain that owns it (sphinx-proof's numbers,
  Sphinx's numfig numbers and labels, the math domain's equation numbers, sphinxcontrib-bibtex's
  author-year text), through the domains' own ``resolve_xref``. The chapter's cited entries are
  appended as a "References" cell (pybtex's Markdown backend). Python roles become inline code.
* A figure cell (``mystnb: figure`` metadata) is followed by its numbered caption.

Why not sphinx-tojupyter (0.6.0, QuantEcon's converter): it is a separate Sphinx builder
(``-b jupyter``) that writes notebooks from the docutils tree, so the book would need a second full
build beside the HTML one for the downloads, and the download menu of the HTML pages would still need
this handler. It was not tried hands-on here (no time in this change); whether it renders the
sphinx-proof and sphinx-exercise nodes and keeps myst-nb's cached outputs is unverified. Rewriting the
MyST cells with the numbers this build resolved keeps one build and one execution, and
``tests/test_downloads.py`` checks the result text by text.

At the end of the build every chapter's notebook is also packed into ``clrbook-notebooks.zip`` at the
root of the HTML output (fixed timestamps: two builds give the same bytes), linked from the preface.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import jupytext
import nbformat
from docutils import nodes
from sphinx.addnodes import pending_xref

ZIP_NAME = "clrbook-notebooks.zip"
CHAPTER = re.compile(r"^\d\d_")

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:+-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
TARGET = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$")
ROLE = re.compile(r"\{(?P<role>[\w:+-]+)\}(?P<ticks>`+)(?P<text>.+?)(?P=ticks)", re.DOTALL)
EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)

ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso", "admonition", "margin", "sidebar", "dropdown", "topic"}
DROPPED = {"bibliography", "tableofcontents", "solution-end", "glossary"}
PY_ROLES = re.compile(r"^(py:)?(func|class|mod|meth|attr|data|obj|exc|const)$")


class Resolver:
    """Resolves roles and labels of one page with the domains of a finished Sphinx build."""

    def __init__(self, app, docname: str):
        self.app = app
        self.env = app.env
        self.docname = docname
        self.cited: list[str] = []

    def xref(self, domain: str, typ: str, target: str, title: str | None = None) -> str | None:
        """The text Sphinx shows for a cross-reference (None if the domain cannot resolve it)."""
        text = title if title is not None else target
        node = pending_xref("", nodes.inline(text, text), refdomain=domain, reftype=typ,
                            reftarget=target, refexplicit=title is not None, refdoc=self.docname,
                            refwarn=False)
        contnode = nodes.inline(text, text)
        try:
            result = self.env.get_domain(domain).resolve_xref(
                self.env, self.docname, self.app.builder, typ, target, node, contnode)
        except Exception:  # noqa: BLE001 - an unresolvable reference keeps its own text below
            return None
        return None if result is None else result.astext()

    def role(self, role: str, raw: str) -> str:
        """Plain Markdown for one ``{role}`raw``` occurrence."""
        m = EXPLICIT.match(raw)
        title, target = (m.group("title"), m.group("target")) if m else (None, raw)
        if role in ("math",):
            return f"${raw}$"
        if role.startswith("cite"):
            typ = role.split(":", 1)[1] if ":" in role else "p"
            self.cited += [k.strip() for k in target.split(",") if k.strip() and k.strip() not in self.cited]
            return self.xref("cite", typ, target) or target
        if role == "prf:ref":
            return self.xref("prf", "ref", target, title) or (title or target)
        if role in ("numref", "ref", "doc", "eq", "std:ref", "std:numref", "std:doc", "math:numref"):
            typ = role.split(":")[-1]
            domain = "math" if typ == "eq" or role == "math:numref" else "std"
            if typ == "eq":
                typ = "eq"
            tgt = target if typ == "doc" else target.lower() if domain == "std" else target
            text = self.xref(domain, typ, tgt, title) or (title or target)
            if typ == "doc" and not title:
                docname = self._docname(target)
                if docname and CHAPTER.match(Path(docname).name) and docname != self.docname:
                    return f"[{text}]({Path(docname).name}.ipynb)"
            return text
        if PY_ROLES.match(role):
            shown = (title or target).lstrip("~.")
            if raw.startswith("~"):
                shown = shown.split(".")[-1]
            return f"`{shown}`"
        return title or target

    def _docname(self, target: str) -> str | None:
        from sphinx.util import docname_join

        name = docname_join(self.docname, target.removesuffix(".md"))
        return name if name in self.env.all_docs else None

    def label_number(self, label: str) -> str | None:
        """``Theorem 5.1`` / ``Exercise 5.2`` for a labelled proof or exercise block."""
        proofs = getattr(self.env, "proof_list", {})
        if label in proofs:
            return self.xref("prf", "ref", label)
        return self.xref("std", "numref", label.lower())

    def equation_tag(self, label: str) -> str | None:
        text = self.xref("math", "eq", label)
        return text.strip("()") if text else None

    def figure_number(self, name: str) -> str | None:
        return self.xref("std", "numref", name.lower())


def inline(text: str, res: Resolver) -> str:
    return ROLE.sub(lambda m: res.role(m.group("role"), m.group("text")), text)


def split_options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    rest = list(body)
    if rest and rest[0].strip() == "---":  # YAML options block
        end = next((i for i, line in enumerate(rest[1:], 1) if line.strip() == "---"), None)
        if end is not None:
            import yaml

            options = {str(k): str(v) for k, v in (yaml.safe_load("\n".join(rest[1:end])) or {}).items()}
            rest = rest[end + 1:]
    while rest and (m := OPTION.match(rest[0].strip())):
        options[m.group("key")] = m.group("value")
        rest = rest[1:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return options, rest


def quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def directive(name: str, arg: str, body: list[str], res: Resolver) -> list[str]:
    """Plain Markdown lines for one MyST directive."""
    options, content = split_options(body)
    if name in DROPPED:
        return []
    label = options.get("label")
    anchor = [f'<a id="{label}"></a>', ""] if label else []
    title = inline(arg, res).strip()
    if name == "math":
        tag = res.equation_tag(label) if label else None
        parts = "\n".join(content).strip().split("\n\n")
        out = []
        for k, part in enumerate(parts):
            math = part.strip()
            if "\\\\" in math and "\\begin" not in math:
                math = "\\begin{aligned}" + math + "\\end{aligned}"
            if tag and k == len(parts) - 1:
                math += f" \\tag{{{tag}}}"
            out += ["$$", math, "$$", ""]
        return anchor + out
    inner = convert_lines(content, res)
    if name == "prf:proof":
        return ["*Proof.*", ""] + inner + ["", "∎"]
    if name.startswith("prf:") or name == "exercise":
        kind = name.split(":")[-1].title()
        head = (res.label_number(label) if label else None) or kind
        head = f"**{head}**" + (f" ({title})." if title else ".")
        return anchor + quote([head, ""] + inner)
    if name in ("solution", "solution-start"):
        target = arg.strip()
        number = res.label_number(target) if target else None
        head = f"**Solution to {number or 'the exercise'}.**"
        return [head, ""] + inner
    if name in ADMONITIONS:
        head = title if name in ("admonition", "topic", "sidebar", "dropdown") and title else name.title()
        return anchor + quote([f"**{head}.**", ""] + inner)
    if name in ("code-cell", "code", "code-block", "sourcecode"):
        return [f"```{arg.strip() or 'python'}"] + content + ["```"]
    if name == "eval-rst":
        return ["```rst"] + body + ["```"]
    # any other directive: its content, quoted, under its name
    return anchor + quote([f"**{title or name}.**", ""] + inner)


def convert_lines(lines: list[str], res: Resolver) -> list[str]:
    """Rewrite MyST lines (directives, targets, roles) as plain CommonMark + ``$`` math."""
    out: list[str] = []
    plain: list[str] = []

    def flush():
        if plain:
            out.extend(inline("\n".join(plain), res).split("\n"))
            plain.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            fence, info = m.group("fence"), m.group("info").strip()
            j = i + 1
            while j < len(lines):
                c = FENCE.match(lines[j])
                if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) \
                        and not c.group("info").strip():
                    break
                j += 1
            flush()
            d = DIRECTIVE.match(info)
            if d:
                out.extend(directive(d.group("name"), d.group("arg"), lines[i + 1:j], res))
            else:
                out.extend(lines[i:j + 1])  # a plain code block: verbatim
            i = j + 1
            continue
        if TARGET.match(line.strip()):
            flush()
            out.append(f'<a id="{TARGET.match(line.strip()).group("label")}"></a>')
            i += 1
            continue
        plain.append(line)
        i += 1
    flush()
    return out


def bibliography_cell(res: Resolver) -> str | None:
    """A Markdown "References" cell for the keys the page cites (as formatted by the build)."""
    if not res.cited:
        return None
    import pybtex.plugin

    markdown = pybtex.plugin.find_plugin("pybtex.backends", "markdown")()
    domain = res.env.get_domain("cite")
    entries = {}
    for citation in domain.citations:
        if citation.key in res.cited and citation.key not in entries:
            text = citation.formatted_entry.text.render(markdown)
            entries[citation.key] = re.sub(r"\s+", " ", text).strip()
    lines = ["## References", ""] + [f"- {entries[k]}" for k in res.cited if k in entries]
    return "\n".join(lines)


def macros_cell(app, text: str) -> str | None:
    """The book's MathJax macros as ``\\newcommand``s, if the page uses any of them."""
    config = getattr(app.config, "mathjax3_config", None) or {}
    macros = (config.get("tex") or {}).get("macros") or {}
    used = {k: v for k, v in macros.items() if isinstance(v, str) and re.search(rf"\\{k}(?![A-Za-z])", text)}
    if not used:
        return None
    return "$" + "".join(f"\\newcommand{{\\{k}}}{{{v}}}" for k, v in used.items()) + "$"


def readable(app, docname: str, notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with every Markdown cell rewritten for plain Jupyter (see the module docstring)."""
    res = Resolver(app, docname)
    cells = []
    all_text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            lines = convert_lines(cell.source.split("\n"), res)
            cell.source = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
            if cell.source:
                cells.append(cell)
            continue
        cells.append(cell)
        figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
        if cell.cell_type == "code" and figure.get("caption"):
            number = res.figure_number(figure["name"]) if figure.get("name") else None
            caption = inline(str(figure["caption"]), res)
            cells.append(nbformat.v4.new_markdown_cell(f"**{number or 'Figure'}.** {caption}"))
    if (macros := macros_cell(app, all_text)) is not None:
        cells.insert(0, nbformat.v4.new_markdown_cell(macros))
    if (refs := bibliography_cell(res)) is not None:
        cells.append(nbformat.v4.new_markdown_cell(refs))
    for cell in cells:
        cell.pop("id", None)
    notebook.cells = cells
    notebook.metadata.pop("jupytext", None)
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for k, cell in enumerate(notebook.cells):  # stable ids: two builds give the same file
        cell["id"] = f"cell-{k}"
        if cell.cell_type == "code":  # stdout chunking depends on timing: one stream per name, as rendered
            cell.outputs = coalesce_streams(cell.outputs)
    return notebook


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of one name (myst-nb's ``nb_merge_streams`` for the page)."""
    merged: list = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] = merged[-1]["text"] + out["text"]
        else:
            merged.append(out)
    return merged


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
    notebook = readable(app, pagename, _executed(app, source))
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def write_zip(app, exception):
    """Pack every chapter's notebook into ``clrbook-notebooks.zip`` (deterministic bytes)."""
    if exception is not None or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    chapters = sorted(p for p in sources.rglob("*.ipynb") if CHAPTER.match(p.name))
    if not chapters:
        return
    with zipfile.ZipFile(Path(app.outdir) / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in chapters:
            info = zipfile.ZipInfo(f"clrbook-notebooks/{path.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def setup(app):
    # priority < 500: run before sphinx-book-theme's own html-page-context handlers
    app.connect("html-page-context", add_ipynb_source, priority=400)
    app.connect("build-finished", write_zip)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
