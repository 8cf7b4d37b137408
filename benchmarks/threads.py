"""Where the blocks of a large fit run, and what it costs.

Per-epoch time of a gd fit on 100,000 x 100 (M = 256, K = 10), four ways, in
this one process, alternating:

* ``main thread``: the fit called from the main thread: the blocks run on the
  pool, BLAS held to one thread (the default there);
* ``calling thread + BLAS threads``: the same, with the blocks forced onto
  the calling thread and BLAS left multithreaded (what a fit called from
  another thread does where OpenBLAS ignores the limit);
* ``pool + BLAS threads (before)``: the pool beside multithreaded BLAS, what
  a fit called from another thread ran into before the limit was checked;
* ``another thread``: the fit called from a non-main thread.

Run from the repository root::

    python benchmarks/threads.py
"""

import threading
import warnings

import numpy as np
from _harness import FULL_BATCH, table_header, table_row, timed

import skbackprop._row_blocks as row_blocks
from skbackprop import BackpropClassifier

RNG = np.random.RandomState(0)
X = RNG.normal(size=(100_000, 100))
Y = RNG.randint(10, size=100_000)


def fit(n_epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        BackpropClassifier(
            n_hidden=256,
            learning_rate=1.0,
            max_iter=n_epochs,
            tol=0,
            random_state=0,
            **FULL_BATCH,
        ).fit(X, Y)


def per_epoch():
    """Seconds per epoch: fits of 1 and 4 epochs, the difference over 3."""
    one = timed(lambda: fit(1))
    return (timed(lambda: fit(4)) - one) / 3


def in_a_thread(function):
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


class _NoLimit:
    def restore_original_limits(self):
        pass


def without_limit(pool):
    """Seconds per epoch with no BLAS limit set (BLAS on its own threads).

    ``pool=False``: the blocks on the calling thread, as a fit from a thread
    whose limit does not hold does now. ``pool=True``: the pool beside BLAS's
    threads, what such a fit ran into before the limit was checked.
    """
    controller = row_blocks._thread_controller()
    held, limit = row_blocks._limit_held, controller.limit
    row_blocks._limit_held = lambda: pool
    controller.limit = lambda **_: _NoLimit()
    try:
        return per_epoch()
    finally:
        row_blocks._limit_held, controller.limit = held, limit


def main():
    ways = {
        "main thread": per_epoch,
        "calling thread + BLAS threads": lambda: without_limit(pool=False),
        "pool + BLAS threads (before)": lambda: without_limit(pool=True),
        "another thread": lambda: in_a_thread(per_epoch),
    }
    times = {name: [] for name in ways}
    for _ in range(3):  # alternating; each way returns its own per-epoch time
        for name, way in ways.items():
            times[name].append(way())
    print(f"threads available: {row_blocks.n_threads()}")
    table_header("fit called from", "seconds per epoch (median of 3)")
    for name, values in times.items():
        table_row(name, f"{np.median(values):.3f}")


if __name__ == "__main__":
    main()
