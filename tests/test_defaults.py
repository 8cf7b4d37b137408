"""The defaults chosen on benchmarks/tabular.py: what each "auto" resolves to,
the sigmoid initialisation written out, and the problems they fixed."""

import warnings

import numpy as np
import pytest
from _helpers import quiet_fit, quietly
from sklearn.datasets import make_classification, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier

from skbackprop import BackpropClassifier
from skbackprop._initialization import SIGMOID_BIAS_SCALE, SIGMOID_GAIN, initial_weights
from skbackprop._network import unpack
from skbackprop._stopping import (
    AUTO_PATIENCE,
    AUTO_PATIENCE_ROWS,
    AUTO_PATIENCE_SMALL,
    AUTO_TOL,
    AUTO_TOL_ROWS,
    AUTO_TOL_SMALL,
    AUTO_VALIDATION_ROWS,
)


def test_the_defaults_are_those_the_benchmark_chose():
    params = BackpropClassifier().get_params()
    chosen = dict(
        solver="adam",
        learning_rate="auto",
        batch_size=200,
        init="sigmoid",
        early_stopping="auto",
        n_hidden=64,
        n_iter_no_change="auto",
        tol="auto",
        l2=0.0,
        momentum=0.0,
    )
    assert {name: params[name] for name in chosen} == chosen


@pytest.mark.parametrize(
    "n_samples, waited",
    [
        (AUTO_PATIENCE_ROWS, AUTO_PATIENCE_SMALL),
        (AUTO_PATIENCE_ROWS + 1, AUTO_PATIENCE),
    ],
)
@pytest.mark.parametrize("solver", ["adam", "gd"])
def test_auto_patience_is_20_epochs_on_data_of_1000_rows_or_fewer(
    n_samples, waited, solver
):
    # tol=10: no epoch after the first (better than the infinite loss before
    # it) counts as an improvement, so the rule stops the fit once the count
    # of epochs without one exceeds the patience
    assert (AUTO_PATIENCE, AUTO_PATIENCE_SMALL, AUTO_PATIENCE_ROWS) == (10, 20, 1000)
    X, y = make_classification(n_samples=n_samples, random_state=0)
    params = dict(solver=solver, tol=10.0, early_stopping=False, random_state=0)
    clf = quiet_fit(BackpropClassifier(**params), X, y)
    assert clf.n_iter_ == 1 + waited + 1
    # a number is taken as it is, whatever the size
    clf = quiet_fit(BackpropClassifier(n_iter_no_change=4, **params), X, y)
    assert clf.n_iter_ == 1 + 4 + 1


@pytest.mark.parametrize(
    "solver, n_samples, resolved",
    [
        ("adam", AUTO_TOL_ROWS, AUTO_TOL_SMALL),
        ("adam", AUTO_TOL_ROWS + 1, AUTO_TOL),
        ("sgd", AUTO_TOL_ROWS + 1, AUTO_TOL),
        # one step an epoch: a full-batch epoch improves as one step does
        ("gd", AUTO_TOL_ROWS + 1, AUTO_TOL_SMALL),
    ],
)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_auto_tol_is_1e_3_for_mini_batches_beyond_1000_rows(
    solver, n_samples, resolved, early_stopping, capsys
):
    assert (AUTO_TOL, AUTO_TOL_SMALL, AUTO_TOL_ROWS) == (1e-3, 1e-4, 1000)
    X, y = make_classification(n_samples=n_samples, random_state=0)
    params = dict(solver=solver, early_stopping=early_stopping, random_state=0)
    auto = quiet_fit(BackpropClassifier(tol="auto", verbose=1, **params), X, y)
    # the rule that stopped the fit names the tolerance it applied
    assert f"did not improve more than tol={resolved} " in capsys.readouterr().out
    assert auto.tol == "auto"  # the parameter is left as given
    # and "auto" trains exactly as that number: the same epochs, the same
    # weights, bit for bit (the same operations in the same order)
    number = quiet_fit(BackpropClassifier(tol=resolved, **params), X, y)
    assert auto.n_iter_ == number.n_iter_ < auto.max_iter
    np.testing.assert_array_equal(auto.coefs_[0], number.coefs_[0])
    assert auto.loss_curve_ == number.loss_curve_


def test_auto_tol_is_lbfgs_gradient_tolerance_of_1e_4():
    X, y = make_classification(n_samples=2000, random_state=0)
    params = dict(solver="lbfgs", max_iter=300, random_state=0)
    auto = quiet_fit(BackpropClassifier(**params), X, y)
    number = quiet_fit(BackpropClassifier(tol=AUTO_TOL_SMALL, **params), X, y)
    assert auto.n_iter_ == number.n_iter_
    np.testing.assert_array_equal(auto.coefs_[0], number.coefs_[0])


@pytest.mark.parametrize("n_samples, watched", [(190, False), (200, True)])
def test_auto_early_stopping_holds_out_20_rows_or_none(n_samples, watched):
    X, y = make_classification(n_samples=n_samples, random_state=0)
    clf = quiet_fit(BackpropClassifier(random_state=0), X, y)
    assert hasattr(clf, "validation_loss_curve_") is watched
    if watched:
        assert AUTO_VALIDATION_ROWS == 20 == int(np.ceil(0.1 * n_samples))
        # stopped on the 20 held-out rows, then trained again on all of them
        assert clf.best_loss_ == min(clf.validation_loss_curve_)
        assert clf.n_iter_ == np.argmin(clf.validation_loss_curve_) + 1
        assert clf.t_ == clf.n_iter_ * n_samples
    else:
        assert clf.t_ == clf.n_iter_ * n_samples


def test_auto_early_stopping_watches_validation_data_of_20_rows():
    X, y = make_classification(n_samples=300, random_state=0)
    for n_val, watched in ((19, False), (20, True)):
        clf = BackpropClassifier(random_state=0, tol=0, n_iter_no_change=3)
        quiet_fit(
            clf, X[:200], y[:200], X_val=X[200 : 200 + n_val], y_val=y[200:][:n_val]
        )
        assert len(clf.validation_loss_curve_) == clf.n_iter_  # scored either way
        stopped_on_validation = clf.best_loss_ == min(clf.validation_loss_curve_)
        assert stopped_on_validation is watched


def test_auto_early_stopping_is_off_where_true_is_refused():
    X, y = make_classification(n_samples=400, random_state=0)
    lbfgs = quiet_fit(BackpropClassifier(solver="lbfgs", max_iter=20), X, y)
    assert not hasattr(lbfgs, "validation_loss_curve_")
    clf = BackpropClassifier(random_state=0).partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 1
    with pytest.raises(ValueError, match="early_stopping=True"):
        BackpropClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="early_stopping=True"):
        BackpropClassifier(solver="lbfgs", early_stopping=True).fit(X, y)


def test_auto_early_stopping_trains_whole_where_no_stratified_split_exists():
    # 300 rows, one of them the only member of its class: True cannot hold
    # out a stratified tenth and says so; "auto" trains on all the rows
    X, y = make_classification(n_samples=300, random_state=0)
    y = y.copy()
    y[0] = 2
    clf = quiet_fit(BackpropClassifier(random_state=0), X, y)
    assert not hasattr(clf, "validation_loss_curve_")
    with pytest.raises(ValueError, match="validation_fraction"):
        BackpropClassifier(early_stopping=True, random_state=0).fit(X, y)


def test_the_sigmoid_initialisation_written_out():
    D, M, K = 5, 4, 3
    theta = initial_weights("sigmoid", 0.01, D, M, K, np.random.RandomState(0), float)
    rng = np.random.RandomState(0)
    W = rng.normal(0.0, 2.0 / np.sqrt(D), (M, D))  # w_ji ~ N(0, 4 / D)
    bias = rng.normal(0.0, 1.0, M)
    bound = np.sqrt(6.0 / (M + K))
    V = rng.uniform(-bound, bound, (K, M))
    W_drawn, V_drawn = unpack(theta, D, M, K)
    np.testing.assert_array_equal(W_drawn, np.c_[W, bias])
    np.testing.assert_array_equal(V_drawn, np.c_[V, np.zeros(K)])
    assert (SIGMOID_GAIN, SIGMOID_BIAS_SCALE) == (2.0, 1.0)


def test_the_sigmoid_initialisation_spreads_the_units_over_the_curve():
    # on inputs of unit variance each b_j has standard deviation about 2:
    # most units start where the sigmoid bends, few in its linear middle
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 40))
    theta = initial_weights("sigmoid", 0.01, 40, 200, 2, rng, float)
    W, _ = unpack(theta, 40, 200, 2)
    b = X @ W[:, :-1].T + W[:, -1]
    assert 2.0 < b.std() < 2.5
    glorot = initial_weights("glorot", 0.01, 40, 200, 2, rng, float)
    W_glorot, _ = unpack(glorot, 40, 200, 2)
    assert (X @ W_glorot[:, :-1].T).std() < 1.0


def test_the_defaults_learn_what_needs_the_hidden_layer():
    # the figures on main: the default 0.864, MLPClassifier 0.929
    X, y = make_moons(1000, noise=0.2, random_state=0)
    scores = cross_val_score(BackpropClassifier(random_state=0), X, y, cv=3)
    mlp = quietly(cross_val_score, MLPClassifier(random_state=0), X, y, cv=3)
    assert scores.mean() >= mlp.mean()


def test_balanced_class_weights_converge_under_the_defaults():
    # on main every such fit ran to max_iter and warned
    X, y = make_classification(
        n_samples=4000, n_features=10, weights=[0.95], random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    scores = {}
    for class_weight in (None, "balanced"):
        clf = BackpropClassifier(class_weight=class_weight, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            clf.fit(X_train, y_train)
        assert clf.n_iter_ < clf.max_iter
        scores[class_weight] = balanced_accuracy_score(y_test, clf.predict(X_test))
    # measured: 0.656 unweighted, 0.820 balanced
    assert scores["balanced"] > scores[None] + 0.1
