"""Which path runs is never silent: missing or broken kernels say so once."""

import importlib
import os
import subprocess
import sys
import types
import warnings

import pytest

import skbackprop
from skbackprop import KernelsWarning, _compiled


def test_missing_kernels_warn_naming_the_cause_and_the_slower_path(monkeypatch):
    monkeypatch.delenv(_compiled.DISABLE_VARIABLE, raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)

    def not_there(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(importlib, "import_module", not_there)
    with pytest.warns(KernelsWarning, match="not built: no C compiler") as record:
        kernels, reason = _compiled.load_kernels()
    assert kernels is None and reason.startswith("not built")
    assert "NumPy and SciPy" in str(record[0].message)
    assert _compiled.DISABLE_VARIABLE in str(record[0].message)


def test_a_broken_build_names_the_file_and_the_error(monkeypatch):
    monkeypatch.delenv(_compiled.DISABLE_VARIABLE, raising=False)
    spec = types.SimpleNamespace(origin="/site-packages/skbackprop/_kernels.so")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)

    def broken(name):
        raise ImportError("undefined symbol: _ZGVdN4v_exp")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.warns(KernelsWarning, match="built but broken.*_kernels.so.*_ZGV"):
        assert _compiled.load_kernels()[0] is None


def test_kernels_turned_off_on_purpose_warn_nothing(monkeypatch):
    monkeypatch.setenv(_compiled.DISABLE_VARIABLE, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kernels, reason = _compiled.load_kernels()
    assert kernels is None and "turned off" in reason


def run_python(code, **environment):
    env = dict(os.environ, **environment)
    return subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_show_config_says_which_path_runs():
    off = run_python(
        "import skbackprop; skbackprop.show_config()",
        SKBACKPROP_DISABLE_KERNELS="1",
    )
    assert off.returncode == 0, off.stderr
    assert "elementwise: NumPy and SciPy" in off.stdout
    assert "turned off by the environment" in off.stdout
    assert "blas:" in off.stdout and "cores:" in off.stdout
    on = run_python(
        "import skbackprop; skbackprop.show_config()", SKBACKPROP_DISABLE_KERNELS=""
    )
    assert on.returncode == 0, on.stderr
    try:
        import skbackprop._kernels  # noqa: F401
    except ImportError:
        pytest.skip("the kernels are not built here")
    assert "elementwise: compiled kernels" in on.stdout
    assert "compiler: " in on.stdout


def test_the_network_runs_the_path_show_config_names(capsys):
    from skbackprop import _numpy_ops

    skbackprop.show_config()
    shown = capsys.readouterr().out
    path = "compiled kernels" if _numpy_ops._kernels else "NumPy and SciPy"
    assert f"elementwise: {path}" in shown
