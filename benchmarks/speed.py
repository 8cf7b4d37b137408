"""Speed of BackpropClassifier against MLPClassifier and the GEMM floor.

Run from the repository root::

    python benchmarks/speed.py            # every workload
    python benchmarks/speed.py textbook   # one of them

Each row times both models (same math, see ``_harness.matching_mlp``) in
alternation in this one process and prints medians and ratios.
"""

import sys

import numpy as np
from _harness import EpochFloor, alternate, matching_mlp, per_epoch, quietly
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier, make_textbook_data


def ours(n_hidden, learning_rate, max_iter, **params):
    return BackpropClassifier(
        n_hidden=n_hidden,
        learning_rate=learning_rate,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=False,
        random_state=0,
        **params,
    )


def row(workload, unit, seconds, reference, target="", floor=None, note=""):
    """One result: ours, the reference, their ratio, and the floor when known."""
    result = {
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
        result["floor_s"] = floor
        result["efficiency"] = floor / seconds["ours"]
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
        row("textbook, whole fit (1000 gd epochs)", "fit", seconds, "MLP", "<= 0.25")
    ]


def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    N = X.shape[0]
    floor = EpochFloor(X, 64, 10, np.float64)
    seconds = per_epoch(
        {
            "ours": lambda epochs: lambda: ours(64, 1.0, epochs).fit(X, y),
            "MLP": lambda epochs: lambda: matching_mlp(64, 1.0, N, epochs).fit(X, y),
        },
        short=30,
        long=300,
        repeats=5,
        extra={"floor": lambda: [floor.gemms_and_activations() for _ in range(270)]},
    )
    rows = [
        row(
            "digits gd epoch (M=64)",
            "epoch",
            seconds,
            "MLP",
            "<= 0.55",
            floor=seconds["floor"],
        )
    ]
    epochs = 300

    fitted = {}

    def fit_ours():
        fitted["ours"] = ours(64, 1.0, epochs, solver="lbfgs").fit(X, y)

    def fit_mlp():
        fitted["MLP"] = matching_mlp(64, 1.0, N, epochs, solver="lbfgs").fit(X, y)

    seconds = alternate({"ours": quietly(fit_ours), "MLP": quietly(fit_mlp)}, 5)
    per_iteration = {
        name: seconds[name] / fitted[name].n_iter_ for name in ("ours", "MLP")
    }
    note = f"{fitted['ours'].n_iter_} / {fitted['MLP'].n_iter_} iterations"
    rows.append(
        row(
            "digits lbfgs iteration (M=64)",
            "iteration",
            per_iteration,
            "MLP",
            "<= 0.7",
            note=note,
        )
    )
    return rows


def large_data():
    X, y = make_classification(
        n_samples=200_000,
        n_features=100,
        n_informative=50,
        n_classes=10,
        random_state=0,
    )
    return X, y


def large():
    X, y = large_data()
    X32 = X.astype(np.float32)
    N, M = X.shape[0], 256
    rows = []
    floor = EpochFloor(X, M, 10, np.float64)
    seconds = per_epoch(
        {
            "ours": lambda epochs: lambda: ours(M, 0.1, epochs).fit(X, y),
            "MLP": lambda epochs: lambda: matching_mlp(M, 0.1, N, epochs).fit(X, y),
            "ours float32": lambda epochs: lambda: ours(M, 0.1, epochs).fit(X32, y),
        },
        short=1,
        long=6,
        repeats=5,
        extra={
            "floor": lambda: [floor.gemms_and_activations() for _ in range(5)],
            "gemms": lambda: [floor.gemms() for _ in range(5)],
        },
    )
    rows.append(
        row(
            "large gd epoch, float64 (200k x 100, M=256)",
            "epoch",
            seconds,
            "MLP",
            "<= 0.6, efficiency >= 0.85",
            floor=seconds["floor"],
            note=f"GEMMs alone {seconds['gemms']:.3f} s",
        )
    )
    as_float32 = {"ours": seconds["ours float32"], "ours float64": seconds["ours"]}
    rows.append(
        row("large gd epoch, float32", "epoch", as_float32, "ours float64", "<= 0.55")
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
        row("large sgd epoch, batch 256, float64", "epoch", seconds, "MLP", "<= 0.65")
    )
    return rows


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
        row("predict_proba 1M x 100 (M=256, K=10)", "call", seconds, "MLP", "<= 0.45")
    ]


WORKLOADS = {"textbook": textbook, "digits": digits, "large": large, "predict": predict}


def format_row(result):
    floor = ""
    if "floor_s" in result:
        floor = f"{result['floor_s']:.4g} s (floor / ours {result['efficiency']:.2f})"
    return (
        f"| {result['workload']} | {result['ours_s']:.4g} s | "
        f"{result['reference']} {result['reference_s']:.4g} s | "
        f"**{result['ratio']:.2f}** | {result['target']} | {floor} | {result['note']} |"
    )


HEADER = (
    "| workload | ours (median) | reference (median) | ours / reference | target "
    "| GEMM + activation floor | note |\n| --- | --- | --- | --- | --- | --- | --- |"
)


def main(names):
    print(HEADER)
    results = []
    for name in names:
        for result in WORKLOADS[name]():
            print(format_row(result), flush=True)
            results.append(result)
    return results


if __name__ == "__main__":
    main(sys.argv[1:] or list(WORKLOADS))
