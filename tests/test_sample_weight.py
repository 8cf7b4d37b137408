"""Sample and class weights fold into one weighted mean loss."""

import numpy as np
import pytest
from _helpers import QUIET
from sklearn.datasets import make_classification
from sklearn.utils.class_weight import compute_sample_weight

from skbackprop import BackpropClassifier

pytestmark = QUIET


def fit(X, y, sample_weight=None, **params):
    params = dict(dict(n_hidden=4, max_iter=40, tol=0, random_state=0), **params)
    return BackpropClassifier(**params).fit(X, y, sample_weight=sample_weight)


@pytest.fixture
def data():
    return make_classification(
        n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0
    )


def test_integer_weights_equal_repeated_rows(data):
    X, y = data
    counts = np.random.RandomState(0).randint(1, 4, size=len(y))
    weighted = fit(X, y, counts, solver="gd")
    repeated = fit(np.repeat(X, counts, axis=0), np.repeat(y, counts), solver="gd")
    np.testing.assert_allclose(weighted._theta, repeated._theta, rtol=1e-10)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize(
    "params", [dict(solver="gd"), dict(solver="lbfgs", l2=0.01)], ids=["gd", "lbfgs"]
)
def test_zero_weight_equals_removing_the_row(data, params):
    X, y = data
    weights = np.ones(len(y))
    weights[[3, 10, 11]] = 0
    keep = weights > 0
    np.testing.assert_allclose(
        fit(X, y, weights, **params)._theta,
        fit(X[keep], y[keep], **params)._theta,
        rtol=1e-10,
    )


def test_balanced_class_weight_equals_explicit_weights(data):
    X, y = data
    X, y = X[:45], y[:45]  # unequal classes
    explicit = compute_sample_weight("balanced", y)
    np.testing.assert_allclose(
        fit(X, y, class_weight="balanced")._theta,
        fit(X, y, explicit)._theta,
        rtol=1e-12,
    )
    dict_weights = {0: 2.0, 1: 0.5, 2: 1.0}
    sample_weight = np.random.RandomState(1).uniform(0.5, 2, len(y))
    np.testing.assert_allclose(
        fit(X, y, sample_weight, class_weight=dict_weights)._theta,
        fit(X, y, sample_weight * np.vectorize(dict_weights.get)(y))._theta,
        rtol=1e-12,
    )


def test_weights_change_the_fit(data):
    X, y = data
    weights = np.where(y == 0, 10.0, 1.0)
    assert not np.allclose(fit(X, y, weights)._theta, fit(X, y)._theta)


def test_scaling_all_weights_changes_nothing(data):
    X, y = data
    weights = np.random.RandomState(2).uniform(0.1, 1, len(y))
    np.testing.assert_allclose(
        fit(X, y, weights)._theta, fit(X, y, 1000 * weights)._theta, rtol=1e-10
    )


@pytest.mark.parametrize("solver", ["gd", "sgd", "lbfgs"])
@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (-np.ones(60), "Negative values in data passed to `sample_weight`"),
        (np.r_[-1.0, np.ones(59)], "Negative values in data passed to `sample_weight`"),
        (np.zeros(60), "zero"),  # worded by scikit-learn >= 1.7, else by us
        (np.ones(59), "shape"),
        (np.r_[np.nan, np.ones(59)], "NaN"),
    ],
)
def test_bad_sample_weights_are_named(data, sample_weight, match, solver):
    # Our own checks, so that scikit-learn 1.6 (which lets all-zero weights
    # through: gd then reported a divergence, sgd a ZeroDivisionError) and
    # later versions refuse them alike; .ci/oldest runs this on 1.6.
    X, y = data
    clf = BackpropClassifier(solver=solver)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_weight=sample_weight)
    if solver != "lbfgs":  # lbfgs has no partial_fit
        with pytest.raises(ValueError, match=match):
            clf.partial_fit(X, y, classes=[0, 1, 2], sample_weight=sample_weight)


def test_class_weight_naming_an_unknown_class(data):
    X, y = data
    with pytest.raises(ValueError, match="class_weight names classes not in the data"):
        BackpropClassifier(class_weight={0: 1.0, 7: 2.0}).fit(X, y)
