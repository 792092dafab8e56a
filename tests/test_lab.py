"""``make lab``: a chapter opens as a notebook in JupyterLab, runs, and shows its figures.

Starts JupyterLab from this environment with the repository's configuration (``jupyter/`` on
``JUPYTER_CONFIG_PATH``, exactly as ``make lab`` does) on a free loopback port with a random token,
and with a throw-away user settings / workspaces / runtime folder (autosave off, so the chapter file
is never rewritten). Headless Chromium (Debian's ``/usr/bin/chromium``, as in
``tests/test_rendered_book.py``) opens ``book/01_gd_polynomial.md`` through the Lab UI; the test
checks that it opened as a notebook (jupytext's viewer) with MyST rendered, runs all cells from the
Run menu, waits until every cell has run and the kernel is idle, and asserts that no cell shows an
error and that a figure appears. The server is then shut down through its API (which stops the
kernel), its process group killed if it lingers, and no process it started may survive.

Without ``/usr/bin/chromium`` the test skips locally and FAILS when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_rendered_book import headless_chromium

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "book/01_gd_polynomial.md"
START_TIMEOUT = 120  # s, server start-up (about 5 s on a quiet machine)
RUN_TIMEOUT = 900  # s, the chapter's cells (about 10 s on a quiet machine, minutes beside the strict build on 2 cores; a hang fails)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_environment(tmp: Path) -> dict[str, str]:
    """The environment ``make lab`` gives JupyterLab, with the user's own folders replaced by tmp ones."""
    user_settings = tmp / "user-settings"
    plugin = user_settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    plugin.parent.mkdir(parents=True)
    plugin.write_text(json.dumps({"autosave": False}))  # the test never writes the chapter
    # no "Would you like to receive news?" toast, no update check (offline)
    news = user_settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # every cell in the DOM (no virtual scrolling), so the page can be checked cell by cell
    tracker = user_settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(
        JUPYTER_CONFIG_PATH=str(ROOT / "jupyter"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(user_settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        PYTHONUNBUFFERED="1",
    )
    return env


def jupyter() -> str:
    return str(Path(sys.executable).parent / "jupyter")


def api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        body = response.read()
    return json.loads(body) if body else None


@pytest.fixture
def lab(tmp_path):
    """A running JupyterLab (base URL, token, its process); shut down cleanly afterwards."""
    import psutil

    port, token = free_port(), secrets.token_hex(16)
    checkpoints = ROOT / "book" / ".ipynb_checkpoints"  # Lab writes one when it opens a file
    had_checkpoints = checkpoints.exists()
    old_checkpoints = set(checkpoints.glob("*")) if had_checkpoints else set()
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [jupyter(), "lab", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", "--ServerApp.ip=127.0.0.1"]
        + (["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
        cwd=ROOT, env=lab_environment(tmp_path), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as a whole if it lingers
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            api(base, token, "/api/status")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail(f"JupyterLab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    started = {"lab": proc, "descendants": [], "log": tmp_path / "lab.log"}
    try:
        yield base, token, started
    finally:
        server = psutil.Process(proc.pid)
        descendants = {p.pid: p for p in server.children(recursive=True)} | \
                      {p.pid: p for p in started["descendants"]}
        try:
            api(base, token, "/api/shutdown", method="POST")  # stops the kernels, then the server
        except OSError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
        for path in set(checkpoints.glob("*")) - old_checkpoints:  # leave the work tree as it was
            path.unlink()
        if not had_checkpoints and checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()
        _, alive = psutil.wait_procs(list(descendants.values()), timeout=10)
        for p in alive:  # do not leave them behind even when the test fails below
            p.kill()
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)  # the server's process group is gone
        assert not alive, f"processes left running after the shutdown: {[p.pid for p in alive]}"


@pytest.fixture
def chromium():
    with headless_chromium("the JupyterLab browser test") as browser:
        yield browser


# In the page: the state of every code cell of the open notebook, and its kernel status.
CELLS_JS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = Array.from(panel.querySelectorAll('.jp-CodeCell'));
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  const errors = cells.map((c, i) => ({i, text: Array.from(c.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'))
      .map(e => e.textContent.slice(0, 2000)).join('\\n')})).filter(e => e.text);
  const figures = panel.querySelectorAll('.jp-RenderedImage img, .jp-RenderedSVG img, .jp-RenderedSVG svg').length;
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {n: cells.length, prompts, errors, figures,
          status: status ? (status.getAttribute('data-status') || '') : '',
          markdown: panel.querySelectorAll('.jp-MarkdownCell').length,
          math: panel.querySelectorAll('.jp-MarkdownCell mjx-container, .jp-MarkdownCell .MathJax, .jp-MarkdownCell .katex').length};
}
"""


def test_chapter_runs_in_jupyterlab(lab, chromium):
    base, token, started = lab
    source = ROOT / CHAPTER
    before = source.read_bytes()
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    t0 = time.monotonic()
    page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}", wait_until="domcontentloaded")
    # it opens as a notebook (jupytext's viewer), not in the text editor
    page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length >= 5",
                           timeout=300_000)
    assert page.locator(".jp-FileEditor").count() == 0, "the chapter opened as a text file"
    # the kernel is up before running (the toolbar's indicator says idle)
    page.wait_for_function(
        "() => { const s = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');"
        " return s && s.getAttribute('data-status') === 'idle'; }", timeout=300_000)
    state = page.evaluate(CELLS_JS)
    assert state["n"] >= 5 and state["markdown"] >= 5, state
    # Run > Run All Cells
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        """() => { const panel = document.querySelector('.jp-NotebookPanel');
                   const cells = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
                   const s = panel.querySelector('.jp-Notebook-ExecutionIndicator');
                   const done = cells.every(p => /\\[\\d+\\]/.test(p.textContent));
                   const failed = panel.querySelector('[data-mime-type="application/vnd.jupyter.error"]');
                   return s && s.getAttribute('data-status') === 'idle' && (done || failed); }""",
        timeout=RUN_TIMEOUT * 1000, polling=500)
    elapsed = time.monotonic() - t0
    state = page.evaluate(CELLS_JS)
    assert not state["errors"], f"cells with an error output: {state['errors']}"
    not_run = [i for i, p in enumerate(state["prompts"]) if not any(ch.isdigit() for ch in p)]
    assert not not_run, f"cells that did not run: {not_run} ({state['prompts']})"
    assert state["figures"] >= 1, f"no figure appeared: {state}"
    # MyST rendered: math typeset in the Markdown cells, no raw directive fence shown
    assert state["math"] > 0, f"no typeset math in the Markdown cells: {state}"
    shown = page.locator(".jp-NotebookPanel .jp-MarkdownCell").all_inner_texts()
    assert not [t for t in shown if "{code-cell}" in t or "```{" in t], "raw MyST shown in a Markdown cell"
    # the kernel ran in this environment, with clrlib importable from it
    kernels = api(base, token, "/api/kernels")
    assert len(kernels) == 1 and kernels[0]["execution_state"] == "idle", kernels
    page.close()
    assert source.read_bytes() == before, f"{CHAPTER} was modified by the Lab session"
    print(f"JupyterLab: opened and ran {CHAPTER} in {elapsed:.1f} s ({state['n']} code cells, "
          f"{state['figures']} figures)")
