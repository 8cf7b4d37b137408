"""early_stopping="auto" on small data: stop on held-out rows, then train
again from the same start on all the rows for the best number of epochs."""

import io
from contextlib import redirect_stdout

import numpy as np
import pytest
from _helpers import quiet_fit
from sklearn.datasets import make_classification

from skbackprop import BackpropClassifier
from skbackprop._stopping import AUTO_REFIT_ROWS, refits, second_run_kept

try:
    import sklearn.callback  # noqa: F401

    has_callbacks = True
except ImportError:  # scikit-learn < 1.9
    has_callbacks = False


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=300, n_features=6, n_informative=4, random_state=0
    )


def test_refits_below_the_row_limit_under_auto_only():
    assert refits("auto", AUTO_REFIT_ROWS)
    assert not refits("auto", AUTO_REFIT_ROWS + 1)
    assert not refits(True, 10)  # DESIGN: True keeps the best weights
    assert not refits(False, 10)


def test_the_refit_is_a_fit_of_all_rows_for_the_best_epoch_count(data):
    X, y = data
    # no shuffling: the batches, and so the second run, do not depend on
    # what the hold-out drew from the generator
    clf = quiet_fit(BackpropClassifier(random_state=0, shuffle=False), X, y)
    n_best = int(np.argmin(clf.validation_loss_curve_)) + 1
    assert clf.n_iter_ == n_best == len(clf.loss_curve_)
    assert len(clf.validation_loss_curve_) >= n_best
    assert clf.best_loss_ == min(clf.validation_loss_curve_)
    assert clf.t_ == n_best * X.shape[0]
    by_hand = BackpropClassifier(
        random_state=0,
        shuffle=False,
        early_stopping=False,
        max_iter=n_best,
        n_iter_no_change=10**6,
    )
    quiet_fit(by_hand, X, y)
    np.testing.assert_array_equal(clf._theta, by_hand._theta)
    assert clf.loss_curve_ == by_hand.loss_curve_


def test_no_refit_above_the_row_limit(data, monkeypatch):
    X, y = data
    monkeypatch.setattr("skbackprop._stopping.AUTO_REFIT_ROWS", X.shape[0] - 1)
    clf = quiet_fit(BackpropClassifier(random_state=0), X, y)
    n_held_out = int(np.ceil(0.1 * X.shape[0]))
    assert clf.t_ == clf.n_iter_ * (X.shape[0] - n_held_out)
    assert clf.n_iter_ == len(clf.validation_loss_curve_)
    # the best weights of the run are kept
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize(
    "params",
    [dict(early_stopping=True), dict(early_stopping=False), dict(solver="lbfgs")],
)
def test_no_refit_unless_auto_held_rows_out(data, params):
    X, y = data
    clf = quiet_fit(BackpropClassifier(random_state=0, max_iter=50, **params), X, y)
    n_rows = X.shape[0]
    if params.get("early_stopping"):
        n_rows -= int(np.ceil(0.1 * X.shape[0]))
    assert clf.t_ == clf.n_iter_ * n_rows


def test_no_refit_with_validation_data_given(data):
    X, y = data
    clf = quiet_fit(
        BackpropClassifier(random_state=0),
        X[:200],
        y[:200],
        X_val=X[200:],
        y_val=y[200:],
    )
    assert clf.t_ == clf.n_iter_ * 200
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_warm_start_refits_from_the_warm_weights(data):
    X, y = data
    clf = quiet_fit(BackpropClassifier(random_state=0, warm_start=True), X, y)
    first = len(clf.loss_curve_)
    quiet_fit(clf, X, y)
    assert len(clf.loss_curve_) == first + clf.n_iter_
    assert clf.n_iter_ == np.argmin(clf.validation_loss_curve_) + 1
    # it started where the first fit ended, not afresh
    assert clf.loss_curve_[first] < clf.loss_curve_[0]


def test_verbose_says_it_trains_again(data):
    X, y = data
    out = io.StringIO()
    with redirect_stdout(out):
        clf = quiet_fit(BackpropClassifier(random_state=0, verbose=1), X, y)
    assert f"Training again on all 300 rows for {clf.n_iter_} epochs." in (
        out.getvalue()
    )


def test_float32_and_sparse_refit(data):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = data
    for X_in in (X.astype(np.float32), scipy_sparse.csr_matrix(X)):
        clf = quiet_fit(BackpropClassifier(random_state=0), X_in, y)
        assert clf.t_ == clf.n_iter_ * X.shape[0]
        assert clf.score(X_in, y) > 0.8
        assert clf.coefs_[0].dtype == X_in.dtype


@pytest.mark.skipif(not has_callbacks, reason="scikit-learn < 1.9 has no callbacks")
def test_a_callback_that_stops_the_first_run_ends_the_fit(data):
    X, y = data

    class StopAfter:
        def __init__(self, n):
            self.n, self.seen = n, 0

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            if context.max_subtasks != 0:
                return False
            self.seen += 1
            return self.seen >= self.n

    clf = BackpropClassifier(random_state=0).set_callbacks(StopAfter(3))
    quiet_fit(clf, X, y)
    assert clf.n_iter_ == 3 == len(clf.validation_loss_curve_)
    n_held_out = int(np.ceil(0.1 * X.shape[0]))
    assert clf.t_ == 3 * (X.shape[0] - n_held_out)


@pytest.mark.skipif(not has_callbacks, reason="scikit-learn < 1.9 has no callbacks")
def test_callbacks_see_the_epochs_of_both_runs(data):
    X, y = data
    from skbackprop.callbacks import WeightHistory

    history = WeightHistory()
    clf = quiet_fit(BackpropClassifier(random_state=0).set_callbacks(history), X, y)
    assert len(history.W_) == len(clf.validation_loss_curve_) + clf.n_iter_
    np.testing.assert_array_equal(history.W_[-1], clf.W_)


def test_the_second_run_is_kept_unless_it_lost_what_the_first_learnt():
    # held-out losses against the class-frequency loss of log 2
    baseline = np.log(2)
    assert second_run_kept(0.10, 0.08, baseline)  # it trained on those rows
    assert second_run_kept(0.10, 0.30, baseline)  # lost 0.20 of 0.59 learnt
    assert not second_run_kept(0.10, 0.45, baseline)  # lost more than half
    assert second_run_kept(0.70, 0.90, baseline)  # nothing learnt to lose


def xor_rows(n_samples=500):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (n_samples, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def test_a_second_run_that_did_not_retrace_the_first_is_not_kept():
    # steps so large that the path depends on the order of the rows: the
    # first run reached a held-out loss of 0.09, the second ended at 0.58
    X, y = xor_rows()
    settings = dict(n_hidden=32, learning_rate=1.0, init="glorot", random_state=0)
    settings.update(n_iter_no_change=10)  # the run found with this patience
    out = io.StringIO()
    with redirect_stdout(out):
        clf = quiet_fit(BackpropClassifier(verbose=1, **settings), X, y)
    assert "keeping the first run's best weights" in out.getvalue()
    assert clf.score(X, y) > 0.95
    # what early_stopping=True keeps, bit for bit: the same first run
    best = quiet_fit(BackpropClassifier(early_stopping=True, **settings), X, y)
    np.testing.assert_array_equal(clf._theta, best._theta)
    assert clf.loss_curve_ == best.loss_curve_
    assert clf.validation_loss_curve_ == best.validation_loss_curve_
    assert (clf.n_iter_, clf.t_) == (best.n_iter_, best.t_)
    assert clf.t_ == clf.n_iter_ * (X.shape[0] - 50)  # the first run's rows
