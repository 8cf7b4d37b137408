"""When to stop: the no-improvement rule of MLPClassifier."""

import numpy as np


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
