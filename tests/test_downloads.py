"""Downloads that read in plain Jupyter (issue 15, item 2) and the execution report (item 3).

``book/_ext/ipynb_download.py`` writes each chapter's executed notebook with its MyST rewritten from
what the Sphinx build resolved, and packs all of them into ``clrbook-notebooks.zip``;
``book/_ext/execution_report.py`` and myst-nb's ``{nb-exec-table}`` fill ``book/execution_report.md``.

Here a toy book (two small chapters using every construct the chapters use: theorem, lemma,
definition, proof, a labelled equation, a numbered figure, citations, exercises with a plain and a
gated solution, cross-references between chapters) is built strictly with the book's own
``_config.yml`` and extensions, and the downloaded notebooks are checked against the numbers and texts
Sphinx shows (``Theorem 1.2``, ``(1.1)``, ``Fig. 2.1``, ``Oymak [2021]``...). The checks that need
the whole book (every chapter's notebook, the zip, the report) are functions here, called on the real
build by ``tests/test_rendered_book.py`` (one build per test session).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
ZIP_NAME = "clrbook-notebooks.zip"

# MyST that plain Jupyter cannot render: none of it may be left in a downloaded notebook.
MYST_LEFT = [
    re.compile(r"\{prf:"), re.compile(r"^\s*:::+\s*\{", re.M), re.compile(r"^\s*```+\s*\{", re.M),
    re.compile(r"\{cite"), re.compile(r"\{numref\}"), re.compile(r"\{eq\}"), re.compile(r"\{ref\}"),
    re.compile(r"\{doc\}"), re.compile(r"\{(py:)?(func|class|mod|meth)\}"), re.compile(r"\{code-cell\}"),
    re.compile(r"\{exercise\}|\{solution"), re.compile(r"^\([\w-]+\)=\s*$", re.M),
]
# What the report must show for the environment.
REPORT_PACKAGES = ["Python", "numpy", "scipy", "sympy", "matplotlib", "jupyter-book", "myst-nb"]


def notebook_problems(path: Path, *, executed: bool = True) -> list[str]:
    """Why the notebook at ``path`` would not read in plain Jupyter ([] when it does)."""
    problems = []
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - reported as a problem
        return [f"not a valid notebook: {exc}"]
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for pattern in MYST_LEFT:
            if m := pattern.search(cell.source):
                start = max(0, m.start() - 60)
                problems.append(f"cell {k}: MyST left ({pattern.pattern}): ...{cell.source[start:m.end() + 60]!r}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        problems.append("no code cells")
    if executed:
        if not any(c.outputs for c in code):
            problems.append("no outputs: not the executed notebook")
        if any(o.get("output_type") == "error" for c in code for o in c.outputs):
            problems.append("an error output")
    return problems


def chapter_notebooks(html: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((html / "_sources").rglob("*.ipynb")) if re.match(r"^\d\d_", p.name)}


def zip_problems(html: Path, chapters: list[str]) -> list[str]:
    """The zip holds exactly every chapter's notebook, byte for byte, and the preface links it."""
    archive = html / ZIP_NAME
    if not archive.is_file():
        return [f"{ZIP_NAME} missing"]
    problems = []
    notebooks = chapter_notebooks(html)
    with zipfile.ZipFile(archive) as z:
        names = {Path(n).stem: n for n in z.namelist()}
        if sorted(names) != sorted(chapters):
            problems.append(f"zip holds {sorted(names)}, chapters are {sorted(chapters)}")
        for stem, name in names.items():
            if stem in notebooks and z.read(name) != notebooks[stem].read_bytes():
                problems.append(f"{name} differs from the page's download")
            nbformat.validate(nbformat.read(io.StringIO(z.read(name).decode()), as_version=4))
    intro = BeautifulSoup((html / "book" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in intro.find_all("a", href=True) if a["href"].endswith(ZIP_NAME)]
    if not links:
        problems.append("the preface does not link the zip")
    elif not ((html / "book" / links[0]).resolve() == archive.resolve()):
        problems.append(f"the preface's zip link {links[0]} does not point at {archive}")
    if not intro.find("a", href=re.compile(r"execution_report\.html")):
        problems.append("the preface does not link the execution report")
    return problems


def report_problems(html: Path, chapters: list[str]) -> list[str]:
    """The execution report lists every chapter as executed successfully, and the versions and seed."""
    page = html / "book" / "execution_report.html"
    if not page.is_file():
        return ["book/execution_report.html missing"]
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    tables = article.find_all("table")
    problems = []
    rows = {}
    for table in tables:
        for tr in table.find_all("tr"):
            cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
            if cells:
                rows.setdefault(cells[0], cells[1:])
    for chapter in chapters:
        row = rows.get(chapter) or rows.get(f"book/{chapter}")
        if row is None:
            problems.append(f"{chapter} not in the execution table")
        elif "✅" not in row:
            problems.append(f"{chapter}: status is not success: {row}")
        elif not any(re.fullmatch(r"\d+(\.\d+)?", c) for c in row):
            problems.append(f"{chapter}: no run time: {row}")
    for name in REPORT_PACKAGES:
        value = (rows.get(name) or [""])[0]
        if not re.match(r"^\d+\.\d+", value):
            problems.append(f"no version of {name}: {rows.get(name)}")
    seed = [v for k, v in rows.items() if k.startswith("base seed")]
    if not seed or not seed[0][0].isdigit():
        problems.append(f"no base seed in the report: {seed}")
    return problems


# --------------------------------------------------------------------------------------
# A toy book, built with the book's configuration and extensions
# --------------------------------------------------------------------------------------

HEAD = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

"""

ALPHA = HEAD + """# Alpha

(sec-alpha-start)=
## Start

```{prf:definition} A rate
:label: def-01-rate

A rate is a number $r \\in (0, 1)$.
```

```{prf:theorem} Main
:label: thm-01-main

Every rate satisfies {eq}`eq-01-geo`, as {cite:t}`oymak2021provable` shows.
```

```{math}
:label: eq-01-geo
r^T \\le 1 .
```

```{prf:lemma}
:label: lem-01-small

Small steps are stable {cite:p}`smith2017cyclical`.
```

```{prf:proof}
Multiply; see {prf:ref}`def-01-rate` and {prf:ref}`thm-01-main`.
```

```{code-cell} ipython3
x = 2 + 2
assert x == 4
print("four", x)
```

## Summary

- {prf:ref}`lem-01-small` and {numref}`fig-02-line` in {doc}`02_beta`; {ref}`sec-alpha-start`.

## Exercises

:::{exercise}
:label: ex-01-proof

Prove {prf:ref}`thm-01-main` with $r = 1/2$.
:::

:::{solution} ex-01-proof
:class: dropdown

By {eq}`eq-01-geo`.
:::

:::{exercise}
:label: ex-01-count

Compute $2^{10}$.
:::

:::{solution-start} ex-01-count
:class: dropdown
:::

It is 1024.

```{code-cell} ipython3
:tags: [hide-input]

answer = 2**10
assert answer == 1024
print(answer)
```

:::{solution-end}
:::
"""

BETA = HEAD + """# Beta

Back to {prf:ref}`thm-01-main` and {eq}`eq-01-geo` of {doc}`01_alpha`; see {numref}`fig-02-line`.

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: A line, as {prf:ref}`thm-01-main` says.
    name: fig-02-line
  image:
    alt: a straight line
---
import matplotlib.pyplot as plt
from matplotlib_inline.backend_inline import set_matplotlib_formats
set_matplotlib_formats("svg")
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [0, 1])
plt.show()
```
"""

INTRO = """# Toy preface

<a href="../clrbook-notebooks.zip" download>All chapters as notebooks</a>; the {doc}`execution_report`.

```{tableofcontents}
```
"""

TOY_TOC = """format: jb-book
root: book/intro
parts:
  - caption: Chapters
    numbered: true
    chapters:
      - file: book/01_alpha
      - file: book/02_beta
  - caption: Reference
    chapters:
      - file: book/execution_report
      - file: book/bibliography
"""


def jupyter_book() -> str:
    script = Path(sys.executable).parent / "jupyter-book"
    return str(script) if script.exists() else "jupyter-book"


def make_toy_book(where: Path, pages: dict[str, str], toc: str) -> Path:
    """A book at ``where`` with the repository's _config.yml, extensions and bibliography."""
    (where / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", where / "_config.yml")
    shutil.copytree(ROOT / "book" / "_ext", where / "book" / "_ext",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "book" / "references.bib", where / "book" / "references.bib")
    shutil.copytree(ROOT / "_static", where / "_static")
    (where / "_toc.yml").write_text(toc)
    for name, text in pages.items():
        (where / "book" / name).write_text(text, encoding="utf-8")
    return where


def build(where: Path, env: dict | None = None, strict: bool = True) -> subprocess.CompletedProcess:
    flags = ["-W", "-n", "--keep-going"] if strict else []
    return subprocess.run(
        [jupyter_book(), "build", *flags, str(where)], cwd=where,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("toybook")
    pages = {"intro.md": INTRO, "01_alpha.md": ALPHA, "02_beta.md": BETA,
             "execution_report.md": (ROOT / "book" / "execution_report.md").read_text(encoding="utf-8"),
             "bibliography.md": (ROOT / "book" / "bibliography.md").read_text(encoding="utf-8"),
             "api.md": "# API\n\nNothing here.\n"}
    toc = TOY_TOC.replace("      - file: book/execution_report\n",
                          "      - file: book/api\n      - file: book/execution_report\n")
    make_toy_book(where, pages, toc)
    result = build(where)
    assert result.returncode == 0, result.stdout[-5000:]  # -W: any warning fails the build
    return where / "_build" / "html"


def markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_toy_notebooks_read_in_plain_jupyter(toy):
    notebooks = chapter_notebooks(toy)
    assert sorted(notebooks) == ["01_alpha", "02_beta"]
    for path in notebooks.values():
        assert notebook_problems(path) == [], path.name


def test_toy_references_resolved_as_on_the_page(toy):
    alpha = markdown(chapter_notebooks(toy)["01_alpha"])
    beta = markdown(chapter_notebooks(toy)["02_beta"])
    # the numbers the HTML shows (sphinx-proof shares one counter: definition 1.1, theorem 1.2, lemma 1.3)
    page = BeautifulSoup((toy / "book" / "01_alpha.html").read_text(encoding="utf-8"), "html.parser").get_text("")
    page = re.sub(r"\s+", " ", page)
    assert "Theorem 1.2" in page and "Definition 1.1" in page
    assert "> **Definition 1.1** (A rate)." in alpha
    assert "> **Theorem 1.2** (Main)." in alpha
    assert "> **Lemma 1.3**." in alpha
    assert "*Proof.*" in alpha and "Multiply; see Definition 1.1 and Theorem 1.2." in alpha
    # sphinxcontrib-bibtex's author-year text, exactly as the page shows it
    assert "as Oymak [2021] shows" in page and "stable [Smith, 2017]" in page
    assert "satisfies (1.1), as Oymak [2021] shows" in alpha
    assert "stable [Smith, 2017]." in alpha
    assert "\\tag{1.1}" in alpha and "$$" in alpha
    assert "Fig. 2.1" in alpha and "[Beta](02_beta.ipynb)" in alpha and "Start" in alpha
    assert "> **Exercise 1.1**." in alpha and "**Solution to Exercise 1.1.**" in alpha
    assert "**Solution to Exercise 1.2.**" in alpha
    assert "## References" in alpha and "Oymak" in alpha.split("## References")[1]
    assert "Back to Theorem 1.2 and (1.1) of [Alpha](01_alpha.ipynb); see Fig. 2.1." in beta
    assert "**Fig. 2.1.** A line, as Theorem 1.2 says." in beta
    assert "$r \\in (0, 1)$" in alpha  # math kept as $...$


def test_toy_outputs_kept(toy):
    nb = nbformat.read(chapter_notebooks(toy)["01_alpha"], as_version=4)
    texts = ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert "four 4\n" in texts and "1024\n" in texts
    beta = nbformat.read(chapter_notebooks(toy)["02_beta"], as_version=4)
    assert any("image/svg+xml" in o.get("data", {}) for c in beta.cells if c.cell_type == "code" for o in c.outputs)


def test_toy_zip_and_preface_link(toy):
    assert zip_problems(toy, ["01_alpha", "02_beta"]) == []


def test_toy_execution_report(toy):
    assert report_problems(toy, ["01_alpha", "02_beta"]) == []


def test_toc_chapters_helper():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert any(f.get("file") == "book/execution_report" for p in toc["parts"] for f in p["chapters"])


def test_json_is_stable_between_writes(toy):
    """The downloads carry fixed cell ids (two builds write the same bytes)."""
    nb = json.loads(chapter_notebooks(toy)["01_alpha"].read_text())
    assert [c["id"] for c in nb["cells"]] == [f"cell-{k}" for k in range(len(nb["cells"]))]
