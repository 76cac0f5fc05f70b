"""Sphinx configuration of the skimportance documentation.

Build (warnings are errors, the command CI runs)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Nothing here needs the network at build time: no intersphinx, no remote images.
"""

import os
import sys

from threadpoolctl import threadpool_limits

import skimportance

# -- Project -----------------------------------------------------------------------------

project = "skimportance"
author = "the skimportance developers"
copyright = "the skimportance developers"
release = skimportance.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax bundled into the site, so formulas render offline (no CDN).
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "examples/README.txt"]
root_doc = "index"
default_role = "py:obj"

# -- API reference -----------------------------------------------------------------------

# Stubs for every object listed in api.rst go to docs/generated/ (gitignored).
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"

# numpydoc renders the sections; the member tables of classes come from our own
# template (_templates/autosummary/class.rst), so numpydoc does not list them again.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# Class pages list the public methods written in skimportance (inherited ones included,
# e.g. ``fit`` from the meta-estimators' shared base) plus get_params and set_params.
# The rest of what scikit-learn's base classes bring is not our API and its docstrings
# point into scikit-learn's own User Guide (labels that do not exist here): the
# metadata-routing setters it generates (``set_fit_request``, ...) and ``score`` of
# RegressorMixin / ClassifierMixin, which the meta-estimators inherit as it is.
_SKLEARN_MEMBERS_SHOWN = {"get_params", "set_params"}


def _skip_member(app, what, name, obj, skip, options):
    if what != "class" or skip:
        return skip
    module = getattr(obj, "__module__", None) or ""
    if module.startswith("skimportance") or name in _SKLEARN_MEMBERS_SHOWN:
        return None
    return True


# Sphinx's autosummary cuts a summary at the first ". " that leaves the inline markup
# whole, but its check re-parses the whole first paragraph instead of the cut, so it
# can cut inside a literal: ``(W1 @ W2 @ ... @ WL)`` in ConnectionWeight's summary
# becomes an unterminated literal and a docutils warning (a tooling false positive,
# sphinx/ext/autosummary/__init__.py, extract_summary). This wrapper redoes the cut
# the way Sphinx means it, checking each candidate sentence itself.
def _patch_autosummary_summary():
    from docutils import nodes
    from sphinx.ext import autosummary

    original = autosummary.extract_summary

    def extract_summary(doc, settings):
        summary = original(doc, settings)
        if summary.count("``") % 2 == 0:
            return summary
        stanza = []
        for line in doc:
            if line.strip():
                stanza.append(line)
            elif stanza:
                break
        sentences = autosummary.periods_re.split(" ".join(stanza))
        for i in range(len(sentences)):
            candidate = ". ".join(sentences[: i + 1]).rstrip(".") + "."
            node = autosummary._parse_summary([candidate], settings)
            if candidate.endswith(autosummary.WELL_KNOWN_ABBREVIATIONS):
                continue
            if not any(node.findall(nodes.system_message)) and candidate.count("``") % 2 == 0:
                return candidate
        return summary

    autosummary.extract_summary = extract_summary


_patch_autosummary_summary()


# -- Gallery -----------------------------------------------------------------------------

# docs/ itself, for the gallery's sort key (_sorting.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # The examples are numbered plot_<n>_<name>.py: their number gives their order.
    "within_subsection_order": "_sorting.NumberedKey",
    "doc_module": ("skimportance",),
    # "Examples using X" on the API pages (generated, gitignored).
    "backreferences_dir": "generated/backreferences",
    "log_level": {"backreference_missing": "debug"},
    "remove_config_comments": True,
    "download_all_examples": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,  # a failing example fails the build
    "show_memory": False,
    "min_reported_time": 0,
    # The execution-times pages load jQuery and DataTables from CDNs: the site is offline.
    "write_computation_times": False,
    "image_scrapers": ("matplotlib",),
}

# Examples run with a non-interactive backend and without their own plt.show() windows.
os.environ.setdefault("MPLBACKEND", "Agg")

# The examples fit many small networks in this process. BLAS threads only synchronise on
# such tiny products, and on a shared machine they slow the gallery down several times
# (measured: 33 s -> 4 s for the quick start on two busy cores), so BLAS and OpenMP run
# on one thread for the whole build.
_thread_limits = threadpool_limits(limits=1)

# -- HTML --------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skimportance {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 8,
    "secondary_sidebar_items": ["page-toc"],
}
# Pages without sub-pages: no empty "Section Navigation" sidebar.
html_sidebars = {"index": [], "quickstart": [], "api": [], "architecture": [], "benchmarks": []}
html_show_sourcelink = False


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
