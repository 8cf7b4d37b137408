"""Out-of-the-box accuracy and fit time of the defaults against MLPClassifier.

Both in ``make_pipeline(StandardScaler(), ...)``, default parameters, 5-fold
stratified cross-validation (shuffled, seed 0) on four small scikit-learn data
sets. Prints a markdown table::

    python benchmarks/defaults.py
"""

import warnings

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


def main():
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print(
        "| data set | BackpropClassifier accuracy | MLPClassifier accuracy "
        "| difference (points) | fit time ours / MLP |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        results = {}
        for label, model in (
            ("ours", BackpropClassifier(random_state=0)),
            ("mlp", MLPClassifier(random_state=0)),
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                results[label] = cross_validate(
                    make_pipeline(StandardScaler(), model), X, y, cv=cv
                )
        ours, mlp = results["ours"], results["mlp"]
        accuracy, reference = ours["test_score"].mean(), mlp["test_score"].mean()
        time_ratio = ours["fit_time"].mean() / mlp["fit_time"].mean()
        print(
            f"| {name} | {accuracy:.4f} | {reference:.4f} | "
            f"{100 * (accuracy - reference):+.2f} | {time_ratio:.2f} |"
        )


if __name__ == "__main__":
    main()
