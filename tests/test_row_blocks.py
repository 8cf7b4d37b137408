"""Row blocks on threads: the same sums as one block, on any number of threads."""

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import skbackprop._row_blocks as row_blocks
from skbackprop._network import n_weights, softmax_outputs
from skbackprop._objective import Objective


def split_problem(N=3000, D=20, M=64, K=4, seed=0):
    """A problem large enough (N x M >= MIN_ELEMENTS_TO_SPLIT) to be split."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, D))
    T = np.eye(K)[rng.randint(K, size=N)]
    s = rng.uniform(0.5, 2.0, size=N)
    theta = rng.normal(0, 0.3, n_weights(D, M, K))
    return theta, X, T, s / s.sum(), M


def test_the_problem_is_split_into_several_blocks():
    _, X, _, _, M = split_problem()
    assert len(row_blocks.row_blocks(X.shape[0], M)) > 1


def test_blocks_sum_to_the_one_block_result(monkeypatch):
    theta, X, T, p, M = split_problem()
    loss, gradient = Objective(X, T, p, 0.1, M).loss_and_gradient(theta)
    monkeypatch.setattr(row_blocks, "MIN_ELEMENTS_TO_SPLIT", 10**12)
    assert len(row_blocks.row_blocks(X.shape[0], M)) == 1
    whole = Objective(X, T, p, 0.1, M)
    whole_loss, whole_gradient = whole.loss_and_gradient(theta)
    assert loss == pytest.approx(whole_loss, rel=1e-12)
    np.testing.assert_allclose(gradient, whole_gradient, rtol=1e-10, atol=1e-15)


def test_results_agree_on_one_thread_or_many():
    # The same blocks, summed in the same order, on one thread or many; a
    # BLAS may still round a block's products otherwise in another thread,
    # hence the tolerance.
    theta, X, T, p, M = split_problem()
    loss, gradient = Objective(X, T, p, 0.0, M).loss_and_gradient(theta)
    gradient = gradient.copy()
    proba = softmax_outputs(theta, X, M, T.shape[1])
    with threadpool_limits(1):
        assert row_blocks.n_threads() == 1
        one_loss, one_gradient = Objective(X, T, p, 0.0, M).loss_and_gradient(theta)
        one_proba = softmax_outputs(theta, X, M, T.shape[1])
    assert one_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(one_gradient, gradient, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(one_proba, proba, rtol=1e-12, atol=1e-15)


def test_run_returns_results_in_task_order_and_uses_the_calling_thread():
    callers = []

    def task(i):
        def run():
            callers.append(threading.get_ident())
            return i * i

        return run

    results = row_blocks._run([task(i) for i in range(50)], threads=2)
    assert results == [i * i for i in range(50)]
    assert threading.get_ident() in callers


def test_run_raises_a_tasks_error_after_every_task_has_finished():
    finished = []

    def task(i):
        def run():
            if i == 7:
                raise ZeroDivisionError("block 7")
            finished.append(i)

        return run

    with pytest.raises(ZeroDivisionError, match="block 7"):
        row_blocks._run([task(i) for i in range(20)], threads=2)
    assert sorted(finished) == [i for i in range(20) if i != 7]
    assert row_blocks._active_calls == 0  # the BLAS limit was given back
    assert row_blocks._blas_limit is None
