import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skbackprop import BackpropClassifier, backprop_gradient, numerical_gradient


def fitted_at_random_weights(n_classes, l2, seed=0):
    X, y = make_classification(
        n_samples=60,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    clf = BackpropClassifier(
        n_hidden=4,
        l2=l2,
        init="normal",
        init_scale=1.0,
        max_iter=1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    return clf, X, y


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_backprop_equals_numerical_gradient(n_classes, weighted, l2):
    clf, X, y = fitted_at_random_weights(n_classes, l2)
    sample_weight = np.random.RandomState(1).uniform(0, 2, len(y)) if weighted else None
    dW, dV = backprop_gradient(clf, X, y, sample_weight)
    nW, nV = numerical_gradient(clf, X, y, sample_weight, eps=1e-5)
    assert dW.shape == clf.W_.shape and dV.shape == clf.V_.shape
    np.testing.assert_allclose(dW, nW, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dV, nV, rtol=1e-6, atol=1e-10)


def test_gradient_is_zero_free_and_changes_with_the_weights():
    clf, X, y = fitted_at_random_weights(3, 0.0)
    dW, dV = backprop_gradient(clf, X, y)
    assert np.all(dV != 0)
    clf.set_params(warm_start=True, learning_rate=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    dW2, _ = backprop_gradient(clf, X, y)
    assert not np.allclose(dW, dW2)


def test_books_eps_is_accurate_enough_for_the_books_check():
    clf, X, y = fitted_at_random_weights(3, 0.0)
    dW, dV = backprop_gradient(clf, X, y)
    nW, nV = numerical_gradient(clf, X, y)  # eps = 1e-3 as in the book
    np.testing.assert_allclose(dW, nW, atol=1e-5)
    np.testing.assert_allclose(dV, nV, atol=1e-5)


def test_unfitted_classifier_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        backprop_gradient(BackpropClassifier(), np.zeros((2, 2)), [0, 1])
