"""Where the time of an epoch goes, line by line of the math core.

Needs line_profiler (``pip install line_profiler``). From the repository
root::

    python benchmarks/profile_epoch.py textbook   # N=100, D=2, M=2, K=3
    python benchmarks/profile_epoch.py digits     # N=1797, D=64, M=64, K=10
    python benchmarks/profile_epoch.py batch      # one sgd batch, 256 x 100, M=256

Prints the share of the time of ``Objective.loss_and_gradient`` spent on each
line of ``backpropagate`` and of the forward layers, over repeated calls on
one thread.
"""

import sys

import numpy as np
from line_profiler import LineProfiler
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler

import skbackprop._network as network
from skbackprop import make_textbook_data
from skbackprop._objective import Objective


def problem(name):
    if name == "textbook":
        X, y = make_textbook_data()
        return X[:100], y[:100], 2, 3, 3000
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return StandardScaler().fit_transform(X), y, 64, 10, 200
    X, y = make_classification(
        n_samples=256, n_features=100, n_informative=50, n_classes=10, random_state=0
    )
    return X, y, 256, 10, 500


def main(name):
    X, y, M, K, calls = problem(name)
    T = np.eye(K)[y]
    p = np.full(len(y), 1 / len(y))
    theta = np.random.RandomState(0).uniform(
        -0.1, 0.1, network.n_weights(X.shape[1], M, K)
    )
    training = Objective(X, T, p, 0.0, M)
    profiler = LineProfiler(
        network.backpropagate, network.hidden_layer, network.output_logits
    )
    profiled = profiler(training.loss_and_gradient)
    for _ in range(calls):
        profiled(theta)
    profiler.print_stats(output_unit=1e-6, stripzeros=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "digits")
