"""The weights of reference fits, bit for bit, where they were recorded.

A change to the training path that means to compute the same thing (a
refactoring, a new seam) must leave every fit's weights unchanged to the
last bit. This module fits digits in the ways that take different routes
(gd, sgd, lbfgs, momentum with early stopping, float32, sparse, many row
blocks, a warm start, partial_fit, the book's run, and the defaults) and compares the
SHA-256 of each fit's weights with ``fingerprints.json``.

Bit equality holds only for the same operations in the same order: another
NumPy, BLAS build, CPU, thread count or the kernels switched off round
differently. So the digests are recorded per environment (its key says
which), and the test skips where no digest was recorded for the environment
it runs in. Record them, before a change, with::

    python tests/test_fingerprints.py --record

and run the tests after it: a digest that moved is a fit that changed.
"""

import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import quietly
from sklearn.datasets import load_digits
from test_textbook import book_classifier
from threadpoolctl import threadpool_info

import skbackprop._numpy_ops as numpy_ops
import skbackprop._row_blocks as row_blocks
from skbackprop import BackpropClassifier, make_textbook_data

RECORDED = Path(__file__).with_name("fingerprints.json")


def environment():
    """What the rounding depends on: NumPy, BLAS, CPU, threads, kernels."""
    blas = sorted(
        f"{info['internal_api']} {info['version']} {info.get('architecture')}"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    )
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line for line in cpuinfo if line.startswith("model name"))
            cpu = cpu.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    return " | ".join(
        [
            f"numpy {np.__version__}",
            *blas,
            cpu,
            f"{row_blocks.n_threads()} threads",
            "kernels" if numpy_ops._kernels is not None else "no kernels",
        ]
    )


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


# The defaults when the digests were first recorded, spelled out so that a
# change of the defaults does not move them.
RECORDED_DEFAULTS = dict(
    solver="gd",
    batch_size=200,
    init="glorot",
    n_iter_no_change=10,
    early_stopping=False,
    tol=1e-4,
)


def fit(params, X, y, **fit_params):
    settings = {**RECORDED_DEFAULTS, **params}
    return BackpropClassifier(n_hidden=16, random_state=0, **settings).fit(
        X, y, **fit_params
    )


def warm_start(X, y):
    clf = fit(dict(max_iter=10, tol=0, warm_start=True), X, y)
    return clf.fit(X, y)


def partial_fit(X, y):
    clf = BackpropClassifier(
        n_hidden=16, random_state=0, momentum=0.5, **RECORDED_DEFAULTS
    )
    for _ in range(2):
        for rows in np.array_split(np.arange(X.shape[0]), 3):
            clf.partial_fit(X[rows], y[rows], classes=np.unique(y))
    return clf


def many_blocks(X, y):
    saved = row_blocks.ELEMENTS_PER_BLOCK, row_blocks.MIN_ELEMENTS_TO_SPLIT
    row_blocks.ELEMENTS_PER_BLOCK, row_blocks.MIN_ELEMENTS_TO_SPLIT = 4096, 0
    try:
        return fit(dict(max_iter=20, tol=0), X, y)
    finally:
        row_blocks.ELEMENTS_PER_BLOCK, row_blocks.MIN_ELEMENTS_TO_SPLIT = saved


def book(_X, _y):
    X, y = make_textbook_data()
    return book_classifier(1.0).fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:])


FITS = {
    "gd": lambda X, y: fit(dict(max_iter=30, tol=0), X, y),
    "sgd": lambda X, y: fit(dict(solver="sgd", batch_size=64, max_iter=5), X, y),
    "lbfgs": lambda X, y: fit(dict(solver="lbfgs", max_iter=30), X, y),
    "momentum, early stopping": lambda X, y: fit(
        dict(solver="sgd", momentum=0.9, early_stopping=True, max_iter=8), X, y
    ),
    "float step, l2": lambda X, y: fit(
        dict(learning_rate=0.5, l2=1e-3, max_iter=30, tol=0), X, y
    ),
    "float32": lambda X, y: fit(dict(max_iter=30, tol=0), X.astype(np.float32), y),
    "sparse": lambda X, y: fit(dict(max_iter=30, tol=0), sp.csr_matrix(X), y),
    "many blocks": many_blocks,
    "warm start": warm_start,
    "partial_fit": partial_fit,
    "book": book,
    "the defaults (adam)": lambda X, y: BackpropClassifier(
        n_hidden=16, max_iter=5, tol=0, random_state=0
    ).fit(X, y),
}


def digests():
    X, y = digits()
    return {
        name: hashlib.sha256(quietly(make, X, y)._theta.tobytes()).hexdigest()
        for name, make in FITS.items()
    }


def recorded():
    if not RECORDED.exists():
        return {}
    return json.loads(RECORDED.read_text()).get(environment(), {})


@pytest.fixture(scope="module")
def now():
    return digests()


@pytest.mark.parametrize("name", FITS)
def test_weights_are_those_recorded(name, now):
    expected = recorded()
    if name not in expected:
        pytest.skip(f"no digest recorded for this environment: {environment()}")
    assert now[name] == expected[name], f"the {name} fit changed"


def record():
    """Add this environment's digests to fingerprints.json."""
    table = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
    table[environment()] = digests()
    RECORDED.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(table[environment()])} digests for {environment()}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
