"""The epoch loop: record, validate, print, stop."""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._network import cross_entropy, log_probabilities


class ValidationSet:
    """Held-out data scored after every epoch.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (N, D)
        Inputs.

    labels : ndarray of shape (N,)
        Class indices into ``classes_``.

    p : ndarray of shape (N,)
        Sample weights normalised to sum to one.

    M, K : int
        Hidden units and outputs.
    """

    def __init__(self, X, labels, p, M, K):
        self.X = X
        self.labels = labels
        self.T = one_hot(labels, K, X.dtype)
        self.p = p
        self.M = M
        self.K = K

    def evaluate(self, theta):
        """Mean cross entropy (no penalty) and accuracy at ``theta``."""
        log_Y = log_probabilities(theta, self.X, self.M, self.K)
        loss = cross_entropy(log_Y, self.T, self.p)
        accuracy = float(self.p @ (log_Y.argmax(axis=1) == self.labels))
        return loss, accuracy


def one_hot(labels, K, dtype):
    """The book's 1-of-K coding T of class indices, shape (N, K)."""
    T = np.zeros((labels.shape[0], K), dtype=dtype)
    T[np.arange(labels.shape[0]), labels] = 1
    return T


# A loss this many times the loss at the starting weights (or log K, the
# loss of a uniform guess, if that is larger) means the steps overshoot.
DIVERGENCE_FACTOR = 1e3


class DivergenceCheck:
    """Raise, naming the learning rate, when training has diverged.

    Training has diverged when the loss or the weights are non-finite, or
    the loss exceeds ``DIVERGENCE_FACTOR`` times the larger of the loss at
    the starting weights and ``log K``.

    Parameters
    ----------
    learning_rate : float
        Named in the message.

    K : int
        Number of classes.
    """

    def __init__(self, learning_rate, K):
        self.learning_rate = learning_rate
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
            + f". Try a smaller learning_rate than learning_rate="
            f"{self.learning_rate!r}, or standardise the features."
        )


class History:
    """What an estimator records while it trains (lists it appends to)."""

    def __init__(self, loss_curve, validation_loss_curve, validation_scores):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores

    def record(self, n_epoch, loss, validation, theta, verbose):
        """Append one epoch's losses; return the validation loss or None."""
        self.loss_curve.append(loss)
        validation_loss = accuracy = None
        if validation is not None:
            validation_loss, accuracy = validation.evaluate(theta)
            self.validation_loss_curve.append(validation_loss)
            self.validation_scores.append(accuracy)
        if verbose:
            message = f"Epoch {n_epoch}, loss = {loss:.8f}"
            if validation is not None:
                message += (
                    f", validation loss = {validation_loss:.8f}, "
                    f"validation accuracy = {accuracy:.4f}"
                )
            print(message)
        return validation_loss


def run_epochs(
    epoch,
    theta,
    *,
    max_iter,
    stopper,
    history,
    validation,
    early_stopping,
    check_divergence,
    first_epoch,
    verbose,
):
    """Train ``theta`` in place for up to ``max_iter`` epochs.

    Parameters
    ----------
    epoch : FullBatchEpoch or MiniBatchEpoch
        ``epoch(theta, last) -> loss``: one epoch of a solver, moving
        ``theta`` in place; ``epoch.start_loss`` is the loss at the
        starting weights.

    theta : ndarray
        Flat weights, trained in place.

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

    check_divergence : DivergenceCheck
        Called on every epoch's loss and weights.

    first_epoch : int
        Number of the first epoch, for messages.

    verbose : int
        Print one line per epoch when positive.

    Returns
    -------
    n_epochs : int
        Epochs run.
    """
    best_theta = theta.copy() if early_stopping else None
    n_epochs = 0
    stopped = False
    for n_epochs in range(1, max_iter + 1):
        loss = epoch(theta, last=n_epochs == max_iter)
        if n_epochs == 1:
            check_divergence.set_start_loss(epoch.start_loss)
        check_divergence(loss, theta)
        validation_loss = history.record(
            first_epoch + n_epochs, loss, validation, theta, verbose
        )
        stopped = stopper.update(validation_loss if early_stopping else loss)
        if early_stopping and stopper.improved:
            best_theta[:] = theta
        if stopped:
            if verbose:
                monitored = "Validation" if early_stopping else "Training"
                print(
                    f"{monitored} loss did not improve more than tol={stopper.tol} "
                    f"for {stopper.n_iter_no_change} consecutive epochs. Stopping."
                )
            break
    if early_stopping:
        theta[:] = best_theta
    if not stopped:
        warnings.warn(
            f"Maximum iterations ({max_iter}) reached and the optimization hasn't "
            "converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return n_epochs
