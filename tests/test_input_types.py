"""float32 end to end, and sparse X without densifying it."""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import QUIET
from sklearn.datasets import make_classification

from skbackprop import BackpropClassifier

pytestmark = QUIET

SOLVERS = [
    dict(solver="gd"),
    dict(solver="sgd", batch_size=16, shuffle=True),
    dict(solver="lbfgs", l2=0.01),
]


def fit(X, y, **params):
    params = dict(dict(n_hidden=5, max_iter=30, tol=0, random_state=0), **params)
    return BackpropClassifier(**params).fit(X, y)


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=80, n_features=12, n_informative=5, n_classes=3, random_state=0
    )
    return X, y


@pytest.mark.parametrize("params", SOLVERS, ids=lambda p: p["solver"])
def test_float32_end_to_end(data, params):
    X, y = data
    clf32 = fit(X.astype(np.float32), y, **params)
    clf64 = fit(X, y, **params)
    assert clf32._theta.dtype == np.float32
    assert all(c.dtype == np.float32 for c in clf32.coefs_ + clf32.intercepts_)
    assert clf32.W_.dtype == np.float32
    proba32 = clf32.predict_proba(X.astype(np.float32))
    assert proba32.dtype == np.float32
    assert clf32.predict_log_proba(X).dtype == np.float32  # cast to the weights
    np.testing.assert_allclose(proba32, clf64.predict_proba(X), atol=1e-4)
    np.testing.assert_allclose(clf32._theta, clf64._theta, atol=1e-3)


def test_float32_hidden_layer_is_not_upcast(data, monkeypatch):
    import skbackprop._network as network

    seen = []
    original = network.hidden_layer

    def spy(ops, layers, X, out=None):
        Z = original(ops, layers, X, out=out)
        seen.append(Z.dtype)
        return Z

    monkeypatch.setattr(network, "hidden_layer", spy)
    X, y = data
    fit(X.astype(np.float32), y, max_iter=3, solver="gd")
    assert seen and set(seen) == {np.dtype(np.float32)}


@pytest.mark.parametrize("params", SOLVERS, ids=lambda p: p["solver"])
@pytest.mark.parametrize("fmt", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_sparse_equals_dense(data, params, fmt):
    X, y = data
    X[np.abs(X) < 0.8] = 0
    dense = fit(X, y, **params)
    sparse = fit(fmt(X), y, **params)
    np.testing.assert_allclose(sparse._theta, dense._theta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(fmt(X)), dense.predict_proba(X), rtol=1e-10
    )


def test_sparse_is_never_densified(data, monkeypatch):
    X, y = data
    X[np.abs(X) < 0.8] = 0
    X = sp.csr_matrix(X)

    def refuse(*args, **kwargs):
        raise AssertionError("X was densified")

    monkeypatch.setattr(sp.csr_matrix, "toarray", refuse)
    monkeypatch.setattr(sp.csr_matrix, "todense", refuse)
    clf = fit(X, y, solver="sgd", batch_size=10)
    clf.predict_proba(X)
