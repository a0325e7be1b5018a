"""Sphinx configuration of fastnn's documentation.

Build: ``pip install -e ".[docs]" && sphinx-build -b html docs docs/_build/html`` (CI adds
``-W --keep-going``). The gallery (``docs/examples/plot_*.py``) is executed at every build by
sphinx-gallery into ``docs/auto_examples/``.
"""

import os
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import fastnn

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The gallery's examples run in this process: give them a quiet progress-less setup.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "fastnn"
author = "the fastnn authors"
copyright = "the fastnn authors, MIT licence"
release = fastnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "examples/*.py", "examples/GALLERY_HEADER.rst"]
templates_path = []
root_doc = "index"
default_role = "literal"  # `x` renders as code, as ``x`` does

# autodoc: each page names the members it documents (no autodoc_default_options: Sphinx 9.0
# lets a default "members" override a directive's own list); members in source order.
autodoc_member_order = "bysource"
autoclass_content = "class"
# numpydoc renders the Parameters / Returns / Attributes sections. Members are listed by
# autodoc's :members: (no autosummary stub pages to generate and keep).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# sphinx-gallery: every docs/examples/plot_*.py is executed at build time; an example that
# raises fails the build.
sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "min_reported_time": 0,
}

html_theme = "pydata_sphinx_theme"
html_title = f"fastnn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"auto_examples/index": []}
html_show_sourcelink = False


class CliHelp(SphinxDirective):
    """``.. fastnn-cli-help:: [train]``: the argparse help of ``fastnn`` (or of a subcommand),
    generated from :mod:`fastnn.cli`'s parser at build time so that it cannot go stale."""

    optional_arguments = 1

    def run(self):
        from fastnn import cli

        os.environ["COLUMNS"] = "100"  # argparse wraps at the terminal width
        parser = cli._parser()
        if self.arguments:
            subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
            parser = subparsers.choices[self.arguments[0]]
        text = parser.format_help()
        node = nodes.literal_block(text, text)
        node["language"] = "text"
        return [node]


class KernelModules(SphinxDirective):
    """``.. fastnn-kernel-modules::``: every module of :mod:`fastnn.kernels` with the first
    paragraph of its docstring, read from the installed package at build time (the kernels
    are reorganised often; this list follows them)."""

    def run(self):
        import importlib
        import inspect
        import pkgutil

        from docutils.statemachine import StringList

        import fastnn.kernels

        names = sorted((m.name for m in pkgutil.iter_modules(fastnn.kernels.__path__)),
                       key=lambda n: (n.startswith("_"), n))
        lines = []
        for name in names:
            doc = inspect.getdoc(importlib.import_module(f"fastnn.kernels.{name}")) or ""
            first = " ".join(doc.split("\n\n")[0].split())
            lines += [f"``fastnn.kernels.{name}``", f"   {first}", ""]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source="fastnn.kernels"), self.content_offset, node)
        return node.children


def setup(app):
    app.add_directive("fastnn-cli-help", CliHelp)
    app.add_directive("fastnn-kernel-modules", KernelModules)
