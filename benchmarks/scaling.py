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
from _harness import (
    EpochFloor,
    large_data,
    ours,
    per_epoch,
    table_header,
    table_row,
)
from threadpoolctl import threadpool_limits

from skbackprop._row_blocks import n_threads


def main():
    X, y = large_data()
    cores = n_threads()
    table_header(
        "threads", "s / epoch", "speed-up", "floor (GEMM + elementwise)", "efficiency"
    )
    one = None
    for threads in sorted({1, cores}):
        with threadpool_limits(limits=threads, user_api="blas"):
            seconds = per_epoch(
                {"ours": lambda epochs: lambda: ours(256, 0.1, epochs).fit(X, y)},
                1,
                5,
                repeats=3,
            )["ours"]
            floor = EpochFloor(*X.shape, 256, 10, np.float64, threads)
        gemm = floor.gemm_operations / floor.gemm_rate
        elementwise = floor.seconds() - gemm
        one = one or seconds
        table_row(
            threads,
            f"{seconds:.3f}",
            f"{one / seconds:.2f}",
            f"{floor.seconds():.3f} ({gemm:.3f} + {elementwise:.3f})",
            f"{floor.seconds() / seconds:.2f}",
        )


if __name__ == "__main__":
    main()
