"""The rendered book: a strict build, offline pages, and every page checked in a real browser.

One module on purpose: the book is built ONCE per test session (module-scoped fixture; with
``pytest-xdist --dist loadscope`` all tests of this module run on one worker) and every test
here reads that same build in ``_build/html``.

1. ``test_strict_build``: ``jupyter-book build -W -n --keep-going --all .`` exits with 0 and
   prints no warning (this is THE strict-build test of the suite; ``--all`` re-reads every page
   so that a warning is never hidden by Sphinx's incremental build; notebook execution is still
   cached by jupyter-cache).
2. ``test_no_external_resources`` / ``test_mathjax_served_from_the_build``: the HTML loads
   nothing from another host; MathJax comes from ``_static/mathjax``.
3. ``test_pages_in_browser[light|dark]``: every page is opened in headless Chromium (Debian's
   ``/usr/bin/chromium`` driven by playwright) from a local HTTP server, with every
   non-local request blocked, and must typeset all its math, load all its images (each with
   alt text) and log no console error, in the light and in the dark theme. In the dark
   theme the first figure of every chapter is saved to ``_build/screenshots`` and must keep
   its white background. ``test_search`` searches for "cyclical".
4. ``test_api_page_covers_every_module``: ``book/api.md`` documents every clrlib module.
5. ``test_downloads_read_in_plain_jupyter`` / ``test_zip_of_all_notebooks`` /
   ``test_execution_report``: the checks of ``tests/test_downloads.py`` on this build (every
   chapter's notebook without MyST, the zip, the execution report).

Without ``/usr/bin/chromium`` the browser tests skip locally, and FAIL when ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILD_TIMEOUT = 900  # seconds; every chapter executes inside the build (cached afterwards)

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes, stripped from the build's output
# A line of the build's output that reports a problem (docutils also says ERROR/SEVERE).
PROBLEM = re.compile(r"\b(WARNING|ERROR|SEVERE|CRITICAL)\b")
# Lines of the build's output that contain "WARNING" but are not warnings about the book.
BUILD_OUTPUT_ALLOWED = [
    # ipykernel >= 7 prints this when nbclient starts a kernel on localhost TCP (the default
    # transport); it concerns the local kernel connection, not the book.
    re.compile(r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption"),
]

# Console messages that are harmless and expected (each matched as a substring).
CONSOLE_ALLOWED = [
    # pydata-sphinx-theme on a reader's first visit: localStorage has no "mode" yet, the
    # theme logs this and falls back to "auto" (follow the system's light/dark setting).
    "Got invalid theme mode",
    # (The other message Jupyter Book 1 pages log, "Identifier 'THEBE_JS_URL' has already been
    # declared", comes from sphinx-thebe, which _config.yml no longer loads: it is NOT allowed.)
]

# Absolute URLs that may appear in a page's resource attributes. None is needed today:
# sphinx_thebe (the only extension that wrote one: https://unpkg.com/thebe@0.8.2/...) is
# not loaded, see _config.yml. Links (<a href>) to papers are not resources and are allowed.
EXTERNAL_ALLOWED: list[str] = []

# (tag, attribute) pairs through which a page makes the browser fetch something.
RESOURCE_ATTRIBUTES = [
    ("script", "src"),
    ("link", "href"),  # stylesheets, preloads, icons, fonts, manifests
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("image", "href"),  # SVG
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
]
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"""(url\(\s*['"]?\s*(https?:)?//|@import\s+['"]\s*(https?:)?//)""", re.IGNORECASE)
CHAPTER = re.compile(r"^\d\d_")


# --------------------------------------------------------------------------------------
# The build (once per session)
# --------------------------------------------------------------------------------------



def settle(page, quiet_ms: int = 500, timeout_ms: int = 20_000) -> None:
    """Give a page's late requests (fonts, MathJax parts) time to finish before the next navigation.

    Waits until no font is loading (``document.fonts.status``) and no new resource has completed
    (``performance`` resource entries) for ``quiet_ms``, at most ``timeout_ms``. (Playwright's
    "networkidle" state is not used: on most chapter pages it never arrived although every request
    had finished, and each page then cost the whole timeout.) The checks that follow (typeset math,
    loaded images, console, failed requests) decide, not quiescence.
    """
    import time

    deadline, last, since = time.monotonic() + timeout_ms / 1000, None, time.monotonic()
    while time.monotonic() < deadline:
        state = page.evaluate("[performance.getEntriesByType('resource').length, document.fonts.status]")
        if state != last or state[1] != "loaded":
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet_ms / 1000:
            return
        page.wait_for_timeout(100)


def _jupyter_book() -> str:
    """The ``jupyter-book`` script of the environment running the tests."""
    script = Path(sys.executable).parent / "jupyter-book"  # do not resolve: keep the venv
    if script.exists():
        return str(script)
    return "jupyter-book"


@pytest.fixture(scope="module")
def build() -> subprocess.CompletedProcess:
    """Run the strict build of the whole book into ``_build`` (once for this module).

    ``_build/html`` is removed first so that no page of an earlier build survives (a build that
    stops on a cell error writes no page; the browser must not test stale ones). Executed
    notebooks stay cached in ``_build/.jupyter_cache``.
    """
    shutil.rmtree(HTML, ignore_errors=True)
    result = subprocess.run(
        [_jupyter_book(), "build", "-W", "-n", "--keep-going", "--all", str(ROOT)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    result.stdout = ANSI.sub("", result.stdout)
    return result


@pytest.fixture(scope="module")
def html(build) -> Path:
    """The built HTML folder (the build may have warned; ``test_strict_build`` reports that)."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"the build wrote no {HTML / 'index.html'}:\n{build.stdout[-5000:]}")
    return HTML


def html_pages(html_dir: Path) -> list[Path]:
    """Every page of the book: all ``*.html`` outside ``_static``/``_sources``/``_images``."""
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p for p in html_dir.rglob("*.html") if not skip & set(p.relative_to(html_dir).parts[:-1])
    )


def redirect_target(page: Path) -> str | None:
    """The URL a ``<meta http-equiv="refresh">`` page sends to, else None."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    meta = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)})
    if meta is None:
        return None
    match = re.search(r"url\s*=\s*(\S+)", meta.get("content", ""), re.I)
    return match.group(1).strip("'\"") if match else ""


def test_strict_build(build):
    """``jupyter-book build -W -n --keep-going`` succeeds and prints no warning."""
    warnings = list(
        dict.fromkeys(  # Sphinx repeats its warnings in a summary: report each once
            line
            for line in build.stdout.splitlines()
            if PROBLEM.search(line) and not any(p.search(line) for p in BUILD_OUTPUT_ALLOWED)
        )
    )
    assert build.returncode == 0 and not warnings, (
        f"strict build failed (exit code {build.returncode}); warnings:\n"
        + "\n".join(warnings)
        + f"\n--- end of the build's output ---\n{build.stdout[-6000:]}"
    )


def test_api_page_covers_every_module():
    """``book/api.md`` has an ``automodule`` for every public module of clrlib (no build needed)."""
    import pkgutil

    import clrlib

    modules = {m.name for m in pkgutil.iter_modules(clrlib.__path__) if not m.name.startswith("_")}
    api = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: clrlib\.(\w+)\s*$", api, re.MULTILINE))
    assert modules <= documented, f"add to book/api.md: {sorted(modules - documented)}"
    assert documented <= modules, f"book/api.md documents missing modules: {sorted(documented - modules)}"


# --------------------------------------------------------------------------------------
# Offline: static checks of the HTML
# --------------------------------------------------------------------------------------


def external_references(page: Path) -> list[str]:
    """Absolute (http, https, protocol-relative) URLs a page would fetch, as ``tag[attr]=url``."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = []
    for tag, attr in RESOURCE_ATTRIBUTES:
        for node in soup.find_all(tag):
            value = node.get(attr)
            if not value:
                continue
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in attr else [value]
            found += [f"{tag}[{attr}]={url}" for url in urls if EXTERNAL.match(url)]
    for node in soup.find_all("style"):
        found += [f"<style>: {m.group(0)}" for m in CSS_EXTERNAL.finditer(node.get_text())]
    for node in soup.find_all(style=True):
        found += [f"{node.name}[style]: {m.group(0)}" for m in CSS_EXTERNAL.finditer(node["style"])]
    for node in soup.find_all("script", src=False):
        # inline scripts that would load code from elsewhere (e.g. sphinx-thebe's THEBE_JS_URL)
        found += [f"<script>: {m}" for m in re.findall(r"https?://[^\s\"'`]+\.m?js\b", node.get_text())]
    return [ref for ref in found if not any(allowed in ref for allowed in EXTERNAL_ALLOWED)]


def test_no_external_resources(html):
    """No page (and no bundled stylesheet) fetches a script, style, image, frame or font from another host."""
    pages = sorted(html.rglob("*.html"))  # every HTML file, the theme's templates included
    assert pages
    problems = {str(p.relative_to(html)): refs for p in pages if (refs := external_references(p))}
    for css in sorted((html / "_static").rglob("*.css")):
        refs = [m.group(0) for m in CSS_EXTERNAL.finditer(css.read_text(encoding="utf-8", errors="replace"))]
        if refs:
            problems[str(css.relative_to(html))] = refs
    assert not problems, f"external resources referenced: {problems}"


def test_mathjax_served_from_the_build(html):
    """Pages with math load MathJax from ``_static/mathjax`` by a relative path; undefined macros are errors."""
    with_math = 0
    for page in html_pages(html):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        scripts = [s.get("src", "") for s in soup.find_all("script") if "mathjax" in s.get("src", "").lower()]
        has_math = soup.select_one(".math") is not None
        if not has_math:
            continue
        with_math += 1
        name = page.relative_to(html)
        assert scripts, f"{name} has math but loads no MathJax"
        for src in scripts:
            assert not EXTERNAL.match(src) and not src.startswith("/"), f"{name}: MathJax from {src}"
            target = (page.parent / src.split("?")[0]).resolve()
            assert target.is_file() and html / "_static" / "mathjax" in target.parents, f"{name}: {src}"
        config = "".join(s.get_text() for s in soup.find_all("script") if "window.MathJax" in s.get_text())
        assert re.search(r'"\[-\]":\s*\["noundefined"\]', config), f"{name}: noundefined not removed: {config}"
    assert with_math >= 1, "no page contains math: is dollarmath configured?"


def test_every_chapter_downloads_as_an_executed_notebook(html):
    """Each chapter page's download menu links to its executed .ipynb (book/_ext/ipynb_download.py)."""
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    assert len(chapters) >= 10
    for source in chapters:
        page = html / "book" / f"{source.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a.get("href", "") for a in soup.find_all("a") if a.get("href", "").endswith(".ipynb")]
        assert links, f"{page.name}: no .ipynb download link"
        target = (page.parent / links[0]).resolve()
        assert target.is_file(), f"{page.name}: {links[0]} missing"
        nb = json.loads(target.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert code and all("outputs" in c for c in code), f"{target.name}: not an executed notebook"
        assert any(c["outputs"] for c in code), f"{target.name}: no outputs"


def _toc_chapter_stems() -> list[str]:
    from test_chapter_shape import toc_chapters

    return [p.stem for p in toc_chapters(ROOT)]


def test_downloads_read_in_plain_jupyter(html):
    """Every chapter's downloaded notebook: valid nbformat, executed outputs, no MyST left
    (the rewrite of book/_ext/ipynb_download.py; its exact texts are tested in test_downloads.py)."""
    from test_downloads import chapter_notebooks, notebook_problems

    notebooks = chapter_notebooks(html)
    chapters = _toc_chapter_stems()
    assert sorted(notebooks) == sorted(chapters), (sorted(notebooks), chapters)
    problems = {name: found for name, path in notebooks.items() if (found := notebook_problems(path))}
    assert not problems, json.dumps(problems, indent=1)


def test_zip_of_all_notebooks(html):
    """``clrbook-notebooks.zip`` holds every chapter's notebook and the preface links it."""
    from test_downloads import zip_problems

    assert zip_problems(html, _toc_chapter_stems()) == []


def test_execution_report(html):
    """The execution report lists every chapter of _toc.yml as executed, with the versions and the seed."""
    from test_downloads import report_problems

    assert report_problems(html, _toc_chapter_stems()) == []


# --------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def server(html):
    """``_build/html`` served on 127.0.0.1 at a free port, in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def headless_chromium(purpose: str):
    """Debian's Chromium, headless, under playwright (a fresh, temporary profile: playwright's launch()).

    When it cannot start, ``purpose`` (e.g. "the browser tests") is skipped, or fails under CI=true.
    """
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # pragma: no cover - pinned in requirements.txt
            reason = f"playwright is not importable: {exc}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run {purpose}: {reason}")
        pytest.skip(f"{purpose} skipped: {reason}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    with headless_chromium("the browser tests") as chromium:
        yield chromium


class Recorder:
    """Collects, for the page being visited, console errors, failed and blocked requests."""

    def __init__(self, base: str):
        self.base = base
        self.host = urlsplit(base).netloc
        self.events: list[str] = []

    def route(self, route):
        url = route.request.url
        if urlsplit(url).netloc == self.host and url.startswith(("http://127.0.0.1", "http://localhost")):
            route.continue_()
        else:
            self.events.append(f"blocked external request: {url}")
            route.abort("blockedbyclient")

    def browser_favicon_probe(self, url: str) -> bool:
        """Chromium itself asks for ``/favicon.ico`` at the server root (no page links one, and
        the book has no favicon); its 404 is not a problem of the book."""
        return url == self.base + "favicon.ico"

    def console(self, message):
        if message.type != "error" or any(a in message.text for a in CONSOLE_ALLOWED):
            return
        if self.browser_favicon_probe(message.location.get("url", "")):
            return
        self.events.append(f"console error: {message.text} (at {message.location.get('url', '?')})")

    def page_error(self, error):
        text = str(error)
        if not any(a in text for a in CONSOLE_ALLOWED):
            self.events.append(f"uncaught JavaScript error: {text}")

    def request_failed(self, request):
        # blocked (non-local) requests are already recorded by route()
        if urlsplit(request.url).netloc == self.host and not self.browser_favicon_probe(request.url):
            self.events.append(f"failed request: {request.url} ({request.failure})")

    def response(self, response):
        if response.status >= 400 and not self.browser_favicon_probe(response.url):
            self.events.append(f"HTTP {response.status}: {response.url}")

    def take(self) -> list[str]:
        events, self.events = self.events, []
        return events


def new_context(browser, base: str, theme: str):
    """A browser context for a first-time reader whose system prefers ``theme``."""
    context = browser.new_context(color_scheme=theme, viewport={"width": 1280, "height": 900})
    recorder = Recorder(base)
    context.route("**/*", recorder.route)
    context.on("console", recorder.console)
    context.on("weberror", lambda e: recorder.page_error(e.error))
    context.on("requestfailed", recorder.request_failed)
    context.on("response", recorder.response)
    return context, recorder


# Runs in the page after load: waits for MathJax and the images, then reports problems.
CHECK_PAGE_JS = r"""
async () => {
  const problems = [];
  const hasMath = document.querySelector('.math') !== null;
  if (hasMath) {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
      problems.push('page has math but MathJax did not start');
    } else {
      await MathJax.startup.promise;  // resolves once the first typesetting pass is done
      for (const el of document.querySelectorAll('.math')) {
        if (!el.querySelector('mjx-container') && !el.closest('mjx-container')) {
          problems.push('math not typeset: ' + el.textContent.trim().slice(0, 120));
        }
      }
    }
  }
  for (const err of document.querySelectorAll('mjx-merror')) {
    const title = err.getAttribute('data-mjx-error') || err.getAttribute('title') || '';
    problems.push('MathJax error: ' + (title || err.textContent).slice(0, 200));
  }
  // images: make lazy ones load, wait for all, then every one must have pixels
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => {
    img.addEventListener('load', r, {once: true}); img.addEventListener('error', r, {once: true});
    setTimeout(r, 10000);
  })));
  for (const img of imgs) {
    if (!(img.complete && img.naturalWidth > 0)) {
      problems.push('image not loaded: ' + img.getAttribute('src'));
    }
    if (img.closest('article') && !(img.getAttribute('alt') || '').trim()) {
      problems.push('image without alt text: ' + img.getAttribute('src'));
    }
  }
  // MathJax's web fonts load after typesetting: let them finish before the next page
  // (leaving earlier would abort them and record a failed request)
  await document.fonts.ready;
  // raw TeX left in the visible text (code, hidden elements and typeset math excluded)
  const text = visibleText(document.body);
  function visibleText(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        const el = node.parentElement;
        if (!el || el.closest('pre, code, kbd, samp, script, style, textarea, template, mjx-container, .highlight')) {
          return NodeFilter.FILTER_REJECT;
        }
        if (el.getClientRects().length === 0) { return NodeFilter.FILTER_REJECT; }
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') { return NodeFilter.FILTER_REJECT; }
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    const parts = [];
    while (walker.nextNode()) { parts.push(walker.currentNode.nodeValue); }
    return parts.join(' ');
  }
  // a dollar, \( \) \[ \] or any \command left in prose is math that MathJax never saw
  const tex = /\$|\\[()\[\]]|\\[A-Za-z]+/g;
  const raw = Array.from(text.matchAll(tex));
  if (raw.length) {
    const i = raw[0].index;
    problems.push(raw.length + ' raw TeX fragment(s) in the text (' + raw.map(m => m[0]).slice(0, 8).join(' ') +
                  '), the first in: ...' + text.slice(Math.max(0, i - 60), i + 60).replace(/\s+/g, ' ') + '...');
  }
  return {problems, theme: document.documentElement.dataset.theme || ''};
}
"""

# The first figure of a chapter: a notebook output image, else any figure image in the article.
FIRST_FIGURE = "article .cell_output img, article figure img"


def visit(page, url: str) -> tuple[list[str], str]:
    """Open ``url``; return the in-page problems found by CHECK_PAGE_JS and the shown theme."""
    response = page.goto(url, wait_until="load")
    if response is None or not response.ok:
        return [f"could not open {url}: {response.status if response else 'no response'}"], ""
    result = page.evaluate(CHECK_PAGE_JS)
    # Fonts that MathJax asks for late (after document.fonts.ready) would be aborted by the next
    # navigation and recorded as failed requests: let the network go quiet before leaving the page.
    settle(page)
    return result["problems"], result["theme"]


def luminance_percentiles(png: Path) -> tuple[float, float]:
    """The 1st and 50th percentiles of an image's luminance (0 = black, 255 = white)."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        gray = np.asarray(im.convert("L"), dtype=float)
    return float(np.percentile(gray, 1)), float(np.percentile(gray, 50))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_pages_in_browser(html, server, browser, theme):
    """Every page, opened offline in Chromium: math typeset, images loaded, no errors, no network."""
    context, recorder = new_context(browser, server, theme)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    if theme == "dark":
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
    try:
        for path in html_pages(html):
            rel = path.relative_to(html).as_posix()
            url = server + rel
            target = redirect_target(path)
            if target is not None:  # index.html: a redirect to the first page
                found = [] if (path.parent / target).is_file() else [f"redirect target {target} missing"]
                page.goto(url, wait_until="load")
                page.wait_for_url(urljoin(url, target), timeout=10000)
                # the target page loads MathJax and its fonts: let that finish here, or the next
                # navigation aborts it and the aborted font is blamed on the next page
                settle(page)
                found += recorder.take()
                if found:
                    problems[rel] = found
                continue
            found, shown_theme = visit(page, url)
            if shown_theme != theme:
                found.append(f"data-theme is {shown_theme!r}, expected {theme!r}")
            if theme == "dark" and CHAPTER.match(path.name):
                first = page.locator(FIRST_FIGURE).first
                if first.count():
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    shot = SCREENSHOTS / f"{path.stem}-first-figure-dark.png"
                    first.scroll_into_view_if_needed()
                    first.screenshot(path=str(shot))
                    # scrolling may make MathJax load another font: let it arrive before leaving
                    page.evaluate("document.fonts.ready.then(() => true)")
                    page.wait_for_timeout(300)
                    # readable = the figure keeps its light background (the theme dims images
                    # by ~15% in dark mode: white shows as ~220) and its dark ink
                    ink, background = luminance_percentiles(shot)
                    if background < 180 or ink > 100:
                        found.append(
                            f"first figure unreadable in dark mode: median luminance {background:.0f} "
                            f"(need >= 180), 1st percentile {ink:.0f} (need <= 100); see {shot}"
                        )
                elif "<img" in path.read_text(encoding="utf-8"):
                    found.append(f"has images but none matches {FIRST_FIGURE!r} for the dark-mode screenshot")
            found += recorder.take()
            if found:
                problems[rel] = found
    finally:
        context.close()
    report = "\n".join(f"{name}:\n  " + "\n  ".join(items) for name, items in problems.items())
    assert not problems, f"{theme} theme, problems on {len(problems)} page(s):\n{report}"


def test_search(html, server, browser):
    """The search page (served locally) finds "cyclical"."""
    context, recorder = new_context(browser, server, "light")
    page = context.new_page()
    try:
        page.goto(server + "search.html?q=cyclical", wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=20000)
        hits = page.locator("#search-results ul.search li").count()
        events = recorder.take()
    finally:
        context.close()
    assert hits > 0, "search for 'cyclical' returned nothing"
    assert not events, events


def test_pdf_of_the_whole_book(html, browser):
    """The single-page build prints to one PDF (tools/print_book.py, as `make pdf` does): every formula
    typeset, nothing loaded from another host, and every chapter in it."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import print_book
    finally:
        sys.path.pop(0)
    page = print_book.build_single_page(ROOT)
    text = page.read_text(encoding="utf-8")
    for source in sorted((ROOT / "book").glob("[0-9][0-9]_*.md")):
        title = next(line[2:].strip() for line in source.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        assert title.split(":")[0] in text, f"{source.name}: '{title}' not in the single page"
    info = print_book.print_pdf(page, ROOT / "_build" / "pdf" / "book.pdf", browser=browser)
    assert info["errors"] == 0 and info["formulas"] > 500, info
    assert not info["blocked"], info["blocked"]
    assert info["pages"] >= 100, info
