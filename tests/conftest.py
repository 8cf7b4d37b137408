import os

# SciPy reads this once, at import: scikit-learn's array API dispatch (the
# tests of tests/test_array_api.py) needs it set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def iris():
    """Iris, standardised; shared by a module's tests, which leave it as is."""
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def client():
    """A Dask client of a local cluster of two worker processes, one per
    test module (the dask extra; the tests that take it skip without it).

    Dask's active memory manager is off: it drops the broadcast copies of
    scattered data that let a search survive a killed worker."""
    from _helpers import import_extra, local_cluster

    distributed = import_extra("distributed", "dask")
    import dask

    keep_replicas = {"distributed.scheduler.active-memory-manager.start": False}
    with (
        dask.config.set(keep_replicas),
        local_cluster(silence_logs=40) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
