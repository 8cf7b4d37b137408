"""The sdist: what it carries, and an install of it with no C compiler.

Where no compiler works the package installs without its kernels, says so
on import, and computes on the NumPy path. Slow (it builds and installs into a
fresh environment, fetching setuptools for the isolated builds from the
package index); CI has ``build`` from the test extra and runs it.
"""

import os
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

if os.environ.get("CI"):
    import build  # noqa: F401 - must be installed in CI
pytest.importorskip("build")

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "-o", out],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("skbackprop-*.tar.gz"))


def test_the_sdist_carries_the_tests_helpers_examples_and_sources(sdist):
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for expected in (
        "setup.py",
        "pyproject.toml",
        "skbackprop/_kernels.c",
        "skbackprop/_vector_exp.h",
        "tests/conftest.py",
        "tests/_helpers.py",
        "tests/test_textbook.py",
        "examples/plot_textbook_chapter7.py",
        "examples/README.rst",
    ):
        assert expected in names, expected


def test_installs_without_a_compiler_and_trains_on_the_numpy_path(sdist, tmp_path):
    environment = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", environment], check=True, timeout=120)
    python = environment / "bin" / "python"
    # NumPy, SciPy, scikit-learn and pytest from this environment, by a plain
    # path: not --system-site-packages, whose .pth files would bring this
    # checkout's editable skbackprop (and its built kernels) along.
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site_packages, "dependencies.pth").write_text(ours + "\n")
    no_compiler = dict(os.environ, CC="false", CXX="false", LDSHARED="false")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", sdist],
        env=no_compiler,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    source = next((tmp_path / "src").iterdir())
    checks = subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_textbook.py",
        ]
        + ["tests/test_network.py", "-W", "ignore::skbackprop.KernelsWarning"],
        cwd=source,
        env=dict(os.environ, PYTHONSAFEPATH="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checks.returncode == 0, checks.stdout[-3000:] + checks.stderr[-3000:]
    where = subprocess.run(
        [python, "-c", "import skbackprop; print(skbackprop.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert str(environment) in where.stdout  # the sdist's install, not ours
    assert "KernelsWarning" in where.stderr and "not built" in where.stderr
