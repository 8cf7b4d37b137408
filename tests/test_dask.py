"""Scale-out on Dask: searches on a local cluster, training on dask arrays.

Without the ``dask`` extra these tests skip (an error where
SKBACKPROP_REQUIRE_EXTRAS is set, as in CI's run with every extra).
"""

import os
import threading
import time

import numpy as np
import pytest
from _helpers import import_extra, quietly

dask = import_extra("dask", "dask")
distributed = import_extra("distributed", "dask")
da = import_extra("dask.array", "dask")
dask_ml_wrappers = import_extra("dask_ml.wrappers", "dask")

import joblib  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skbackprop import BackpropClassifier  # noqa: E402
from skbackprop.incremental import fit_chunks  # noqa: E402

# The client (conftest.py) runs with Dask's active memory manager off: it
# drops the extra copies of scattered data within about two seconds (its
# ReduceReplicas policy), and with them the copies that let a search survive
# a killed worker.


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


def search_for(grid_values=(2, 8), rates=(0.5, 2.0)):
    return GridSearchCV(
        make_pipeline(
            StandardScaler(), BackpropClassifier(max_iter=60, random_state=0)
        ),
        {
            "backpropclassifier__n_hidden": list(grid_values),
            "backpropclassifier__learning_rate": list(rates),
        },
        cv=3,
    )


def comparable(cv_results):
    return {
        key: value
        for key, value in cv_results.items()
        if "time" not in key  # fit and score times differ, of course
    }


def assert_same_results(local, remote):
    """The same search results; the scores with a tolerance, since the fits
    ran on workers with other thread counts (a BLAS may round otherwise)."""
    assert local.keys() == remote.keys()
    for key in local:
        expected, actual = np.asarray(local[key]), np.asarray(remote[key])
        if expected.dtype.kind == "f":
            np.testing.assert_allclose(actual, expected, rtol=1e-12)
        else:
            np.testing.assert_array_equal(actual, expected)


def test_grid_search_runs_on_the_workers_with_the_local_results(client, digits):
    X, y = digits
    local = quietly(search_for().fit, X, y)
    remote_search = search_for()
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            quietly(remote_search.fit, X, y)
    workers = {task["worker"] for task in stream.data}
    # the workers' addresses from the scheduler (nthreads asks it each time;
    # scheduler_info may answer from a cache without them)
    assert workers <= set(client.nthreads())
    assert len(stream.data) >= 12  # 4 candidates x 3 folds, at least
    assert len(workers) == 2  # both workers took fits
    assert_same_results(
        comparable(local.cv_results_), comparable(remote_search.cv_results_)
    )
    assert remote_search.best_params_ == local.best_params_


def test_fits_ran_in_the_worker_processes(client, digits):
    X, y = digits
    worker_pids = set(client.run(os.getpid).values())

    class RecordingClassifier(BackpropClassifier):
        def fit(self, X, y, **kwargs):
            super().fit(X, y, **kwargs)
            self.fitted_in_pid_ = os.getpid()
            return self

    search = GridSearchCV(
        RecordingClassifier(max_iter=20, random_state=0),
        {"n_hidden": [2, 4]},
        cv=2,
        refit=False,
        return_train_score=False,
        scoring=lambda clf, X, y: float(clf.fitted_in_pid_ in worker_pids),
    )
    with joblib.parallel_backend("dask"):
        quietly(search.fit, X, y)
    # the scorer returns 1 only for a model fitted in a worker process
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], [1.0, 1.0])


def test_randomized_search_and_cross_val_score_match_local(client, digits):
    X, y = digits
    model = make_pipeline(
        StandardScaler(), BackpropClassifier(max_iter=40, random_state=0)
    )
    params = {"backpropclassifier__n_hidden": [2, 4, 8, 16]}

    def randomized():
        return RandomizedSearchCV(model, params, n_iter=3, cv=3, random_state=0)

    local_search = quietly(randomized().fit, X, y)
    local_scores = quietly(cross_val_score, model, X, y, cv=3)
    with joblib.parallel_backend("dask"):
        remote_search = quietly(randomized().fit, X, y)
        remote_scores = quietly(cross_val_score, model, X, y, cv=3, n_jobs=-1)
    assert_same_results(
        comparable(local_search.cv_results_), comparable(remote_search.cv_results_)
    )
    np.testing.assert_allclose(remote_scores, local_scores, rtol=1e-12)


def test_search_survives_a_killed_worker(client, digits):
    X, y = digits
    # Every argument of the fits is sent to every worker up front (the data
    # and the folds' index arrays): arrays joblib scatters on its own live on
    # one worker only, and the scheduler cannot recompute them once it dies.
    splits = list(StratifiedKFold(3).split(X, y))
    everything = [X, y] + [indices for split in splits for indices in split]
    grid = ((2, 8, 32), (0.5, 1.0, 2.0))
    local = quietly(search_for(*grid).set_params(cv=splits).fit, X, y)
    remote_search = search_for(*grid).set_params(cv=splits)
    victim = sorted(client.nthreads())[0]
    victim_pid = client.run(os.getpid, workers=[victim])[victim]
    errors = []

    def run_search():
        try:
            with joblib.parallel_backend("dask", scatter=everything):
                quietly(remote_search.fit, X, y)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    search_thread = threading.Thread(target=run_search)
    search_thread.start()
    deadline = time.monotonic() + 30
    while not any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert any(client.processing().values()), "the search never reached the workers"
    os.kill(victim_pid, 9)  # the nanny restarts it; the scheduler reschedules
    search_thread.join(timeout=300)
    assert not search_thread.is_alive() and not errors, errors
    assert_same_results(
        comparable(local.cv_results_), comparable(remote_search.cv_results_)
    )
    client.wait_for_workers(2, timeout=60)


def test_incremental_on_a_dask_array_equals_in_memory_partial_fit(client):
    X, y = make_classification(n_samples=2000, n_features=10, random_state=0)
    X_dask = da.from_array(X, chunks=(80, 10))  # 25 chunks
    y_dask = da.from_array(y, chunks=80)
    assert X_dask.numblocks[0] >= 20
    params = dict(n_hidden=8, solver="gd", random_state=0)

    in_memory = BackpropClassifier(**params)
    for start in range(0, 2000, 80):
        in_memory.partial_fit(
            X[start : start + 80], y[start : start + 80], classes=[0, 1]
        )

    incremental = dask_ml_wrappers.Incremental(
        BackpropClassifier(**params), shuffle_blocks=False
    )
    incremental.fit(X_dask, y_dask, classes=[0, 1])
    np.testing.assert_allclose(
        incremental.estimator_._theta, in_memory._theta, rtol=1e-10, atol=1e-12
    )
    predict = dask_ml_wrappers.ParallelPostFit(incremental.estimator_)
    proba = predict.predict_proba(X_dask)
    assert isinstance(proba, da.Array)
    np.testing.assert_allclose(proba.compute(), in_memory.predict_proba(X), rtol=1e-10)
    assert incremental.estimator_.score(X, y) == in_memory.score(X, y)


def test_fit_chunks_equals_in_memory_and_reshuffles(client):
    X, y = make_classification(n_samples=3000, n_features=10, random_state=1)
    X_dask = da.from_array(X, chunks=(100, 10))  # 30 chunks
    y_dask = da.from_array(y, chunks=250)  # other chunks: rechunked to X's
    params = dict(n_hidden=8, solver="sgd", batch_size=50, random_state=0)

    trained = fit_chunks(
        BackpropClassifier(**params),
        X_dask,
        y_dask,
        classes=[0, 1],
        n_epochs=3,
        random_state=7,
    )

    in_memory = BackpropClassifier(**params)
    rng = np.random.RandomState(7)
    for _ in range(3):
        for i in rng.permutation(30):
            rows = slice(100 * i, 100 * (i + 1))
            in_memory.partial_fit(X[rows], y[rows], classes=[0, 1])
    np.testing.assert_allclose(trained._theta, in_memory._theta, rtol=1e-10)
    assert trained.score(X, y) > 0.85
    assert trained.n_iter_ == 90


def test_fit_chunks_refuses_in_memory_arrays():
    with pytest.raises(TypeError, match="dask arrays"):
        fit_chunks(BackpropClassifier(), np.zeros((4, 2)), np.zeros(4), classes=[0, 1])
