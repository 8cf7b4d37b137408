"""Per-epoch time of DaskBackpropClassifier against BackpropClassifier in memory.

A gd fit on N x 100 inputs (M = 64, K = 10; both estimators with
``_harness.FULL_BATCH``, the Dask estimator's defaults): in memory with
BackpropClassifier
(its pool on all this machine's cores), and on a LocalCluster of 1 and of 2
worker processes with one thread each. The data are made on the cluster and
persisted there once; the in-memory fit gets the same array, computed. Seconds
per epoch come from fits of two lengths (the difference over the extra
epochs), so that the setup of a fit (reading the partitions, the classes, the
standardisation's two passes) is left out and shown apart. The fixed cost of
an epoch on a cluster is the same measure on a 1,000-row array.

Run from the repository root (about ten minutes here)::

    python benchmarks/dask_scaling.py
    python benchmarks/dask_scaling.py --sizes 200000 --repeats 3
"""

import argparse
import os

import dask
import dask.array as da
import numpy as np
from _harness import FULL_BATCH, quietly, table_header, table_row, timed
from distributed import Client, LocalCluster

from skbackprop import BackpropClassifier
from skbackprop._network import n_weights
from skbackprop._row_blocks import n_threads
from skbackprop.dask import DaskBackpropClassifier

D, M, K = 100, 64, 10
ROWS_PER_CHUNK = 50_000


def make_data(n_samples, chunk):
    """Inputs and labels of a random teacher network, made by dask."""
    rng = da.random.default_rng(0)
    X = rng.standard_normal((n_samples, D), chunks=(chunk, D))
    teacher = np.random.default_rng(1).standard_normal((D, K))
    y = (X @ teacher).argmax(axis=1)
    return X, y


def timed_fit(estimator, X, y, n_epochs):
    estimator.set_params(
        max_iter=n_epochs, tol=0, random_state=0, n_hidden=M, **FULL_BATCH
    )
    return timed(quietly(lambda: estimator.fit(X, y)))


def per_epoch(estimator, X, y, short, long, repeats):
    """(seconds per epoch, seconds of the rest of a fit), medians."""
    epochs, setups = [], []
    for _ in range(repeats):
        short_time = timed_fit(estimator, X, y, short)
        long_time = timed_fit(estimator, X, y, long)
        epoch = (long_time - short_time) / (long - short)
        epochs.append(epoch)
        setups.append(short_time - short * epoch)
    return float(np.median(epochs)), float(np.median(setups))


def cluster(n_workers):
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=2)
    arguments = parser.parse_args()
    print(
        f"gd, D={D}, M={M}, K={K}, float64; chunks of {ROWS_PER_CHUNK} rows. "
        f"In memory: BackpropClassifier on {n_threads()} threads. Cluster: "
        "LocalCluster, worker processes of one thread each, on the same "
        f"{os.cpu_count()}-core machine. Seconds per epoch (setup of a fit)."
    )
    table_header("N", "how", "s / epoch", "setup s", "/ memory")
    for n_workers in arguments.workers:
        with cluster(n_workers) as local_cluster, Client(local_cluster) as client:
            tiny = client.persist(make_data(1000, 1000))
            fixed, _ = per_epoch(
                DaskBackpropClassifier(client=client), *tiny, 20, 120, 3
            )
            table_row(
                1000,
                f"cluster, {n_workers} worker(s)",
                f"{fixed * 1e3:.1f} ms (the fixed cost of an epoch)",
                "",
                "",
            )
            for n_samples in arguments.sizes:
                X, y = client.persist(make_data(n_samples, ROWS_PER_CHUNK))
                X_memory, y_memory = dask.compute(X, y)
                # enough extra epochs that a fit's setup, which varies by a
                # few tenths of a second, does not move the per-epoch time
                long = 7 if n_samples >= 1_000_000 else 22
                memory = per_epoch(
                    BackpropClassifier(), X_memory, y_memory, 2, long, arguments.repeats
                )
                on_cluster = per_epoch(
                    DaskBackpropClassifier(client=client),
                    X,
                    y,
                    2,
                    long,
                    arguments.repeats,
                )
                rows = [
                    (f"memory, {n_threads()} threads", memory),
                    (f"cluster, {n_workers} worker(s)", on_cluster),
                ]
                for how, (epoch, setup) in rows:
                    table_row(
                        n_samples,
                        how,
                        f"{epoch:.3f}",
                        f"{setup:.2f}",
                        f"{epoch / memory[0]:.2f}",
                    )
                del X, y, X_memory, y_memory
    size = n_weights(D, M, K) * 8
    print(
        f"Each epoch sends the {size // 1024} KiB of weights to every worker and "
        f"gets one {size // 1024} KiB gradient back from each."
    )


if __name__ == "__main__":
    main()
