"""Property-based tests (hypothesis), bounded so the suite stays fast."""

import numpy as np
from _helpers import central_differences, quiet_fit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skbackprop import BackpropClassifier
from skbackprop._network import n_weights, objective
from skbackprop._objective import loss_and_gradient

FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def problems(draw):
    N = draw(st.integers(1, 12))
    D = draw(st.integers(1, 4))
    M = draw(st.integers(1, 4))
    K = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, D))
    T = np.eye(K)[rng.randint(K, size=N)]
    s = rng.uniform(0.0, 2.0, size=N)
    s[0] += 0.1  # not all zero
    theta = rng.normal(0, draw(st.sampled_from([0.1, 1.0, 3.0])), n_weights(D, M, K))
    l2 = draw(st.sampled_from([0.0, 0.5]))
    return theta, X, T, s / s.sum(), l2, M


@FAST
@given(problems())
def test_backpropagated_gradient_equals_central_differences(problem):
    theta, X, T, p, l2, M = problem
    _, gradient = loss_and_gradient(theta, X, T, p, l2, M)
    numerical = central_differences(lambda t: objective(t, X, T, p, l2, M), theta)
    np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-7)


@st.composite
def labelled_data(draw):
    N = draw(st.integers(4, 30))
    D = draw(st.integers(1, 4))
    K = draw(st.integers(2, 4))
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    X = rng.normal(size=(N, D)) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    y = rng.randint(K, size=N)
    y[:2] = [0, 1]  # at least two classes
    return X, y


@FAST
@given(labelled_data(), st.integers(1, 6))
def test_probabilities_are_in_unit_interval_and_sum_to_one(data, n_hidden):
    X, y = data
    clf = quiet_fit(
        BackpropClassifier(n_hidden=n_hidden, max_iter=20, random_state=0), X, y
    )
    proba = clf.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.isfinite(clf.predict_log_proba(X)).all()


@FAST
@given(labelled_data())
def test_order_preserving_relabelling_changes_nothing(data):
    X, y = data
    names = np.array(["ant", "bee", "cat", "dog"])  # sorted like 0 < 1 < 2 < 3
    params = dict(n_hidden=3, max_iter=15, random_state=0)
    numeric = quiet_fit(BackpropClassifier(**params), X, y)
    named = quiet_fit(BackpropClassifier(**params), X, names[y])
    np.testing.assert_array_equal(named.predict_proba(X), numeric.predict_proba(X))
    np.testing.assert_array_equal(named.predict(X), names[numeric.predict(X)])


@FAST
@given(labelled_data(), st.randoms(use_true_random=False))
def test_relabelling_permutes_the_probability_columns(data, random):
    X, y = data
    clf = quiet_fit(BackpropClassifier(n_hidden=3, max_iter=15, random_state=0), X, y)
    K = len(clf.classes_)
    permutation = list(range(K))
    random.shuffle(permutation)
    # the same network with its output units (rows of V) and labels permuted
    relabelled = quiet_fit(BackpropClassifier(n_hidden=3, max_iter=1), X, y)
    W, V = clf.W_, clf.V_
    relabelled._theta = np.r_[W.ravel(), V[permutation].ravel()]
    relabelled.classes_ = clf.classes_[permutation]
    np.testing.assert_allclose(
        relabelled.predict_proba(X), clf.predict_proba(X)[:, permutation], rtol=1e-12
    )
    np.testing.assert_array_equal(relabelled.predict(X), clf.predict(X))


@FAST
@given(labelled_data(), st.integers(2, 3))
def test_duplicating_every_row_leaves_gd_unchanged(data, copies):
    X, y = data
    params = dict(n_hidden=3, solver="gd", max_iter=15, tol=0, random_state=0)
    once = quiet_fit(BackpropClassifier(**params), X, y)
    repeated = quiet_fit(
        BackpropClassifier(**params), np.tile(X, (copies, 1)), np.tile(y, copies)
    )
    np.testing.assert_allclose(repeated._theta, once._theta, rtol=1e-9, atol=1e-12)
