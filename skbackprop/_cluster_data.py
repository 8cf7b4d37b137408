"""The training data of a cluster fit: dask arrays checked and kept on the
workers as :class:`~skbackprop._cluster.Partition` objects, one per row chunk.

:mod:`skbackprop.dask` takes dask arrays (or DataFrames, or in-memory data
it sends to the cluster) chunked along the rows; everything here reads each
chunk once, where it lives.
"""

import math

import dask
import dask.array as da
import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array

from ._cluster import CheckedChunk, OnWorkers, Partition
from ._coordinates import StandardisedInputs
from ._diagnosis import entropy_of
from ._inputs import (
    check_class_weight_classes,
    check_same_network,
    checked_classes,
    refuse_negative_weights,
    refuse_zero_total,
)


class TrainingData:
    """The checked training partitions on the cluster, and their totals.

    Reads the row chunks once into checked chunks, finds the classes and
    their counts, then turns every chunk into a :class:`Partition` with the
    class weights applied (and lets the chunks go). Sets the estimator's
    ``classes_`` on a first fit; checks them on a warm start.
    """

    def __init__(self, client, X, y, sample_weight, estimator, warm):
        self.dtype = np.dtype(X.dtype if X.dtype in (np.float32, np.float64) else "f8")
        chunks = OnWorkers(client, row_chunks(client, X, y, sample_weight, self.dtype))
        try:
            classes, counts = self._classes_and_counts(chunks)
            if warm:
                check_same_network(estimator, X, classes)
            else:
                estimator.classes_ = checked_classes(classes)
            weights = class_weights(estimator.class_weight, classes, counts)
            workers = balanced_workers(client, chunks.futures, self._rows)
            futures = [
                client.submit(
                    Partition,
                    chunk,
                    classes=estimator.classes_,
                    class_weights=weights,
                    M=estimator.n_hidden,
                    workers=[worker],
                    allow_other_workers=True,  # where it lives, if it lives
                    pure=False,  # keys of this fit's own: none shared with others
                )
                for chunk, worker in zip(chunks.futures, workers, strict=True)
            ]
        finally:
            chunks.release()
        self.partitions = OnWorkers(client, futures)
        self.class_totals = np.sum(self.partitions.map("class_totals"), axis=0)
        self.total_weight = float(self.class_totals.sum())
        refuse_zero_total(self.total_weight)

    def _classes_and_counts(self, chunks):
        results = chunks.map("label_counts")
        self._rows = [int(counts.sum()) for _, counts, _ in results]
        refuse_negative_weights(min(least for _, _, least in results))
        labels = np.concatenate([labels for labels, _, _ in results])
        counts = np.concatenate([counts for _, counts, _ in results])
        check_classification_targets(labels)
        classes, where = np.unique(labels, return_inverse=True)
        return classes, np.bincount(where.ravel(), weights=counts).astype(np.int64)

    def standardised_inputs(self, M, K):
        """The coordinates of standardised inputs, from two passes on the cluster."""
        mean = np.sum(self.partitions.map("column_sums"), axis=0) / self.total_weight
        squares = np.sum(self.partitions.map("column_sums", mean), axis=0)
        return StandardisedInputs.from_moments(
            mean, squares / self.total_weight, self.dtype, M, K
        )

    def baseline(self):
        """The loss of predicting the class frequencies."""
        return entropy_of(self.class_totals)

    def release(self):
        self.partitions.release()


def balanced_workers(client, futures, rows):
    """A worker for each row chunk: the same rows per thread on every worker.

    A chunk stays on a worker that holds it while that worker is within one
    chunk of its share of the rows; otherwise it goes to the worker with the
    fewest rows per thread. Moving a chunk costs one transfer per fit; an
    unbalanced cluster costs the slowest worker's excess every epoch.
    """
    threads = client.nthreads()
    who_has = client.who_has(futures)
    share = sum(rows) / sum(threads.values())
    load = dict.fromkeys(sorted(threads), 0)
    chosen = []
    for future, size in zip(futures, rows, strict=True):
        holders = [w for w in sorted(who_has.get(future.key, ())) if w in load]
        fits = [w for w in holders if (load[w] + size) / threads[w] <= share + size]
        worker = (fits or [min(load, key=lambda w: (load[w] + size) / threads[w])])[0]
        load[worker] += size
        chosen.append(worker)
    return chosen


def class_weights(class_weight, classes, counts):
    """The weight of each class, as ``compute_sample_weight`` gives it.

    "balanced" is n_samples / (n_classes * count), scikit-learn's formula,
    from the counts of the cluster's labels.
    """
    if class_weight is None:
        return np.ones(classes.shape[0])
    if class_weight == "balanced":
        return counts.sum() / (classes.shape[0] * counts.astype(np.float64))
    check_class_weight_classes(class_weight, classes)
    return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])


def described(X):
    """What ``validate_data`` reads the feature count and names from: a dask
    DataFrame's empty pandas meta-frame, anything else as it is."""
    if dask.is_dask_collection(X) and hasattr(X, "_meta") and hasattr(X, "columns"):
        return X._meta
    return X


def as_dask_array(client, data, name, rows=None):
    """``data`` as a dask array: DataFrames and Series by their known
    partition lengths, in-memory arrays in ``rows`` chunks (or one chunk per
    worker thread of ``client``)."""
    if dask.is_dask_collection(data) and not isinstance(data, da.Array):
        if not hasattr(data, "to_dask_array"):
            raise TypeError(
                f"{name} must be a dask array, DataFrame or Series; got "
                f"{type(data).__name__}."
            )
        if client is not None:
            data = client.persist(data)  # the lengths without reading it twice
        return data.to_dask_array(lengths=True)
    if not dask.is_dask_collection(data):
        array = check_array(
            data, ensure_2d=False, dtype=None, input_name=name, ensure_all_finite=False
        )
        if rows is None:
            threads = sum(client.nthreads().values()) if client is not None else 1
            rows = max(1, math.ceil(array.shape[0] / max(1, threads)))
        return da.from_array(array, chunks=(rows,) + array.shape[1:])
    if any(math.isnan(size) for size in data.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes (NaN), as after boolean indexing; "
            f"compute them first: {name}.compute_chunk_sizes()."
        )
    return data


def check_same_rows(X, other, name):
    if other.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {other.shape[0]} rows but X has {X.shape[0]}; they must "
            "have one row per sample."
        )
    if other.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"{name} is chunked along the rows as {other.chunks[0]}, X as "
            f"{X.chunks[0]}: they must match, chunk for chunk: "
            f"{name}.rechunk(X.chunks[0])."
        )


def row_chunks(client, X, y, sample_weight, dtype):
    """One :class:`CheckedChunk` future per row chunk, in order."""
    X_chunks = X.to_delayed().ravel()
    y_chunks = y.to_delayed().ravel()
    weight_chunks = (
        [None] * len(X_chunks)
        if sample_weight is None
        else sample_weight.to_delayed().ravel()
    )
    make = dask.delayed(CheckedChunk, pure=False)
    chunks = zip(X_chunks, y_chunks, weight_chunks, strict=True)
    chunks = [
        make(X_chunk, y_chunk, weights, dtype) for X_chunk, y_chunk, weights in chunks
    ]
    return client.compute(chunks)
