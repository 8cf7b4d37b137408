"""The epoch loop: record, validate, print, stop."""

import math

import numpy as np

from ._namespace import copy_of, host_dtype, moved_like
from ._network import accuracy, cross_entropy, log_probabilities


class ValidationSet:
    """Held-out data scored after every epoch.

    Parameters
    ----------
    X : {ndarray, sparse matrix, array} of shape (N, D)
        Inputs: NumPy, or an array of another namespace, on its device.

    labels : ndarray of shape (N,)
        Class indices into ``classes_`` (NumPy).

    p : ndarray of shape (N,)
        Sample weights normalised to sum to one (NumPy).

    M, K : int
        Hidden units and outputs.

    Attributes
    ----------
    scorer : HeldOutScorer or None
        What the score of :meth:`evaluate` is, when not the accuracy: the
        estimator's ``scoring`` (:mod:`skbackprop._scoring`). Early stopping
        then watches that score instead of the loss.
    """

    def __init__(self, X, labels, p, M, K):
        self.X = X
        self.n_samples = X.shape[0]
        self.labels = moved_like(labels, X)
        self.T = one_hot_like(labels, K, X)
        self.p = moved_like(p, X)
        self.M = M
        self.K = K
        self._class_totals = np.bincount(labels, weights=p, minlength=K)
        self.scorer = None

    @property
    def monitors_score(self):
        """Whether early stopping watches the score (else the loss)."""
        return self.scorer is not None

    def class_totals(self):
        """Each class's total weight in these rows (NumPy, shape (K,))."""
        return self._class_totals

    def evaluate(self, theta):
        """Mean cross entropy (no penalty) and the score at ``theta``: the
        accuracy, or the ``scorer``'s value when there is one."""
        log_Y = log_probabilities(theta, self.X, self.M, self.K)
        loss = cross_entropy(log_Y, self.T, self.p)
        if self.scorer is not None:
            return loss, self.scorer(theta)
        return loss, accuracy(log_Y, self.labels, self.p)


def one_hot_like(labels, K, X):
    """T of the class indices ``labels`` in X's namespace, device and dtype."""
    return moved_like(one_hot(labels, K, host_dtype(X)), X)


def one_hot(labels, K, dtype):
    """The book's 1-of-K coding T of class indices, shape (N, K), in NumPy."""
    T = np.zeros((labels.shape[0], K), dtype=dtype)
    T[np.arange(labels.shape[0]), labels] = 1
    return T


# A loss this many times the loss at the starting weights (or log K, the
# loss of a uniform guess, if that is larger) means the steps overshoot.
DIVERGENCE_FACTOR = 1e3


class DivergenceCheck:
    """Raise, saying what to change, when training has diverged.

    Training has diverged when the loss or the weights are non-finite, or
    the loss exceeds ``DIVERGENCE_FACTOR`` times the larger of the loss at
    the starting weights and ``log K``.

    Parameters
    ----------
    advice : str
        What to change, ending the message: for ``"gd"`` and ``"sgd"`` it
        names ``learning_rate`` and its value (:func:`step_size_advice`).

    K : int
        Number of classes.
    """

    def __init__(self, advice, K):
        self.advice = advice
        self.log_K = float(np.log(K))
        self.limit = np.inf

    def set_start_loss(self, start_loss):
        """Fix the limit from the loss at the starting weights."""
        if start_loss is not None and np.isfinite(start_loss):
            self.limit = DIVERGENCE_FACTOR * max(start_loss, self.log_K)

    def __call__(self, loss, theta):
        # theta @ theta is finite exactly when no weight is inf, nan or
        # beyond 1e154 (float64): one cheap reduction per epoch.
        weights_finite = math.isfinite(float(theta @ theta))
        if loss <= self.limit and weights_finite:  # False for nan too
            return
        raise ValueError(
            f"Training diverged: the loss grew to {loss:.6g}"
            + ("" if weights_finite else " and the weights grew without bound")
            + f". {self.advice}"
        )


def step_size_advice(solver, learning_rate):
    """What to change when training overshoots, for messages.

    First-order solvers name ``learning_rate`` and its value and feature
    scaling; a minimiser, which takes no learning rate, gives its own
    advice (L-BFGS names feature scaling and ``l2``).

    Parameters
    ----------
    solver : Solver
        The registered solver (:mod:`skbackprop._solvers`).

    learning_rate : float or "auto"
        The estimator's ``learning_rate``.
    """
    if not solver.first_order:
        return solver.overshoot_advice
    if learning_rate == "auto":
        step = solver.auto_step
        return (
            f"learning_rate='auto' steps {step:g} on standardised features; try "
            f"a smaller float learning_rate, such as learning_rate={step / 10:g}, "
            "on standardised features (StandardScaler)."
        )
    return (
        f"Try a smaller learning_rate than learning_rate={learning_rate!r}, "
        "learning_rate='auto' (which scales the steps to the features), or "
        "standardise the features (StandardScaler)."
    )


class History:
    """What an estimator records while it trains (lists it appends to)."""

    def __init__(self, loss_curve, validation_loss_curve, validation_scores):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores

    def record(self, n_epoch, loss, validation, theta, verbose):
        """Append one epoch's losses and score; return what early stopping
        watches on the validation data (its loss, or minus its score, so
        that lower is better either way), or None without validation data."""
        self.loss_curve.append(loss)
        if validation is None:
            if verbose:
                print(f"Epoch {n_epoch}, loss = {loss:.8f}")
            return None
        validation_loss, score = validation.evaluate(theta)
        self.validation_loss_curve.append(validation_loss)
        self.validation_scores.append(score)
        if verbose:
            name = "score" if validation.monitors_score else "accuracy"
            print(
                f"Epoch {n_epoch}, loss = {loss:.8f}, validation loss = "
                f"{validation_loss:.8f}, validation {name} = {score:.4f}"
            )
        return -score if validation.monitors_score else validation_loss


class TrainingRun:
    """The state of one call of fit or partial_fit: weights, steps, checks.

    The solver moves ``theta`` in its own coordinates (see
    :mod:`skbackprop._coordinates`); ``raw`` always holds the same weights
    as the book's W and V, which is what is checked, scored and kept.

    Parameters
    ----------
    epoch : FullBatchEpoch or MiniBatchEpoch
        One epoch of a first-order solver, in the run's coordinates.

    theta : ndarray
        The raw starting weights (not modified).

    coordinates : RawInputs or StandardisedInputs
        The solver's coordinates.

    check_divergence : DivergenceCheck
        Called on every epoch's loss and raw weights.

    velocity : ndarray, AdamMoments or None
        The update rule's state carried over (the heavy-ball velocity in
        raw coordinates).

    objective : Objective, InCoordinates or None
        The full-batch objective in the run's coordinates (what L-BFGS
        minimises); None for sgd.
    """

    def __init__(
        self,
        epoch,
        theta,
        coordinates,
        check_divergence,
        velocity=None,
        objective=None,
    ):
        self.epoch = epoch
        self.objective = objective
        self.coordinates = coordinates
        self.check_divergence = check_divergence
        self.theta = coordinates.from_raw(copy_of(theta))
        self.raw = coordinates.to_raw(self.theta)
        if velocity is not None and epoch is not None:
            epoch.optimizer.resume(velocity, coordinates)
        self.n_steps = 0

    def step(self, last=False):
        """One epoch: move the weights, check them, return the loss."""
        loss = self.epoch(self.theta, last=last)
        self.raw = self.coordinates.to_raw(self.theta, out=self.raw)
        if self.n_steps == 0:
            self.check_divergence.set_start_loss(self.epoch.start_loss)
        self.n_steps += 1
        self.check_divergence(loss, self.raw)
        return loss

    def restore(self, raw):
        """Go back to the raw weights ``raw`` (the best of early stopping)."""
        self.raw[...] = raw
        self.theta = self.coordinates.from_raw(copy_of(self.raw))

    def velocity(self):
        """The update rule's state to keep (the heavy-ball velocity in raw
        coordinates), or None."""
        return self.epoch.optimizer.saved_state(self.coordinates)


def run_epochs(
    run,
    *,
    max_iter,
    stopper,
    history,
    validation,
    early_stopping,
    verbose,
    tasks,
    first_epoch=1,
):
    """Train for up to ``max_iter`` epochs.

    Parameters
    ----------
    run : TrainingRun
        The weights and the epoch step, moved in place.

    max_iter : int
        Most epochs.

    stopper : NoImprovementStopper
        Watches the training loss, or the validation loss with
        ``early_stopping``.

    history : History
        Where the curves are appended.

    validation : ValidationSet or None
        Scored after every epoch when given.

    early_stopping : bool
        Monitor the validation loss and return the best weights seen.

    verbose : int
        Print one line per epoch when positive.

    tasks : EpochTasks or NoTasks
        The callbacks' hooks, called around every epoch; a callback may ask
        to stop after an epoch.

    first_epoch : int, default=1
        The number of the first epoch, as recorded and printed (a
        ``partial_fit`` call continues the count of the calls before it).

    Returns
    -------
    stopped : bool
        Whether the stopper (or a callback) ended training before
        ``max_iter``.
    """
    best = copy_of(run.raw) if early_stopping else None
    stopped = False
    last_epoch = first_epoch + max_iter - 1
    for n_epochs in range(first_epoch, last_epoch + 1):
        tasks.begin(run.raw)
        loss = run.step(last=n_epochs == last_epoch)
        validation_loss = history.record(n_epochs, loss, validation, run.raw, verbose)
        stopped = stopper.update(validation_loss if early_stopping else loss)
        if early_stopping and stopper.improved:
            best[:] = run.raw
        if tasks.end(run.raw):
            if verbose:
                print("A callback asked to stop.")
            stopped = True
            break
        if stopped:
            if verbose:
                monitored = "Validation" if early_stopping else "Training"
                print(
                    f"{monitored} loss did not improve more than tol={stopper.tol} "
                    f"for {stopper.n_iter_no_change} consecutive epochs. Stopping."
                )
            break
    if early_stopping:
        run.restore(best)
    return stopped
