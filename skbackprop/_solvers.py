"""Update rules: how a solver turns gradients into steps.

Each solver here only moves ``theta``; the epoch loop, stopping, validation and
messages belong to :mod:`skbackprop._training`.
"""

import numpy as np
from scipy.optimize import minimize

# L-BFGS-B may call the function more than once per iteration (line search);
# MLPClassifier caps the calls at the same number by default (its max_fun).
MAX_FUNCTION_CALLS = 15000


class HeavyBall:
    """Steepest descent with heavy-ball momentum, in place.

    With ``momentum == 0`` it is the book's update
    ``theta <- theta - learning_rate * gradient``. Otherwise it keeps a
    velocity ``u`` and applies

        u <- momentum * u - learning_rate * gradient
        theta <- theta + u

    Parameters
    ----------
    learning_rate : float
        Step size, the book's alpha.

    momentum : float
        Heavy-ball coefficient in [0, 1).

    velocity : ndarray or None
        Velocity carried over from an earlier fit, or None to start at zero.
    """

    def __init__(self, learning_rate, momentum, velocity=None):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = velocity

    def step(self, theta, gradient):
        """Move ``theta`` in place by one step against ``gradient``."""
        if self.momentum == 0:
            theta -= self.learning_rate * gradient  # w <- w - alpha dE/dw
            return
        if self.velocity is None:
            self.velocity = np.zeros_like(theta)
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate * gradient
        theta += self.velocity


class FullBatchEpoch:
    """The gd epoch: one step on all the data.

    Calling it moves ``theta`` and returns the loss *after* the step, the
    book's ``err_train``. That loss comes with the gradient at the new
    weights, which the next epoch steps along, so an epoch costs one forward
    and one backward pass; the last epoch (``last=True``) skips the backward
    pass it would not use.

    Parameters
    ----------
    loss_and_gradient : callable
        ``theta -> (loss, gradient)`` on the training data.

    loss : callable
        ``theta -> loss`` on the training data (forward pass only).

    optimizer : HeavyBall
        The update rule.

    Attributes
    ----------
    start_loss : float
        The loss at the weights before the first step.
    """

    def __init__(self, loss_and_gradient, loss, optimizer):
        self.loss_and_gradient = loss_and_gradient
        self.loss = loss
        self.optimizer = optimizer
        self.start_loss = None
        self._gradient = None

    def __call__(self, theta, last=False):
        if self._gradient is None:
            self.start_loss, self._gradient = self.loss_and_gradient(theta)
        self.optimizer.step(theta, self._gradient)
        if last:
            self._gradient = None
            return self.loss(theta)
        loss, self._gradient = self.loss_and_gradient(theta)
        return loss


class MiniBatchEpoch:
    """The sgd epoch: one step per mini-batch, one pass over the data.

    Calling it moves ``theta`` and returns the weight-averaged mean of the
    batch losses, each taken before its step.

    Parameters
    ----------
    batch_loss_and_gradient : callable
        ``(theta, rows, p) -> (loss, gradient)`` on the samples ``rows``
        (a slice or an index array) with normalised weights ``p``.

    sample_weight : ndarray of shape (N,)
        Raw sample weights; each batch's weights are normalised to sum to one,
        and a batch whose weights are all zero is skipped.

    batch_size : int
        Samples per batch (the last batch may be smaller).

    order : callable
        ``() -> None or ndarray``: the sample order of the next epoch, None
        for the stored order.

    optimizer : HeavyBall
        The update rule.

    Attributes
    ----------
    start_loss : float
        The first batch's loss at the weights before the first step.
    """

    def __init__(
        self, batch_loss_and_gradient, sample_weight, batch_size, order, optimizer
    ):
        self.batch_loss_and_gradient = batch_loss_and_gradient
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.order = order
        self.optimizer = optimizer
        self.start_loss = None

    def __call__(self, theta, last=False):
        n_samples = self.sample_weight.shape[0]
        permutation = self.order()
        total_loss = 0.0
        total_weight = 0.0
        for start in range(0, n_samples, self.batch_size):
            rows = slice(start, min(start + self.batch_size, n_samples))
            if permutation is not None:
                rows = permutation[rows]
            weight = self.sample_weight[rows]
            batch_weight = float(weight.sum())
            if batch_weight == 0:
                continue
            loss, gradient = self.batch_loss_and_gradient(
                theta, rows, weight / batch_weight
            )
            if self.start_loss is None:
                self.start_loss = loss
            self.optimizer.step(theta, gradient)
            total_loss += batch_weight * loss
            total_weight += batch_weight
        return total_loss / total_weight


def minimize_lbfgs(loss_and_gradient, theta, max_iter, tol, callback):
    """Minimise with SciPy's L-BFGS-B along the back-propagated gradient.

    Parameters
    ----------
    loss_and_gradient : callable
        ``theta -> (loss, gradient)``.

    theta : ndarray
        Starting weights (any float dtype; L-BFGS-B itself works in float64).

    max_iter : int
        Most L-BFGS iterations.

    tol : float
        Projected-gradient tolerance (``gtol``).

    callback : callable
        Called as ``callback(theta, loss)`` after every iteration.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        SciPy's result; ``result.x`` is float64.
    """
    dtype = theta.dtype

    def fun(x):
        loss, gradient = loss_and_gradient(x.astype(dtype, copy=False))
        return loss, gradient.astype(np.float64)  # a copy: SciPy may keep it

    def on_iteration(intermediate_result):
        callback(intermediate_result.x.astype(dtype), intermediate_result.fun)

    return minimize(
        fun,
        theta.astype(np.float64),
        jac=True,
        method="L-BFGS-B",
        callback=on_iteration,
        options={"maxiter": max_iter, "maxfun": MAX_FUNCTION_CALLS, "gtol": tol},
    )
