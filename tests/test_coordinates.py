"""The standardised coordinates of learning_rate="auto": the same network and
objective, other steps."""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import central_differences, quiet_fit
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier, backprop_gradient
from skbackprop._coordinates import InCoordinates, StandardisedInputs
from skbackprop._network import n_weights
from skbackprop._objective import Objective


def raw_problem(seed=0, N=60, M=3, K=3, scales=(1e-3, 1.0, 1e3, 0.0)):
    rng = np.random.RandomState(seed)
    # features of very different scales and offsets, one of them constant
    X = rng.normal(size=(N, 4)) * scales + [5.0, -2.0, 4e3, 7.0]
    T = np.eye(K)[rng.randint(K, size=N)]
    s = rng.uniform(0.5, 2.0, size=N)
    return X, T, s, M


def test_to_raw_and_from_raw_are_inverse():
    X, T, s, M = raw_problem()
    coordinates = StandardisedInputs.of(X, s, M, T.shape[1])
    theta = np.random.RandomState(1).normal(size=n_weights(X.shape[1], M, 3))
    back = coordinates.from_raw(coordinates.to_raw(theta))
    np.testing.assert_allclose(back, theta, rtol=1e-9, atol=1e-12)


def test_the_network_on_raw_inputs_is_the_network_on_standardised_inputs():
    X, T, s, M = raw_problem()
    coordinates = StandardisedInputs.of(X, s, M, 3)
    theta_s = np.random.RandomState(1).normal(size=n_weights(4, M, 3))
    p = s / s.sum()
    X_standardised = (X - coordinates.mean) / coordinates.scale
    on_raw = Objective(X, T, p, 0.0, M).loss(coordinates.to_raw(theta_s))
    on_standardised = Objective(X_standardised, T, p, 0.0, M).loss(theta_s)
    assert on_raw == pytest.approx(on_standardised, rel=1e-9)


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_in_standardised_coordinates_matches_central_differences(l2):
    # scales within 10^2 of each other: the penalty on w = ws / s stays of the
    # loss's size, so that central differences are accurate
    X, T, s, M = raw_problem(scales=(0.1, 1.0, 10.0, 0.0))
    p = s / s.sum()
    coordinates = StandardisedInputs.of(X, s, M, 3)
    objective = InCoordinates(Objective(X, T, p, l2, M), coordinates)
    theta_s = np.random.RandomState(2).normal(size=n_weights(4, M, 3))
    _, gradient = objective.loss_and_gradient(theta_s)
    numerical = central_differences(objective.loss, theta_s, eps=1e-6)
    np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-8)


def test_statistics_of_sparse_and_dense_agree_and_weights_act_as_repeats():
    X, T, s, M = raw_problem()
    weights = np.random.RandomState(3).randint(1, 4, size=X.shape[0])
    dense = StandardisedInputs.of(X, weights, M, 3)
    sparse = StandardisedInputs.of(sp.csr_matrix(X), weights, M, 3)
    repeated = StandardisedInputs.of(
        np.repeat(X, weights, axis=0), np.ones(weights.sum()), M, 3
    )
    for other in (sparse, repeated):
        np.testing.assert_allclose(other.mean, dense.mean, rtol=1e-12)
        np.testing.assert_allclose(other.scale, dense.scale, rtol=1e-9)
    assert dense.scale[3] == 1.0  # a constant feature keeps its scale


def test_auto_on_raw_features_trains_as_on_standardised_features():
    X, y = load_wine(return_X_y=True)  # features from 0.1 to 1,680
    params = dict(n_hidden=8, max_iter=60, tol=0, random_state=0)
    raw = quiet_fit(BackpropClassifier(**params), X, y)
    X_standardised = StandardScaler().fit_transform(X)
    standardised = quiet_fit(BackpropClassifier(**params), X_standardised, y)
    np.testing.assert_allclose(raw.loss_curve_, standardised.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        raw.predict_proba(X), standardised.predict_proba(X_standardised), atol=1e-6
    )


@pytest.mark.parametrize("learning_rate", [0.5, "auto"])
def test_one_step_written_out(learning_rate):
    X, T, s, M = raw_problem()
    X, y = X / 1e3, T.argmax(axis=1)
    clf = BackpropClassifier(
        n_hidden=M,
        learning_rate=learning_rate,
        solver="gd",
        max_iter=1,
        warm_start=True,
    )
    quiet_fit(clf.set_params(random_state=0), X, y)
    theta = clf._theta.copy()
    dW, dV = backprop_gradient(clf, X, y)
    gradient = np.r_[dW.ravel(), dV.ravel()]
    quiet_fit(clf, X, y)
    if learning_rate == 0.5:  # the book: w <- w - alpha dE/dw
        expected = theta - 0.5 * gradient
    else:  # theta = A theta_s, theta_s <- theta_s - 1.0 A^T dE/dtheta
        coordinates = clf._coordinates
        theta_s = coordinates.from_raw(theta) - 1.0 * coordinates.gradient(gradient)
        expected = coordinates.to_raw(theta_s)
    np.testing.assert_allclose(clf._theta, expected, rtol=1e-9, atol=1e-12)
