"""Every chapter has the same shape (issue 15, items 4-5) and follows the seed protocol (issue 11).

Static checks of the MyST sources listed in ``_toc.yml`` (no kernel, no build):

* the last two ``##`` headings of a chapter are ``## Summary`` and then ``## Exercises``;
* a chapter has 2 to 4 ``{exercise}`` directives, each with a label, and every exercise has a
  solution (``{solution} label`` or the gated ``{solution-start} label`` ... ``{solution-end}``);
* the book has at least 20 exercises;
* every gated solution that holds a code cell asserts its answer (an ``assert`` in its code);
* no chapter code cell seeds its own generator: no ``default_rng(``, no ``np.random.<fn>(``, no
  ``seed=<integer literal>``; every draw comes from ``clrlib.rng(...)`` (see CONTRIBUTING.md).

The checker functions are tested on small fake chapters first (``test_checker_*``), so that a
failure on the book is a failure of the book and not of the parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

MIN_EXERCISES, MAX_EXERCISES, MIN_BOOK_EXERCISES = 2, 4, 20

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
HEADING2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")
DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
ASSERT = re.compile(r"^\s*assert\b", re.MULTILINE)
# A chapter seeding its own generator (the seed protocol forbids it).
SEEDING = [
    (re.compile(r"\bdefault_rng\s*\("), "default_rng("),
    (re.compile(r"\b(?:np|numpy)\.random\.\w+\s*\("), "np.random.<fn>("),
    (re.compile(r"\bseed\s*=\s*[-+]?\d+\b"), "seed=<integer literal>"),
]


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """The chapter sources (``book/NN_*.md``) that ``_toc.yml`` lists, in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [root / f"{f}.md" for f in files if re.match(r"^book/\d\d_", f)]


def split_source(text: str) -> tuple[list[str], list[str]]:
    """(prose lines outside backtick/tilde fences, code of every ``{code-cell}``)."""
    prose: list[str] = []
    cells: list[str] = []
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":  # front matter
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    open_fence: str | None = None
    code: list[str] | None = None
    for line in lines:
        m = FENCE.match(line)
        if open_fence is None:
            if m and m.group("fence")[0] in "`~":
                open_fence = m.group("fence")
                code = [] if m.group("info").strip().startswith("{code-cell}") else None
                prose.append(line)  # the opening line (a directive may be a backtick fence)
                continue
            prose.append(line)
        else:
            if m and m.group("fence")[0] == open_fence[0] and len(m.group("fence")) >= len(open_fence) \
                    and not m.group("info").strip():
                if code is not None:
                    cells.append("\n".join(code))
                open_fence, code = None, None
                continue
            if code is not None:
                code.append(line)
    return prose, cells


def directives(text: str) -> list[dict]:
    """Every directive opening (name, argument, options, line number), in order."""
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = DIRECTIVE.match(line)
        if not m:
            continue
        options = {}
        for follow in lines[i + 1:]:
            o = OPTION.match(follow)
            if not o:
                break
            options[o.group("key")] = o.group("value")
        found.append({"name": m.group("name"), "arg": m.group("arg"), "options": options, "line": i})
    return found


def gated_solutions(text: str) -> list[tuple[str, str]]:
    """(label, text between ``{solution-start} label`` and the next ``{solution-end}``) pairs."""
    out = []
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        m = DIRECTIVE.match(line)
        if not m:
            continue
        if m.group("name") == "solution-start":
            start = (m.group("arg"), i)
        elif m.group("name") == "solution-end" and start is not None:
            out.append((start[0], "\n".join(lines[start[1]:i])))
            start = None
    if start is not None:
        out.append((start[0], None))  # never closed
    return out


def shape_problems(text: str) -> list[str]:
    """What keeps a chapter's text from the required ending and exercise shape ([] if none)."""
    problems = []
    prose, _ = split_source(text)
    headings = [m.group(1) for line in prose if (m := HEADING2.match(line))]
    if headings[-2:] != ["Summary", "Exercises"]:
        problems.append(f"last two ## headings are {headings[-2:]}, not ['Summary', 'Exercises']")
    found = directives(text)
    exercises = [d for d in found if d["name"] == "exercise"]
    if not MIN_EXERCISES <= len(exercises) <= MAX_EXERCISES:
        problems.append(f"{len(exercises)} exercises, need {MIN_EXERCISES}-{MAX_EXERCISES}")
    labels = [d["options"].get("label") for d in exercises]
    if None in labels:
        problems.append("an exercise has no :label:")
    solved = {d["arg"] for d in found if d["name"] in ("solution", "solution-start")}
    unsolved = [label for label in labels if label and label not in solved]
    if unsolved:
        problems.append(f"exercises without a solution: {unsolved}")
    exercises_at = min((d["line"] for d in exercises), default=None)
    lines = text.splitlines()
    if exercises_at is not None and headings[-1:] == ["Exercises"]:
        heading_at = max(i for i, line in enumerate(lines) if line.strip().startswith("## Exercises"))
        if exercises_at < heading_at:
            problems.append("an exercise comes before the ## Exercises heading")
    for label, body in gated_solutions(text):
        if body is None:
            problems.append(f"solution-start {label} has no solution-end")
            continue
        _, code = split_source(body + "\n")
        if code and not any(ASSERT.search(c) for c in code):
            problems.append(f"gated solution {label} has code but no assert")
    return problems


def seeding_problems(text: str) -> list[str]:
    """Code-cell lines that seed their own generator instead of calling ``clrlib.rng``."""
    _, cells = split_source(text)
    problems = []
    for n, cell in enumerate(cells, 1):
        for line in cell.splitlines():
            code = line.split("#", 1)[0]
            for pattern, name in SEEDING:
                if pattern.search(code):
                    problems.append(f"code cell {n}: {name}: {line.strip()}")
    return problems


def count_exercises(text: str) -> int:
    return sum(d["name"] == "exercise" for d in directives(text))


# --------------------------------------------------------------------------------------
# The checkers on fake chapters
# --------------------------------------------------------------------------------------

FAKE_HEAD = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
---

# A fake chapter

What it asks.

```{code-cell} ipython3
import clrlib
rng = clrlib.rng("fake", "data")
x = rng.normal(size=3)
# ## a comment in code is not a heading
```

## Measured
"""

FAKE_EXERCISES = """
## Summary

- One claim, asserted above.

## Exercises

:::{exercise}
:label: ex-99-proof

Prove that $1 + 1 = 2$.
:::

:::{solution} ex-99-proof
:class: dropdown

By definition.
:::

:::{exercise}
:label: ex-99-compute

Compute $2^{10}$.
:::

:::{solution-start} ex-99-compute
:class: dropdown
:::

It is 1024.

```{code-cell} ipython3
:tags: [hide-input]

answer = 2**10
CODE
print(answer)
```

:::{solution-end}
:::
"""

GOOD = FAKE_HEAD + FAKE_EXERCISES.replace("CODE", "assert answer == 1024")


def test_checker_accepts_the_template(tmp_path):
    (tmp_path / "99_fake.md").write_text(GOOD, encoding="utf-8")
    text = (tmp_path / "99_fake.md").read_text(encoding="utf-8")
    assert shape_problems(text) == []
    assert seeding_problems(text) == []
    assert count_exercises(text) == 2


def test_checker_rejects_what_the_spec_forbids():
    no_assert = FAKE_HEAD + FAKE_EXERCISES.replace("CODE", "")
    assert any("no assert" in p for p in shape_problems(no_assert))
    swapped = GOOD.replace("## Summary", "## Tmp").replace("## Exercises", "## Summary").replace("## Tmp", "## Exercises")
    assert any("last two" in p for p in shape_problems(swapped))
    trailing = GOOD + "\n## Notes\n\nMore.\n"
    assert any("last two" in p for p in shape_problems(trailing))
    one = GOOD.split(":::{exercise}\n:label: ex-99-compute")[0]
    assert any("1 exercises" in p for p in shape_problems(one))
    unsolved = GOOD.replace(":::{solution} ex-99-proof", ":::{solution} ex-99-other")
    assert any("without a solution" in p for p in shape_problems(unsolved))
    for bad in ["rng = np.random.default_rng(1)", "np.random.seed(3)", "x = np.random.normal(size=2)",
                "E.sample(30, seed=0)", "net.init(seed = 12)"]:
        assert seeding_problems(GOOD.replace('rng = clrlib.rng("fake", "data")', bad)), bad
    assert not seeding_problems(GOOD.replace('x = rng.normal(size=3)', 'E.sample(3, seed=clrlib.rng("a", i))'))


# --------------------------------------------------------------------------------------
# The book
# --------------------------------------------------------------------------------------

CHAPTERS = toc_chapters()


def test_toc_lists_chapters():
    assert len(CHAPTERS) >= 10 and all(p.is_file() for p in CHAPTERS), CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_ends_with_summary_and_exercises(chapter):
    problems = shape_problems(chapter.read_text(encoding="utf-8"))
    assert not problems, f"{chapter.name}: " + "; ".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_does_not_seed_its_own_generator(chapter):
    problems = seeding_problems(chapter.read_text(encoding="utf-8"))
    assert not problems, f"{chapter.name} (use clrlib.rng(...)):\n" + "\n".join(problems)


def test_book_has_enough_exercises():
    counts = {p.stem: count_exercises(p.read_text(encoding="utf-8")) for p in CHAPTERS}
    assert sum(counts.values()) >= MIN_BOOK_EXERCISES, counts
