"""The root conftest.py hands MyST notebooks in book/ to nbval: check that it really does.

Each test copies conftest.py into a temporary project with its own book/ folder and runs
pytest there in a subprocess, so the book's own chapters are not involved.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext

from test_downloads import HEAD

ROOT = Path(__file__).resolve().parents[1]

HEADER = HEAD + "# A page\n"   # a MyST notebook's jupytext header (the one the toy books use)


def cell(source: str) -> str:
    return f"\n```{{code-cell}} ipython3\n{source}\n```\n"


def run_pytest(tmp_path: Path, pages: dict[str, str], seeds: str | None = None) -> subprocess.CompletedProcess:
    """Run pytest --nbval-lax on ``pages``; ``seeds`` sets CLRBOOK_TEST_SEEDS (unset when None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CLRBOOK_TEST_SEEDS", "CLRBOOK_SEED")}
    if seeds is not None:
        env["CLRBOOK_TEST_SEEDS"] = seeds
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "book").mkdir()
    for name, text in pages.items():
        (tmp_path / "book" / name).write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", "book"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, env=env,
    )


def summary(proc: subprocess.CompletedProcess) -> dict[str, int]:
    counts = dict.fromkeys(["passed", "failed", "error"], 0)
    for n, word in re.findall(r"(\d+) (passed|failed|error)", proc.stdout):
        counts[word] = int(n)
    return counts


def test_myst_notebook_cells_run_and_a_failing_assert_fails(tmp_path):
    pages = {
        "good.md": HEADER + cell("x = 2 + 2") + cell("assert x == 4"),
        "bad.md": HEADER + cell("y = 1") + cell("assert y == 2, 'false claim'"),
        "plain.md": "# Not a notebook\n\n```python\nassert False\n```\n",
    }
    proc = run_pytest(tmp_path, pages)
    counts = summary(proc)
    assert counts == {"passed": 3, "failed": 1, "error": 0}, proc.stdout + proc.stderr
    assert "false claim" in proc.stdout
    assert proc.returncode == 1


def test_each_chapter_runs_once_per_test_seed_with_that_seed(tmp_path):
    """With CLRBOOK_TEST_SEEDS="1 2" a chapter is collected twice and each kernel sees its own seed."""
    probe = HEADER + cell("import os\nseed = os.environ.get('CLRBOOK_SEED')\nprint('SEED', seed)") + cell(
        "assert seed in ('1', '2'), seed\nopen(f'seen_{seed}', 'w').close()")
    proc = run_pytest(tmp_path, {"probe.md": probe}, seeds="1 2")
    assert summary(proc) == {"passed": 4, "failed": 0, "error": 0}, proc.stdout + proc.stderr
    assert (tmp_path / "book" / "seen_1").exists() and (tmp_path / "book" / "seen_2").exists()
    (tmp_path / "bad").mkdir()
    bad = run_pytest(tmp_path / "bad", {"probe.md": probe}, seeds="1 x")
    assert bad.returncode != 0 and "CLRBOOK_TEST_SEEDS" in bad.stdout + bad.stderr


def test_every_chapter_is_collected_as_a_notebook():
    """Each book/NN_*.md that is a MyST notebook has the jupytext header and code cells."""
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    assert chapters, "no chapters found"
    notebooks = [p for p in chapters if root_conftest.is_myst_notebook(p)]
    assert ROOT / "book" / "01_gd_polynomial.md" in notebooks
    for path in notebooks:
        nb = jupytext.read(path)
        assert any(c.cell_type == "code" for c in nb.cells), path
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path
    assert not root_conftest.is_myst_notebook(ROOT / "book" / "bibliography.md")
