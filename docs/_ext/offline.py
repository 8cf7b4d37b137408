"""A Sphinx extension: the built site must read offline.

After a build it scans every HTML page for a ``<script src=...>`` or a
stylesheet ``<link href=...>`` on another host and fails the build, naming
the pages, if it finds one (a student reading along with the book may have no
network). MathJax itself is bundled by ``sphinx-mathjax-offline``.
"""

import re
from pathlib import Path

# src or href values that leave the site: a scheme or a protocol-relative URL
_REMOTE = re.compile(
    r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']((?:[a-z][a-z0-9+.-]*:)?//[^\"']+)",
    re.IGNORECASE,
)
_STYLESHEET_OR_SCRIPT = re.compile(r"<script\b|rel\s*=\s*[\"']stylesheet", re.I)


def remote_assets(html_dir):
    """The scripts and stylesheets the pages under ``html_dir`` load from
    other hosts, as ``{page: [url, ...]}``."""
    found = {}
    for page in sorted(Path(html_dir).rglob("*.html")):
        urls = []
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", page.read_text("utf-8")):
            if not _STYLESHEET_OR_SCRIPT.search(tag):
                continue  # a <link rel="canonical"> and the like load nothing
            match = _REMOTE.search(tag)
            if match:
                urls.append(match.group(1))
        if urls:
            found[str(page.relative_to(html_dir))] = urls
    return found


def _check(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.errors import ExtensionError

    found = remote_assets(app.outdir)
    if found:
        listing = "; ".join(
            f"{page}: {', '.join(urls)}" for page, urls in found.items()
        )
        raise ExtensionError(
            f"pages load scripts or styles from the network: {listing}"
        )


def setup(app):
    app.connect("build-finished", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
