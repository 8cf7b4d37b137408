"""Shared pieces of the benchmarks: timing, the matching MLPClassifier, floors."""

import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skbackprop import BackpropClassifier


def alternate(functions, repeats, statistic=np.median):
    """Seconds of each function, the functions run in turn each round.

    Alternating the contenders round by round spreads any slowdown of a shared,
    noisy machine over all of them instead of one. ``statistic`` reduces each
    function's ``repeats`` times: the median, or ``np.min`` for the best.
    """
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: float(statistic(values)) for name, values in times.items()}


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


# What the speed workloads were written for: the book's full-batch steps
# from Glorot's weights, on every row. The defaults (Adam, held-out rows)
# are other work an epoch; a workload that times them says so.
FULL_BATCH = {"solver": "gd", "init": "glorot", "early_stopping": False}


def ours(n_hidden, learning_rate, max_iter, **params):
    """BackpropClassifier for timing: fixed epochs, no shuffling, seed 0.

    gd unless ``params`` name another solver, from Glorot's weights,
    trained on all the rows (``FULL_BATCH``), as the MLPClassifier of
    :func:`matching_mlp`.
    """
    return BackpropClassifier(
        n_hidden=n_hidden,
        learning_rate=learning_rate,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=False,
        random_state=0,
        **{**FULL_BATCH, **params},
    )


def large_data():
    """The large workload's data: 200,000 x 100, ten classes."""
    return make_classification(
        n_samples=200_000,
        n_features=100,
        n_informative=50,
        n_classes=10,
        random_state=0,
    )


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
    """What an epoch cannot beat on this machine: its arithmetic at peak rates.

    An epoch of gd on N x D inputs (M hidden units, K classes) does
    4NDM + 6NMK floating-point operations in its five matrix products (X W^T
    and Z V^T forward; delta2^T Z, delta2 V and delta1^T X back), N M
    sigmoids and N K exps. Its floor is

        (GEMM operations) / (peak GEMM rate)
        + N M / (sigmoid rate) + N K / (exp rate),

    each rate the best this machine reaches: the GEMM rate of a large square
    product on all cores (more than any of the epoch's thinner products
    reaches), the compiled kernels' rates on cache-resident arrays, one
    thread times the cores (the row blocks run them on every core). The
    loss, the slope, the bias sums and the update are left out, so every
    real epoch is slower: efficiency = floor / ours is at most 1 by
    construction.
    """

    def __init__(self, N, D, M, K, dtype, threads):
        self.N, self.D, self.M, self.K = N, D, M, K
        self.dtype = np.dtype(dtype)
        self.threads = threads
        self.gemm_rate = peak_gemm_rate(self.dtype)
        self.sigmoid_rate = threads * cache_resident_rate("sigmoid", self.dtype)
        self.exp_rate = threads * cache_resident_rate("exp", self.dtype)

    @property
    def gemm_operations(self):
        N, D, M, K = self.N, self.D, self.M, self.K
        return 4 * N * D * M + 6 * N * M * K

    def seconds(self):
        """The floor of one epoch, in seconds."""
        return (
            self.gemm_operations / self.gemm_rate
            + self.N * self.M / self.sigmoid_rate
            + self.N * self.K / self.exp_rate
        )

    def describe(self):
        return (
            f"peak GEMM {self.gemm_rate / 1e9:.1f} GFLOP/s, sigmoid "
            f"{self.sigmoid_rate / 1e9:.2f} G/s, exp {self.exp_rate / 1e9:.2f} G/s "
            f"({self.threads} threads)"
        )


def peak_gemm_rate(dtype, size=2048, repeats=5):
    """Floating-point operations a second of a square GEMM, all BLAS threads."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal((size, size)).astype(dtype)
    out = np.empty((size, size), dtype)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * size**3 / best


def cache_resident_rate(kernel, dtype, size=32_768, repeats=200):
    """Values a second of a compiled kernel on one thread, inputs in cache.

    Every call gets fresh inputs (a copy of the same values, made outside
    the timing), so that no call runs on the previous call's output.
    """
    from skbackprop import _kernels

    function = {"sigmoid": _kernels.sigmoid_inplace, "exp": _kernels.exp_inplace}
    source = np.random.default_rng(1).normal(scale=3, size=size).astype(dtype)
    if kernel == "exp":
        source -= 10  # as the softmax's a - max: at most 0
    work = source.copy()
    best = np.inf
    for _ in range(repeats):
        work[...] = source
        best = min(best, _timed(lambda: function[kernel](work)))
    return size / best


def _timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def table_header(*header):
    """Print the header line of a Markdown table and its rule.

    Every benchmark prints its results as Markdown tables, row by row as
    they come (:func:`table_row`), so that they paste into the docs and the
    README as they are.
    """
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header), flush=True)


def table_row(*cells):
    """Print one row of a Markdown table, at once."""
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def timed(function):
    """Seconds one call of ``function`` takes (its result dropped)."""
    return _timed(function)
