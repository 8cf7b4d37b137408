"""Did a fit learn? Warnings for the fits that did not.

A fit that ran to its end can still have failed: the loss ended above where
it started (the steps overshoot), the no-improvement rule stopped it while
the loss jumped up and down (the steps overshoot, more mildly), or it ended
no better than a model that ignores the inputs and predicts the class
frequencies: on a plateau (saturated hidden units, typically raw features
of large scale), or, when it stopped on held-out rows, because the loss on
those rose from the first epochs (the network fitted the noise of the
training rows before it learnt what holds beyond them). Each gets a
``ConvergenceWarning`` that says what to change.
"""

import os
import sys
import warnings

import numpy as np
import sklearn.base
from sklearn.exceptions import ConvergenceWarning

# The no-improvement rule stopped a fit while the loss oscillated when, over
# the epochs it watched, the loss rose in total by more than this share of
# its lowest value there (full batches: a fit that settles rises by a tiny
# share, if at all), or of what the fit learnt, the fall from the
# class-frequency loss to its lowest value (mini-batches:
# their epoch losses, means of losses taken between steps, always wiggle, by
# a few percent of a low loss; benchmarks/README.md has the figures).
OSCILLATION_SHARE = 0.1
# ... over at most this many of the last epochs for mini-batches, the window
# of MLPClassifier's patience of 10 that the share was measured on: their
# wiggle adds up over a longer one (n_iter_no_change="auto" waits 20 epochs
# on small data), and would be taken for oscillation.
MINI_BATCH_WATCHED_EPOCHS = 12
# Training stopped on a plateau when its lowest loss is within this share of
# the class-frequency loss: the network learnt little beyond the frequencies
# (banana in benchmarks/tabular.py stopped at 0.6849 against 0.6878).
PLATEAU_SHARE = 0.03
ON_A_PLATEAU = "training stopped on a plateau"
# A fit that stopped on held-out rows whose loss rose after its lowest by
# more than this share of the held-out rows' class-frequency loss, where that
# lowest was (a) never PLATEAU_SHARE below the class-frequency loss, or
# (b) in its first EARLY_EPOCHS epochs and less than EARLY_LEARNT_SHARE of
# it below, learnt what holds beyond its training rows for an epoch or two,
# if at all, then their noise: it overfitted from its first epochs. On the
# 215 default fits of benchmarks/diagnosis.py the fits this names learnt at
# most 10% of the class-frequency loss on their held-out rows and
# n_hidden=8 raised their accuracy by 4 to 8 points; fits with the lowest
# held-out loss as early that learnt more learnt 32% (the class_weight=
# "balanced" fit of tests/test_defaults.py, 0.82 balanced accuracy, whose
# held-out loss is the noise of 15 heavy rows of the small class) to 91%
# (wisconsin, twonorm, splice: at or above LogisticRegression;
# benchmarks/README.md). The verdict is the held-out curve's: the training
# loss of a refit's second run (one epoch, when the first run's best was its
# first) is too noisy to tell.
#
# A fit that stopped on held-out rows and learnt there at least
# EARLY_LEARNT_SHARE of their class-frequency loss is not judged on the
# wiggle of its training loss after the epoch they chose: of the seven
# default fits of benchmarks/diagnosis.py that warned that the loss
# oscillated, the four that learnt 22 to 27% there (three folds of titanic,
# at or above LogisticRegression, and one of saheart) lost 0 to 6 points
# with the advised smaller step; the three that learnt less (bands 4%, pima
# and saheart 18 to 19%) still warn, and the step raises two of them, bands
# by 5.5 points (benchmarks/README.md).
RISE_ON_HELD_OUT_SHARE = PLATEAU_SHARE
EARLY_EPOCHS = 2
EARLY_LEARNT_SHARE = 0.2
ROSE_ON_HELD_OUT = "the loss on the held-out rows rose"
# Below this loss, predicting the class frequencies is already nearly
# perfect (almost all the weight on one class): nothing to compare against.
SMALLEST_BASELINE = 1e-3


def class_frequency_loss(labels, weights, K):
    """Loss of the model that predicts the class frequencies for every input.

    ``-sum_k pi_k log pi_k`` with ``pi_k = sum_n p_n t_nk`` and ``p`` the
    weights normalised to sum to one: the least loss of any model that
    ignores x. A network that ends no lower has not learned.
    """
    return entropy_of(np.bincount(labels, weights=weights, minlength=K))


def entropy_of(class_weights):
    """``-sum_k pi_k log pi_k`` of the classes' total weights, normalised."""
    frequencies = np.asarray(class_weights, dtype=np.float64)
    frequencies = frequencies[frequencies > 0] / frequencies.sum()
    return float(-(frequencies * np.log(frequencies)).sum())


def held_out_frequency_loss(training_totals, held_out_totals):
    """Loss on held-out rows of predicting the training data's class
    frequencies: ``-sum_k q_k log pi_k``.

    Parameters
    ----------
    training_totals, held_out_totals : array-like of shape (K,)
        Total weight of each class in the training data (``pi``, once
        normalised) and in the held-out rows (``q``).

    Returns
    -------
    loss : float
        The cross entropy; ``inf`` when a held-out class has no weight in
        the training data (no model that ignores x can predict it).
    """
    pi = np.asarray(training_totals, dtype=np.float64)
    q = np.asarray(held_out_totals, dtype=np.float64)
    pi, q = pi / pi.sum(), q / q.sum()
    present = q > 0
    if np.any(pi[present] == 0):
        return float("inf")
    return float(-(q[present] * np.log(pi[present])).sum())


def did_not_learn(
    curve,
    start_loss,
    stopped,
    window,
    baseline,
    mini_batches=False,
    validation_curve=None,
    validation_baseline=None,
):
    """Why a fit failed, in words, or None if it learned.

    Parameters
    ----------
    curve : list of float
        This fit's training losses, one per epoch or iteration.

    start_loss : float or None
        The training loss at the starting weights.

    stopped : bool
        Whether the no-improvement rule ended the fit.

    window : int or float
        Epochs the no-improvement rule watched (``n_iter_no_change + 1``);
        ``np.inf`` (``n_iter_no_change=np.inf``) watches the whole curve.

    baseline : float
        :func:`class_frequency_loss` of the training data.

    mini_batches : bool, default=False
        The curve holds the epoch losses of mini-batch steps, which wiggle:
        a rise counts as oscillation against what the fit learnt, not
        against the loss itself; a fit that learnt almost nothing is
        reported as such, not as oscillating.

    validation_curve : list of float, default=None
        The losses on the held-out rows the fit stopped on, if it did.

    validation_baseline : float, default=None
        :func:`held_out_frequency_loss` of those rows. With both, the fit
        is judged on its held-out rows first: whether it fitted the noise
        of its training rows from the start, however low its training loss
        went (:func:`rose_on_held_out`), and, if it learnt there
        (:func:`learnt_on_held_out`), not on the wiggle of its training loss.
    """
    if not curve:
        return None
    final = curve[-1]
    # an epoch of mini-batches reports the mean of its batches' losses, which
    # a lucky first batch may lie below: only a rise beyond their wiggle
    # (a few percent of the class-frequency loss) is an overshoot
    allowed = PLATEAU_SHARE * baseline if mini_batches else 0.0
    if start_loss is not None and final > start_loss + allowed:
        return (
            f"the training loss ended at {final:.6g}, above the {start_loss:.6g} "
            "it started from: the steps overshoot"
        )
    if stopped:
        reason = rose_on_held_out(validation_curve, validation_baseline)
        if reason is not None:
            return reason
    plateau = (1 - PLATEAU_SHARE) * baseline
    learnt_little = stopped and baseline > SMALLEST_BASELINE and min(curve) >= plateau
    # mini-batch losses wiggle by a few percent of the loss: next to what a
    # fit on a plateau learnt, any wiggle would count as oscillation; and a
    # fit that kept what its held-out rows chose is judged by them
    judged_on_held_out = learnt_on_held_out(validation_curve, validation_baseline)
    if stopped and not (mini_batches and learnt_little) and not judged_on_held_out:
        n_watched = int(min(window + 1, len(curve)))
        if mini_batches:
            n_watched = min(n_watched, MINI_BATCH_WATCHED_EPOCHS)
        watched = np.asarray(curve[-n_watched:])
        rises = np.clip(np.diff(watched), 0, None).sum()
        scale = watched.min()
        if mini_batches:  # against what it learnt (none: no verdict here)
            scale = baseline - min(curve)
        if scale > 0 and rises > OSCILLATION_SHARE * scale:
            return (
                "training stopped while the loss oscillated (it rose by "
                f"{rises:.3g} in total over the last {len(watched) - 1} epochs): "
                "the steps overshoot"
            )
    if learnt_little:
        return (
            f"{ON_A_PLATEAU}: the loss ({min(curve):.6g} at best) "
            f"is within {PLATEAU_SHARE:.0%} of the {baseline:.6g} of predicting "
            "the class frequencies: the network has learnt little beyond the "
            "frequencies of the classes"
        )
    return None


def held_out_learnt_share(validation_curve, validation_baseline):
    """What a fit learnt on its held-out rows: the fall from
    ``validation_baseline`` to its lowest loss there, as a share of it.

    None without a curve, or without a baseline to compare with (none
    given, a nearly certain class, or a held-out class the training data
    lacked: ``inf``).
    """
    if not validation_curve or validation_baseline is None:
        return None
    if not validation_baseline > SMALLEST_BASELINE or np.isinf(validation_baseline):
        return None
    return (validation_baseline - min(validation_curve)) / validation_baseline


def learnt_on_held_out(validation_curve, validation_baseline):
    """Whether a fit that stopped on held-out rows learnt there: its lowest
    loss on them at least ``EARLY_LEARNT_SHARE`` of ``validation_baseline``
    below it.

    Such a fit keeps the weights that its held-out rows chose (or trains
    again to them), so how its training loss wiggled after them says
    nothing of the model it returns: it is not called oscillating.
    """
    learnt = held_out_learnt_share(validation_curve, validation_baseline)
    return learnt is not None and learnt >= EARLY_LEARNT_SHARE


def rose_on_held_out(validation_curve, validation_baseline):
    """The held-out verdict of :func:`did_not_learn`, in words, or None.

    The held-out loss rose after its lowest by more than
    ``RISE_ON_HELD_OUT_SHARE`` of ``validation_baseline``, and that lowest
    was within ``PLATEAU_SHARE`` of it (the network learnt nothing that
    holds on rows it did not train on), or was reached in the first
    ``EARLY_EPOCHS`` epochs within ``EARLY_LEARNT_SHARE`` of it (the fit
    kept an epoch or two of learning, and little).
    """
    learnt = held_out_learnt_share(validation_curve, validation_baseline)
    if learnt is None:
        return None
    best = int(np.argmin(validation_curve))
    lowest, last = validation_curve[best], validation_curve[-1]
    learnt_little = learnt <= PLATEAU_SHARE or (
        best < EARLY_EPOCHS and learnt < EARLY_LEARNT_SHARE
    )
    rose = last - lowest > RISE_ON_HELD_OUT_SHARE * validation_baseline
    if not (learnt_little and rose):
        return None
    return (
        f"{ROSE_ON_HELD_OUT} from {lowest:.6g} after epoch {best + 1} to "
        f"{last:.6g}, against the {validation_baseline:.6g} of predicting the "
        "class frequencies there: the network fitted the noise of the training "
        "rows before it learnt what holds beyond them"
    )


# What else helps a fit that stopped on a plateau.
PLATEAU_ADVICE = " To wait the plateau out, raise n_iter_no_change or lower tol"
# What else helps a fit that overfitted from its first epochs.
HELD_OUT_ADVICE = (
    " Fewer hidden units (a smaller n_hidden) also let it learn more before"
    " it fits noise."
)
FASTER_ACROSS = "solver='adam' crosses plateaus faster"


def warn_if_not_learned(reason, advice, solver_name=None):
    """A ConvergenceWarning with the reason and what to change.

    A fit that stopped on a plateau is also told how to wait it out, and,
    unless it ran Adam already (``solver_name``), that Adam crosses
    plateaus faster.
    """
    if reason is None:
        return
    if reason.startswith(ON_A_PLATEAU):
        advice += PLATEAU_ADVICE
        advice += "." if solver_name == "adam" else f"; {FASTER_ACROSS}."
    elif reason.startswith(ROSE_ON_HELD_OUT):
        advice += HELD_OUT_ADVICE
    warnings.warn(
        f"The fit did not learn: {reason}. {advice}",
        ConvergenceWarning,
        stacklevel=user_stacklevel(),
    )


_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_FIT_CONTEXT = os.path.abspath(sklearn.base.__file__)  # fit's wrapper


def user_stacklevel():
    """The ``stacklevel`` of a warning raised by the caller of this function
    that points at the line that called into skbackprop: the first frame
    outside this package and scikit-learn's ``_fit_context`` wrapper. Fits
    reach their warnings through different depths (in memory, on Dask)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE + os.sep) and filename != _FIT_CONTEXT:
            return level
        level, frame = level + 1, frame.f_back
    return level
