"""transform: the hidden layer z = h(W x) as features."""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import quiet_fit
from scipy.special import expit
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import skbackprop._row_blocks as row_blocks
from skbackprop import BackpropClassifier


@pytest.fixture(scope="module")
def fitted_on_iris():
    X, y = load_iris(return_X_y=True)
    # the small weights of full-batch steps: float32 inputs round within 1e-6
    clf = BackpropClassifier(n_hidden=5, solver="gd", init="glorot", random_state=0)
    return quiet_fit(clf, X, y), X, y


@pytest.mark.parametrize("kind", ["dense", "csr", "float32"])
def test_transform_is_the_books_hidden_layer(fitted_on_iris, kind):
    clf, X, _ = fitted_on_iris
    W = clf.W_
    expected = expit(X @ W[:, :-1].T + W[:, -1])  # z_j = h(sum_i w_ji x_i + w_j)
    X_in = {"dense": X, "csr": sp.csr_matrix(X), "float32": X.astype(np.float32)}
    Z = clf.transform(X_in[kind])
    assert Z.shape == (150, 5) and Z.dtype == np.float64
    np.testing.assert_allclose(Z, expected, rtol=1e-6 if kind == "float32" else 1e-12)


def test_transform_of_many_blocks_equals_one_block(monkeypatch):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30_000, 12)), rng.randint(3, size=30_000)
    clf = quiet_fit(BackpropClassifier(n_hidden=96, max_iter=2, random_state=0), X, y)
    assert len(row_blocks.row_blocks(X.shape[0], 96)) >= 10
    blocks = clf.transform(X)
    monkeypatch.setattr(row_blocks, "ELEMENTS_PER_BLOCK", 10**12)
    np.testing.assert_allclose(clf.transform(X), blocks, rtol=1e-12)


def test_fit_transform_and_feature_names(fitted_on_iris):
    _, X, y = fitted_on_iris
    clf = BackpropClassifier(n_hidden=3, random_state=0)
    Z = quiet_fit(clf, X, y).transform(X)
    np.testing.assert_array_equal(
        BackpropClassifier(n_hidden=3, random_state=0).fit_transform(X, y), Z
    )
    assert clf.get_feature_names_out().tolist() == [
        "backpropclassifier0",
        "backpropclassifier1",
        "backpropclassifier2",
    ]


def test_a_feature_extractor_in_a_pipeline(fitted_on_iris):
    pd = pytest.importorskip("pandas")
    _, X, y = fitted_on_iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    pipeline = make_pipeline(
        BackpropClassifier(n_hidden=4, random_state=0), LogisticRegression()
    ).set_output(transform="pandas")
    pipeline.fit(frame, y)
    assert pipeline.score(frame, y) > 0.9
    features = pipeline[0].transform(frame)
    assert list(features.columns) == [f"backpropclassifier{j}" for j in range(4)]


def test_transform_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        BackpropClassifier().transform(np.zeros((2, 3)))
