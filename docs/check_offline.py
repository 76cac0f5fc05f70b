"""Fail if the built site loads a script or stylesheet from another host, or shows an
empty "Section Navigation" sidebar.

Run after the build: ``python docs/check_offline.py docs/_build/html``. The site must
work offline, formulas included (MathJax is bundled by sphinx-mathjax-offline).
"""

import re
import sys
from pathlib import Path

REMOTE = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
EMPTY_NAVIGATION = re.compile(r'Section Navigation</p>\s*<div class="bd-toc-item navbar-nav">'
                              r'\s*</div>')


def remote_references(root):
    """(file, tag) of every script or stylesheet tag that points at another host."""
    found = []
    for page in sorted(Path(root).rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in REMOTE.finditer(text):
            found.append((str(page), text[match.start():text.find(">", match.start()) + 1]))
    return found


def main(argv=None):
    root = (argv or sys.argv[1:] or ["docs/_build/html"])[0]
    pages = list(Path(root).rglob("*.html"))
    if not pages:
        print(f"No HTML pages under {root}: build the docs first.")
        return 1
    math = [p for p in pages if 'class="math' in p.read_text(encoding="utf-8",
                                                            errors="replace")]
    found = remote_references(root)
    for page, tag in found[:20]:
        print(f"{page}: {tag}")
    if found:
        print(f"{len(found)} remote script or stylesheet references: the site needs the "
              "network.")
        return 1
    empty = [p for p in pages if EMPTY_NAVIGATION.search(
        p.read_text(encoding="utf-8", errors="replace"))]
    if empty:
        print(f"Empty 'Section Navigation' sidebars (add the pages to html_sidebars in "
              f"docs/conf.py): {', '.join(map(str, empty[:10]))}")
        return 1
    print(f"{len(pages)} pages, {len(math)} with formulas, no remote scripts or "
          "stylesheets, no empty sidebars.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
