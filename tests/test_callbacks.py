"""scikit-learn's fit callbacks (scikit-learn >= 1.9): one task per epoch or
L-BFGS iteration; on older versions set_callbacks is absent."""

import warnings

import numpy as np
import pytest
from _helpers import import_extra, quiet_fit
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop._tasks import NoTasks, fit_tasks
from skbackprop.callbacks import WeightHistory

try:
    import sklearn.callback as sklearn_callback
except ImportError:  # scikit-learn < 1.9
    sklearn_callback = None

needs_callbacks = pytest.mark.skipif(
    sklearn_callback is None, reason="scikit-learn < 1.9 has no callbacks"
)


@pytest.fixture(scope="module")
def data():
    X, y = make_textbook_data()
    return X, y


def small(**params):
    # the last epoch's weights are the model's: no best weights restored
    params.setdefault("early_stopping", False)
    return BackpropClassifier(n_hidden=2, tol=0, random_state=0, **params)


class Recorder:
    """Records every hook call; asks to stop after epoch ``stop_after``."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.ends = []
        self.metadata = []

    def setup(self, estimator, context):
        self.ends = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(
        self, estimator, context, *, metadata=None, fitted_estimator=None
    ):
        if context.max_subtasks != 0 or fitted_estimator is None:
            return False
        self.ends.append(fitted_estimator)
        self.metadata.append(metadata)
        return self.stop_after is not None and len(self.ends) >= self.stop_after


@pytest.mark.skipif(sklearn_callback is not None, reason="scikit-learn >= 1.9")
def test_no_set_callbacks_before_scikit_learn_1_9(data):
    assert not hasattr(BackpropClassifier(), "set_callbacks")
    quiet_fit(small(max_iter=3), *data)


@needs_callbacks
def test_weight_history_records_every_step_of_the_book(data):
    X, y = data
    history = WeightHistory()
    book = dict(solver="gd", learning_rate=1.0)
    clf = quiet_fit(small(max_iter=6, **book).set_callbacks(history), X, y)
    stepper = small(**book)
    for W, V in zip(history.W_, history.V_, strict=True):
        stepper.partial_fit(X, y, classes=[0, 1, 2])
        np.testing.assert_allclose(W, stepper.W_, rtol=1e-12)
        np.testing.assert_allclose(V, stepper.V_, rtol=1e-12)
    assert len(history.W_) == clf.n_iter_ == 6


@needs_callbacks
@pytest.mark.parametrize("solver", ["gd", "sgd", "lbfgs"])
def test_a_callback_stops_training_with_consistent_state(data, solver):
    X, y = data
    recorder = Recorder(stop_after=3)
    clf = small(solver=solver, max_iter=50).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # no max_iter warning
        clf.fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:])
    assert clf.n_iter_ == 3 == len(recorder.ends)
    assert len(clf.loss_curve_) == len(clf.validation_loss_curve_) == 3
    # the mid-fit estimator of the last epoch is the returned model
    np.testing.assert_array_equal(
        recorder.ends[-1].predict_proba(X), clf.predict_proba(X)
    )


@needs_callbacks
def test_fitted_estimator_predicts_mid_fit_and_metadata_has_the_weights(data):
    X, y = data
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    recorder = Recorder()
    clf = quiet_fit(
        small(max_iter=4).set_callbacks(recorder), X, y, sample_weight=weights
    )
    scores = [mid.score(X, y) for mid in recorder.ends]
    assert len(scores) == 4 and scores[-1] == clf.score(X, y)
    np.testing.assert_array_equal(recorder.metadata[0]["sample_weight"], weights)
    assert recorder.ends[0].loss_curve_ == clf.loss_curve_[:1]


@needs_callbacks
def test_scoring_monitor_logs_a_score_per_epoch(data):
    X, y = data
    monitor = sklearn_callback.ScoringMonitor(scoring="accuracy")
    clf = quiet_fit(small(max_iter=5).set_callbacks(monitor), X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert [r["task_id"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[-1]["accuracy"] == clf.score(X, y)


@needs_callbacks
def test_progress_bar_runs_with_the_fit(data):
    import_extra("rich", "progress")  # ProgressBar draws with rich
    X, y = data
    clf = quiet_fit(
        small(max_iter=20).set_callbacks(sklearn_callback.ProgressBar()), X, y
    )
    assert clf.n_iter_ == 20


@needs_callbacks
def test_partial_fit_and_warm_start_keep_working_with_callbacks(data):
    X, y = data
    history = WeightHistory()
    clf = small(warm_start=True, max_iter=3).set_callbacks(history)
    quiet_fit(clf, X, y)
    quiet_fit(clf, X, y)
    assert len(history.W_) == 3 and clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    np.testing.assert_array_equal(history.W_[-1], clf.W_)
    clf.partial_fit(X, y)
    assert len(history.W_) == 1 and clf.n_iter_ == 4
    np.testing.assert_array_equal(history.W_[-1], clf.W_)


def test_a_fit_without_callbacks_makes_no_context(data):
    X, y = data
    clf = quiet_fit(small(max_iter=2), X, y)
    tasks = fit_tasks(clf, X, np.zeros(len(y), int), np.ones(len(y)), 2)
    assert isinstance(tasks, NoTasks)
