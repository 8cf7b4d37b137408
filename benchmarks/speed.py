"""Speed of BackpropClassifier against MLPClassifier and the epoch's floor.

Run from the repository root::

    python benchmarks/speed.py            # every workload
    python benchmarks/speed.py textbook   # one of them
    python benchmarks/speed.py minibatch  # the defaults' epoch (Adam)
    python benchmarks/speed.py --json out.json large

Each row times both models (same math, see ``_harness.matching_mlp``; the
minibatch row times each model's defaults instead) in
alternation in this one process and prints medians and ratios, with the
floor of a gd epoch (``_harness.EpochFloor``: its arithmetic at this
machine's peak rates, so that floor / ours is at most 1). MLPClassifier's
times move with the allocator (its temporaries are fresh memory maps under
glibc's default malloc): ``run_all.py`` runs this script twice, with the
default malloc and with ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=...``.
"""

import json
import os
import sys

import numpy as np
from _harness import (
    EpochFloor,
    alternate,
    large_data,
    matching_mlp,
    ours,
    per_epoch,
    quietly,
)
from sklearn.datasets import load_digits, make_classification
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._row_blocks import n_threads


def threads_line():
    """How many threads each side uses, and the allocator setting."""
    blas = max(
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    )
    reuse = os.environ.get("MALLOC_MMAP_MAX_") == "0"
    return (
        f"threads: ours {n_threads()} (row blocks, BLAS 1 each), MLPClassifier "
        f"{blas} (BLAS); malloc: {'reuse' if reuse else 'glibc default'}"
    )


def row(key, workload, unit, seconds, reference, target="", floor=None, note=""):
    """One result: ours, the reference, their ratio, and the floor when known.

    ``key`` names the workload for run_all.py, which puts torch_reference.py's
    ratio for the same key beside it. ``floor`` is an ``EpochFloor``: its
    seconds give the efficiency, and its rates are the note.
    """
    result = {
        "key": key,
        "workload": workload,
        "unit": unit,
        "ours_s": seconds["ours"],
        "reference_s": seconds[reference],
        "reference": reference,
        "ratio": seconds["ours"] / seconds[reference],
        "target": target,
        "note": note,
    }
    if floor is not None:
        result["floor_s"] = floor.seconds()
        result["efficiency"] = result["floor_s"] / seconds["ours"]
        result["note"] = note or floor.describe()
    return result


def textbook():
    X, y = make_textbook_data()
    X, y = X[:100], y[:100]
    seconds = alternate(
        {
            "ours": quietly(lambda: ours(2, 1.0, 1000).fit(X, y)),
            "MLP": quietly(lambda: matching_mlp(2, 1.0, 100, 1000).fit(X, y)),
        },
        repeats=15,
    )
    return [
        row(
            "textbook",
            "textbook, whole fit (1000 gd epochs)",
            "fit",
            seconds,
            "MLP",
            "<= 0.12",
        )
    ]


def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    N = X.shape[0]
    floor = EpochFloor(N, X.shape[1], 64, 10, np.float64, n_threads())
    seconds = per_epoch(
        {
            "ours": lambda epochs: lambda: ours(64, 1.0, epochs).fit(X, y),
            "MLP": lambda epochs: lambda: matching_mlp(64, 1.0, N, epochs).fit(X, y),
        },
        short=30,
        long=300,
        repeats=5,
    )
    rows = [
        row(
            "digits gd",
            "digits gd epoch (M=64)",
            "epoch",
            seconds,
            "MLP",
            "<= 0.40",
            floor=floor,
        )
    ]

    # L-BFGS per iteration: fits of at most 10 and 30 iterations (gtol 0),
    # the difference of the times over the difference of the iterations they
    # ran (L-BFGS-B may stop early on a failed line search), fixed costs
    # cancelled.
    iterations = {}

    def lbfgs(model, name):
        def make(n):
            def fit():
                iterations[name, n] = model(n).fit(X, y).n_iter_

            return fit

        return make

    short, long = 10, 30
    seconds = per_epoch(
        {
            "ours": lbfgs(lambda n: ours(64, 1.0, n, solver="lbfgs"), "ours"),
            "MLP": lbfgs(lambda n: matching_mlp(64, 1.0, N, n, solver="lbfgs"), "MLP"),
        },
        short=short,
        long=long,
        repeats=5,
    )
    for name in ("ours", "MLP"):  # per_epoch divided by long - short
        ran = iterations[name, long] - iterations[name, short]
        seconds[name] *= (long - short) / ran
    note = ", ".join(
        f"{name} {iterations[name, short]} and {iterations[name, long]} iterations"
        for name in ("ours", "MLP")
    )
    rows.append(
        row(
            "digits lbfgs",
            "digits lbfgs iteration (M=64)",
            "iteration",
            seconds,
            "MLP",
            "<= 0.7",
            note=note,
        )
    )
    return rows


def large():
    X, y = large_data()
    X32 = X.astype(np.float32)
    N, M = X.shape[0], 256
    rows = []
    floor = EpochFloor(N, X.shape[1], M, 10, np.float64, n_threads())
    floor32 = EpochFloor(N, X.shape[1], M, 10, np.float32, n_threads())
    seconds = per_epoch(
        {
            "ours": lambda epochs: lambda: ours(M, 0.1, epochs).fit(X, y),
            "MLP": lambda epochs: lambda: matching_mlp(M, 0.1, N, epochs).fit(X, y),
            "ours float32": lambda epochs: lambda: ours(M, 0.1, epochs).fit(X32, y),
        },
        short=1,
        long=6,
        repeats=5,
    )
    rows.append(
        row(
            "large gd float64",
            "large gd epoch, float64 (200k x 100, M=256)",
            "epoch",
            seconds,
            "MLP",
            "<= 0.6, efficiency >= 0.9",
            floor=floor,
        )
    )
    as_float32 = {"ours": seconds["ours float32"], "ours float64": seconds["ours"]}
    rows.append(
        row(
            "large gd float32",
            "large gd epoch, float32",
            "epoch",
            as_float32,
            "ours float64",
            "<= 0.50",
            floor=floor32,
        )
    )

    seconds = alternate(
        {
            "ours": quietly(
                lambda: ours(M, 0.1, 1, solver="sgd", batch_size=256).fit(X, y)
            ),
            "MLP": quietly(lambda: matching_mlp(M, 0.1, 256, 1).fit(X, y)),
        },
        repeats=3,
    )
    rows.append(
        row(
            "large sgd",
            "large sgd epoch, batch 256, float64",
            "epoch",
            seconds,
            "MLP",
            "<= 0.45",
        )
    )
    return rows


def minibatch():
    """The defaults' epoch: Adam on shuffled batches of 200, letter's shape.

    20,000 x 16 inputs, 26 classes, M=64 (the default): an epoch of 100
    small batches, whose fixed costs per batch (taking the rows, the
    coordinate maps, the update) weigh as much as their products. Both
    models run their defaults' solver, batch size and shuffling, without
    a held-out part, so that every epoch is the same work.
    """
    X, y = make_classification(
        n_samples=20_000,
        n_features=16,
        n_informative=12,
        n_classes=26,
        n_clusters_per_class=1,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    N, M = X.shape[0], 64
    floor = EpochFloor(N, X.shape[1], M, 26, np.float64, n_threads())

    def ours_default(epochs):
        model = BackpropClassifier(
            max_iter=epochs, early_stopping=False, tol=0.0, random_state=0
        )
        return lambda: model.fit(X, y)

    def mlp_default(epochs):
        model = MLPClassifier(
            hidden_layer_sizes=(M,), activation="logistic", max_iter=epochs, tol=0.0
        )
        return lambda: model.set_params(random_state=0).fit(X, y)

    seconds = per_epoch(
        {"ours": ours_default, "MLP": mlp_default}, short=2, long=12, repeats=5
    )
    return [
        row(
            "minibatch adam",
            "defaults' epoch, Adam, batches of 200 (20k x 16, M=64, K=26)",
            "epoch",
            seconds,
            "MLP",
            floor=floor,
        )
    ]


def predict():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1_000_000, 100))
    y = np.arange(1_000_000) % 10
    small = slice(0, 2000)
    clf = quietly(lambda: ours(256, 0.1, 1).fit(X[small], y[small]))()
    mlp = quietly(lambda: matching_mlp(256, 0.1, 2000, 1).fit(X[small], y[small]))()
    seconds = alternate(
        {"ours": lambda: clf.predict_proba(X), "MLP": lambda: mlp.predict_proba(X)},
        repeats=3,
    )
    return [
        row(
            "predict_proba",
            "predict_proba 1M x 100 (M=256, K=10)",
            "call",
            seconds,
            "MLP",
            "<= 0.30",
        )
    ]


WORKLOADS = {
    "textbook": textbook,
    "digits": digits,
    "large": large,
    "minibatch": minibatch,
    "predict": predict,
}


def format_row(result):
    floor = ""
    if "floor_s" in result:
        floor = f"{result['floor_s']:.4g} s (efficiency {result['efficiency']:.2f})"
    return (
        f"| {result['workload']} | {result['ours_s']:.4g} s | "
        f"{result['reference']} {result['reference_s']:.4g} s | "
        f"**{result['ratio']:.2f}** | {result['target']} | {floor} | {result['note']} |"
    )


HEADER = (
    "| workload | ours (median) | reference (median) | ours / reference | target "
    "| floor (efficiency = floor / ours) | note |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def main(names):
    print(threads_line())
    print(HEADER)
    results = []
    for name in names:
        for result in WORKLOADS[name]():
            print(format_row(result), flush=True)
            results.append(result)
    return results


if __name__ == "__main__":
    arguments = sys.argv[1:]
    out = None
    if arguments[:1] == ["--json"]:
        out, arguments = arguments[1], arguments[2:]
    results = main(arguments or list(WORKLOADS))
    if out:
        with open(out, "w") as file:
            json.dump({"threads": threads_line(), "rows": results}, file)
