"""Early stopping, partial_fit and warm_start."""

import numpy as np
import pytest
from _helpers import quiet_fit
from sklearn.datasets import make_classification

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._network import cross_entropy, log_probabilities


@pytest.fixture
def noisy_problem():
    # few samples, many features, label noise: the validation loss turns up
    X, y = make_classification(
        n_samples=120, n_features=30, n_informative=5, flip_y=0.2, random_state=0
    )
    return X, y


def validation_loss_at_returned_weights(clf, X_val, y_val):
    log_Y = log_probabilities(clf._theta, X_val, clf.n_hidden, len(clf.classes_))
    return cross_entropy(log_Y, np.eye(2)[y_val], np.full(len(y_val), 1 / len(y_val)))


def test_early_stopping_on_given_validation_data_restores_the_best(noisy_problem):
    X, y = noisy_problem
    clf = BackpropClassifier(
        n_hidden=32,
        learning_rate=2.0,
        early_stopping=True,
        n_iter_no_change=20,
        max_iter=3000,
        random_state=0,
    )
    clf.fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
    curve = clf.validation_loss_curve_
    assert clf.n_iter_ < 3000  # it stopped
    assert np.argmin(curve) < len(curve) - 1  # after the best epoch
    assert validation_loss_at_returned_weights(clf, X[80:], y[80:]) == pytest.approx(
        min(curve), rel=1e-12
    )
    assert clf.best_loss_ == min(curve)


def test_early_stopping_holds_out_a_stratified_fraction(noisy_problem):
    X, y = noisy_problem
    params = dict(
        n_hidden=16,
        learning_rate=2.0,
        early_stopping=True,
        validation_fraction=0.25,
        random_state=7,
    )
    clf = quiet_fit(BackpropClassifier(**params), X, y)
    again = quiet_fit(BackpropClassifier(**params), X, y)
    np.testing.assert_array_equal(clf._theta, again._theta)
    assert clf.validation_loss_curve_ == again.validation_loss_curve_
    assert clf.t_ == clf.n_iter_ * 90  # trained on 75% of 120
    assert clf.best_loss_ == min(clf.validation_loss_curve_)


def test_validation_curves_without_early_stopping_do_not_change_training():
    X, y = make_textbook_data()
    params = dict(n_hidden=3, max_iter=50, tol=0, random_state=0)
    plain = quiet_fit(BackpropClassifier(**params), X[:100], y[:100])
    watched = quiet_fit(
        BackpropClassifier(**params), X[:100], y[:100], X_val=X[100:], y_val=y[100:]
    )
    np.testing.assert_array_equal(plain._theta, watched._theta)
    assert not hasattr(plain, "validation_loss_curve_")
    assert len(watched.validation_loss_curve_) == 50


def test_partial_fit_on_one_chunk_k_times_equals_k_epochs_of_fit():
    X, y = make_textbook_data()
    params = dict(n_hidden=3, solver="gd", momentum=0.5, tol=0, random_state=0)
    params.update(early_stopping=False)
    fitted = quiet_fit(BackpropClassifier(max_iter=7, **params), X, y)
    incremental = BackpropClassifier(**params)
    for _ in range(7):
        incremental.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_allclose(incremental._theta, fitted._theta, rtol=1e-12)
    np.testing.assert_allclose(incremental.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert incremental.n_iter_ == 7 and incremental.t_ == 7 * 200


def test_partial_fit_over_chunks_equals_warm_started_single_epochs():
    X, y = make_classification(
        n_samples=300, n_features=6, n_classes=3, n_informative=4, random_state=0
    )
    chunks = np.array_split(np.arange(300), 5)
    params = dict(n_hidden=5, momentum=0.3, tol=0, random_state=0)
    incremental = BackpropClassifier(**params)
    warm = BackpropClassifier(max_iter=1, warm_start=True, **params)
    for rows in chunks:
        incremental.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        quiet_fit(warm, X[rows], y[rows])
    np.testing.assert_allclose(incremental._theta, warm._theta, rtol=1e-12)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_chunked_training_converges(solver):
    X, y = make_classification(n_samples=2000, n_features=10, random_state=0)
    clf = BackpropClassifier(solver=solver, batch_size=50, random_state=0)
    chunks = np.array_split(np.arange(1600), 20)
    for _ in range(10):
        for rows in chunks:
            clf.partial_fit(X[rows], y[rows], classes=[0, 1])
    assert clf.score(X[1600:], y[1600:]) > 0.85
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_partial_fit_errors():
    X, y = make_textbook_data()
    with pytest.raises(ValueError, match="classes must be passed"):
        BackpropClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        BackpropClassifier(solver="lbfgs").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        BackpropClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    clf = BackpropClassifier(n_hidden=2).partial_fit(X, y, classes=[0, 1, 2])
    theta = clf._theta.copy()
    with pytest.raises(ValueError, match="labels not in classes_"):
        clf.partial_fit(X[:3], [0, 1, 5])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(np.zeros((3, 5)), [0, 1, 2])
    np.testing.assert_array_equal(clf._theta, theta)
    assert clf.n_iter_ == 1


def test_partial_fit_chunk_may_hold_one_class():
    X, y = make_textbook_data()
    clf = BackpropClassifier(n_hidden=2).partial_fit(
        X[y == 0], y[y == 0], classes=[0, 1, 2]
    )
    assert clf.predict_proba(X).shape == (200, 3)


def test_warm_start_continues_weights_and_momentum():
    X, y = make_textbook_data()
    params = dict(n_hidden=3, solver="gd", momentum=0.9, tol=0, random_state=0)
    params.update(early_stopping=False)
    ten = quiet_fit(BackpropClassifier(max_iter=10, **params), X, y)
    warm = BackpropClassifier(max_iter=4, warm_start=True, **params)
    quiet_fit(warm, X, y)
    quiet_fit(warm.set_params(max_iter=6), X, y)
    np.testing.assert_allclose(warm._theta, ten._theta, rtol=1e-12)
    # as in MLPClassifier: n_iter_ counts the latest fit, the curve grows
    assert warm.n_iter_ == 6 and len(warm.loss_curve_) == 10
    cold = quiet_fit(BackpropClassifier(max_iter=6, **params), X, y)
    assert not np.allclose(cold._theta, ten._theta)


def test_warm_start_with_other_classes_is_refused():
    X, y = make_textbook_data()
    clf = quiet_fit(BackpropClassifier(n_hidden=2, max_iter=2, warm_start=True), X, y)
    before = clf._theta.copy()
    with pytest.raises(ValueError, match="same classes as in the previous call"):
        clf.fit(X, y + 1)
    with pytest.raises(ValueError, match="same classes as in the previous call"):
        clf.fit(X[y < 2], y[y < 2])  # a subset, refused as MLPClassifier does
    np.testing.assert_array_equal(clf._theta, before)


def test_partial_fit_chunks_of_some_classes_with_warm_start_set():
    # warm_start's "same classes" rule is fit's; chunks may hold a few classes
    X, y = make_textbook_data()
    clf = BackpropClassifier(n_hidden=2, warm_start=True)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X[y == 0], y[y == 0])
    assert clf.n_iter_ == 2


def test_warm_start_counts_the_latest_fit_as_mlp_classifier_does():
    from sklearn.neural_network import MLPClassifier

    X, y = make_textbook_data()
    ours = BackpropClassifier(n_hidden=3, max_iter=10, tol=0, warm_start=True)
    theirs = MLPClassifier((3,), max_iter=10, tol=0, warm_start=True)
    for max_iter in (10, 20, 3, 3):
        for clf in (ours, theirs):
            quiet_fit(clf.set_params(max_iter=max_iter), X, y)
        assert ours.n_iter_ == theirs.n_iter_ == max_iter
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 36


@pytest.mark.parametrize("change", ["n_hidden", "n_features"])
def test_warm_start_refuses_another_network_by_name(change):
    X, y = make_textbook_data()
    clf = quiet_fit(BackpropClassifier(n_hidden=2, max_iter=2, warm_start=True), X, y)
    if change == "n_hidden":
        clf.set_params(n_hidden=5)
        match = "n_hidden=5 differs from the 2 hidden units"
    else:
        X = np.c_[X, X[:, :1]]
        match = "X has 3 features, but BackpropClassifier is expecting 2"
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, y)
