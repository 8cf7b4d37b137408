"""The math core against independent references."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import central_differences, import_extra, naive_loss_and_gradient
from scipy.special import expit

from skbackprop._namespace import to_numpy
from skbackprop._network import (
    n_weights,
    objective,
    softmax_outputs,
    unpack,
)
from skbackprop._objective import Objective, loss_and_gradient


def random_problem(rng, N=30, D=4, M=5, K=3, weighted=True):
    X = rng.normal(size=(N, D))
    T = np.eye(K)[rng.randint(K, size=N)]
    s = rng.uniform(0, 3, size=N) if weighted else np.ones(N)
    theta = rng.normal(0, 1.0, n_weights(D, M, K))
    return theta, X, T, s


NAMESPACES = ["numpy", "array_api_strict", "torch"]


def on_path_of(namespace):
    """The loss-and-gradient and the objective (the functions that train),
    taking and returning NumPy, on the arrays of ``namespace``: the NumPy
    route (compiled kernels, row blocks), or the array API route on that
    library's CPU arrays."""
    if namespace == "numpy":
        return loss_and_gradient, objective
    xp = import_extra(namespace, "array-api")

    def moved(*arrays):
        return [xp.asarray(array) for array in arrays]

    def gradient_path(theta, X, T, p, l2, M):
        loss, gradient = loss_and_gradient(*moved(theta, X, T, p), l2, M)
        return loss, to_numpy(gradient)

    def objective_path(theta, X, T, p, l2, M):
        return objective(*moved(theta, X, T, p), l2, M)

    return gradient_path, objective_path


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("K", [2, 3, 5])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_vectorised_equals_per_sample_loop(namespace, K, weighted, l2):
    rng = np.random.RandomState(K)
    theta, X, T, s = random_problem(rng, K=K, weighted=weighted)
    path, _ = on_path_of(namespace)
    loss, gradient = path(theta, X, T, s / s.sum(), l2, 5)
    expected_loss, expected_gradient = naive_loss_and_gradient(theta, X, T, s, l2, 5)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_gradient_equals_central_differences(namespace):
    rng = np.random.RandomState(0)
    theta, X, T, s = random_problem(rng)
    p = s / s.sum()
    path, objective_path = on_path_of(namespace)
    _, gradient = path(theta, X, T, p, 0.1, 5)
    numerical = central_differences(lambda t: objective_path(t, X, T, p, 0.1, 5), theta)
    np.testing.assert_allclose(gradient, numerical, rtol=1e-6, atol=1e-9)


def test_loss_equals_objective_and_theta_is_untouched():
    rng = np.random.RandomState(1)
    theta, X, T, s = random_problem(rng)
    before = theta.copy()
    loss, _ = loss_and_gradient(theta, X, T, s / s.sum(), 0.2, 5)
    assert loss == pytest.approx(objective(theta, X, T, s / s.sum(), 0.2, 5), rel=1e-14)
    np.testing.assert_array_equal(theta, before)


def test_unpack_gives_views_in_the_books_order():
    theta = np.arange(n_weights(2, 3, 4), dtype=float)
    W, V = unpack(theta, 2, 3, 4)
    assert W.shape == (3, 3) and V.shape == (4, 4)
    assert W[0, 2] == 2 and V[0, 0] == 9
    W[1, 1] = -1
    assert theta[4] == -1


def test_sparse_input_gives_the_dense_result():
    rng = np.random.RandomState(2)
    theta, X, T, s = random_problem(rng)
    X[X < 0.5] = 0
    p = s / s.sum()
    dense = loss_and_gradient(theta, X, T, p, 0.0, 5)
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        sparse = loss_and_gradient(theta, fmt(X), T, p, 0.0, 5)
        assert sparse[0] == pytest.approx(dense[0], rel=1e-12)
        np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-10, atol=1e-15)


def test_float32_stays_float32():
    rng = np.random.RandomState(3)
    theta, X, T, s = random_problem(rng)
    p = (s / s.sum()).astype(np.float32)
    _, gradient = loss_and_gradient(
        theta.astype(np.float32), X.astype(np.float32), T.astype(np.float32), p, 0.1, 5
    )
    assert gradient.dtype == np.float32


def test_saturated_logits_give_a_finite_loss():
    rng = np.random.RandomState(4)
    theta, X, T, s = random_problem(rng)
    theta *= 1e4
    loss, gradient = loss_and_gradient(theta, X, T, s / s.sum(), 0.0, 5)
    assert np.isfinite(loss) and np.isfinite(gradient).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [10, 100_000])
def test_sigmoid_equals_expit_without_warnings(dtype, size):
    from scipy.special import expit

    from skbackprop._numpy_ops import sigmoid

    rng = np.random.RandomState(0)
    B = (rng.normal(size=size) * 30).astype(dtype)
    B[:6] = [-1e4, -100, -1e-3, 0, 100, 1e4]
    expected = expit(B.astype(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = sigmoid(B.copy())
    assert Z.dtype == dtype
    np.testing.assert_allclose(Z, expected, rtol=4 * np.finfo(dtype).eps, atol=1e-30)


def naive_logits(theta, X, M, K):
    W, V = unpack(theta, X.shape[1], M, K)
    Z = expit(X @ W[:, :-1].T + W[:, -1])
    return Z @ V[:, :-1].T + V[:, -1]


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e5])
def test_softmax_outputs_equal_scipys(scale):
    from scipy.special import log_softmax, softmax

    rng = np.random.RandomState(5)
    D, M, K = 3, 4, 5
    X = rng.normal(size=(40, D))
    theta = rng.normal(size=n_weights(D, M, K))
    theta[M * (D + 1) :] *= scale  # V large enough to need the shift
    logits = naive_logits(theta, X, M, K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_Y = softmax_outputs(theta, X, M, K, log=True)
        Y = softmax_outputs(theta, X, M, K)
    np.testing.assert_allclose(log_Y, log_softmax(logits, axis=1), rtol=1e-12)
    np.testing.assert_allclose(Y, softmax(logits, axis=1), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(Y.sum(axis=1), 1.0, rtol=1e-14)


def test_objective_reuses_its_gradient_buffer_and_follows_new_weights():
    rng = np.random.RandomState(7)
    theta, X, T, s = random_problem(rng)
    p = s / s.sum()
    training = Objective(X, T, p, 0.1, 5)
    loss, gradient = training.loss_and_gradient(theta)
    expected = loss_and_gradient(theta, X, T, p, 0.1, 5)
    assert loss == expected[0]
    np.testing.assert_array_equal(gradient, expected[1])
    theta *= 0.5  # moved in place, as the solvers do
    moved_loss, moved_gradient = training.loss_and_gradient(theta)
    assert moved_gradient is gradient
    naive = naive_loss_and_gradient(theta, X, T, s, 0.1, 5)
    np.testing.assert_allclose(moved_loss, naive[0], rtol=1e-12)
    np.testing.assert_allclose(moved_gradient, naive[1], rtol=1e-10, atol=1e-15)
    other = theta.copy() * 2  # a new array, as L-BFGS passes
    np.testing.assert_allclose(
        training.loss_and_gradient(other)[1],
        naive_loss_and_gradient(other, X, T, s, 0.1, 5)[1],
        rtol=1e-10,
        atol=1e-15,
    )


def test_an_unpickled_objective_computes_the_same_gradient():
    # A Dask worker pickles objectives to send them to another worker; the
    # copy's gradient views must view its own buffer, not copies of the old.
    rng = np.random.RandomState(3)
    theta, X, T, s = random_problem(rng)
    training = Objective(X, T, s / s.sum(), 0.1, 5)
    training.loss_and_gradient(theta)  # fills the buffer that is pickled
    copied = pickle.loads(pickle.dumps(training))
    for scale in (0.5, 2.0):
        expected_loss, expected = training.loss_and_gradient(theta * scale)
        loss, gradient = copied.loss_and_gradient(theta * scale)
        assert loss == expected_loss
        np.testing.assert_array_equal(gradient, expected)
