"""Where the time of one step of the defaults goes: a mini-batch of Adam.

The defaults train with Adam on shuffled batches of 200 rows. This script
times each piece of one such step in a loop of its own (no profiler: a
profiler's cost per call inflates the many small calls of a step and hides
how little the arithmetic leaves), on the shape of ``speed.py minibatch``
(letter's: 16 features, 26 classes; M=64):

- the batch's rows of X and of the one-hot targets;
- the coordinate maps of ``learning_rate="auto"`` (the weights to raw
  coordinates, the gradient back);
- the objective made on the batch, and its loss and gradient, with what its
  pass cannot do without beside it: the five matrix products alone (the
  pure-GEMM limit of the step), and the three compiled elementwise kernels
  alone;
- Adam's update;
- the epoch loop around the batches;

and the whole step inside a fit (epochs of fits of 3 and 13 epochs, the
difference), on this machine's default BLAS threads. Run from the
repository root::

    python benchmarks/batch_costs.py
"""

import time
import timeit
import warnings

import numpy as np
from _harness import table_header, table_row
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier
from skbackprop._coordinates import StandardisedInputs
from skbackprop._network import Layers, n_weights
from skbackprop._numpy_ops import _kernels
from skbackprop._objective import Objective
from skbackprop._solvers import Adam, MiniBatchEpoch

N, D, M, K, BATCH = 20_000, 16, 64, 26, 200


def microseconds(function, number=2000, repeats=7):
    """Best time of one call over ``repeats`` loops of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=repeats)) / number * 1e6


def data():
    X, y = make_classification(
        n_samples=N,
        n_features=D,
        n_informative=12,
        n_classes=K,
        n_clusters_per_class=1,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def step_in_a_fit(X, y):
    """Microseconds a batch inside fits of the defaults (no held-out part)."""
    warnings.simplefilter("ignore")
    batches = -(-N // BATCH)
    best = np.inf
    for _ in range(5):
        times = []
        for epochs in (3, 13):
            model = BackpropClassifier(
                max_iter=epochs, early_stopping=False, tol=0.0, random_state=0
            )
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
        best = min(best, (times[1] - times[0]) / 10 / batches * 1e6)
    return best


def pieces(X, y):
    """Microseconds of each piece of a step, in a loop of its own."""
    rng = np.random.RandomState(0)
    T = np.eye(K)[y]
    coordinates = StandardisedInputs.of(X, np.ones(N), M, K)
    theta = rng.normal(0, 0.1, n_weights(D, M, K))
    raw = coordinates.to_raw(theta)
    rows = rng.permutation(N)[:BATCH]
    X_batch, T_batch = X[rows], T[rows]
    p = np.full(BATCH, 1.0 / BATCH)
    objective = Objective(X_batch, T_batch, p, 0.0, M)
    gradient = objective.loss_and_gradient(raw)[1].copy()
    times = {
        "rows of X and T": microseconds(lambda: (X[rows], T[rows])),
        "weights to raw coordinates": microseconds(
            lambda: coordinates.to_raw(theta, out=raw)
        ),
        "objective on the batch": microseconds(
            lambda: Objective(X_batch, T_batch, p, 0.0, M)
        ),
        "loss and gradient": microseconds(lambda: objective.loss_and_gradient(raw)),
        "gradient to its coordinates": microseconds(
            lambda: coordinates.gradient(gradient, out=gradient.copy())
        ),
    }
    adam, weights = Adam(0.01), theta.copy()
    adam.step(weights, gradient)
    times["Adam's update"] = microseconds(lambda: adam.step(weights, gradient))
    times["epoch loop, a batch"] = loop_cost()
    inside = {
        "its five matrix products": products(X_batch, raw, objective),
        "its three kernels": kernels(X_batch, raw, objective),
    }
    return times, inside


def products(X_batch, raw, objective):
    """The five products of the pass alone, into buffers: the GEMM limit."""
    layers, gradient = Layers(raw, D, M, K), Layers(objective.gradient, D, M, K)
    Z, A, delta1 = np.empty((BATCH, M)), np.empty((BATCH, K)), np.empty((BATCH, M))

    def five():
        np.matmul(X_batch, layers.W.T, out=Z)
        np.matmul(Z, layers.V.T, out=A)
        np.matmul(A.T, Z, out=gradient.V)
        np.matmul(A, layers.V, out=delta1)
        np.matmul(delta1.T, X_batch, out=gradient.W)

    return microseconds(five)


def kernels(X_batch, raw, objective):
    """The sigmoid, softmax cross entropy and slope of the pass alone."""
    if _kernels is None:
        return float("nan")
    layers, gradient = Layers(raw, D, M, K), Layers(objective.gradient, D, M, K)
    Z = X_batch @ layers.W.T
    A = Z @ layers.V.T
    B, logits, delta1 = Z.copy(), A.copy(), np.empty_like(Z)

    def three():
        B[...] = Z
        _kernels.sigmoid_inplace(B)
        logits[...] = A
        pT, p = objective.pT, objective.p
        _kernels.softmax_cross_entropy(logits, pT, p, gradient.V_bias)
        delta1[...] = Z
        _kernels.times_sigmoid_slope(delta1, B, gradient.W_bias)

    return microseconds(three)


class _NoStep:
    learning_rate = 0.01

    def step(self, theta, gradient):
        pass


def loop_cost():
    """MiniBatchEpoch's own cost a batch: a batch that does nothing."""
    rng = np.random.RandomState(0)
    theta, gradient = np.zeros(n_weights(D, M, K)), np.zeros(n_weights(D, M, K))
    epoch = MiniBatchEpoch(
        lambda weights, rows, p: (1.0, gradient),
        np.ones(N),
        BATCH,
        lambda: rng.permutation(N),
        _NoStep(),
    )
    return microseconds(lambda: epoch(theta), number=20) / -(-N // BATCH)


def main():
    X, y = data()
    whole = step_in_a_fit(X, y)
    times, inside = pieces(X, y)
    shape = f"D={D}, M={M}, K={K}"
    print(f"One step of the defaults: Adam, a batch of {BATCH} rows, {shape}")
    table_header("piece", "microseconds", "share of the step in a fit")
    for name, value in times.items():
        table_row(name, f"{value:.1f}", f"{value / whole:.2f}")
        if name == "loss and gradient":
            for inner, seconds in inside.items():
                table_row(f"- {inner}", f"{seconds:.1f}", f"{seconds / whole:.2f}")
    table_row("sum of the pieces", f"{sum(times.values()):.1f}", "")
    table_row("**the step in a fit**", f"{whole:.1f}", "1.00")


if __name__ == "__main__":
    main()
