"""Shared pieces of the benchmarks: timing, the matching MLPClassifier, floors."""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

# The floor uses the quickest sigmoid there is here: the compiled one when
# built, SciPy's expit otherwise.
from skbackprop._network import sigmoid


def alternate(functions, repeats):
    """Median seconds of each function, the functions run in turn each round.

    Alternating the contenders round by round spreads any slowdown of a shared,
    noisy machine over all of them instead of one.
    """
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def per_epoch(make_fit, short, long, repeats, extra=None):
    """Seconds per epoch of each contender, fixed costs cancelled.

    ``make_fit[name](n_epochs)`` returns a function fitting ``n_epochs``;
    each contender fits ``short`` and ``long`` epochs (all in alternation)
    and the per-epoch time is the difference of the medians over
    ``long - short``. ``extra`` functions are timed once per round and
    divided by ``long - short`` too.
    """
    functions = {}
    for name, make in make_fit.items():
        functions[(name, "short")] = quietly(make(short))
        functions[(name, "long")] = quietly(make(long))
    for name, function in (extra or {}).items():
        functions[(name, "extra")] = function
    seconds = alternate(functions, repeats)
    epochs = long - short
    result = {
        name: (seconds[(name, "long")] - seconds[(name, "short")]) / epochs
        for name in make_fit
    }
    for name in extra or {}:
        result[name] = seconds[(name, "extra")] / epochs
    return result


def quietly(function):
    """The function, with ConvergenceWarning silenced (runs end at max_iter)."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return function()

    return run


def matching_mlp(n_hidden, learning_rate, batch_size, max_iter, solver="sgd"):
    """MLPClassifier set up for the same math as BackpropClassifier.

    One logistic hidden layer, no penalty, no momentum, constant step,
    no shuffling and no early stop.
    """
    return MLPClassifier(
        hidden_layer_sizes=(n_hidden,),
        activation="logistic",
        solver=solver,
        alpha=0.0,
        momentum=0.0,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        batch_size=batch_size,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10**9,
        max_iter=max_iter,
        max_fun=10**9,
        random_state=0,
    )


class EpochFloor:
    """The matrix products of one full-batch epoch, on preallocated buffers.

    ``gemms`` runs the two forward products (X W^T, Z V^T), the two weight
    gradients (delta2^T Z, delta1^T X) and the delta propagation
    (delta2 V); ``gemms_and_activations`` adds the sigmoid over the N x M
    hidden layer (the compiled one of ``skbackprop._kernels``, four to five
    times quicker than SciPy's ``expit``) and the softmax over the N x K
    outputs, all on one thread except BLAS.
    """

    def __init__(self, X, M, K, dtype):
        rng = np.random.RandomState(0)
        N, D = X.shape
        self.X = np.ascontiguousarray(X, dtype=dtype)
        self.W = rng.uniform(-0.1, 0.1, (M, D)).astype(dtype)
        self.V = rng.uniform(-0.1, 0.1, (K, M)).astype(dtype)
        self.Z = np.empty((N, M), dtype)
        self.A = np.empty((N, K), dtype)
        self.S = np.empty((N, 1), dtype)
        self.dW = np.empty((M, D), dtype)
        self.dV = np.empty((K, M), dtype)

    def gemms(self):
        np.matmul(self.X, self.W.T, out=self.Z)
        np.matmul(self.Z, self.V.T, out=self.A)
        np.matmul(self.A.T, self.Z, out=self.dV)
        np.matmul(self.A, self.V, out=self.Z)
        np.matmul(self.Z.T, self.X, out=self.dW)

    def gemms_and_activations(self):
        np.matmul(self.X, self.W.T, out=self.Z)
        sigmoid(self.Z)
        np.matmul(self.Z, self.V.T, out=self.A)
        np.exp(self.A, out=self.A)
        np.sum(self.A, axis=1, keepdims=True, out=self.S)
        np.divide(self.A, self.S, out=self.A)
        np.matmul(self.A.T, self.Z, out=self.dV)
        np.matmul(self.A, self.V, out=self.Z)
        np.matmul(self.Z.T, self.X, out=self.dW)
