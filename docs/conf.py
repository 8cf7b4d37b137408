"""Sphinx configuration for skbackprop (built offline, warnings as errors)."""

import os
import sys
from datetime import date

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))

import skbackprop  # noqa: E402

project = "skbackprop"
author = "the skbackprop developers"
copyright = f"{date.today().year}, {author}"
release = skbackprop.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax bundled into _static: no CDN
    "offline",  # fails the build if a page loads anything from the network
    "solver_table",  # the user guide's table of solvers, from the registry
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

autosummary_generate = True
autodoc_default_options = {}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    # The computation-times page loads jQuery and DataTables from CDNs.
    "write_computation_times": False,
}

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False

html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "sg_execution_times.rst"]
# The built site reads offline: MathJax is bundled (sphinx-mathjax-offline)
# and docs/_ext/offline.py fails the build if any page loads a remote script.
