"""The book's chapter 7 run, reproduced to rounding."""

import numpy as np
import pytest
from _helpers import naive_loss_and_gradient, quiet_fit
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier, make_textbook_data


def naive_cross_entropy(wv, M, K, x, t):
    """The book's CE_FNN, from the per-sample oracle."""
    return naive_loss_and_gradient(wv, x, t, np.ones(x.shape[0]), 0.0, M)[0]


def naive_gradient(wv, M, K, x, t):
    """The book's dCE_FNN: delta2 = y - t, delta1 = h'(b) sum_k v_kj delta2_k."""
    return naive_loss_and_gradient(wv, x, t, np.ones(x.shape[0]), 0.0, M)[1]


def naive_fit(alpha, n_steps, x_train, t_train, x_test, t_test, M=2, K=3):
    """The book's Fit_FNN with its initial weights."""
    np.random.seed(1)
    wv = np.random.normal(0, 0.01, M * 3 + K * (M + 1))
    err_train, err_test = [], []
    for _ in range(n_steps):
        wv = wv - alpha * naive_gradient(wv, M, K, x_train, t_train)
        err_train.append(naive_cross_entropy(wv, M, K, x_train, t_train))
        err_test.append(naive_cross_entropy(wv, M, K, x_test, t_test))
    return wv, np.array(err_train), np.array(err_test)


def book_classifier(learning_rate):
    return BackpropClassifier(
        n_hidden=2,
        learning_rate=learning_rate,
        solver="gd",  # spelled out, as every setting of the book's run
        max_iter=1000,
        init="normal",
        init_scale=0.01,
        random_state=1,
        tol=0.0,
        n_iter_no_change=10**6,
        early_stopping=False,  # the book scores its test data, never stops on it
    )


@pytest.fixture(scope="module")
def book_data():
    X, y = make_textbook_data()
    return X[:100], y[:100], X[100:], y[100:]


@pytest.mark.parametrize(
    "learning_rate, train_loss, test_loss, train_accuracy, test_accuracy",
    [(1.0, 0.20843, 0.26837, 0.92, 0.90), (0.5, 0.22335, 0.29466, 0.91, 0.88)],
)
def test_the_books_run(
    book_data, learning_rate, train_loss, test_loss, train_accuracy, test_accuracy
):
    X_train, y_train, X_test, y_test = book_data
    clf = book_classifier(learning_rate)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)

    T_train, T_test = np.eye(3)[y_train], np.eye(3)[y_test]
    wv, err_train, err_test = naive_fit(
        learning_rate, 1000, X_train, T_train, X_test, T_test
    )
    np.testing.assert_allclose(clf.W_, wv[:6].reshape(2, 3), rtol=1e-9)
    np.testing.assert_allclose(clf.V_, wv[6:].reshape(3, 3), rtol=1e-9)
    np.testing.assert_allclose(clf.loss_curve_, err_train, rtol=1e-9)
    np.testing.assert_allclose(clf.validation_loss_curve_, err_test, rtol=1e-9)

    assert round(clf.loss_curve_[-1], 5) == train_loss
    assert round(clf.validation_loss_curve_[-1], 5) == test_loss
    assert clf.score(X_train, y_train) == pytest.approx(train_accuracy)
    assert clf.score(X_test, y_test) == pytest.approx(test_accuracy)
    assert clf.validation_scores_[-1] == pytest.approx(test_accuracy)
    assert clf.n_iter_ == 1000


def test_normal_init_is_the_books_draw(book_data):
    X_train, y_train, _, _ = book_data
    clf = book_classifier(1.0).set_params(max_iter=1)
    quiet_fit(clf, X_train, y_train)
    np.random.seed(1)
    wv_init = np.random.normal(0, 0.01, 15)
    T = np.eye(3)[y_train]
    wv_after_one_step = wv_init - naive_gradient(wv_init, 2, 3, X_train, T)
    np.testing.assert_allclose(
        np.r_[clf.W_.ravel(), clf.V_.ravel()], wv_after_one_step, rtol=1e-12
    )
