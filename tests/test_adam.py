"""Adam: the rule written out, and the estimator training with it."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import quiet_fit, quietly
from sklearn.datasets import make_classification, make_moons

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._coordinates import RawInputs
from skbackprop._initialization import initial_weights
from skbackprop._objective import loss_and_gradient
from skbackprop._solvers import Adam, AdamMoments


def adam_written_out(theta, gradients, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma and Ba's Algorithm 1, step by step, with bias-corrected moments."""
    m, s = np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g**2
        m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
        # the paper's epsilon is added to sqrt(s_hat); ours (and
        # MLPClassifier's) to sqrt(s), which is the same step rescaled
        theta = theta - alpha * m_hat / (np.sqrt(s_hat) + eps / np.sqrt(1 - beta2**t))
    return theta, m, s


def test_adam_is_the_rule_written_out():
    rng = np.random.RandomState(0)
    theta = rng.normal(size=9)
    gradients = [rng.normal(size=9) * 10.0**k for k in (-3, 0, 2, -1, 1)]
    rule = Adam(learning_rate=0.05)
    moved = theta.copy()
    for gradient in gradients:
        rule.step(moved, gradient)
    expected, m, s = adam_written_out(theta, gradients, 0.05)
    np.testing.assert_allclose(moved, expected, rtol=1e-12)
    np.testing.assert_allclose(rule.first, m, rtol=1e-12)
    np.testing.assert_allclose(rule.second, s, rtol=1e-12)
    assert rule.n_steps == 5


def test_the_first_adam_step_moves_every_weight_by_the_learning_rate():
    # with m and s started at zero, the bias-corrected first step is
    # alpha * g / |g|: the same size for a tiny gradient and a huge one
    theta, gradient = np.zeros(4), np.array([1e-3, -1e-2, 3.0, -4e5])
    Adam(learning_rate=0.01).step(theta, gradient)
    np.testing.assert_allclose(theta, -0.01 * np.sign(gradient), rtol=1e-3)


def test_the_estimator_takes_adam_steps_on_its_mini_batches():
    X, y = make_textbook_data()
    params = dict(n_hidden=3, learning_rate=0.02, batch_size=50, shuffle=False)
    params.update(init="glorot", early_stopping=False)
    clf = quiet_fit(
        BackpropClassifier(solver="adam", max_iter=2, tol=0, random_state=0, **params),
        X,
        y,
    )
    theta = initial_weights("glorot", 0.01, 2, 3, 3, np.random.RandomState(0), float)
    T = np.eye(3)[y]
    rule = Adam(0.02)
    for _ in range(2):
        for start in range(0, 200, 50):
            rows = slice(start, start + 50)
            p = np.full(50, 1 / 50)
            rule.step(theta, loss_and_gradient(theta, X[rows], T[rows], p, 0.0, 3)[1])
    np.testing.assert_allclose(clf._theta, theta, rtol=1e-10)


def test_adam_learns_moons_that_full_batch_steps_stop_short_of():
    X, y = make_moons(1000, noise=0.2, random_state=0)
    adam = quiet_fit(BackpropClassifier(solver="adam", random_state=0), X, y)
    assert adam.score(X, y) > 0.95


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_on_float32_sparse_and_weighted_data(dtype):
    X, y = make_classification(n_samples=300, n_features=10, random_state=0)
    X = X.astype(dtype)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=300)
    dense = quiet_fit(
        BackpropClassifier(solver="adam", random_state=0), X, y, sample_weight=weights
    )
    assert dense._theta.dtype == dtype
    assert dense.score(X, y) > 0.9
    sparse = quiet_fit(
        BackpropClassifier(solver="adam", random_state=0),
        sp.csr_matrix(X),
        y,
        sample_weight=weights,
    )
    rtol = 1e-3 if dtype == np.float32 else 1e-8  # other sums, same steps
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), rtol=rtol, atol=rtol
    )


def test_integer_weights_act_as_repeated_rows_for_adam():
    X, y = make_classification(n_samples=120, n_features=5, random_state=1)
    weights = np.ones(120)
    weights[:30] = 2
    repeated = np.r_[np.arange(30), np.arange(120)]
    common = dict(solver="adam", batch_size=1000, shuffle=False, random_state=0)
    common.update(max_iter=20, tol=0)
    weighted = quiet_fit(BackpropClassifier(**common), X, y, sample_weight=weights)
    copied = quiet_fit(BackpropClassifier(**common), X[repeated], y[repeated])
    np.testing.assert_allclose(weighted._theta, copied._theta, rtol=1e-9)


def test_adam_moments_carry_over_across_partial_fit_calls():
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    chunks = np.array_split(np.arange(400), 4)
    clf = BackpropClassifier(solver="adam", random_state=0)
    for rows in chunks:
        clf.partial_fit(X[rows], y[rows], classes=[0, 1])
    state = clf._velocity
    assert isinstance(state, AdamMoments)
    assert state.n_steps == 4  # one batch of 100 a chunk (batch_size=200)
    # a clone that starts from the same weights but fresh moments moves
    # differently on the next chunk
    fresh = pickle.loads(pickle.dumps(clf))
    fresh._velocity = None
    clf.partial_fit(X[chunks[0]], y[chunks[0]])
    fresh.partial_fit(X[chunks[0]], y[chunks[0]])
    assert not np.allclose(clf._theta, fresh._theta)


def test_adam_moments_carry_over_across_warm_starts():
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    common = dict(solver="adam", tol=0, random_state=0, batch_size=50, shuffle=False)
    common.update(early_stopping=False)
    once = quiet_fit(BackpropClassifier(max_iter=6, **common), X, y)
    twice = BackpropClassifier(max_iter=3, warm_start=True, **common)
    quiet_fit(twice, X, y)
    quiet_fit(twice, X, y)
    np.testing.assert_allclose(twice._theta, once._theta, rtol=1e-12)
    assert twice._velocity.n_steps == once._velocity.n_steps == 6 * 4


def test_moments_of_other_coordinates_start_afresh():
    rule = Adam(0.1)
    moments = AdamMoments(7, np.ones(3), np.ones(3), standardised=True)
    rule.resume(moments, RawInputs())
    assert rule.n_steps == 0 and rule.first is None


def test_partial_fit_with_the_defaults_learns_a_chunk_at_a_time():
    # the stream: 5 passes over 9 chunks of 5,000 rows. One
    # full-batch step a chunk reached 0.719; MLPClassifier's partial_fit 0.921
    X, y = make_classification(
        n_samples=60000, n_features=20, n_informative=8, n_classes=3, random_state=0
    )
    clf = BackpropClassifier(random_state=0)
    for _ in range(5):
        for rows in np.array_split(np.arange(45000), 9):
            clf.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    assert clf.score(X[45000:], y[45000:]) > 0.921


def test_adam_diverging_names_the_learning_rate():
    X, y = make_textbook_data()
    clf = BackpropClassifier(solver="adam", learning_rate=1e6, random_state=0)
    with pytest.raises(ValueError, match="learning_rate=1000000.0"):
        quietly(clf.fit, X * 1e3, y)
