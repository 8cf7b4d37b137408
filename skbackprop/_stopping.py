"""When to stop: the no-improvement rule of MLPClassifier, whether it
watches a validation loss, and whether the fit then trains again on all the
rows."""

import numpy as np

# early_stopping="auto" watches a validation loss of at least this many rows:
# over fewer, its ups and downs are those of a few samples, and the best
# epoch it picks is noise (benchmarks/tabular.py: tae, hayes-roth and sonar,
# 12 to 17 held-out rows, lost 6 to 16 points with early stopping, while the
# noisy tables of 20 rows or more gained up to 9).
AUTO_VALIDATION_ROWS = 20
# ... and, after stopping on rows it held out of training data of at most
# this many rows, trains again on all of them for the best epoch count:
# benchmarks/refit.py, on the 25 KEEL tables of 120 to 958 training rows,
# 0.33 point of mean accuracy over four seeds (0.27 to 0.47) for 1.6 times
# their fit time; above it, 0.03 point over the 43 tables (2 better, none
# worse) at 1.6 times the fit time (benchmarks/tabular.py --ablations, "training
# again at any size"), and twice the time of
# benchmarks/grid_search.py on digits (1,437 rows a fold) for 0.0006 of
# best score (benchmarks/README.md).
AUTO_REFIT_ROWS = 1000


# n_iter_no_change="auto": the epochs without improvement that the rule
# tolerates. On data of at most AUTO_PATIENCE_ROWS rows an epoch is at most five
# mini-batch steps, and 10 such epochs ended fits that were still learning:
# benchmarks/tabular.py --ablations, 0.8561 for "auto" against 0.8538 for 10
# everywhere (9 tables worse, 1 better) and 0.8562 for 20 everywhere (1 worse),
# which took 1.2 times the fit time (47.0 s against 39.2 s).
# The same size as AUTO_REFIT_ROWS (above) but a constant of its own, so that
# the benchmarks can move the refit's threshold without moving this one.
AUTO_PATIENCE_ROWS = 1000
AUTO_PATIENCE = 10
AUTO_PATIENCE_SMALL = 20


# tol="auto": the least improvement of the monitored loss that counts. On
# training data of more than AUTO_TOL_ROWS rows an epoch of a mini-batch
# solver is more than five steps, and epochs that improve the loss by less
# than AUTO_TOL are the slow end of a fit. benchmarks/tabular.py: 1e-3 there
# moved no data set by half a point under seeds 0 to 2, in 0.76 to 0.89 of
# the fit time; 3e-3 cost phoneme 1.3 points, 1e-2 seven data sets up to
# 4.6; 1e-3 on the smaller data too cost 0.1 to 0.2 point of mean accuracy
# (tae 4 points). On digits (1,437 rows a fold) benchmarks/grid_search.py
# took 0.17 to 0.18 of MLPClassifier's search time, against 0.29 to 0.32
# before. Full-batch solvers (an epoch is one step) and L-BFGS (where tol is
# the gradient tolerance) keep MLPClassifier's 1e-4.
AUTO_TOL_ROWS = 1000
AUTO_TOL = 1e-3
AUTO_TOL_SMALL = 1e-4


def tolerance(setting, n_rows, mini_batches):
    """The least improvement of the monitored loss that counts (``tol``).

    Parameters
    ----------
    setting : float or "auto"
        The estimator's ``tol``.

    n_rows : int
        Rows of the training data given to the fit (before any hold-out).

    mini_batches : bool
        Whether the solver steps on mini-batches (an epoch of many steps).
    """
    if setting != "auto":
        return setting
    if mini_batches and n_rows > AUTO_TOL_ROWS:
        return AUTO_TOL
    return AUTO_TOL_SMALL


def patience(setting, n_rows):
    """The epochs without improvement that the no-improvement rule tolerates.

    Parameters
    ----------
    setting : int, float or "auto"
        The estimator's ``n_iter_no_change``.

    n_rows : int
        Rows of the training data given to the fit (before any hold-out).
    """
    if setting != "auto":
        return setting
    return AUTO_PATIENCE_SMALL if n_rows <= AUTO_PATIENCE_ROWS else AUTO_PATIENCE


def watches_validation(setting, solver, n_validation):
    """Whether a fit stops on its validation loss (``early_stopping``).

    Parameters
    ----------
    setting : bool or "auto"
        The estimator's ``early_stopping``.

    solver : Solver
        The registered solver; ``"auto"`` never watches one that cannot be
        watched (L-BFGS).

    n_validation : int
        Rows of the validation data: of ``X_val`` when given, else of the
        hold-out, ``ceil(validation_fraction * n_training)``.
    """
    if setting != "auto":
        return bool(setting)
    return solver.early_stopping and n_validation >= AUTO_VALIDATION_ROWS


def refits(setting, n_rows):
    """Whether a fit that held out validation rows trains again on all
    ``n_rows`` of its training data (``early_stopping="auto"`` on data of at
    most :data:`AUTO_REFIT_ROWS` rows)."""
    return setting == "auto" and n_rows <= AUTO_REFIT_ROWS


# The second run of a refit is kept unless its loss on the held-out rows,
# which it trained on too, ended above the first run's best there by more
# than this share of what the first run learnt on them (from the loss of
# predicting the class frequencies): such a run did not retrace the first,
# as with steps so large that the path depends on the order of the rows
# (Adam at learning_rate=1.0 on an XOR table of 500 rows: best held-out
# loss 0.09, the second run ended at 0.58; benchmarks/README.md).
REFIT_LOSS_SHARE = 0.5


def second_run_kept(best_loss, second_loss, baseline):
    """Whether a refit keeps its second run over the first run's best weights.

    Parameters
    ----------
    best_loss : float
        The first run's lowest loss on the held-out rows.

    second_loss : float
        The second run's loss on the same rows, at its end.

    baseline : float
        The loss on those rows of predicting the class frequencies.
    """
    learnt = baseline - best_loss
    return learnt <= 0 or second_loss - best_loss <= REFIT_LOSS_SHARE * learnt


class NoImprovementStopper:
    """Stop when a monitored loss has not improved by ``tol`` for a while.

    The rule is MLPClassifier's: an epoch whose loss is above
    ``best - tol`` adds one to a counter, any other epoch resets it, and
    training stops once the counter exceeds ``n_iter_no_change``.

    Parameters
    ----------
    tol : float
        Least improvement that counts.

    n_iter_no_change : int or float
        How many epochs without improvement are tolerated (``np.inf`` never
        stops).

    Attributes
    ----------
    best_loss : float
        Lowest loss seen so far.

    improved : bool
        Whether the last loss was a new best.
    """

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best_loss = np.inf
        self.improved = False
        self._count = 0

    def update(self, loss):
        """Record one epoch's loss; return True when training should stop."""
        if loss > self.best_loss - self.tol:
            self._count += 1
        else:
            self._count = 0
        self.improved = loss < self.best_loss
        if self.improved:
            self.best_loss = loss
        return self._count > self.n_iter_no_change
