"""The check that keeps the documentation readable offline (docs/_ext/offline.py,
run by every documentation build)."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "offline", Path(__file__).parents[1] / "docs" / "_ext" / "offline.py"
)
offline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(offline)


def test_remote_scripts_and_stylesheets_are_found(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<script src="_static/mathjax/tex-chtml.js"></script>'
        '<link rel="canonical" href="https://example.org/index.html">'
        '<link rel="stylesheet" href="_static/custom.css">'
    )
    (tmp_path / "sub" / "page.html").write_text(
        '<script defer="defer" src="https://cdn.jsdelivr.net/npm/mathjax@4/tex.js">'
        "</script>"
        '<link href="//fonts.example.org/font.css" rel="stylesheet">'
    )
    assert offline.remote_assets(tmp_path) == {
        str(Path("sub") / "page.html"): [
            "https://cdn.jsdelivr.net/npm/mathjax@4/tex.js",
            "//fonts.example.org/font.css",
        ]
    }
