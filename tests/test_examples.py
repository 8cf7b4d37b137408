"""Every gallery example also runs as a plain script."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _helpers import import_extra

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("**/plot_*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    if "distributed" in script.read_text():
        import_extra("distributed", "dask")
    if "ProgressBar" in script.read_text():
        import_extra("rich", "progress")
    if "from sklearn.callback import" in script.read_text():
        pytest.importorskip("sklearn.callback")  # scikit-learn >= 1.9 only
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_chapter7_example_prints_the_books_numbers(tmp_path):
    script = next(p for p in EXAMPLES if p.name == "plot_textbook_chapter7.py")
    env = dict(os.environ, MPLBACKEND="Agg")
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "train loss 0.20843, test loss 0.26837" in out
    assert "train accuracy 0.92, test accuracy 0.90" in out
    assert (tmp_path / "chapter7.png").stat().st_size > 10_000


def test_grid_search_heat_map_labels_each_cell_with_its_parameters(
    tmp_path, monkeypatch
):
    # The example once reshaped mean_test_score in the wrong order: every
    # cell of the map showed the score of another (n_hidden, learning_rate).
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    script = next(p for p in EXAMPLES if p.name == "plot_grid_search.py")
    example = runpy.run_path(str(script))
    results = example["search"].cv_results_
    checked = 0
    for params, score in zip(
        results["params"], results["mean_test_score"], strict=True
    ):
        i = example["n_hidden"].index(params["backpropclassifier__n_hidden"])
        j = example["learning_rate"].index(params["backpropclassifier__learning_rate"])
        assert example["scores"][i, j] == score
        checked += 1
    assert checked == example["scores"].size


def test_early_stopping_example_shows_clean_over_fitting(tmp_path, monkeypatch):
    # It once trained at learning_rate=2.0 and its curves zig-zagged.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    script = next(p for p in EXAMPLES if p.name == "plot_early_stopping.py")
    clf = runpy.run_path(str(script))["clf"]
    training = np.asarray(clf.loss_curve_)
    validation = np.asarray(clf.validation_loss_curve_)
    best = int(np.argmin(validation))
    assert np.all(np.diff(training) < 0)  # falls every epoch
    assert np.all(np.diff(validation[: best + 1]) < 0)  # falls to its best
    assert np.all(np.diff(validation[best:]) > 0)  # then turns up for good
    assert validation[-1] > validation[best] + 0.05  # and clearly
