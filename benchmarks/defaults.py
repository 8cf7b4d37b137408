"""Out-of-the-box accuracy and fit time of the defaults against MLPClassifier.

Default parameters, 5-fold stratified cross-validation (shuffled, seed 0) on
four small scikit-learn data sets, twice: on the raw features as loaded, and
in ``make_pipeline(StandardScaler(), ...)``. Prints two markdown tables, and
how many fits of each table warned that they did not learn::

    python benchmarks/defaults.py

Both models run with the machine's default threads, in this one process.
"""

import warnings

from _harness import table_header, table_row, timed
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}


def scores(model, X, y, cv, scaled):
    """Cross-validated results, and the "did not learn" warnings raised."""
    estimator = make_pipeline(StandardScaler(), model) if scaled else model
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        results = cross_validate(estimator, X, y, cv=cv)
    results["not_learned"] = sum("did not learn" in str(w.message) for w in caught)
    return results


def table(scaled):
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    title = "StandardScaler, then the model" if scaled else "raw features"
    print(f"\n{title}\n")
    table_header(
        "data set",
        "BackpropClassifier accuracy",
        "MLPClassifier accuracy",
        "difference (points)",
        "fit time ours / MLP",
        "our fits warned",
    )
    for name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        ours = scores(BackpropClassifier(random_state=0), X, y, cv, scaled)
        mlp = scores(MLPClassifier(random_state=0), X, y, cv, scaled)
        accuracy, reference = ours["test_score"].mean(), mlp["test_score"].mean()
        time_ratio = ours["fit_time"].mean() / mlp["fit_time"].mean()
        table_row(
            name,
            f"{accuracy:.4f}",
            f"{reference:.4f}",
            f"{100 * (accuracy - reference):+.2f}",
            f"{time_ratio:.2f}",
            f"{ours['not_learned']} of 5",
        )


def main():
    seconds = timed(lambda: (table(scaled=False), table(scaled=True)))
    print(f"\n({seconds:.0f} s)")


if __name__ == "__main__":
    main()
