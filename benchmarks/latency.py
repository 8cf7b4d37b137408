"""Serving one request at a time: one row and ten rows per call.

A fitted model behind a web service calls ``predict_proba`` on one row. On
such inputs the cost is the checks around the arithmetic, not the arithmetic
itself. This times ``predict``, ``predict_proba`` and ``transform`` of
``BackpropClassifier(n_hidden=64)`` fitted on digits, on 1 and on 10 rows,
against ``MLPClassifier(hidden_layer_sizes=(64,), activation="logistic")``
fitted on the same data (it has no ``transform``), against the same network
in onnxruntime where skl2onnx and onnxruntime are installed (the ``onnx``
extra), and against the forward pass written by hand in NumPy with no check
at all (matmul, expit, a stable softmax: the arithmetic alone, a reference
our checked methods cannot beat by much).

Every contender runs on one thread (``threadpool_limits(1)``; onnxruntime's
intra-op threads set to 1), on the same rows of digits, as float64 (float32
for onnxruntime, which the exported model takes). Each figure is the best of
7 rounds of 300 calls, the contenders alternating round by round, in
microseconds per call. Run from the repository root::

    python benchmarks/latency.py
"""

import warnings

import numpy as np
from _harness import alternate, table_header, table_row
from scipy.special import expit
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skbackprop import BackpropClassifier

CALLS = 300
ROUNDS = 7
TARGETS = {  # ours / MLPClassifier, the targets
    ("predict_proba", 1): 0.25,
    ("predict_proba", 10): 0.30,
}


def fitted_models(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BackpropClassifier(n_hidden=64, random_state=0).fit(X, y)
        mlp = MLPClassifier(
            hidden_layer_sizes=(64,), activation="logistic", random_state=0
        ).fit(X, y)
    return ours, mlp


def by_hand(clf):
    """The forward pass in NumPy, no checks: y = softmax(V h(W x))."""
    (W1, W2), (b1, b2) = clf.coefs_, clf.intercepts_

    def predict_proba(X):
        A = expit(X @ W1 + b1) @ W2 + b2
        A -= A.max(axis=1, keepdims=True)
        Y = np.exp(A)
        return Y / Y.sum(axis=1, keepdims=True)

    return predict_proba


def onnx_session(clf, X):
    """An onnxruntime session of the exported model, or None."""
    try:
        import onnxruntime
        from skl2onnx import to_onnx

        import skbackprop.onnx  # noqa: F401 - registers the converter
    except ImportError:
        return None
    model = to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return session


def repeated(function, X):
    def calls():
        for _ in range(CALLS):
            function(X)

    return calls


def contenders(method, ours, mlp, session, rows):
    functions = {"ours": repeated(getattr(ours, method), rows)}
    if hasattr(mlp, method):
        functions["MLPClassifier"] = repeated(getattr(mlp, method), rows)
    if session is not None and method != "transform":
        output = 1 if method == "predict_proba" else 0
        rows32 = rows.astype(np.float32)

        def run(X):
            return session.run(None, {"X": X})[output]

        functions["onnxruntime"] = repeated(run, rows32)
    if method == "predict_proba":
        functions["NumPy by hand, no checks"] = repeated(by_hand(ours), rows)
    return functions


def measure():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    ours, mlp = fitted_models(X, y)
    session = onnx_session(ours, X)
    results = []
    with threadpool_limits(1):
        for n_rows in (1, 10):
            rows = np.ascontiguousarray(X[100 : 100 + n_rows])
            for method in ("predict", "predict_proba", "transform"):
                functions = contenders(method, ours, mlp, session, rows)
                best = alternate(functions, ROUNDS, statistic=np.min)
                micro = {name: 1e6 * s / CALLS for name, s in best.items()}
                results.append((method, n_rows, micro))
    return results


def main():
    results = measure()
    print("Microseconds per call, best of 7 x 300, one thread each side.")
    table_header(
        "method",
        "rows",
        "ours (us)",
        "MLPClassifier (us)",
        "ours / MLP",
        "target",
        "onnxruntime (us)",
        "NumPy by hand (us)",
    )
    for method, n_rows, micro in results:
        mlp = micro.get("MLPClassifier")
        ratio = f"{micro['ours'] / mlp:.2f}" if mlp else "\\-"
        target = TARGETS.get((method, n_rows))
        cells = [
            method,
            str(n_rows),
            f"{micro['ours']:.1f}",
            f"{mlp:.1f}" if mlp else "\\-",
            ratio,
            f"<= {target}" if target else "\\-",
            f"{micro['onnxruntime']:.1f}" if "onnxruntime" in micro else "\\-",
            (
                f"{micro['NumPy by hand, no checks']:.1f}"
                if "NumPy by hand, no checks" in micro
                else "\\-"
            ),
        ]
        table_row(*cells)


if __name__ == "__main__":
    main()
