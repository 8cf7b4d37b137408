"""How a large gd epoch scales with threads, against its floor at each count.

The large workload (200,000 x 100, M = 256, K = 10, float64) fitted with the
row blocks on 1 thread and on every core, under ``threadpoolctl`` limits;
beside each, the epoch's floor at that many threads (``_harness.EpochFloor``:
its GEMM operations at the peak GEMM rate of that many threads, its sigmoids
and exps at the kernels' rate times the threads) and the floor's two parts.
Run from the repository root::

    python benchmarks/scaling.py
"""

import numpy as np
from _harness import EpochFloor, per_epoch
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

from skbackprop import BackpropClassifier
from skbackprop._row_blocks import n_threads


def fit(X, y, epochs):
    return lambda: BackpropClassifier(
        n_hidden=256, learning_rate=0.1, max_iter=epochs, tol=0.0, random_state=0
    ).fit(X, y)


def main():
    X, y = make_classification(
        n_samples=200_000,
        n_features=100,
        n_informative=50,
        n_classes=10,
        random_state=0,
    )
    cores = n_threads()
    print(
        "| threads | s / epoch | speed-up | floor (GEMM + elementwise) | efficiency |"
    )
    print("| --- | --- | --- | --- | --- |")
    one = None
    for threads in sorted({1, cores}):
        with threadpool_limits(limits=threads, user_api="blas"):
            seconds = per_epoch(
                {"ours": lambda epochs: fit(X, y, epochs)}, 1, 5, repeats=3
            )["ours"]
            floor = EpochFloor(*X.shape, 256, 10, np.float64, threads)
        gemm = floor.gemm_operations / floor.gemm_rate
        elementwise = floor.seconds() - gemm
        one = one or seconds
        print(
            f"| {threads} | {seconds:.3f} | {one / seconds:.2f} | "
            f"{floor.seconds():.3f} ({gemm:.3f} + {elementwise:.3f}) | "
            f"{floor.seconds() / seconds:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
