"""DaskBackpropClassifier on a real LocalCluster: two worker processes.

The cluster fit must equal the in-memory fit of BackpropClassifier on the
same data (the objective is a sum over partitions: only the order of the
additions differs), survive a killed worker, read its data once, and refuse
bad input by name. Without the ``dask`` extra they skip.
"""

import os
import pickle
import signal
import threading
import time

import numpy as np
import pytest
from _helpers import QUIET, import_extra

distributed = import_extra("distributed", "dask")
da = import_extra("dask.array", "dask")
dd = import_extra("dask.dataframe", "dask")

from sklearn.datasets import make_classification  # noqa: E402

from skbackprop import BackpropClassifier  # noqa: E402
from skbackprop._cluster import OnWorkers  # noqa: E402
from skbackprop.dask import DaskBackpropClassifier  # noqa: E402

pytestmark = QUIET

CHUNK = 700


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(4000, 20, n_informative=10, n_classes=3, random_state=0)
    X[:, 0] = 50 * X[:, 0] + 300  # raw features of different scales
    sample_weight = np.random.default_rng(0).uniform(0, 2, X.shape[0])
    X_val, y_val = X[:500] + 0.1, y[:500]
    return X, y, sample_weight, X_val, y_val


def dask_arrays(*arrays, chunk=CHUNK):
    return [da.from_array(array, chunks=chunk) for array in arrays]


def in_memory_twin(**params):
    """The BackpropClassifier with every parameter of the Dask estimator's,
    its full-batch defaults included."""
    settings = DaskBackpropClassifier(**params).get_params()
    del settings["client"]
    return BackpropClassifier(**settings)


def both_fits(client, params, X, y, sample_weight=None, **fit_params):
    """The cluster fit on dask arrays and the in-memory fit on the same data."""
    dask_fit_params = {
        name: da.from_array(value, chunks=CHUNK) for name, value in fit_params.items()
    }
    weights = None if sample_weight is None else dask_arrays(sample_weight)[0]
    cluster = DaskBackpropClassifier(client=client, **params).fit(
        *dask_arrays(X, y), weights, **dask_fit_params
    )
    memory = in_memory_twin(**params).fit(X, y, sample_weight, **fit_params)
    return cluster, memory


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"learning_rate": 0.05, "l2": 1e-3, "momentum": 0.5},
        {"class_weight": "balanced"},
        {"class_weight": {0: 3.0, 2: 0.5}, "init": "normal", "init_scale": 0.1},
    ],
    ids=["auto", "float-step-l2-momentum", "balanced", "class-weight-dict"],
)
def test_gd_equals_the_in_memory_fit(client, data, params):
    X, y, sample_weight, X_val, y_val = data
    if params.get("learning_rate") == 0.05:
        mean, std = X.mean(axis=0), X.std(axis=0)  # the book's steps want scaling
        X, X_val = (X - mean) / std, (X_val - mean) / std
    params = dict(n_hidden=16, max_iter=50, tol=0, random_state=0, **params)
    cluster, memory = both_fits(
        client, params, X, y, sample_weight, X_val=X_val, y_val=y_val
    )
    assert cluster.n_iter_ == memory.n_iter_ == 50
    np.testing.assert_allclose(cluster.W_, memory.W_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cluster.V_, memory.V_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cluster.loss_curve_, memory.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(
        cluster.validation_loss_curve_, memory.validation_loss_curve_, rtol=1e-9
    )
    np.testing.assert_allclose(
        cluster.validation_scores_, memory.validation_scores_, rtol=1e-9
    )
    assert cluster.t_ == memory.t_
    assert cluster.loss_curve_[-1] < cluster.loss_curve_[0]


def test_lbfgs_equals_the_in_memory_fit(client, data):
    # A well-posed problem (l2=0.1): with l2=0.01 its flat directions let the
    # rounding of the sums move the two L-BFGS paths apart by 1e-5 here.
    X, y, sample_weight, _, _ = data
    params = dict(n_hidden=8, solver="lbfgs", max_iter=200, l2=0.1, random_state=0)
    cluster, memory = both_fits(client, params, X, y, sample_weight)
    assert cluster.n_iter_ == memory.n_iter_
    assert cluster.n_iter_ < params["max_iter"]  # converged, not cut off
    np.testing.assert_allclose(cluster.W_, memory.W_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cluster.V_, memory.V_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cluster.loss_curve_, memory.loss_curve_, rtol=1e-6)


def test_float32_trains_in_float32(client, data):
    X, y, _, _, _ = data
    params = dict(n_hidden=8, max_iter=20, tol=0, random_state=0)
    cluster, memory = both_fits(client, params, X.astype(np.float32), y)
    assert cluster.W_.dtype == np.float32
    assert cluster.predict_proba(da.from_array(X[:10])).dtype == np.float32
    np.testing.assert_allclose(cluster.loss_curve_, memory.loss_curve_, rtol=1e-4)


def test_early_stopping_on_dask_validation_data(client, data):
    X, y, _, X_val, y_val = data
    params = dict(
        n_hidden=32, max_iter=300, tol=1e-3, early_stopping=True, random_state=0
    )
    cluster, memory = both_fits(client, params, X, y, X_val=X_val, y_val=y_val)
    assert cluster.n_iter_ == memory.n_iter_ < 300
    np.testing.assert_allclose(cluster.W_, memory.W_, rtol=1e-9, atol=1e-12)


def test_warm_start_continues_as_in_memory(client, data):
    X, y, _, _, _ = data
    params = dict(n_hidden=8, max_iter=10, tol=0, random_state=0, warm_start=True)
    cluster = DaskBackpropClassifier(client=client, **params)
    memory = in_memory_twin(**params)
    for _ in range(2):
        cluster.fit(*dask_arrays(X, y))
        memory.fit(X, y)
    assert len(cluster.loss_curve_) == 20
    np.testing.assert_allclose(cluster.loss_curve_, memory.loss_curve_, rtol=1e-9)


def test_predictions_are_lazy_and_equal_the_local_model(client, data):
    X, y, _, _, _ = data
    params = dict(n_hidden=8, max_iter=30, random_state=0)
    cluster, _ = both_fits(client, params, X, y)
    X_d, y_d = dask_arrays(X, y)
    local = cluster.to_local()
    assert type(local) is BackpropClassifier
    assert "client" not in local.get_params()
    for method in ("predict", "predict_proba", "predict_log_proba", "transform"):
        lazy = getattr(cluster, method)(X_d)
        assert isinstance(lazy, da.Array), method
        expected = getattr(local, method)(X)
        # chunk by chunk against the whole array in row blocks: GEMMs of
        # other shapes, which some BLAS builds round differently in the last
        # bit (NumPy 1.24's OpenBLAS on AMD EPYC did)
        if expected.dtype.kind == "f":
            np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-12, atol=1e-14)
        else:
            np.testing.assert_array_equal(lazy.compute(), expected)
        # NumPy input computes in memory as the local model does: same bits
        np.testing.assert_array_equal(getattr(cluster, method)(X), expected)
    assert cluster.score(X_d, y_d) == pytest.approx(local.score(X, y), rel=1e-12)
    weights = np.linspace(0, 1, X.shape[0])
    assert cluster.score(X_d, y_d, da.from_array(weights, CHUNK)) == pytest.approx(
        local.score(X, y, sample_weight=weights), rel=1e-12
    )
    restored = pickle.loads(pickle.dumps(local))
    np.testing.assert_array_equal(restored.predict_proba(X), local.predict_proba(X))
    # the cluster model pickles too, without its client
    assert pickle.loads(pickle.dumps(cluster)).client is None


def test_numpy_and_dask_dataframe_input_train_as_dask_arrays(client, data):
    pd = pytest.importorskip("pandas")
    X, y, _, _, _ = data
    params = dict(n_hidden=8, max_iter=20, tol=0, random_state=0)
    reference, _ = both_fits(client, params, X, y)
    from_numpy = DaskBackpropClassifier(client=client, **params).fit(X, y)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    X_frame = dd.from_pandas(frame, npartitions=4)
    y_series = dd.from_pandas(pd.Series(y), npartitions=4)
    from_frame = DaskBackpropClassifier(client=client, **params).fit(X_frame, y_series)
    np.testing.assert_allclose(from_numpy.W_, reference.W_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(from_frame.W_, reference.W_, rtol=1e-9, atol=1e-12)
    assert list(from_frame.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(
        from_frame.predict(X_frame).compute(), reference.predict(X)
    )


def test_string_labels(client, data):
    X, y, _, _, _ = data
    labels = np.array(["cat", "dog", "eel"])[y]
    params = dict(n_hidden=8, max_iter=20, tol=0, random_state=0)
    cluster, memory = both_fits(client, params, X, labels)
    assert cluster.classes_.tolist() == ["cat", "dog", "eel"]
    np.testing.assert_array_equal(
        cluster.predict(da.from_array(X, CHUNK)).compute(), memory.predict(X)
    )


def test_every_partition_is_worked_on_once_on_both_workers(client):
    X = da.random.random((6000, 5), chunks=(500, 5))
    y = (X[:, 0] > 0.5).astype(int)
    with distributed.get_task_stream(client) as stream:
        DaskBackpropClassifier(client=client, n_hidden=4, max_iter=5).fit(X, y)
    tasks = stream.data
    reads = [task for task in tasks if X.name in str(task["key"])]
    partitions = [task for task in tasks if "Partition" in str(task["key"])]
    assert len(reads) == X.numblocks[0]  # every chunk of X computed once
    assert len(partitions) == X.numblocks[0]
    assert {task["worker"] for task in partitions} == set(client.nthreads())

    # The per-epoch evaluations go to the workers directly: each worker
    # evaluates the partitions it holds, and every partition is counted once.
    futures = client.map(lambda i: i, range(12))
    answers = OnWorkers(client, futures).call(_partitions_and_pid)
    assert len(answers) == 2
    assert sorted(i for indices, _ in answers for i in indices) == list(range(12))
    assert len({pid for _, pid in answers}) == 2


def _partitions_and_pid(partitions):
    return list(partitions), os.getpid()


def test_a_worker_killed_mid_fit_changes_nothing(client):
    X, y = make_classification(40000, 20, n_classes=3, n_informative=8, random_state=1)
    X_d, y_d = da.from_array(X, 5000), da.from_array(y, 5000)
    params = dict(n_hidden=16, max_iter=100, tol=0, random_state=0)
    undisturbed = DaskBackpropClassifier(client=client, **params).fit(X_d, y_d)
    disturbed = DaskBackpropClassifier(client=client, **params)
    errors = []

    def fit():
        try:
            disturbed.fit(X_d, y_d)
        except Exception as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=fit)
    thread.start()
    deadline = time.monotonic() + 60
    while len(getattr(disturbed, "loss_curve_", [])) < 20:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.002)
    pids = client.run(os.getpid)
    os.kill(pids[sorted(pids)[0]], signal.SIGKILL)
    killed_at = len(disturbed.loss_curve_)
    thread.join(timeout=120)
    assert not thread.is_alive() and not errors, errors
    assert killed_at < 100
    assert disturbed.n_iter_ == 100
    # The same weights; the sums group partitions by worker, so where the
    # lost partitions were recomputed can move the last bit.
    np.testing.assert_allclose(disturbed.W_, undisturbed.W_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        disturbed.loss_curve_, undisturbed.loss_curve_, rtol=1e-12
    )
    client.wait_for_workers(2, timeout=60)


@pytest.mark.parametrize(
    "make_input, message",
    [
        (lambda X, y: (X.rechunk((CHUNK, 5)), y), "chunked along its columns"),
        (lambda X, y: (X, y.rechunk(500)), "chunk for chunk"),
        (lambda X, y: (X[X[:, 0] > -100], y), "unknown chunk sizes"),
        (lambda X, y: (X, y[:100]), "rows but X has"),
    ],
    ids=["column-chunks", "row-chunks-differ", "nan-chunks", "lengths-differ"],
)
def test_bad_chunks_are_named(client, data, make_input, message):
    X, y, _, _, _ = data
    X_d, y_d = make_input(*dask_arrays(X, y))
    with pytest.raises(ValueError, match=message):
        DaskBackpropClassifier(client=client).fit(X_d, y_d)


def test_bad_settings_and_values_are_named(client, data):
    X, y, sample_weight, _, _ = data
    X_d, y_d, w_d = dask_arrays(X, y, sample_weight)
    with pytest.raises(ValueError, match="solver='gd' or 'lbfgs'.*fit_chunks"):
        DaskBackpropClassifier(solver="sgd", client=client).fit(X_d, y_d)
    with pytest.raises(ValueError, match="needs X_val and y_val"):
        DaskBackpropClassifier(early_stopping=True, client=client).fit(X_d, y_d)
    with pytest.raises(ValueError, match="Negative values"):
        DaskBackpropClassifier(client=client).fit(X_d, y_d, -w_d)
    with pytest.raises(ValueError, match="y_val contains labels not in classes_"):
        DaskBackpropClassifier(max_iter=2, client=client).fit(
            X_d, y_d, X_val=X_d, y_val=y_d + 7
        )
    X_nan = X.copy()
    X_nan[3000, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DaskBackpropClassifier(client=client).fit(da.from_array(X_nan, CHUNK), y_d)
    with pytest.raises(ValueError, match="at least 2 classes"):
        DaskBackpropClassifier(client=client).fit(X_d, y_d * 0)
    with pytest.raises(TypeError, match="fit_chunks"):
        DaskBackpropClassifier(client=client).partial_fit(X_d, y_d, classes=[0, 1, 2])
    # the cluster's early stopping watches the loss only
    with pytest.raises(ValueError, match="'scoring' parameter"):
        DaskBackpropClassifier(scoring="accuracy", client=client).fit(X_d, y_d)


def test_a_closed_client_is_named(data):
    X, y, _, _, _ = data
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as closed,
    ):
        pass
    with pytest.raises(ValueError, match="client is 'closed'"):
        DaskBackpropClassifier(client=closed).fit(*dask_arrays(X, y))


def test_parameters_are_those_of_backprop_classifier_and_client():
    ours = DaskBackpropClassifier().get_params()
    assert ours.pop("client") is None
    theirs = BackpropClassifier().get_params()
    assert ours.keys() == theirs.keys()
    # the in-memory defaults step on mini-batches, one after another, which
    # the partitions cannot take at once: the cluster keeps full-batch ones
    assert {name for name in ours if ours[name] != theirs[name]} == {
        "n_hidden",
        "solver",
        "init",
        "early_stopping",
    }
    assert ours["solver"] == "gd" and theirs["solver"] == "adam"


def test_a_worker_of_several_threads_sums_its_partitions_on_each(data):
    # Runs of partitions on the worker's threads, added in order: still the
    # in-memory fit, for gd and for the validation sums.
    X, y, sample_weight, X_val, y_val = data
    params = dict(n_hidden=8, max_iter=15, tol=0, random_state=0)
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as threaded,
    ):
        cluster_fit, memory = both_fits(
            threaded, params, X, y, sample_weight, X_val=X_val, y_val=y_val
        )
    np.testing.assert_allclose(cluster_fit.W_, memory.W_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        cluster_fit.validation_scores_, memory.validation_scores_, rtol=1e-12
    )


def test_validation_class_totals_on_the_cluster(client, data):
    # the diagnosis's baseline on dask validation data counts each class's
    # rows over the partitions, as in memory
    X, y, _, X_val, y_val = data
    clf = DaskBackpropClassifier(client=client, n_hidden=4, max_iter=2, tol=0)
    clf.fit(*dask_arrays(X, y))
    # five partitions of 100 rows
    validation = clf._validation(client, *dask_arrays(X_val, y_val, chunk=100))
    try:
        expected = np.bincount(
            np.searchsorted(clf.classes_, y_val), minlength=clf.classes_.shape[0]
        )
        np.testing.assert_array_equal(validation.class_totals(), expected)
    finally:
        validation.partitions.release()
