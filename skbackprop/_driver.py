"""The one training driver: what fit, partial_fit and the Dask fit run.

``fit`` and ``partial_fit`` of :class:`~skbackprop.BackpropClassifier` both
call :func:`fit_in_memory`: a ``partial_fit`` call is one epoch of the same
loop, continuing the count of the calls before it. The Dask fit sets up its
data on the cluster and then calls :func:`train` and
:func:`report_convergence` as :func:`fit_in_memory` does. Which loop runs is
the solver's to say (:mod:`skbackprop._solvers`): epochs of a first-order
update rule, or a minimiser's iterations.
"""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.optimize import _check_optimize_result

from ._diagnosis import (
    class_frequency_loss,
    did_not_learn,
    entropy_of,
    held_out_frequency_loss,
    user_stacklevel,
    warn_if_not_learned,
)
from ._fitting import (
    finish,
    hold_out,
    initialize,
    restored_on_error,
    start_history,
    training_data,
    training_run,
    validation_set,
)
from ._namespace import moved_like
from ._row_blocks import parallel_session
from ._scoring import held_out_scorer
from ._solvers import solver_of
from ._stopping import (
    NoImprovementStopper,
    patience,
    refits,
    second_run_kept,
    tolerance,
    watches_validation,
)
from ._tasks import fit_tasks
from ._training import History, run_epochs, step_size_advice


def fit_in_memory(
    estimator,
    X,
    y,
    sample_weight,
    *,
    X_val=None,
    y_val=None,
    classes=None,
    incremental=False,
):
    """Train ``estimator`` on in-memory data: a whole fit, or one epoch.

    Parameters
    ----------
    estimator : BackpropClassifier
        Its parameters checked.

    X, y, sample_weight
        The training data, as given to ``fit`` or ``partial_fit``.

    X_val, y_val : default=None
        Validation data, scored after every epoch (``fit`` only).

    classes : array-like, default=None
        Every class, for the first ``partial_fit`` call.

    incremental : bool, default=False
        One epoch, continuing from the weights there are (``partial_fit``);
        otherwise up to ``max_iter``, from fresh weights unless
        ``warm_start``.
    """
    solver = solver_of(estimator)
    fitted = hasattr(estimator, "_theta")
    warm = fitted and (incremental or estimator.warm_start)
    with restored_on_error(estimator), parallel_session():
        X, labels, sample_weight = training_data(
            estimator, X, y, sample_weight, not warm, classes, incremental
        )
        rng = check_random_state(estimator.random_state)
        if not warm:
            initialize(estimator, X, sample_weight, rng)
        validation, watching = None, False
        whole = X, labels, sample_weight
        refit = False
        if X_val is not None:
            validation = validation_set(estimator, X_val, y_val)
            watching = watches_validation(
                estimator.early_stopping, solver, validation.n_samples
            )
        elif not incremental:
            X, labels, sample_weight, validation = held_out_if_watched(
                estimator, X, labels, sample_weight, rng
            )
            watching = validation is not None
            refit = watching and refits(estimator.early_stopping, whole[0].shape[0])
        if validation is not None:
            validation.scorer = held_out_scorer(estimator, validation)
        if incremental:  # the curves of the last fit stay as they are
            history = History(estimator.loss_curve_, [], [])
        else:
            history = start_history(estimator, validation)
        run = training_run(estimator, X, labels, sample_weight, rng)
        start = len(estimator.loss_curve_)
        epochs = 1 if incremental else estimator.max_iter
        # the callbacks see one fit of the whole training data, whose epochs
        # are those of both runs when it refits
        tasks = fit_tasks(
            estimator,
            *(whole if refit else (X, labels, sample_weight)),
            solver.callback_tasks(epochs) * (2 if refit else 1),
        )
        first_epoch = estimator.n_iter_ + 1 if incremental else 1
        stopped = train(
            estimator,
            run,
            history,
            validation,
            tasks,
            epochs,
            first_epoch,
            watching,
            n_rows=whole[0].shape[0],
        )
        if refit and not tasks.asked_to_stop:
            kept = refit_on_all_rows(
                estimator, history, start, whole, validation, run, tasks, rng
            )
            if kept is not run:
                run = kept
                X, labels, sample_weight = whole
        finish(estimator, run, X.shape[0])
        estimator.n_iter_ = first_epoch - 1 + run.n_steps
        tasks.close()
    if not incremental:
        K = estimator.classes_.shape[0]
        baseline = class_frequency_loss(labels, sample_weight, K)
        held_out = None
        if watching:
            training_totals = np.bincount(labels, weights=sample_weight, minlength=K)
            held_out = held_out_frequency_loss(
                training_totals, validation.class_totals()
            )
        report_convergence(
            estimator,
            run,
            start,
            stopped,
            baseline,
            whole[0].shape[0],
            validation_baseline=held_out,
        )
    return estimator


def held_out_if_watched(estimator, X, labels, sample_weight, rng):
    """Hold out the validation rows when the fit stops on them.

    Returns X, labels and sample_weight to train on, and the
    :class:`ValidationSet` or None. With ``early_stopping="auto"``, data too
    small to hold out a validation set of ``AUTO_VALIDATION_ROWS`` (or one
    stratified by class) are trained on whole, without early stopping.
    """
    setting = estimator.early_stopping
    n_held_out = math.ceil(estimator.validation_fraction * X.shape[0])
    if not watches_validation(setting, solver_of(estimator), n_held_out):
        return X, labels, sample_weight, None
    try:
        return hold_out(estimator, X, labels, sample_weight, rng)
    except ValueError:
        if setting != "auto":
            raise
        return X, labels, sample_weight, None


def refit_on_all_rows(estimator, history, start, whole, validation, first, tasks, rng):
    """Train again on every row, for as long as the validation loss said.

    ``early_stopping="auto"`` with rows held out of small training data
    (:func:`~skbackprop._stopping.refits`): the
    first run, on the rest, found the number of epochs whose validation
    loss was lowest (or whose ``scoring`` score was highest, the first such
    epoch). The same start (the estimator's weights, solver state
    and coordinates, which the first run did not touch) is trained for that
    many epochs on all the rows, so that the held-out tenth is learnt from
    too. ``loss_curve_`` becomes the second run's; the validation curves and
    ``best_loss_`` stay those of the first, which chose its length.

    The second run is kept unless it ended clearly worse on the held-out
    rows than the first run's best there
    (:func:`~skbackprop._stopping.second_run_kept`); then the fit keeps the
    first run, its best weights and its curves, as ``early_stopping=True``.

    Returns the run to keep: the second, or ``first``.
    """
    if validation.monitors_score:  # the first epoch of the best score
        n_epochs = int(np.argmax(history.validation_scores)) + 1
    else:
        n_epochs = int(np.argmin(history.validation_loss_curve)) + 1
    if estimator.verbose:
        print(f"Training again on all {whole[0].shape[0]} rows for {n_epochs} epochs.")
    first_curve = estimator.loss_curve_[start:]
    del estimator.loss_curve_[start:]
    run = training_run(estimator, *whole, rng)
    run_epochs(
        run,
        max_iter=n_epochs,
        stopper=NoImprovementStopper(0.0, np.inf),  # never stops
        history=History(estimator.loss_curve_, [], []),
        validation=None,
        early_stopping=False,
        verbose=estimator.verbose,
        tasks=tasks,
    )
    best_loss = history.validation_loss_curve[n_epochs - 1]  # the chosen epoch's
    second_loss, _ = validation.evaluate(run.raw)
    baseline = entropy_of(validation.class_totals())
    if second_run_kept(best_loss, second_loss, baseline):
        return run
    if estimator.verbose:
        print(
            f"The second run ended at a loss of {second_loss:.8f} on the held-out "
            f"rows, against the first run's best of {best_loss:.8f}: keeping the "
            "first run's best weights."
        )
    estimator.loss_curve_[start:] = first_curve
    return first


def train(
    estimator,
    run,
    history,
    validation,
    tasks,
    epochs,
    first_epoch=1,
    early_stopping=False,
    *,
    n_rows,
):
    """Run the estimator's solver; whether a stopping rule ended it.

    Epochs of a first-order solver (:func:`run_epochs`, the no-improvement
    rule watching the training loss, or the validation loss when
    ``early_stopping``, patient as ``n_iter_no_change`` says for training
    data of ``n_rows`` rows), or the iterations of a minimiser. Sets
    ``best_loss_``.
    """
    solver = solver_of(estimator)
    with np.errstate(over="ignore", invalid="ignore"):
        tol = tolerance(estimator.tol, n_rows, solver.mini_batches)
        if not solver.first_order:
            return fit_by_minimizing(
                estimator, solver, run, history, validation, tasks, tol
            )
        stopper = NoImprovementStopper(
            tol, patience(estimator.n_iter_no_change, n_rows)
        )
        stopped = run_epochs(
            run,
            max_iter=epochs,
            stopper=stopper,
            history=history,
            validation=validation,
            early_stopping=early_stopping,
            verbose=estimator.verbose,
            tasks=tasks,
            first_epoch=first_epoch,
        )
    if early_stopping and validation.monitors_score:
        # the stopper watched minus the score
        estimator.best_validation_score_ = -stopper.best_loss
        estimator.best_loss_ = min(history.validation_loss_curve)
    elif first_epoch > 1:  # partial_fit: the best over all the calls
        estimator.best_loss_ = min(estimator.best_loss_, stopper.best_loss)
    else:
        estimator.best_loss_ = stopper.best_loss
    return stopped


def fit_by_minimizing(estimator, solver, run, history, validation, tasks, tol):
    """A minimiser (L-BFGS-B) in the run's coordinates, recording every
    iteration, to the gradient tolerance ``tol``.

    A callback that asks to stop ends the minimisation after its iteration
    (SciPy stops on ``StopIteration`` from its callback).
    """
    asked_to_stop = False

    def after_iteration(theta, loss):
        nonlocal asked_to_stop
        raw = run.coordinates.to_raw(theta)
        run.check_divergence(loss, raw)
        n_iteration = len(history.loss_curve) + 1 - start
        history.record(n_iteration, loss, validation, raw, estimator.verbose)
        if tasks.end(raw):
            asked_to_stop = True
            raise StopIteration
        tasks.begin(raw)

    start = len(history.loss_curve)
    tasks.begin(run.raw)
    result = solver.minimize(
        run.objective.loss_and_gradient,
        run.theta,
        estimator.max_iter,
        tol,
        after_iteration,
    )
    if not asked_to_stop:
        tasks.end(None)  # the iteration the minimiser began but did not run
        # scikit-learn's reading of SciPy's result (its "lbfgs" wording)
        _check_optimize_result("lbfgs", result, estimator.max_iter)
    run.theta = moved_like(result.x, run.theta)
    run.raw = run.coordinates.to_raw(run.theta)
    run.check_divergence(result.fun, run.raw)
    run.n_steps = len(history.loss_curve) - start
    estimator.best_loss_ = float(result.fun)
    return True  # _check_optimize_result warned if it ran out of iterations


def report_convergence(
    estimator, run, start, stopped, baseline, n_rows, *, validation_baseline=None
):
    """Warn when the fit ran out of iterations, or did not learn.

    Parameters
    ----------
    estimator : BackpropClassifier
        The fitted estimator.

    run : TrainingRun
        The fit's run.

    start : int
        Where this fit's losses begin in ``loss_curve_``.

    stopped : bool
        Whether the no-improvement rule (or the minimiser) ended the fit.

    baseline : float
        The loss of predicting the training data's class frequencies
        (:func:`~skbackprop._diagnosis.class_frequency_loss`).

    n_rows : int
        Rows of the training data given to the fit.

    validation_baseline : float, default=None
        When the fit stopped on held-out rows: the loss there of predicting
        the training data's class frequencies
        (:func:`~skbackprop._diagnosis.held_out_frequency_loss`).
    """
    if not stopped:
        warnings.warn(
            f"Maximum iterations ({estimator.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )
    reason = did_not_learn(
        estimator.loss_curve_[start:],
        run.epoch.start_loss if run.epoch is not None else None,
        stopped,
        patience(estimator.n_iter_no_change, n_rows) + 1,
        baseline,
        mini_batches=solver_of(estimator).mini_batches,
        validation_curve=getattr(estimator, "validation_loss_curve_", None),
        validation_baseline=validation_baseline,
    )
    advice = step_size_advice(solver_of(estimator), estimator.learning_rate)
    warn_if_not_learned(reason, advice, estimator.solver)
