"""Row blocks: run per-sample work on blocks of rows, on every core.

Large data sets are processed in blocks of rows, so that the (rows, M)
hidden-layer arrays stay small enough to live in cache and the memory of a fit
does not grow with N x M. Blocks run on a thread pool (NumPy and BLAS release
the GIL), with BLAS held to one thread each so that the elementwise work, which
NumPy runs on a single core, is spread over the cores too.

Sums over blocks are deterministic: block ``b`` always adds into lane
``b % N_LANES`` in block order, and the lanes are added in order at the end,
whatever the number of threads. So the same data give bit-identical sums on
one core or many, in a joblib worker or not.
"""

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

# About 2**18 hidden activations per block (2 MiB in float64): measured
# fastest against 2**15 and 2**16 on the 200,000 x 100, M = 256 benchmark.
ELEMENTS_PER_BLOCK = 2**18
# Below this many activations one block on one thread is quicker than
# dispatching to the pool: measured on sgd batches of 256 x 256, which ran
# slower split in four.
MIN_ELEMENTS_TO_SPLIT = 100_000
MIN_ROWS_PER_BLOCK = 64
N_LANES = 4
# Mid-sized data (digits: 1797 x 64 activations) is cut in this many blocks:
# two measured faster than four there, on two cores.
MID_SIZE_BLOCKS = 2

_pool = None
_controller = None
# Guards the pool and the BLAS limit: several user threads may predict at
# once; the first to enter limits BLAS to one thread, the last to leave puts
# the caller's setting back.
_lock = threading.Lock()
_active_calls = 0
_blas_limit = None
_session_threads = 1


def rows_per_block(n_rows, width):
    """Rows in a block, for ``n_rows`` rows whose widest array is ``width``.

    Depends on the data's shape only (never on the number of threads), so
    that results do not either. Mid-sized data is cut into
    ``MID_SIZE_BLOCKS`` blocks so that two cores get work.
    """
    if n_rows * width < MIN_ELEMENTS_TO_SPLIT:
        return max(n_rows, 1)
    by_size = ELEMENTS_PER_BLOCK // max(width, 1)
    by_count = -(-n_rows // MID_SIZE_BLOCKS)
    return max(MIN_ROWS_PER_BLOCK, min(by_size, by_count))


def row_blocks(n_rows, width):
    """The blocks of rows, as slices, for arrays ``width`` columns wide."""
    step = rows_per_block(n_rows, width)
    return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


_scratch = threading.local()


def scratch(name, shape, dtype):
    """A reusable array of this thread's, uninitialised.

    Training calls the same kernel thousands of times on arrays of the same
    shapes; allocating them anew each time costs page faults that, measured
    on the digits benchmark, made a gd epoch a third slower. Each thread
    keeps one array per name, reallocated only when the shape or dtype
    changes, so arrays from here must not outlive the call that asked.
    """
    arrays = _scratch.__dict__
    array = arrays.get(name)
    if array is None or array.shape != shape or array.dtype != dtype:
        array = arrays[name] = np.empty(shape, dtype=dtype)
    return array


def _thread_controller():
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def n_threads():
    """Threads to use: the cores we may run on, capped by the BLAS limit.

    A BLAS limit set by the caller (``threadpoolctl.threadpool_limits``, or
    joblib in its worker processes) is respected; our own one-thread limit,
    while blocks run, is not mistaken for one.
    """
    with _lock:
        if _active_calls > 0:
            return _session_threads
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    blas = [
        lib.num_threads
        for lib in _thread_controller().select(user_api="blas").lib_controllers
    ]
    return max(1, min([cores, *blas]))


def _run(tasks, threads):
    """Call every task, on ``threads`` threads, each block with one-thread BLAS.

    Several blocks always run with BLAS held to one thread, even on one
    thread, because BLAS may round differently with more threads: so a block
    gives the same bits whether it runs alone or beside others.

    The calling thread works too: it and ``threads - 1`` pool threads take
    the tasks in turn from one shared counter, so that handing work to the
    pool (tens of microseconds a wake-up on a virtual machine) happens once
    per thread, not once per task.
    """
    if len(tasks) <= 1:
        return [task() for task in tasks]
    pool = _enter(threads)
    try:
        results = [None] * len(tasks)
        next_task = itertools.count()  # next() on it is atomic under the GIL

        def work():
            while (i := next(next_task)) < len(tasks):
                results[i] = tasks[i]()

        helpers = [pool.submit(work) for _ in range(min(threads, len(tasks)) - 1)]
        try:
            work()
        finally:
            for helper in helpers:  # let every helper finish, even on an error
                helper.exception()
        for helper in helpers:
            helper.result()  # raises a helper's error
        return results
    finally:
        _leave()


@contextmanager
def parallel_session():
    """Hold BLAS to one thread (and the pool ready) for a whole training run.

    Setting and restoring the BLAS limit costs a few hundred microseconds;
    a training loop that runs blocks every epoch enters this once instead of
    once per epoch. The caller's BLAS setting is restored on exit.
    """
    _enter(n_threads())
    try:
        yield
    finally:
        _leave()


def _enter(threads):
    global _pool, _active_calls, _blas_limit, _session_threads
    with _lock:
        helpers = threads - 1  # the calling thread is the other one
        if helpers > 0 and (_pool is None or _pool._max_workers < helpers):
            _pool = ThreadPoolExecutor(max_workers=helpers)
        if _active_calls == 0:
            _blas_limit = _thread_controller().limit(limits=1, user_api="blas")
            _session_threads = threads
        _active_calls += 1
        return _pool


def _leave():
    global _active_calls, _blas_limit
    with _lock:
        _active_calls -= 1
        if _active_calls == 0:
            _blas_limit.restore_original_limits()
            _blas_limit = None


def sum_over_blocks(block_function, n_rows, width, out):
    """Sum ``block_function`` over the row blocks, deterministically.

    Parameters
    ----------
    block_function : callable
        ``(rows, buffer) -> float``: writes the block's array contribution
        into ``buffer`` (overwriting it) and returns its scalar contribution.

    n_rows : int
        Number of rows N.

    width : int
        Widest per-row array of a block (sets the block size).

    out : ndarray
        Receives the summed array contributions (overwritten).

    Returns
    -------
    total : float
        The sum of the scalar contributions.
    """
    if n_rows <= rows_per_block(n_rows, width):
        return block_function(slice(0, n_rows), out)
    blocks = row_blocks(n_rows, width)
    n_lanes = min(N_LANES, len(blocks))
    sums = [out] + [np.empty_like(out) for _ in range(n_lanes - 1)]

    def lane_task(lane):
        def task():
            total = 0.0
            block_sum = None
            for i, rows in enumerate(blocks[lane::n_lanes]):
                if i == 0:
                    total += block_function(rows, sums[lane])
                    continue
                if block_sum is None:
                    block_sum = np.empty_like(out)
                total += block_function(rows, block_sum)
                sums[lane] += block_sum
            return total

        return task

    totals = _run([lane_task(lane) for lane in range(n_lanes)], n_threads())
    for lane_sum in sums[1:]:
        out += lane_sum
    return float(sum(totals))


def map_over_blocks(block_function, n_rows, width, out):
    """Fill ``out`` block by block: ``block_function(rows, out[rows])``."""
    blocks = row_blocks(n_rows, width)

    def task(rows):
        return lambda: block_function(rows, out[rows])

    _run([task(rows) for rows in blocks], n_threads())
    return out
