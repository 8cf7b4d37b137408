"""Row blocks: run per-sample work on blocks of rows, on every core.

Large data sets are processed in blocks of rows, so that the (rows, M)
hidden-layer arrays stay small enough to live in cache and the memory of a fit
does not grow with N x M. Blocks run on a thread pool (NumPy and BLAS release
the GIL), with BLAS held to one thread each so that the elementwise work, which
NumPy runs on a single core, is spread over the cores too.

Sums over blocks are deterministic: block ``b`` always adds into lane
``b % n_lanes`` in block order, and the lanes are added in order at the end.
The number of lanes depends on the data's shape only (enough for 64 cores,
fewer where the lanes' gradient buffers would take too much memory), never on
the number of threads. So the same data give bit-identical sums on one core
or many, in a joblib worker or not, and two fits run at once in two threads
give what they give one after the other.

While blocks run, BLAS is held to one thread for the whole process (as
scikit-learn's ``KMeans`` does around its own threads): each pool thread runs
its block's products on one core; blocks on the calling thread with
multithreaded BLAS instead were slower (``benchmarks/threads.py``; the
figures: ``benchmarks/README.md``). The caller's setting comes back as soon as the
last pass that needed the limit ends. Where the limit cannot be held
(OpenBLAS ignores it when set from a thread other than the main one), the
blocks run on the calling thread and BLAS uses the cores: never both at
once. BLAS may round differently on one thread and on several, so a fit
called from the main thread and the same fit called from another thread can
differ in the last bits; fits called from the same kind of thread agree bit
for bit, one at a time or several at once.

The pool survives ``fork``: a forked child starts with no pool, no limit held
and the parent's BLAS setting, and makes its own pool on first use.
"""

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

# About 2**18 hidden activations per block (2 MiB in float64), the fastest
# measured (benchmarks/README.md has this file's figures).
ELEMENTS_PER_BLOCK = 2**18
# Below this many activations one block on one thread is quicker than
# dispatching to the pool.
MIN_ELEMENTS_TO_SPLIT = 100_000
MIN_ROWS_PER_BLOCK = 64
# Lanes: enough for 64 cores, at least 4, and beyond 4 only while their
# gradient buffers fit in LANE_MEMORY bytes.
MAX_LANES = 64
MIN_LANES = 4
LANE_MEMORY = 64 * 2**20
# Mid-sized data (digits: 1797 x 64 activations) is cut in this many blocks,
# the faster of two and four.
MID_SIZE_BLOCKS = 2

_pool = None
_controller = None
_cores = None
# Guards the pool and the BLAS limit: several user threads may predict at
# once; the first to enter limits BLAS to one thread, the last to leave puts
# the caller's setting back.
_lock = threading.Lock()
_active_calls = 0
_blas_limit = None
_session_threads = 1
_sessions = threading.local()


def _start_afresh_after_fork():
    """In a forked child the parent's pool threads do not exist.

    The child gets no pool (it makes one on first use), holds no limit, and
    has the BLAS setting the parent had before any fit limited it.
    """
    global _pool, _lock, _active_calls, _blas_limit, _cores, _sessions
    if _blas_limit is not None:
        _blas_limit.restore_original_limits()
    _pool = None
    _lock = threading.Lock()
    _active_calls = 0
    _blas_limit = None
    _cores = None  # the child may be placed on other cores
    _sessions = threading.local()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_start_afresh_after_fork)


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
    shapes; allocating them anew each time costs page faults (a third of a
    digits gd epoch). Each thread
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


def _usable_cores():
    """Cores this process may use: CPU affinity and cgroup quotas respected."""
    global _cores
    if _cores is None:
        from joblib import cpu_count

        _cores = max(1, cpu_count())
    return _cores


def n_threads():
    """Threads to use: the cores we may run on, capped by the BLAS limit.

    A BLAS limit set by the caller (``threadpoolctl.threadpool_limits``, or
    joblib in its worker processes) is respected; our own one-thread limit,
    while blocks run, is not mistaken for one.
    """
    with _lock:
        if _active_calls > 0:
            return _session_threads
    blas = [
        lib.num_threads
        for lib in _thread_controller().select(user_api="blas").lib_controllers
    ]
    return max(1, min([_usable_cores(), *blas]))


def n_lanes(n_blocks, lane_size, itemsize):
    """Lanes for a sum over ``n_blocks`` blocks of ``lane_size`` numbers each.

    From the data's shape only, so that the order of the additions, and with
    it every bit of the sum, does not depend on the number of threads.
    """
    by_memory = LANE_MEMORY // max(1, lane_size * itemsize)
    return max(1, min(n_blocks, MAX_LANES, max(MIN_LANES, by_memory)))


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
    session = getattr(_sessions, "current", None)
    if session is not None:  # a training run: limit once, keep until its end
        if not session["entered"]:
            _enter(session["threads"])
            session["entered"] = True
        threads = _session_threads
    else:
        _enter(threads)
    try:
        results = [None] * len(tasks)
        next_task = itertools.count()  # next() on it is atomic under the GIL
        # np.errstate is per thread: pool threads treat overflow and invalid
        # values as the calling thread does, so one block or many behave alike.
        error_handling = np.geterr()

        def work():
            with np.errstate(**error_handling):
                while (i := next(next_task)) < len(tasks):
                    results[i] = tasks[i]()

        helpers = [_pool.submit(work) for _ in range(min(threads, len(tasks)) - 1)]
        try:
            work()
        finally:
            for helper in helpers:  # let every helper finish, even on an error
                helper.exception()
        for helper in helpers:
            helper.result()  # raises a helper's error
        return results
    finally:
        if session is None:
            _leave()


@contextmanager
def parallel_session():
    """Keep BLAS's one-thread limit, once a pass needs it, to the run's end.

    Setting and restoring the BLAS limit costs a few hundred microseconds;
    a training loop whose passes run blocks every epoch enters this once
    instead of once per epoch. Nothing is limited until a pass runs blocks
    on threads, so a run on small data never touches BLAS. The caller's BLAS
    setting is restored on exit. Sessions nest.
    """
    if getattr(_sessions, "current", None) is not None:
        yield
        return
    session = _sessions.current = {"threads": n_threads(), "entered": False}
    try:
        yield
    finally:
        _sessions.current = None
        if session["entered"]:
            _leave()


def _enter(threads):
    global _pool, _active_calls, _blas_limit, _session_threads
    with _lock:
        if _active_calls == 0:
            _blas_limit = _thread_controller().limit(limits=1, user_api="blas")
            _session_threads = threads if _limit_held() else 1
        helpers = _session_threads - 1  # the calling thread is the other one
        if helpers > 0 and (_pool is None or _pool._max_workers < helpers):
            _pool = ThreadPoolExecutor(
                max_workers=helpers, thread_name_prefix="skbackprop"
            )
        _active_calls += 1


def _limit_held():
    """Whether BLAS now runs on one thread.

    OpenBLAS (0.3.31) ignores a new thread count set from any thread but
    the main one. A fit called from another thread then cannot hold BLAS to
    one thread, and pool threads beside multithreaded BLAS were slower than
    the blocks on the calling thread alone (``benchmarks/threads.py``):
    there, the blocks run on the calling thread and BLAS uses the cores.
    """
    return all(
        lib.num_threads == 1
        for lib in _thread_controller().select(user_api="blas").lib_controllers
    )


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
    blocks = row_blocks(n_rows, width)
    if len(blocks) == 1:
        return block_function(blocks[0], out)
    lanes = n_lanes(len(blocks), out.size, out.itemsize)
    sums = [out] + [np.empty_like(out) for _ in range(lanes - 1)]

    def lane_task(lane):
        def task():
            total = 0.0
            block_sum = None
            for i, rows in enumerate(blocks[lane::lanes]):
                if i == 0:
                    total += block_function(rows, sums[lane])
                    continue
                if block_sum is None:
                    block_sum = np.empty_like(out)
                total += block_function(rows, block_sum)
                sums[lane] += block_sum
            return total

        return task

    totals = _run([lane_task(lane) for lane in range(lanes)], n_threads())
    for lane_sum in sums[1:]:
        out += lane_sum
    return float(sum(totals))


def take_rows(X, rows):
    """``X[rows]``, without a copy when ``rows`` covers all of X (a CSR
    slice is a copy)."""
    if rows.start in (0, None) and (rows.stop is None or rows.stop >= X.shape[0]):
        return X
    return X[rows]


def map_over_blocks(block_function, n_rows, width, out):
    """Fill ``out`` block by block: ``block_function(rows, out[rows])``.

    One block (a few rows: serving one request, say) is filled here and now,
    without asking how many threads there are (a few microseconds).
    """
    blocks = row_blocks(n_rows, width)
    if len(blocks) == 1:
        block_function(blocks[0], out)
        return out

    def task(rows):
        return lambda: block_function(rows, out[rows])

    _run([task(rows) for rows in blocks], n_threads())
    return out
