"""What users feel: a whole grid search, ours against MLPClassifier's.

``GridSearchCV(..., cv=5)`` on digits, each model in
``make_pipeline(StandardScaler(), model)`` with its defaults and
``random_state=0``; ``cv=5`` on a classifier is scikit-learn's
``StratifiedKFold(5)``, unshuffled. The grids:

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
  ``learning_rate_init`` [0.001, 0.01, 0.1].

Every search runs its fits one after another (``n_jobs=None``), each fit on
2 threads (our row blocks; MLPClassifier's BLAS). Wall time and best score,
three rounds, alternating, medians. Run from the repository root::

    python benchmarks/grid_search.py
"""

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
MLP_GRIDS = {
    "MLP, learning_rate_init [3e-4, 1e-3, 3e-3]": [0.0003, 0.001, 0.003],
    "MLP, learning_rate_init [1e-3, 1e-2, 1e-1]": [0.001, 0.01, 0.1],
}


def our_search(**settings):
    return GridSearchCV(
        make_pipeline(StandardScaler(), BackpropClassifier(random_state=0, **settings)),
        {
            "backpropclassifier__n_hidden": SIZES,
            "backpropclassifier__learning_rate": OUR_STEPS,
        },
        cv=5,
    )


def searches():
    found = {OURS: our_search(), OURS_L2: our_search(l2=1e-4)}
    for name, steps in MLP_GRIDS.items():
        found[name] = GridSearchCV(
            make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
            {
                "mlpclassifier__hidden_layer_sizes": [(m,) for m in SIZES],
                "mlpclassifier__learning_rate_init": steps,
            },
            cv=5,
        )
    return found


def main():
    X, y = load_digits(return_X_y=True)
    fitted = searches()

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


if __name__ == "__main__":
    main()
