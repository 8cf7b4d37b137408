"""Update rules written out, and the solvers against each other."""

import numpy as np
import pytest
from _helpers import quiet_fit, quietly
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._initialization import initial_weights
from skbackprop._objective import loss_and_gradient
from skbackprop._solvers import HeavyBall, MiniBatchEpoch


def test_heavy_ball_is_the_rule_written_out():
    rng = np.random.RandomState(0)
    theta = rng.normal(size=7)
    gradients = rng.normal(size=(4, 7))
    optimizer = HeavyBall(learning_rate=0.3, momentum=0.9)
    expected_theta, velocity = theta.copy(), np.zeros(7)
    for gradient in gradients:
        optimizer.step(theta, gradient)
        velocity = 0.9 * velocity - 0.3 * gradient
        expected_theta = expected_theta + velocity
        np.testing.assert_allclose(theta, expected_theta, rtol=1e-14)
        np.testing.assert_allclose(optimizer.velocity, velocity, rtol=1e-14)


def test_zero_momentum_is_the_books_step():
    theta = np.array([1.0, -2.0, 3.0])
    gradient = np.array([0.5, 0.25, -1.0])
    HeavyBall(learning_rate=0.5, momentum=0.0).step(theta, gradient)
    np.testing.assert_array_equal(theta, [0.75, -2.125, 3.5])


def test_gd_with_momentum_follows_the_rule_from_the_first_step():
    X, y = make_textbook_data()
    theta0 = initial_weights("glorot", 0.01, 2, 3, 3, np.random.RandomState(0), float)
    T, p = np.eye(3)[y], np.full(200, 1 / 200)
    _, g0 = loss_and_gradient(theta0, X, T, p, 0.0, 3)
    u1 = -0.5 * g0  # u <- momentum * 0 - learning_rate * grad
    theta1 = theta0 + u1
    _, g1 = loss_and_gradient(theta1, X, T, p, 0.0, 3)
    theta2 = theta1 + (0.8 * u1 - 0.5 * g1)
    clf = BackpropClassifier(
        n_hidden=3, learning_rate=0.5, momentum=0.8, max_iter=2, tol=0, random_state=0
    ).set_params(solver="gd", init="glorot", early_stopping=False)
    quiet_fit(clf, X, y)
    np.testing.assert_allclose(clf._theta, theta2, rtol=1e-12)
    np.testing.assert_allclose(clf._velocity, theta2 - theta1, rtol=1e-10)


def test_sgd_with_one_batch_and_no_shuffle_is_gd():
    X, y = make_textbook_data()
    common = dict(n_hidden=3, max_iter=30, tol=0, random_state=0, momentum=0.5)
    gd = quiet_fit(BackpropClassifier(solver="gd", **common), X, y)
    sgd = quiet_fit(
        BackpropClassifier(solver="sgd", batch_size=1000, shuffle=False, **common),
        X,
        y,
    )
    np.testing.assert_allclose(sgd._theta, gd._theta, rtol=1e-12)
    # sgd records the loss before each step, gd after it: shifted by one epoch
    np.testing.assert_allclose(sgd.loss_curve_[1:], gd.loss_curve_[:-1], rtol=1e-12)


def test_sgd_epoch_visits_every_sample_once():
    visited = []

    def batch(theta, rows, p):
        visited.extend(np.arange(10)[rows].tolist())
        assert p.sum() == pytest.approx(1.0)
        return 1.0, np.zeros_like(theta)

    rng = np.random.RandomState(0)
    epoch = MiniBatchEpoch(
        batch, np.ones(10), 3, lambda: rng.permutation(10), HeavyBall(0.1, 0.0)
    )
    epoch(np.zeros(2))
    assert sorted(visited) == list(range(10))
    assert visited != list(range(10))  # shuffled


def test_sgd_epoch_loss_is_the_weighted_mean_of_batch_losses():
    losses = iter([1.0, 4.0])

    def batch(theta, rows, p):
        return next(losses), np.zeros_like(theta)

    weights = np.array([1.0, 1.0, 1.0, 0.5, 0.5, 0.0])
    epoch = MiniBatchEpoch(batch, weights, 3, lambda: None, HeavyBall(0.1, 0.0))
    assert epoch(np.zeros(2)) == pytest.approx((3 * 1.0 + 1.0 * 4.0) / 4.0)


def test_sgd_learns_and_reshuffles_reproducibly():
    X, y = make_classification(n_samples=400, n_features=8, random_state=0)
    # the settings this was measured with: no held-out rows, the training
    # score is the last epoch's
    sgd = dict(solver="sgd", batch_size=32, n_hidden=32, init="glorot")
    sgd.update(early_stopping=False)
    clf = BackpropClassifier(random_state=3, **sgd)
    quiet_fit(clf, X, y)
    again = quiet_fit(BackpropClassifier(random_state=3, **sgd), X, y)
    assert clf.score(X, y) > 0.9
    np.testing.assert_array_equal(clf._theta, again._theta)
    other_seed = quiet_fit(BackpropClassifier(random_state=4, **sgd), X, y)
    assert not np.array_equal(clf._theta, other_seed._theta)


def test_lbfgs_reaches_097_on_digits():
    X, y = load_digits(return_X_y=True)
    # l2=1e-4 is MLPClassifier's default penalty; without it L-BFGS drives
    # the training loss to zero and reaches 0.963 only.
    clf = make_pipeline(
        StandardScaler(),
        BackpropClassifier(
            n_hidden=64, solver="lbfgs", l2=1e-4, max_iter=200, random_state=0
        ),
    )
    scores = quietly(
        cross_val_score, clf, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0)
    )
    assert scores.mean() >= 0.97


def test_lbfgs_steps_along_the_same_gradient(monkeypatch):
    from skbackprop._objective import Objective

    calls = []
    original = Objective.loss_and_gradient

    def spy(self, theta):
        calls.append(theta.copy())
        return original(self, theta)

    monkeypatch.setattr(Objective, "loss_and_gradient", spy)
    X, y = make_textbook_data()
    clf = quiet_fit(BackpropClassifier(solver="lbfgs", max_iter=20), X, y)
    assert len(calls) >= 20
    assert len(clf.loss_curve_) == clf.n_iter_ <= 20
    assert np.all(np.diff(clf.loss_curve_) <= 1e-12)  # L-BFGS never goes uphill


def test_lbfgs_fills_validation_curves_and_warns_at_max_iter():
    X, y = make_textbook_data()
    clf = BackpropClassifier(solver="lbfgs", max_iter=5, tol=0, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:])
    assert len(clf.loss_curve_) == len(clf.validation_loss_curve_) == 5
    assert len(clf.validation_scores_) == 5
    assert clf.best_loss_ == pytest.approx(clf.loss_curve_[-1])


def test_lbfgs_verbose_reports_iterations(capsys):
    X, y = make_textbook_data()
    quiet_fit(BackpropClassifier(solver="lbfgs", max_iter=3, tol=0, verbose=1), X, y)
    assert capsys.readouterr().out.count("Epoch") == 3


def test_lbfgs_refuses_early_stopping():
    X, y = make_textbook_data()
    with pytest.raises(ValueError, match="early_stopping"):
        BackpropClassifier(solver="lbfgs", early_stopping=True).fit(X, y)
