"""Two runs of a chapter give the same outputs, and two builds of the book the same pages (issue 16, item 3).

A sub-book — a short preface and two fast chapters (``01_gd_polynomial``, ``04_cycle_polynomial``),
with the book's own ``_config.yml``, extensions and bibliography — is built twice, each time from
scratch in its own temporary folder (so each build executes both chapters afresh: no shared
execution cache), with the environment ``make test`` gives (``SOURCE_DATE_EPOCH`` fixed, base seed
``CLRBOOK_SEED=0``). Then:

* every text output (streams, ``text/plain``, ``text/html``, ``text/latex``) of every code cell of
  both chapters is equal between the two runs, character for character;
* every SVG figure is byte-identical (this needs matplotlib's ``svg.hashsalt`` fixed by
  ``clrlib.style.use()`` and ``SOURCE_DATE_EPOCH`` for the ``<dc:date>``);
* every file of the two HTML builds is byte-identical, pages, downloads, search index and the zip
  of notebooks alike, except the files listed in ``KNOWN_VARIABLE`` (none today; the execution report
  page, whose run times vary by nature, is not part of the sub-book).

Chapters refer to chapters that are not in the sub-book, so the builds run without ``-W``: this test
is about determinism, the strict build is ``tests/test_rendered_book.py``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import nbformat
import pytest

from test_downloads import ROOT, build, chapter_notebooks, make_toy_book

CHAPTERS = ["01_gd_polynomial", "04_cycle_polynomial"]
SOURCE_DATE_EPOCH = "1767225600"  # the Makefile's value (2026-01-01)
# Files of the HTML build allowed to differ between two builds (relative paths), each with its reason.
KNOWN_VARIABLE: dict[str, str] = {}
TEXT_MIMES = ("text/plain", "text/html", "text/latex", "text/markdown")

INTRO = """# Preface of the sub-book

```{tableofcontents}
```
"""
TOC = """format: jb-book
root: book/intro
parts:
  - caption: Chapters
    numbered: true
    chapters:
""" + "".join(f"      - file: book/{c}\n" for c in CHAPTERS) + """  - caption: Reference
    chapters:
      - file: book/bibliography
"""


def sub_book(where: Path) -> Path:
    pages = {"intro.md": INTRO,
             "bibliography.md": (ROOT / "book" / "bibliography.md").read_text(encoding="utf-8")}
    pages |= {f"{c}.md": (ROOT / "book" / f"{c}.md").read_text(encoding="utf-8") for c in CHAPTERS}
    make_toy_book(where, pages, TOC)
    images = ROOT / "book" / "images"
    if images.is_dir():
        import shutil

        shutil.copytree(images, where / "book" / "images")
    return where


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "CLRBOOK_SEED": "0", "PYTHONHASHSEED": "0"}
    out = []
    for run in ("first", "second"):
        where = sub_book(tmp_path_factory.mktemp(f"subbook-{run}"))
        result = build(where, env, strict=False)
        html = where / "_build" / "html"
        assert result.returncode == 0 and (html / "index.html").exists(), result.stdout[-5000:]
        out.append(html)
    return out[0], out[1]


def outputs(path: Path) -> list[tuple[int, str, str]]:
    """(cell index, kind, content) of every output of a notebook: text and SVG, in order."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "stream":
                found.append((k, f"stream:{out.name}", out.text))
            elif out.output_type in ("execute_result", "display_data"):
                for mime, value in sorted(out.data.items()):
                    if mime in TEXT_MIMES or mime == "image/svg+xml":
                        found.append((k, mime, value if isinstance(value, str) else "".join(value)))
            elif out.output_type == "error":
                found.append((k, "error", out.ename))
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_outputs_identical_between_runs(two_builds, chapter):
    first, second = (chapter_notebooks(h)[chapter] for h in two_builds)
    a, b = outputs(first), outputs(second)
    texts = [o for o in a if o[1] != "image/svg+xml"]
    svgs = [o for o in a if o[1] == "image/svg+xml"]
    assert texts and svgs, f"{chapter}: expected text outputs and SVG figures, got {len(texts)} and {len(svgs)}"
    assert [o[:2] for o in a] == [o[:2] for o in b], f"{chapter}: the two runs produced different outputs"
    differ = [(k, kind) for (k, kind, x), (_, _, y) in zip(a, b) if x != y and kind != "image/svg+xml"]
    assert not differ, f"{chapter}: text outputs differ between two runs in cells {differ}"
    svg_differ = [k for (k, kind, x), (_, _, y) in zip(a, b) if kind == "image/svg+xml" and x != y]
    if svg_differ:
        (k, _, x), (_, _, y) = next(((p, q) for p, q in zip(a, b) if p[0] == svg_differ[0] and p[2] != q[2]))
        diff = "\n".join(list(difflib.unified_diff(x.splitlines(), y.splitlines(), lineterm="", n=0))[:12])
        pytest.fail(f"{chapter}: {len(svg_differ)} of {len(svgs)} SVG figures differ between runs "
                    f"(cells {svg_differ}); first difference:\n{diff}")


def test_two_builds_give_identical_files(two_builds):
    first, second = two_builds
    files_a = {p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()}
    files_b = {p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()}
    assert files_a == files_b, f"different file sets: {sorted(files_a ^ files_b)[:20]}"
    differ = sorted(f for f in files_a if f not in KNOWN_VARIABLE
                    and (first / f).read_bytes() != (second / f).read_bytes())
    if differ:
        name = next((f for f in differ if f.endswith(".html")), differ[0])
        try:
            x = (first / name).read_text(encoding="utf-8").splitlines()
            y = (second / name).read_text(encoding="utf-8").splitlines()
            diff = "\n".join(list(difflib.unified_diff(x, y, lineterm="", n=0))[:16])
        except UnicodeDecodeError:
            diff = "(binary)"
        pytest.fail(f"{len(differ)} file(s) differ between two builds: {differ[:30]}\n"
                    f"first difference, in {name}:\n{diff[:3000]}")
    assert any(f.endswith(".html") for f in files_a) and os.path.exists(first / "clrbook-notebooks.zip")
