"""The training data on a Dask cluster, and the objective summed over it.

The book's objective is a weighted mean over the samples,

    E(w) = sum_n p_n E_n(w),    p_n = r_n / sum_m r_m,

so E and dE/dw are sums of per-partition sums. Each row partition of the
data lives on a worker as a :class:`Partition`: its inputs, its class
indices, its sample weights r_n (times the class weights) and an
:class:`~skbackprop._objective.Objective` of them with the unnormalised
weights r_n. One evaluation sends the weights w to every worker once; each
worker sums ``Objective.loss_and_gradient`` over the partitions it holds,
in partition order, and returns one loss and one gradient; the client adds
the workers' sums in a fixed order and divides by sum_n r_n. The arithmetic
is the in-memory fit's; only the order of the additions differs, by
rounding.

The evaluations go to the workers directly (``Client.run``), not through the
scheduler, whose round trips cost a few times a direct call's (an epoch of
gd is one evaluation; the figures: ``benchmarks/README.md``). The partitions
themselves are ordinary Dask futures: if a worker dies, the scheduler
recomputes the partitions it held from their graph, and the evaluation is
sent again once they are back.

This module imports ``distributed``; :mod:`skbackprop.dask` imports it only
when a cluster fit runs.
"""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.utils.validation import check_array

from ._coordinates import weighted_column_sums
from ._inputs import encode_labels
from ._network import (
    Layers,
    cross_entropy,
    l2_penalty,
    log_probabilities,
    n_weights,
)
from ._objective import Objective, with_l2_penalty
from ._training import one_hot

# How many times an evaluation is sent again after a worker was lost.
MAX_ATTEMPTS = 5
# How long to wait for lost partitions to be recomputed, in seconds.
RECOVERY_TIMEOUT = 300


class CheckedChunk:
    """One row chunk of X, y and the sample weights, checked, on a worker.

    Parameters
    ----------
    X : ndarray of shape (n, D)
        The chunk of inputs.

    y : ndarray of shape (n,)
        The chunk of labels.

    sample_weight : ndarray of shape (n,) or None
        The chunk of sample weights; None for ones.

    dtype : numpy dtype
        float64 or float32, the weights' dtype.
    """

    def __init__(self, X, y, sample_weight, dtype):
        self.X = check_array(X, dtype=dtype, input_name="X")
        self.y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if sample_weight is None:
            sample_weight = np.ones(self.X.shape[0], dtype=dtype)
        self.sample_weight = check_array(
            sample_weight, ensure_2d=False, dtype=dtype, input_name="sample_weight"
        )

    def label_counts(self):
        """The chunk's labels and how often each occurs, and its weights' sign."""
        labels, counts = np.unique(self.y, return_counts=True)
        weights = self.sample_weight
        least = float(weights.min()) if weights.shape[0] else 0.0
        return labels, counts, least


class Partition:
    """One row chunk ready to train on: class indices, weights, objective.

    Parameters
    ----------
    chunk : CheckedChunk
        The checked chunk.

    classes : ndarray of shape (K,)
        The sorted classes of all the data.

    class_weights : ndarray of shape (K,)
        The weight of each class (ones without ``class_weight``).

    M : int
        Hidden units.
    """

    def __init__(self, chunk, classes, class_weights, M):
        self.X = chunk.X
        self.labels = np.searchsorted(classes, chunk.y)
        K = classes.shape[0]
        weights = class_weights.astype(self.X.dtype)[self.labels]
        self.weights = chunk.sample_weight * weights  # r_n, unnormalised
        self._class_totals = np.bincount(self.labels, self.weights, minlength=K)
        self.objective = Objective(
            self.X, one_hot(self.labels, K, self.X.dtype), self.weights, 0.0, M
        )

    def class_totals(self):
        """sum_n r_n t_nk: each class's total weight in this partition."""
        return self._class_totals

    def column_sums(self, mean=None):
        """sum_n r_n x_n, or sum_n r_n (x_n - mean)^2."""
        return weighted_column_sums(self.X, self.weights.astype(np.float64), mean)


class ValidationPartition:
    """One row chunk of validation data: inputs, class indices, weights 1.

    Parameters
    ----------
    chunk : CheckedChunk
        The checked chunk.

    classes : ndarray of shape (K,)
        The classes of the training data.
    """

    def __init__(self, chunk, classes):
        self.X = chunk.X
        self.labels = encode_labels(classes, chunk.y, "y_val")
        self.T = one_hot(self.labels, classes.shape[0], self.X.dtype)

    def n_rows(self):
        """Rows in this partition."""
        return self.X.shape[0]

    def class_totals(self):
        """Each class's number of rows in this partition."""
        return np.bincount(self.labels, minlength=self.T.shape[1])

    def loss_and_hits(self, theta, M, K):
        """sum_n E_n (cross entropy, weights 1) and the correct predictions."""
        log_Y = log_probabilities(theta, self.X, M, K)
        ones = np.ones(self.X.shape[0], dtype=self.X.dtype)
        hits = int((log_Y.argmax(axis=1) == self.labels).sum())
        return cross_entropy(log_Y, self.T, ones), hits


def _loss_and_gradient(partitions, theta, with_gradient):
    """Sum over the partitions, in order, of their loss (and gradient)."""
    with np.errstate(over="ignore", invalid="ignore"):  # as fit has it
        return _sum_objectives(partitions, theta, with_gradient)


def _sum_objectives(partitions, theta, with_gradient):
    total_loss = 0.0
    total_gradient = None
    for partition in partitions:
        objective = partition.objective
        if not with_gradient:
            total_loss += objective.loss(theta)
            continue
        loss, gradient = objective.loss_and_gradient(theta)
        total_loss += loss
        if total_gradient is None:
            total_gradient = gradient.copy()
        else:
            total_gradient += gradient
    return total_loss, total_gradient


def _validation_sums(partitions, theta, M, K):
    loss, hits = 0.0, 0
    for partition in partitions:
        partition_loss, partition_hits = partition.loss_and_hits(theta, M, K)
        loss += partition_loss
        hits += partition_hits
    return loss, hits


# One evaluation at a time in a worker process: a call sent again after an
# error elsewhere may reach a worker still busy with the first, and the
# partitions' objectives reuse their buffers.
_evaluation_lock = threading.Lock()


async def _on_worker(function, keys, *args, dask_worker=None):
    """Sum ``function(partitions, *args)`` over this worker's partitions.

    The partitions are the worker's stored results of the given keys, cut
    into as many runs of consecutive partitions as the worker has threads;
    each run is summed on a thread of its own (so that the worker keeps
    answering its heartbeats), and the runs' results are added in order:
    one result per worker goes back.
    """
    partitions = [dask_worker.data[key] for key in keys[dask_worker.address]]
    n_runs = max(1, min(dask_worker.state.nthreads, len(partitions)))
    bounds = np.linspace(0, len(partitions), n_runs + 1).astype(int)
    runs = [partitions[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _evaluate_runs, function, runs, args)


def _evaluate_runs(function, runs, args):
    with _evaluation_lock:
        if len(runs) == 1:
            return function(runs[0], *args)
        with ThreadPoolExecutor(len(runs)) as threads:
            results = list(threads.map(lambda run: function(run, *args), runs))
    total = results[0]
    for result in results[1:]:  # (loss, gradient or None) or (loss, hits)
        total = tuple(
            None if mine is None else mine + theirs
            for mine, theirs in zip(total, result, strict=True)
        )
    return total


class OnWorkers:
    """Row partitions held by a cluster's workers, and calls on all of them.

    Parameters
    ----------
    client : distributed.Client
        The client of the cluster.

    futures : list of distributed.Future
        The partitions, in row order.
    """

    def __init__(self, client, futures):
        self.client = client
        self.futures = futures
        self._placement = None

    def map(self, method, *args):
        """``method(partition, *args)`` for every partition, gathered in order.

        Through the scheduler: for the few calls of a fit that are not per
        epoch.
        """
        results = self.client.map(
            _call, self.futures, method=method, args=args, pure=False
        )
        return self.client.gather(results)

    def call(self, function, *args):
        """``function(partitions, *args)`` on every worker, directly.

        Returns the workers' results in a fixed order of the workers (their
        addresses, sorted). Sent again, after the lost partitions are back,
        when a worker is lost on the way.
        """
        for attempt in range(MAX_ATTEMPTS):
            keys = self._keys_by_worker(refresh=attempt > 0)
            try:
                results = self.client.run(
                    _on_worker,
                    function,
                    keys,
                    *args,
                    workers=list(keys),
                    on_error="raise",
                )
            except (OSError, KeyError, TimeoutError) as error:
                lost = error
                self._wait_for_partitions()
                continue
            return [results[address] for address in sorted(keys)]
        raise RuntimeError(
            f"The cluster lost workers {MAX_ATTEMPTS} times in one evaluation; "
            f"the last error: {lost!r}."
        )

    def _keys_by_worker(self, refresh):
        """Each partition's key, under one worker that holds it.

        A partition held by several workers (a copy made when a task ran
        elsewhere) goes to the one of them with the fewest partitions so far,
        so that the work spreads as the data do.
        """
        if self._placement is None or refresh:
            self._wait_for_partitions()
            who_has = self.client.who_has(self.futures)
            placement = {}
            for future in self.futures:
                holders = sorted(who_has.get(future.key, ()))
                if not holders:  # lost since the wait: wait again
                    return self._keys_by_worker(refresh=True)
                worker = min(holders, key=lambda w: len(placement.get(w, ())))
                placement.setdefault(worker, []).append(future.key)
            self._placement = placement
        return self._placement

    def _wait_for_partitions(self):
        from distributed import wait

        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while True:
            wait(self.futures, timeout=RECOVERY_TIMEOUT)
            if all(future.status == "finished" for future in self.futures):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    "The cluster did not recompute its lost partitions within "
                    f"{RECOVERY_TIMEOUT} s."
                )
            time.sleep(0.1)

    def release(self):
        for future in self.futures:
            future.release()


def _call(partition, method, args):
    return getattr(partition, method)(*args)


class ClusterObjective:
    """E(theta) and its gradient on training data spread over a cluster.

    The same interface as :class:`~skbackprop._objective.Objective`, so that
    every solver and the epoch loop train on it unchanged.

    Parameters
    ----------
    partitions : OnWorkers
        The training :class:`Partition` objects.

    total_weight : float
        sum_n r_n over all the partitions.

    l2 : float
        L2 penalty on the weights, biases excluded.

    D, M, K : int
        Inputs, hidden units and outputs.

    dtype : numpy dtype
        The weights' dtype.
    """

    def __init__(self, partitions, total_weight, l2, D, M, K, dtype):
        self.partitions = partitions
        self.total_weight = total_weight
        self.l2 = l2
        self.D, self.M, self.K = D, M, K
        self.gradient = np.empty(n_weights(D, M, K), dtype=dtype)

    def loss(self, theta):
        """E(theta), the forward passes only."""
        sums = self.partitions.call(_loss_and_gradient, theta, False)
        loss = sum(loss for loss, _ in sums) / self.total_weight
        return loss + l2_penalty(theta, self.D, self.M, self.K, self.l2)

    def loss_and_gradient(self, theta):
        """E(theta) and dE/dtheta, one round trip to the workers.

        The gradient is the objective's own buffer, overwritten by the next
        call, as in :class:`~skbackprop._objective.Objective`.
        """
        sums = self.partitions.call(_loss_and_gradient, theta, True)
        loss = 0.0
        self.gradient[...] = 0
        for worker_loss, worker_gradient in sums:
            loss += worker_loss
            self.gradient += worker_gradient
        loss /= self.total_weight
        self.gradient /= self.total_weight
        if self.l2 != 0:
            D, M, K = self.D, self.M, self.K
            layers, gradient = Layers(theta, D, M, K), Layers(self.gradient, D, M, K)
            loss = with_l2_penalty(loss, theta, layers, gradient, self.l2)
        return loss, self.gradient


class ClusterValidation:
    """Validation data on a cluster, scored after every epoch.

    The interface of :class:`~skbackprop._training.ValidationSet`.

    Parameters
    ----------
    partitions : OnWorkers
        The :class:`ValidationPartition` objects.

    n_samples : int
        Rows of validation data.

    M, K : int
        Hidden units and outputs.
    """

    # The cluster's early stopping watches the loss (no ``scoring``).
    monitors_score = False

    def __init__(self, partitions, n_samples, M, K):
        self.partitions = partitions
        self.n_samples = n_samples
        self.M, self.K = M, K

    def evaluate(self, theta):
        """Mean cross entropy (no penalty) and accuracy at ``theta``."""
        sums = self.partitions.call(_validation_sums, theta, self.M, self.K)
        loss = sum(loss for loss, _ in sums) / self.n_samples
        hits = sum(hits for _, hits in sums)
        return loss, hits / self.n_samples

    def class_totals(self):
        """Each class's number of rows over the partitions (NumPy)."""
        return np.sum(self.partitions.map("class_totals"), axis=0)
