"""What users feel: a whole grid search, ours against MLPClassifier's.

``GridSearchCV`` over ``n_hidden`` [16, 32, 64] x ``learning_rate`` [0.3, 1,
3], 5-fold, on ``make_pipeline(StandardScaler(), BackpropClassifier())`` for
digits (and the same with ``momentum=0.9``), against the same search over
MLPClassifier with its defaults, over
``hidden_layer_sizes`` [16, 32, 64] x ``learning_rate_init`` [0.0003, 0.001,
0.003] (its default 0.001 in the middle, as our 1.0 is). Both searches run
their fits one after another (``n_jobs=None``), each fit on 2 threads (our
row blocks; MLPClassifier's BLAS). Wall time and best score, three rounds,
alternating, medians. Run from the repository root::

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


def searches():
    return {
        "ours": GridSearchCV(
            make_pipeline(StandardScaler(), BackpropClassifier(random_state=0)),
            {
                "backpropclassifier__n_hidden": SIZES,
                "backpropclassifier__learning_rate": [0.3, 1.0, 3.0],
            },
            cv=5,
        ),
        # The same search with heavy-ball momentum: the book's plain step
        # needs 250 to 870 epochs a fit here, momentum 0.9 about a third.
        "ours, momentum=0.9": GridSearchCV(
            make_pipeline(
                StandardScaler(), BackpropClassifier(momentum=0.9, random_state=0)
            ),
            {
                "backpropclassifier__n_hidden": SIZES,
                "backpropclassifier__learning_rate": [0.3, 1.0, 3.0],
            },
            cv=5,
        ),
        "MLP": GridSearchCV(
            make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
            {
                "mlpclassifier__hidden_layer_sizes": [(m,) for m in SIZES],
                "mlpclassifier__learning_rate_init": [0.0003, 0.001, 0.003],
            },
            cv=5,
        ),
    }


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
    for name in ("ours", "ours, momentum=0.9"):
        print(
            f"{name} / MLP: **{medians[name] / medians['MLP']:.2f}** "
            "(target <= 0.25 with a best score >= MLP's)"
        )


if __name__ == "__main__":
    main()
