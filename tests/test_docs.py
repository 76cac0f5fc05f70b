"""The docs' own promises: the quick-start snippets run without warnings, and the site
check that keeps it offline catches a remote script."""

import re
import runpy
import sys
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _python_blocks(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text)
    return ["\n".join(line[3:] for line in block.splitlines()) for block in blocks]


def test_quickstart_snippets_run_without_warnings(tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    code = "\n".join(_python_blocks("quickstart.rst"))
    assert "ImportanceRegressor" in code and "ImportanceClassifier" in code
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        # A ConvergenceWarning (or any other) in a snippet a newcomer pastes is a defect.
        warnings.simplefilter("error")
        exec(compile(code, "quickstart.rst", "exec"), {"__name__": "quickstart"})


def test_offline_check_finds_remote_scripts(tmp_path, capsys):
    sys.path.insert(0, str(DOCS))
    try:
        check = runpy.run_path(str(DOCS / "check_offline.py"))
    finally:
        sys.path.remove(str(DOCS))
    (tmp_path / "a.html").write_text(
        '<script src="_static/mathjax/tex-chtml.js"></script><span class="math">x</span>')
    assert check["main"]([str(tmp_path)]) == 0
    (tmp_path / "b.html").write_text(
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<script defer src="//cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>')
    assert check["main"]([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "2 remote script or stylesheet references" in out
    assert check["main"]([str(tmp_path / "empty")]) == 1
    (tmp_path / "b.html").write_text(
        '<p class="bd-links__title">Section Navigation</p>\n  '
        '<div class="bd-toc-item navbar-nav"></div>')
    assert check["main"]([str(tmp_path)]) == 1
    assert "Empty 'Section Navigation'" in capsys.readouterr().out
