"""Data of many row blocks: the same results as one block, the same errors,
in forked children and in threads at once."""

import multiprocessing
import sys
import threading
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import quiet_fit
from sklearn.base import clone
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_info, threadpool_limits

import skbackprop._numpy_ops as numpy_ops
import skbackprop._row_blocks as row_blocks
from skbackprop import BackpropClassifier, make_textbook_data

M = 64


@pytest.fixture(scope="module")
def many_blocks():
    """45,000 x 20, M = 64: eleven row blocks, more than MIN_LANES."""
    X, y = make_classification(
        n_samples=45_000,
        n_features=20,
        n_informative=10,
        n_classes=3,
        random_state=0,
    )
    assert len(row_blocks.row_blocks(X.shape[0], M)) >= 10
    return X, y


def blas_threads():
    return {i["filepath"]: i["num_threads"] for i in threadpool_info()}


def one_block(monkeypatch):
    monkeypatch.setattr(row_blocks, "ELEMENTS_PER_BLOCK", 10**12)


VARIANTS = {
    "dense": dict(),
    "csr": dict(as_input=sp.csr_matrix),
    "float32": dict(as_input=lambda X: X.astype(np.float32), rtol=1e-4),
    "sgd": dict(params=dict(solver="sgd", batch_size=22_500, shuffle=False)),
    "numpy fallback": dict(no_kernels=True),
    "lbfgs": dict(params=dict(solver="lbfgs")),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_many_blocks_train_as_one_block(many_blocks, monkeypatch, variant):
    X, y = many_blocks
    spec = VARIANTS[variant]
    X = spec.get("as_input", lambda X: X)(X)
    if spec.get("no_kernels"):
        monkeypatch.setattr(numpy_ops, "_kernels", None)
    params = dict(n_hidden=M, max_iter=3, tol=0, random_state=0)
    params.update(spec.get("params", {}))
    blocks = quiet_fit(BackpropClassifier(**params), X, y)
    one_block(monkeypatch)
    whole = quiet_fit(BackpropClassifier(**params), X, y)
    rtol = spec.get("rtol", 1e-9)
    np.testing.assert_allclose(blocks._theta, whole._theta, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(blocks.loss_curve_, whole.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(
        blocks.predict_proba(X[:500]), whole.predict_proba(X[:500]), atol=rtol
    )


@pytest.mark.parametrize("no_kernels", [False, True])
def test_divergence_on_many_blocks_is_the_same_error(
    many_blocks, monkeypatch, no_kernels
):
    X, y = many_blocks
    if no_kernels:
        monkeypatch.setattr(numpy_ops, "_kernels", None)
    clf = BackpropClassifier(n_hidden=M, learning_rate=1e6, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from any thread
        with pytest.raises(ValueError, match=r"learning_rate=1000000\.0"):
            clf.fit(X * 100, y)
    assert not hasattr(clf, "_theta")


def test_pool_threads_run_under_the_callers_error_handling():
    seen = {}

    def task():
        seen.setdefault(threading.get_ident(), np.geterr()["over"])
        threading.Event().wait(0.01)  # let the helper take tasks too
        return np.exp(np.float64(1000.0))

    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            row_blocks._run([task] * 8, threads=2)
    assert len(seen) == 2 and set(seen.values()) == {"raise"}
    with np.errstate(over="ignore"):
        assert row_blocks._run([task] * 8, threads=2) == [np.inf] * 8


def predict_and_fit_in_child(arguments):
    clf, X, y = arguments
    proba = clf.predict_proba(X)
    refit = quiet_fit(clone(clf), X, y)
    return proba, refit._theta


@pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")
@pytest.mark.filterwarnings("ignore:This process.*is multi-threaded:DeprecationWarning")
def test_a_forked_child_predicts_and_fits_as_the_parent(many_blocks):
    X, y = many_blocks
    X = X[:20_000]
    y = y[:20_000]
    clf = quiet_fit(BackpropClassifier(n_hidden=M, max_iter=2, random_state=0), X, y)
    clf.predict_proba(X)  # the parent's pool exists before the fork
    assert_forked_children_match(clf, X, y)


@pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")
@pytest.mark.filterwarnings("ignore:This process.*is multi-threaded:DeprecationWarning")
def test_a_forked_child_fits_the_book_as_the_parent():
    # The book's network trains in one compiled call a pass, not row blocks.
    X, y = make_textbook_data()
    clf = quiet_fit(BackpropClassifier(n_hidden=2, max_iter=200, random_state=0), X, y)
    # Small enough for the one-call pass wherever the kernels run.
    assert len(X) * 2 * (X.shape[1] + 3) <= numpy_ops.SMALL_NETWORK_WORK
    assert_forked_children_match(clf, X, y)


def assert_forked_children_match(clf, X, y):
    """Two forked children predict X and refit (X, y) to the parent's bits."""
    proba = clf.predict_proba(X)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(predict_and_fit_in_child, [(clf, X, y)] * 2).get(
            timeout=120
        )
    for child_proba, child_theta in results:
        np.testing.assert_array_equal(child_proba, proba)
        np.testing.assert_array_equal(child_theta, clf._theta)


def in_threads(*functions):
    """Run the functions at once, each in a thread of its own; their results."""
    results = [None] * len(functions)

    def work(i):
        results[i] = functions[i]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def test_two_fits_in_two_threads_give_what_they_give_one_after_the_other(many_blocks):
    # Compared with the same fits called one after the other from a thread
    # too: OpenBLAS may round differently for calls from the main thread
    # (skbackprop/_row_blocks.py says why).
    X, y = many_blocks
    settings = [
        dict(random_state=0),
        dict(random_state=1, solver="sgd", batch_size=20_000),
    ]

    def fit(params):
        return lambda: (
            quiet_fit(BackpropClassifier(n_hidden=M, max_iter=3, **params), X, y)._theta
        )

    one_after_the_other = [in_threads(fit(params))[0] for params in settings]
    at_once = in_threads(*(fit(params) for params in settings))
    for alone, together in zip(one_after_the_other, at_once, strict=True):
        # the same blocks summed in the same order; two fits at once may run
        # on fewer threads each, where a BLAS may round the last bit otherwise
        np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-15)


def test_a_fit_from_another_thread_never_runs_pool_and_blas_threads_at_once(
    many_blocks,
):
    X, y = many_blocks
    seen = []
    original = row_blocks._run

    def spy(tasks, threads):
        def watched(task):
            def run():  # as the task runs: threads in use, BLAS on one?
                seen.append((row_blocks._session_threads, row_blocks._limit_held()))
                return task()

            return run

        return original([watched(task) for task in tasks], threads)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(row_blocks, "_run", spy)
        in_threads(
            lambda: quiet_fit(
                BackpropClassifier(n_hidden=M, solver="gd", max_iter=1, random_state=0),
                X,
                y,
            )
        )
    assert seen
    for threads, held in seen:
        assert threads == 1 or held  # several threads only with BLAS on one


def test_the_sums_do_not_depend_on_the_number_of_threads(many_blocks):
    X, y = many_blocks
    params = dict(n_hidden=M, max_iter=2, random_state=0)
    default = quiet_fit(BackpropClassifier(**params), X, y)
    with threadpool_limits(1):
        assert row_blocks.n_threads() == 1  # the caller's limit is obeyed
        one = quiet_fit(BackpropClassifier(**params), X, y)
    # the same blocks summed in the same order on any number of threads;
    # compared with a tolerance because a BLAS may round a block's products
    # differently in another thread (OpenBLAS does for the main thread)
    np.testing.assert_allclose(one._theta, default._theta, rtol=1e-12, atol=1e-15)


def test_threads_follow_the_usable_cores():
    from joblib import cpu_count

    assert row_blocks._usable_cores() == cpu_count()
    lanes = row_blocks.n_lanes(n_blocks=1000, lane_size=10_000, itemsize=8)
    assert lanes == row_blocks.MAX_LANES  # enough for 64 cores, not a fixed 4
    huge = row_blocks.n_lanes(n_blocks=1000, lane_size=10**8, itemsize=8)
    assert huge == row_blocks.MIN_LANES


def test_the_callers_blas_setting_is_back_after_a_fit(many_blocks):
    X, y = many_blocks
    before = blas_threads()
    quiet_fit(BackpropClassifier(n_hidden=M, max_iter=2, random_state=0), X, y)
    assert blas_threads() == before
    assert row_blocks._active_calls == 0


def test_a_fit_on_one_block_never_touches_blas(monkeypatch, iris):
    X, y = iris
    calls = []
    controller = row_blocks._thread_controller()
    monkeypatch.setattr(controller, "limit", lambda **kw: calls.append(kw))
    BackpropClassifier(random_state=0).fit(X, y)
    assert calls == []
