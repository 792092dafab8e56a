"""Print the whole book to one PDF with headless Chromium (``make pdf``; also run by the tests).

Route: ``jupyter-book build --builder singlehtml`` writes the book as one page; Chromium (Debian's
``/usr/bin/chromium``, driven by playwright) opens it from a local server with every other host
blocked, waits for MathJax, and prints it to A4. No LaTeX is needed.

    python tools/print_book.py [BOOK_ROOT] [OUT_PDF]
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def build_single_page(root: Path = ROOT) -> Path:
    """Build the single-page HTML (notebook outputs come from the execution cache) and return it.

    Sphinx writes the page at ``book/intro.html`` but with links relative to the build root, so it
    is copied to ``book.html`` at the root.
    """
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    subprocess.run([jb, "build", "--builder", "singlehtml", str(root)], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    out = root / "_build" / "singlehtml"
    page = out / "book.html"
    shutil.copy(out / "book" / "intro.html", page)
    return page


def print_pdf(page: Path, pdf: Path, browser=None) -> dict:
    """Print ``page`` to ``pdf``; return ``{"pages": ..., "formulas": ..., "errors": ..., "blocked": [...]}``."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(page.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    def run(chromium):
        context = chromium.new_context()
        tab = context.new_page()
        tab.route("**/*", route)
        tab.goto(base + page.name, wait_until="load", timeout=300_000)
        tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=120_000)
        tab.evaluate("MathJax.startup.promise.then(() => true)")
        counts = tab.evaluate("[document.querySelectorAll('mjx-container').length,"
                              " document.querySelectorAll('mjx-merror').length]")
        tab.emulate_media(media="print")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        tab.pdf(path=str(pdf), format="A4", print_background=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
        context.close()
        return counts

    try:
        if browser is not None:
            formulas, errors = run(browser)
        else:
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
                try:
                    formulas, errors = run(chromium)
                finally:
                    chromium.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    return {"pages": pages, "formulas": formulas, "errors": errors, "blocked": blocked}


if __name__ == "__main__":
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    out = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else root / "_build" / "pdf" / "book.pdf"
    info = print_pdf(build_single_page(root), out)
    print(f"{out}: {info['pages']} pages, {info['formulas']} formulas, {info['errors']} MathJax errors")
    sys.exit(1 if info["errors"] or info["blocked"] else 0)
