"""Early stopping on a score (``scoring``) instead of the validation loss."""

import warnings

import numpy as np
import pytest
from _helpers import quiet_fit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score

from skbackprop import BackpropClassifier


@pytest.fixture(scope="module")
def split():
    X, y = make_classification(
        n_samples=900,
        n_features=8,
        n_informative=5,
        n_classes=3,
        flip_y=0.1,
        random_state=0,
    )
    return X[:600], y[:600], X[600:], y[600:]


def test_the_scores_are_those_of_each_epoch(split):
    # The same run scored by the loss's accuracy and by the "accuracy"
    # scorer (through predict, on a copy holding the epoch's weights).
    X, y, X_val, y_val = split
    common = dict(random_state=0, early_stopping=False, max_iter=15, tol=0)
    by_loss = quiet_fit(BackpropClassifier(**common), X, y, X_val=X_val, y_val=y_val)
    by_scorer = quiet_fit(
        BackpropClassifier(scoring="accuracy", **common), X, y, X_val=X_val, y_val=y_val
    )
    assert by_scorer.loss_curve_ == by_loss.loss_curve_
    np.testing.assert_allclose(
        by_scorer.validation_scores_, by_loss.validation_scores_, atol=1e-12
    )
    assert len(set(by_scorer.validation_scores_)) > 1  # the weights moved
    assert not hasattr(by_scorer, "best_validation_score_")  # nothing watched it


def test_early_stopping_keeps_the_epoch_of_the_best_score(split):
    X, y, X_val, y_val = split
    clf = quiet_fit(
        BackpropClassifier(
            random_state=0, early_stopping=True, scoring="accuracy", n_iter_no_change=5
        ),
        X,
        y,
        X_val=X_val,
        y_val=y_val,
    )
    scores = clf.validation_scores_
    best = int(np.argmax(scores))  # the first epoch of the best score
    # every later epoch failed to beat it by tol: 5 tolerated, the 6th stops
    assert clf.n_iter_ == len(scores) == best + 1 + 5 + 1 < clf.max_iter
    assert clf.best_validation_score_ == scores[best] == clf.score(X_val, y_val)
    assert clf.best_loss_ == min(clf.validation_loss_curve_)
    # watching the loss stops elsewhere, and leaves no best score behind
    clf.set_params(scoring="loss")
    quiet_fit(clf, X, y, X_val=X_val, y_val=y_val)
    assert not hasattr(clf, "best_validation_score_")
    assert clf.best_loss_ == min(clf.validation_loss_curve_)


def test_a_callable_scorer_sees_each_epoch_and_the_sample_weights(split):
    X, y, _, _ = split
    calls = []

    def balanced(estimator, X, y, sample_weight=None):
        calls.append((estimator.predict_proba(X), y, sample_weight))
        return balanced_accuracy_score(y, estimator.predict(X))

    clf = quiet_fit(
        BackpropClassifier(
            random_state=0,
            early_stopping=True,  # on a held-out tenth of the training rows
            scoring=balanced,
            class_weight="balanced",
            max_iter=12,
        ),
        X,
        y,
    )
    assert len(calls) == clf.n_iter_ == len(clf.validation_scores_)
    assert not np.allclose(calls[0][0], calls[-1][0])  # other weights each epoch
    # the held-out rows' class weights, normalised as the loss weighs them
    _, y_held_out, sample_weight = calls[0]
    assert y_held_out.shape == (60,)
    class_weight = len(y) / (3 * np.bincount(y))  # labels 0, 1, 2
    expected = np.array([class_weight[label] for label in y_held_out])
    np.testing.assert_allclose(sample_weight, expected / expected.sum())
    best = int(np.argmax(clf.validation_scores_))
    assert clf.best_validation_score_ == clf.validation_scores_[best]


def test_the_refit_trains_again_for_the_epochs_of_the_best_score():
    X, y = make_classification(n_samples=300, n_features=6, random_state=1)
    clf = quiet_fit(
        BackpropClassifier(random_state=0, shuffle=False, scoring="balanced_accuracy"),
        X,
        y,
    )
    n_best = int(np.argmax(clf.validation_scores_)) + 1
    assert n_best != int(np.argmin(clf.validation_loss_curve_)) + 1  # not the loss's
    assert len(clf.validation_scores_) > n_best  # the first run stopped later
    assert clf.n_iter_ == n_best == len(clf.loss_curve_)


def test_a_name_that_is_not_a_scorer_is_refused(split):
    X, y, X_val, y_val = split
    with pytest.raises(ValueError, match="no_such_score"):
        BackpropClassifier(scoring="no_such_score").fit(X, y, X_val=X_val, y_val=y_val)


def test_a_scorer_that_cannot_score_the_validation_data_says_so(split):
    X, y, X_val, y_val = split  # three classes: roc_auc wants two
    with pytest.raises(ValueError, match="scoring='roc_auc' could not score"):
        BackpropClassifier(scoring="roc_auc", max_iter=3).fit(
            X, y, X_val=X_val, y_val=y_val
        )


def test_scoring_a_fit_on_a_dataframe_warns_of_nothing(split):
    pd = pytest.importorskip("pandas")
    X, y, _, _ = split
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. feature names
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs
        clf = BackpropClassifier(random_state=0, scoring="accuracy", max_iter=5)
        clf.fit(frame, y)
    assert len(clf.validation_scores_) == 5
