"""The estimator shell: parameters, attributes, input checks, sklearn plumbing."""

import warnings

import numpy as np
import pytest
from _helpers import quiet_fit
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier, make_textbook_data


def test_default_pipeline_classifies_iris(iris):
    X, y = iris
    clf = BackpropClassifier(random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert 1 <= clf.n_iter_ < clf.max_iter  # stopped by tol, not max_iter
    assert clf.t_ == clf.n_iter_ * len(y)
    assert clf.best_loss_ == min(clf.loss_curve_)


def test_weight_layouts_agree(iris):
    X, y = iris
    clf = BackpropClassifier(n_hidden=5, random_state=0).fit(X, y)
    W, V = clf.W_, clf.V_
    assert W.shape == (5, 5) and V.shape == (3, 6)
    (C1, C2), (b1, b2) = clf.coefs_, clf.intercepts_
    np.testing.assert_array_equal(C1, W[:, :-1].T)
    np.testing.assert_array_equal(C2, V[:, :-1].T)
    np.testing.assert_array_equal(b1, W[:, -1])
    np.testing.assert_array_equal(b2, V[:, -1])
    # the same network, written out with the sklearn layout
    H = 1 / (1 + np.exp(-(X @ C1 + b1)))
    A = H @ C2 + b2
    P = np.exp(A - A.max(1, keepdims=True))
    np.testing.assert_allclose(clf.predict_proba(X), P / P.sum(1, keepdims=True))
    # read-only: the returned arrays are new
    clf.W_[0, 0] = 123.0
    assert clf.W_[0, 0] != 123.0


def test_binary_problem_uses_two_softmax_outputs():
    X, y = make_textbook_data()
    y = np.where(y == 0, "a", "b")
    clf = BackpropClassifier(n_hidden=3, random_state=0).fit(X, y)
    assert clf.V_.shape == (2, 4)
    assert clf.predict_proba(X).shape == (200, 2)
    assert set(clf.predict(X)) <= {"a", "b"}
    assert clf.score(X, y) > 0.8


def test_predict_log_proba_is_finite_where_proba_underflows():
    X, y = make_textbook_data()
    clf = BackpropClassifier(n_hidden=3, random_state=0, max_iter=50, solver="gd")
    quiet_fit(clf.set_params(init="glorot", early_stopping=False), X, y)
    clf._theta *= 200.0  # make the logits enormous
    log_proba = clf.predict_log_proba(X)
    proba = clf.predict_proba(X)
    assert np.isfinite(log_proba).all()
    assert (proba == 0).any()  # exp underflows ...
    assert log_proba.min() < -800  # ... but its log is kept (exp(-800) == 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_grid_search_and_cross_val_score_in_a_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(random_state=0))
    search = GridSearchCV(
        pipe,
        {
            "backpropclassifier__n_hidden": [2, 8],
            "backpropclassifier__learning_rate": [0.5, 2.0],
        },
        cv=3,
    )
    search.fit(X, y)
    assert search.best_score_ > 0.9
    assert len(search.cv_results_["params"]) == 4
    scores = cross_val_score(pipe, X, y, cv=5)
    assert scores.mean() > 0.9


def test_pandas_feature_names_are_kept(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = BackpropClassifier(random_state=0).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    with pytest.warns(UserWarning, match="feature names"):
        from_array = clf.predict(X)
    np.testing.assert_array_equal(clf.predict(frame), from_array)


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = make_textbook_data()
    clf = BackpropClassifier(n_hidden=2, max_iter=3, tol=0, verbose=1, random_state=0)
    quiet_fit(clf, X[:100], y[:100], X_val=X[100:], y_val=y[100:])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1, loss = ")
    assert f"{clf.loss_curve_[2]:.8f}" in lines[2]
    assert f"validation loss = {clf.validation_loss_curve_[2]:.8f}" in lines[2]


def test_max_iter_ends_with_a_convergence_warning():
    X, y = make_textbook_data()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(5\\)"):
        BackpropClassifier(max_iter=5, random_state=0).fit(X, y)


def test_tol_stopping_counts_as_mlp():
    X, y = make_textbook_data()
    clf = BackpropClassifier(
        n_hidden=2, tol=10.0, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    # epoch 1 improves on the initial best (inf); epochs 2 to 5 fail to improve
    # by 10, and the counter passes 3 at epoch 5
    assert clf.n_iter_ == 5


def test_divergence_names_the_learning_rate():
    X, y = make_textbook_data()
    clf = BackpropClassifier(learning_rate=1e5, random_state=0)
    with pytest.raises(ValueError, match="learning_rate=100000.0"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            clf.fit(X * 1e3, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_hidden": 0}, "n_hidden"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": np.nan}, "learning_rate"),
        ({"learning_rate": np.inf}, "learning_rate"),
        ({"solver": "newton"}, "solver"),
        ({"max_iter": 0}, "max_iter"),
        ({"batch_size": 0}, "batch_size"),
        ({"momentum": 1.0}, "momentum"),
        ({"momentum": -0.1}, "momentum"),
        ({"l2": -1.0}, "l2"),
        ({"init": "zeros"}, "init"),
        ({"init_scale": 0.0}, "init_scale"),
        ({"tol": -1.0}, "tol"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"class_weight": "uniform"}, "class_weight"),
        ({"early_stopping": "yes"}, "early_stopping"),
    ],
)
def test_bad_parameters_are_named(params, match):
    X, y = make_textbook_data()
    with pytest.raises(ValueError, match=match):
        BackpropClassifier(**params).fit(X, y)
