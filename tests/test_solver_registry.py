"""Solvers as data: a new update rule is one class and one register call.

The rule below is defined and registered here, in the test, and nothing
else in the package knows it: the estimator validates its name, fit and
partial_fit train with it through the same driver as gd and sgd, and its
first step is the rule written out.
"""

import warnings

import numpy as np
import pytest
from _helpers import quiet_fit
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._initialization import initial_weights
from skbackprop._objective import loss_and_gradient
from skbackprop._solvers import SOLVERS, Solver, UpdateRule, register, unregister


class SignDescent(UpdateRule):
    """theta <- theta - learning_rate * sign(dE/dtheta): a rule of a line,
    with no state to carry over (UpdateRule's saved_state and resume)."""

    def step(self, theta, gradient):
        theta -= self.learning_rate * np.sign(gradient)


class SignSolver(Solver):
    name = "sign"
    summary = "full-batch steps of a fixed size along the gradient's signs"

    def update_rule(self, learning_rate, momentum):
        return SignDescent(learning_rate)


@pytest.fixture
def sign_solver():
    register(SignSolver())
    yield
    unregister("sign")


def test_a_registered_rule_trains_end_to_end(sign_solver):
    X, y = make_textbook_data()
    params = dict(n_hidden=3, learning_rate=0.01, max_iter=2, tol=0, random_state=0)
    params.update(init="glorot")
    clf = quiet_fit(BackpropClassifier(solver="sign", **params), X, y)
    # the rule written out: two steps from the same initial weights
    theta = initial_weights("glorot", 0.01, 2, 3, 3, np.random.RandomState(0), float)
    T, p = np.eye(3)[y], np.full(200, 1 / 200)
    for _ in range(2):
        theta = theta - 0.01 * np.sign(loss_and_gradient(theta, X, T, p, 0.0, 3)[1])
    np.testing.assert_allclose(clf._theta, theta, rtol=1e-12)
    longer = quiet_fit(
        BackpropClassifier(solver="sign", **{**params, "max_iter": 300}), X, y
    )
    assert longer.loss_curve_[-1] < 0.6 * longer.loss_curve_[0]
    assert longer.score(X, y) > 0.85


def test_a_registered_mini_batch_rule_trains(sign_solver):
    class SignOnBatches(SignSolver):
        name = "sign-sgd"
        mini_batches = True
        data_parallel = False

    register(SignOnBatches())
    try:
        X, y = make_textbook_data()
        clf = BackpropClassifier(
            n_hidden=3, solver="sign-sgd", learning_rate=0.01, batch_size=20
        )
        quiet_fit(clf.set_params(max_iter=30, random_state=0), X, y)
    finally:
        unregister("sign-sgd")
    assert clf.loss_curve_[-1] < 0.6 * clf.loss_curve_[0]
    assert clf.score(X, y) > 0.85


def test_a_registered_rule_trains_incrementally(sign_solver):
    X, y = make_textbook_data()
    clf = BackpropClassifier(n_hidden=3, solver="sign", learning_rate=0.01)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3


def test_an_unregistered_name_is_refused_by_the_constraint():
    assert "sign" not in SOLVERS
    with pytest.raises(ValueError, match="The 'solver' parameter"):
        BackpropClassifier(solver="sign").fit([[0.0], [1.0]], [0, 1])


def test_the_flags_say_what_a_solver_allows():
    X, y = make_textbook_data()
    with pytest.raises(ValueError, match="early_stopping=True is not available"):
        BackpropClassifier(solver="lbfgs", early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match="partial_fit is not available"):
        BackpropClassifier(solver="lbfgs").partial_fit(X, y, classes=[0, 1, 2])
    not_on_partitions = [name for name, s in SOLVERS.items() if not s.data_parallel]
    assert not_on_partitions == ["sgd", "adam"]


def test_convergence_warnings_point_at_the_callers_line():
    X, y = make_textbook_data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BackpropClassifier(n_hidden=2, max_iter=2).fit(X, y)  # runs out
    assert caught
    for warning in caught:
        assert issubclass(warning.category, ConvergenceWarning)
        assert warning.filename == __file__
