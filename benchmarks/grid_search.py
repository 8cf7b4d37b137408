"""What users feel: a whole grid search, ours against MLPClassifier's.

``GridSearchCV(..., cv=5)`` on digits, each model in
``make_pipeline(StandardScaler(), model)`` with its defaults and
``random_state=0`` (``--seed s``: ``random_state=s``); ``cv=5`` on a
classifier is scikit-learn's ``StratifiedKFold(5)``, unshuffled. The grids:

- ours: ``n_hidden`` [16, 32, 64] x ``learning_rate`` [0.003, 0.01, 0.03]
  (the step of the default solver, Adam; ``"auto"`` steps 0.01 on
  standardised features, in the middle);
- ours again with ``l2=1e-4``, the one default changed: the defaults carry
  no penalty (the book's objective), MLPClassifier's ``alpha=1e-4`` does
  (divided by the rows: on a fold of 1,437 rows our ``l2=1e-4`` is 144
  times as strong);
- MLPClassifier, the grid around its default step: ``hidden_layer_sizes``
  [16, 32, 64] x ``learning_rate_init`` [0.0003, 0.001, 0.003];
- MLPClassifier, the grid users often write: the same sizes x
  ``learning_rate_init`` [0.001, 0.01, 0.1];
- MLPClassifier with sigmoid hidden units (``activation="logistic"``), the
  book's network under MLPClassifier's training, on the first grid: how much
  of the gap in best score is the ReLU units rather than the training
  (``benchmarks/activation.py`` asks the same on the real tables).

Every search runs its fits one after another (``n_jobs=None``), each fit on
2 threads (our row blocks; MLPClassifier's BLAS). Wall time and best score,
three rounds, alternating, medians. Run from the repository root::

    python benchmarks/grid_search.py
    python benchmarks/grid_search.py --seed 1
"""

import argparse
import warnings

from _harness import alternate, table_header, table_row
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

SIZES = [16, 32, 64]
OUR_STEPS = [0.003, 0.01, 0.03]
OURS = "ours, learning_rate [0.003, 0.01, 0.03]"
OURS_L2 = "ours with l2=1e-4, the same grid"
AROUND_MLP_DEFAULT = [0.0003, 0.001, 0.003]
MLP_GRIDS = {
    "MLP, learning_rate_init [3e-4, 1e-3, 3e-3]": AROUND_MLP_DEFAULT,
    "MLP, learning_rate_init [1e-3, 1e-2, 1e-1]": [0.001, 0.01, 0.1],
}
MLP_SIGMOID = "MLP with sigmoid units, learning_rate_init [3e-4, 1e-3, 3e-3]"


def our_search(seed, **settings):
    return GridSearchCV(
        make_pipeline(
            StandardScaler(), BackpropClassifier(random_state=seed, **settings)
        ),
        {
            "backpropclassifier__n_hidden": SIZES,
            "backpropclassifier__learning_rate": OUR_STEPS,
        },
        cv=5,
    )


def mlp_search(seed, steps, activation="relu"):
    return GridSearchCV(
        make_pipeline(
            StandardScaler(), MLPClassifier(activation=activation, random_state=seed)
        ),
        {
            "mlpclassifier__hidden_layer_sizes": [(m,) for m in SIZES],
            "mlpclassifier__learning_rate_init": steps,
        },
        cv=5,
    )


def searches(seed):
    found = {OURS: our_search(seed), OURS_L2: our_search(seed, l2=1e-4)}
    for name, steps in MLP_GRIDS.items():
        found[name] = mlp_search(seed, steps)
    found[MLP_SIGMOID] = mlp_search(seed, AROUND_MLP_DEFAULT, activation="logistic")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seed", type=int, default=0, help="random_state of every model (default 0)"
    )
    arguments = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    fitted = searches(arguments.seed)

    def search_with(search):
        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                search.fit(X, y)

        return run

    medians = alternate({name: search_with(s) for name, s in fitted.items()}, 3)
    table_header(
        "search", "wall time (median of 3)", "best 5-fold score", "best parameters"
    )
    for name, seconds in medians.items():
        search = fitted[name]
        table_row(
            name, f"{seconds:.1f} s", f"{search.best_score_:.4f}", search.best_params_
        )
    for ours in (OURS, OURS_L2):
        for name in MLP_GRIDS:
            print(
                f"{ours} / {name}: time **{medians[ours] / medians[name]:.2f}**, "
                f"best score {fitted[ours].best_score_:.4f} against "
                f"{fitted[name].best_score_:.4f}"
                + (" (target: time <= 0.25, best >= MLP's)" if ours == OURS else "")
            )
    print(
        f"{OURS} / {MLP_SIGMOID}: best score {fitted[OURS].best_score_:.4f} "
        f"against {fitted[MLP_SIGMOID].best_score_:.4f}"
    )


if __name__ == "__main__":
    main()
