"""Fits that did not learn say so; defaults learn on raw features."""

import warnings

import numpy as np
import pytest
from _helpers import quiet_fit, quietly
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier
from skbackprop._diagnosis import class_frequency_loss

LOADERS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}


def not_learned_warnings(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ConvergenceWarning)
        and "did not learn" in str(w.message)
    ]


@pytest.mark.parametrize("name", LOADERS)
def test_defaults_learn_raw_features_as_well_as_mlp_classifier(name):
    # benchmarks/defaults.py measures both (shuffled stratified 5-fold, as
    # here); the issue asked for 2 points
    X, y = LOADERS[name](return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = {}
    messages = not_learned_warnings(
        lambda: scores.update(
            ours=cross_val_score(BackpropClassifier(random_state=0), X, y, cv=cv)
        )
    )
    assert messages == []
    if name == "digits":  # MLPClassifier is slowest here: its 0.9727, measured
        assert scores["ours"].mean() >= 0.9727 - 0.02
        return
    mlp = quietly(cross_val_score, MLPClassifier(random_state=0), X, y, cv=cv)
    assert scores["ours"].mean() >= mlp.mean() - 0.02


@pytest.mark.parametrize("load", [load_breast_cancer, load_wine])
def test_a_book_step_on_raw_features_warns_that_it_overshoots(load):
    X, y = load(return_X_y=True)
    clf = BackpropClassifier(learning_rate=1.0, random_state=0)
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "above" in message and "it started from" in message
    assert "learning_rate=1.0" in message and "StandardScaler" in message


def test_stopping_while_the_loss_oscillates_warns():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = BackpropClassifier(solver="gd", learning_rate=40.0, random_state=0)
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "oscillated" in message and "learning_rate=40.0" in message
    assert clf.n_iter_ < clf.max_iter  # the no-improvement rule stopped it


def test_a_plateau_at_the_class_frequencies_warns():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(200, 5)) * 1e4, rng.randint(2, size=200)
    clf = BackpropClassifier(
        n_hidden=2, solver="gd", init="glorot", learning_rate=1e-4, random_state=0
    )
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "predicting the class frequencies" in message
    assert "learning_rate" in message and "StandardScaler" in message


def test_no_warning_when_the_fit_learned(iris):
    X, y = iris
    for solver in ("gd", "sgd", "lbfgs"):
        clf = BackpropClassifier(solver=solver, random_state=0)
        assert not_learned_warnings(lambda clf=clf: clf.fit(X, y)) == []


def test_lbfgs_messages_name_no_learning_rate():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(200, 5)) * 1e4, rng.randint(2, size=200)
    clf = BackpropClassifier(solver="lbfgs", n_hidden=2, max_iter=3, random_state=0)
    for message in not_learned_warnings(lambda: clf.fit(X, y)):
        assert "L-BFGS takes no learning_rate" in message
        assert "learning_rate=" not in message


def test_class_frequency_loss_is_the_entropy_of_the_weighted_frequencies():
    labels = np.array([0, 0, 0, 1])
    p = np.array([0.1, 0.1, 0.3, 0.5])
    assert class_frequency_loss(labels, p, 3) == pytest.approx(np.log(2))


@pytest.mark.parametrize("warm", [False, True])
def test_lbfgs_with_no_window_limit_fits(iris, warm):
    # n_iter_no_change=np.inf is valid (MLPClassifier's tests use it); the
    # diagnosis once sliced the loss curve with it: TypeError
    X, y = iris
    clf = BackpropClassifier(
        n_hidden=4,
        solver="lbfgs",
        n_iter_no_change=np.inf,
        max_iter=50,
        warm_start=warm,
        random_state=0,
    )
    quiet_fit(clf, X, y)
    quiet_fit(clf, X, y)
    assert clf.score(X, y) > 0.9


def test_oscillation_check_watches_the_whole_curve_without_a_window_limit():
    from skbackprop._diagnosis import did_not_learn

    rising = [1.0, 0.5, 0.9, 0.4, 0.8, 0.4]
    reason = did_not_learn(rising, 1.0, True, np.inf, 0.0)
    assert reason is not None and "over the last 5 epochs" in reason


def xor_table(n_samples=2000):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (n_samples, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", learning_rate=4.0),
        dict(solver="sgd", momentum=0.9),
        dict(solver="adam", learning_rate=0.1),
        dict(solver="adam", learning_rate=0.03),
    ],
)
def test_mini_batch_fits_that_learnt_do_not_warn_of_oscillation(params):
    # each of these once warned "the loss oscillated": the epoch losses of
    # mini-batches wiggle by a few percent of a loss near zero
    X, y = xor_table()
    clf = BackpropClassifier(random_state=0, **params)
    messages = not_learned_warnings(lambda: clf.fit(X, y))
    assert messages == []
    assert clf.score(X, y) > 0.98
    assert clf.n_iter_ < clf.max_iter  # the no-improvement rule stopped it


def test_a_mini_batch_fit_whose_loss_wanders_above_its_best_warns():
    X, y = xor_table(500)
    clf = BackpropClassifier(
        n_hidden=32,
        solver="adam",
        learning_rate=3.0,
        init="glorot",
        early_stopping=False,
        random_state=0,
    )
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "oscillated" in message and "learning_rate=3.0" in message
    assert clf.score(X, y) < 0.9


def test_mini_batch_oscillation_is_judged_against_what_the_fit_learnt():
    from skbackprop._diagnosis import did_not_learn

    baseline = np.log(2)
    wiggling_low = [0.6, 0.3, 0.05, 0.04, 0.045, 0.04, 0.046, 0.041]
    assert did_not_learn(wiggling_low, 0.7, True, 5, baseline) is not None
    assert (
        did_not_learn(wiggling_low, 0.7, True, 5, baseline, mini_batches=True) is None
    )
    wandering = [0.6, 0.4, 0.45, 0.42, 0.48, 0.41, 0.47, 0.43]
    reason = did_not_learn(wandering, 0.7, True, 5, baseline, mini_batches=True)
    assert "oscillated" in reason


def test_stopping_within_a_few_percent_of_the_class_frequencies_warns():
    # banana in benchmarks/tabular.py: stopped at 0.6849 against the 0.6878
    # of the class frequencies, and nothing said so
    from skbackprop._diagnosis import did_not_learn

    baseline = 0.6878
    reason = did_not_learn([0.70, 0.69, 0.6849, 0.6851], 0.70, True, 3, baseline)
    assert "within 3%" in reason and "predicting the class frequencies" in reason
    learnt = [0.70, 0.60, 0.55, 0.55]
    assert did_not_learn(learnt, 0.70, True, 3, baseline) is None
    # a fit that ran out of epochs is reported as such, not as a plateau
    assert did_not_learn([0.70, 0.69, 0.6849], 0.70, False, 3, baseline) is None


def test_the_plateau_warning_says_how_to_wait_it_out():
    X, y = make_moons_with_a_plateau()
    clf = BackpropClassifier(
        solver="gd", init="glorot", learning_rate=0.05, random_state=0
    )
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "learnt little beyond the frequencies of the classes" in message
    assert "n_iter_no_change" in message and "solver='adam'" in message
    assert clf.n_iter_ < clf.max_iter


def make_moons_with_a_plateau():
    # two classes that no line separates, their means equal: a linear model
    # (which a network with small weights starts as) learns nothing
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 2))
    return X, (np.hypot(X[:, 0], X[:, 1]) > 1.18).astype(int)


def test_a_mini_batch_fit_that_learnt_nothing_reports_a_plateau_not_oscillation():
    # the inputs carry nothing: the epoch losses wiggle around the
    # class-frequency loss, and any wiggle was once "oscillated: the steps
    # overshoot" (a share of almost nothing learnt)
    from skbackprop._diagnosis import did_not_learn

    baseline = np.log(2)
    wiggling = [0.70, 0.692, 0.698, 0.6925, 0.699, 0.692, 0.697, 0.6926]
    reason = did_not_learn(wiggling, 0.70, True, 5, baseline, mini_batches=True)
    assert reason.startswith("training stopped on a plateau")
    X, y = np.ones((300, 5)), np.random.RandomState(0).randint(2, size=300)
    clf = BackpropClassifier(random_state=0)
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "plateau" in message and "oscillated" not in message


def test_a_held_out_loss_rising_from_the_start_is_not_called_a_plateau():
    from skbackprop._diagnosis import did_not_learn

    baseline = np.log(2)
    training = [0.70, 0.695, 0.69, 0.688]  # within 3% of the baseline
    rising = [0.685, 0.70, 0.72, 0.75]
    reason = did_not_learn(
        training, 0.70, True, 3, baseline, True, rising, validation_baseline=baseline
    )
    assert "held-out rows rose from 0.685 after epoch 1 to 0.75" in reason
    assert "against the 0.693147 of predicting the class frequencies" in reason
    flat = [0.690, 0.689, 0.691, 0.690]
    reason = did_not_learn(
        training, 0.70, True, 3, baseline, True, flat, validation_baseline=baseline
    )
    assert reason.startswith("training stopped on a plateau")
    # without the held-out rows' baseline there is no held-out verdict
    reason = did_not_learn(training, 0.70, True, 3, baseline, True, rising)
    assert reason.startswith("training stopped on a plateau")


def test_the_held_out_verdict_is_the_held_out_curves():
    from skbackprop._diagnosis import did_not_learn

    baseline = np.log(2)
    learnt = [0.70, 0.5, 0.4, 0.38]  # the training rows were learnt
    # ... but nothing of it held on the held-out rows, whose loss then rose
    rising = [0.685, 0.70, 0.72, 0.75]
    reason = did_not_learn(learnt, 0.70, True, 3, baseline, True, rising, baseline)
    assert "held-out rows rose from 0.685 after epoch 1" in reason
    # a fit whose held-out loss fell well below the class frequencies before
    # it rose stopped early as it should: no verdict
    turned = [0.60, 0.50, 0.45, 0.50, 0.56]
    assert (
        did_not_learn(learnt, 0.70, True, 3, baseline, True, turned, baseline) is None
    )
    # lowest after epoch 2 and less than a fifth learnt: the fit kept two
    # epochs of little learning
    early = [0.66, 0.62, 0.66, 0.69]
    reason = did_not_learn(learnt, 0.70, True, 3, baseline, True, early, baseline)
    assert "rose from 0.62 after epoch 2 to 0.69" in reason
    # ... after epoch 3, or with a fifth learnt by epoch 2, it learnt: no verdict
    later = [0.66, 0.64, 0.62, 0.69]
    assert did_not_learn(learnt, 0.70, True, 3, baseline, True, later, baseline) is None
    fifth = [0.60, 0.55, 0.60, 0.66]
    assert did_not_learn(learnt, 0.70, True, 3, baseline, True, fifth, baseline) is None
    # a rise of no more than 3% of the baseline is the noise of a few rows
    wobbling = [0.685, 0.69, 0.70, 0.70]
    assert (
        did_not_learn(learnt, 0.70, True, 3, baseline, True, wobbling, baseline) is None
    )
    # the baseline is the held-out rows' own: predicting the training rows'
    # frequencies there (a 90/10 training set, held-out rows half and half)
    skewed = 0.5 * -(np.log(0.9) + np.log(0.1))
    late = [0.70, 0.69, 0.685, 0.75]  # lowest after epoch 3, 1% below log 2
    assert "rose from 0.685 after epoch 3" in did_not_learn(
        learnt, 0.70, True, 3, baseline, True, late, baseline
    )
    assert did_not_learn(learnt, 0.70, True, 3, baseline, True, late, skewed) is None
    # and a fit the rule did not stop is not judged
    assert (
        did_not_learn(learnt, 0.70, False, 3, baseline, True, rising, baseline) is None
    )


def test_a_fit_that_learnt_on_its_held_out_rows_is_not_called_oscillating():
    from skbackprop._diagnosis import did_not_learn

    baseline = np.log(2)
    # the training loss wiggles after the epoch the held-out rows chose by
    # more than a tenth of what it learnt (a fold of titanic)
    wiggling = [0.60, 0.52, 0.50, 0.52, 0.50, 0.52, 0.50]
    judged = did_not_learn(wiggling, 0.65, True, 5, baseline, True)
    assert "oscillated" in judged
    # held out rows on which it learnt a fifth of the class-frequency loss:
    # the model it keeps learnt, whatever the training loss did after
    learnt = [0.60, 0.55, 0.54, 0.545, 0.55, 0.55]
    assert (
        did_not_learn(wiggling, 0.65, True, 5, baseline, True, learnt, baseline) is None
    )
    # ... less than that, and the wiggle is judged as without held-out rows
    little = [0.65, 0.60, 0.58, 0.585, 0.59, 0.59]
    assert did_not_learn(wiggling, 0.65, True, 5, baseline, True, little, baseline) == (
        judged
    )


def test_held_out_frequency_loss_predicts_the_training_frequencies():
    from skbackprop._diagnosis import held_out_frequency_loss

    assert held_out_frequency_loss([9, 1], [1, 1]) == pytest.approx(
        0.5 * -(np.log(0.9) + np.log(0.1))
    )
    # the same frequencies: the entropy of the classes
    assert held_out_frequency_loss([2, 2, 4], [1, 1, 2]) == pytest.approx(
        class_frequency_loss(np.array([0, 1, 2, 2]), None, 3)
    )
    # a held-out class the training data never had cannot be predicted
    assert held_out_frequency_loss([3, 0], [1, 1]) == np.inf
    assert held_out_frequency_loss([3, 0], [1, 0]) == 0.0


def weak_signal_table():
    # one informative column under three times its spread of noise: the
    # default network fits the noise of 270 rows from its first epoch
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 10))
    return X, (X[:, 0] + 3 * rng.normal(size=300) > 0).astype(int)


def test_a_default_fit_that_overfits_from_the_start_says_what_to_change():
    X, y = weak_signal_table()
    clf = BackpropClassifier(random_state=0)
    (message,) = not_learned_warnings(lambda: clf.fit(X, y))
    assert "held-out rows rose" in message and "after epoch 1" in message
    assert "n_hidden" in message and "learning_rate=0.001" in message
    assert "wait the plateau out" not in message
    # either piece of advice lets the fit learn
    for advice in (dict(n_hidden=8), dict(learning_rate=0.001)):
        clf = BackpropClassifier(random_state=0, **advice)
        assert not_learned_warnings(lambda clf=clf: clf.fit(X, y)) == []
        assert clf.n_iter_ > 1


def test_mini_batch_wiggle_is_judged_over_the_last_12_epochs():
    from skbackprop._diagnosis import MINI_BATCH_WATCHED_EPOCHS, did_not_learn

    baseline = np.log(2)
    # learnt 0.6 below the class frequencies; every other epoch rises 0.008
    settled = 0.09 + 0.008 * (np.arange(22) % 2)
    curve = [0.69, 0.3, *settled]
    share = 0.1 * (baseline - min(curve))  # OSCILLATION_SHARE of what it learnt
    assert 0.008 * 11 > share  # the rises over the 22 epochs 20 watch
    assert MINI_BATCH_WATCHED_EPOCHS == 12
    assert 0.008 * 6 < share  # over the last 12
    assert did_not_learn(curve, 0.69, True, 21, baseline, mini_batches=True) is None
    # a patience of 10 watches those 12 epochs already: the same verdict
    assert did_not_learn(curve, 0.69, True, 11, baseline, mini_batches=True) is None
    # full batches are judged over every watched epoch, against their loss
    reason = did_not_learn(curve, 0.69, True, 21, baseline, mini_batches=False)
    assert "oscillated" in reason and "over the last 21 epochs" in reason


def test_the_held_out_class_totals_are_weighted_as_the_loss():
    from skbackprop._training import ValidationSet

    labels = np.array([0, 0, 1, 2])
    p = np.array([0.5, 0.25, 0.25, 0.0])  # normalised sample weights
    validation = ValidationSet(np.zeros((4, 3)), labels, p, 2, 3)
    np.testing.assert_allclose(validation.class_totals(), [0.75, 0.25, 0.0])
