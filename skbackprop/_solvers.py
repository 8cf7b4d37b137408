"""Update rules: how a solver turns gradients into steps.

Each solver here only moves ``theta``; the epoch loop, stopping, validation and
messages belong to :mod:`skbackprop._training`.
"""

import numpy as np
from scipy.optimize import minimize

from . import _numpy_ops as numpy_ops
from ._namespace import copy_of, empty_like, moved_like, to_numpy, zeros_like

# L-BFGS-B may call the function more than once per iteration (line search);
# MLPClassifier caps the calls at the same number by default (its max_fun).
MAX_FUNCTION_CALLS = 15000


class UpdateRule:
    """How a first-order solver turns a gradient into a step, in place.

    A rule may keep state between steps (momentum's velocity, Adam's
    moments); :meth:`saved_state` and :meth:`resume` carry it over across
    warm starts and ``partial_fit`` calls. The base rule keeps none.

    Attributes
    ----------
    learning_rate : float
        The step size, the book's alpha (the safeguard of
        ``learning_rate="auto"`` may halve it).
    """

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, theta, gradient):
        """Move ``theta`` in place by one step against ``gradient``."""
        raise NotImplementedError

    def saved_state(self, coordinates):
        """The state to keep on the estimator (None: nothing to keep).

        ``coordinates`` are the run's (:mod:`skbackprop._coordinates`); the
        rule's own arrays are in them.
        """
        return None

    def resume(self, state, coordinates):
        """Continue from a :meth:`saved_state` of an earlier run."""

    def forget(self):
        """Drop the state: the next step starts afresh (after the safeguard
        took a step back)."""


class HeavyBall(UpdateRule):
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
        super().__init__(learning_rate)
        self.momentum = momentum
        self.velocity = velocity

    def step(self, theta, gradient):
        """Move ``theta`` in place by one step against ``gradient``."""
        if self.momentum == 0:
            theta -= self.learning_rate * gradient  # w <- w - alpha dE/dw
            return
        if self.velocity is None:
            self.velocity = zeros_like(theta)
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate * gradient
        theta += self.velocity

    def saved_state(self, coordinates):
        """The velocity in raw coordinates (a step is a move of the
        weights, so the coordinates map it as they map the weights)."""
        if self.velocity is None:
            return None
        return coordinates.to_raw(self.velocity)

    def resume(self, state, coordinates):
        if state is not None and not isinstance(state, AdamMoments):
            self.velocity = coordinates.from_raw(copy_of(state))

    def forget(self):
        self.velocity = None


class AdamMoments:
    """Adam's state: the steps taken and the two moment estimates.

    They are running means of the gradient and of its square in the
    coordinates of the run that made them (``standardised``); a run in
    other coordinates starts them afresh.
    """

    def __init__(self, n_steps, first, second, standardised):
        self.n_steps = n_steps
        self.first = first
        self.second = second
        self.standardised = standardised

    def moved_like(self, array):
        """The same moments in ``array``'s namespace, device and dtype."""
        return AdamMoments(
            self.n_steps,
            moved_like(self.first, array),
            moved_like(self.second, array),
            self.standardised,
        )


class Adam(UpdateRule):
    """Adaptive moment estimation (Kingma and Ba, 2015), in place.

    With gradient g at step t, running means of g and of g squared, and a
    step scaled by both, bias-corrected for their start at zero:

        m <- beta1 m + (1 - beta1) g
        s <- beta2 s + (1 - beta2) g * g
        theta <- theta - alpha_t m / (sqrt(s) + epsilon),
        alpha_t = learning_rate sqrt(1 - beta2^t) / (1 - beta1^t)

    Each weight's step is about ``learning_rate`` at most, whatever the
    size of its gradient: the plateaus of a sigmoid network, where the
    gradient is small, are crossed at the same pace as the slopes.

    Parameters
    ----------
    learning_rate : float
        Step size alpha.

    beta1, beta2 : float
        Decay of the two running means (the paper's and MLPClassifier's
        0.9 and 0.999).

    epsilon : float
        Added to sqrt(s), so that a weight whose gradient is zero does not
        divide by zero.
    """

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.n_steps = 0
        self.first = self.second = self._buffer = None

    def step(self, theta, gradient):
        """Move ``theta`` in place by one Adam step against ``gradient``."""
        if self.first is None:
            self.first, self.second = zeros_like(theta), zeros_like(theta)
            self._buffer = empty_like(theta)
        self.n_steps += 1
        t, m, s, buffer = self.n_steps, self.first, self.second, self._buffer
        alpha_t = self.learning_rate * (1 - self.beta2**t) ** 0.5 / (1 - self.beta1**t)
        kernels = numpy_ops.kernels_for(theta, m, s, gradient)
        if kernels is not None:  # the same operations, one compiled pass
            kernels.adam_step(
                theta, m, s, gradient, alpha_t, self.beta1, self.beta2, self.epsilon
            )
            return
        m *= self.beta1  # m <- beta1 m + (1 - beta1) g
        m += (1 - self.beta1) * gradient
        s *= self.beta2  # s <- beta2 s + (1 - beta2) g^2
        buffer[...] = gradient
        buffer *= gradient
        buffer *= 1 - self.beta2
        s += buffer
        buffer[...] = s  # theta <- theta - alpha_t m / (sqrt(s) + epsilon)
        buffer **= 0.5
        buffer += self.epsilon
        theta -= alpha_t * m / buffer

    def saved_state(self, coordinates):
        if self.first is None:
            return None
        return AdamMoments(
            self.n_steps,
            copy_of(self.first),
            copy_of(self.second),
            coordinates.standardised,
        )

    def resume(self, state, coordinates):
        if isinstance(state, AdamMoments):
            if state.standardised == coordinates.standardised:
                self.n_steps = state.n_steps
                self.first, self.second = copy_of(state.first), copy_of(state.second)
                self._buffer = empty_like(self.first)

    def forget(self):
        self.n_steps = 0
        self.first = self.second = self._buffer = None


def moved_state(state, like):
    """A saved update-rule state in ``like``'s namespace and on its device."""
    if isinstance(state, AdamMoments):
        return state.moved_like(like)
    return moved_like(state, like)


class FullBatchEpoch:
    """The gd epoch: one step on all the data.

    Calling it moves ``theta`` and returns the loss *after* the step, the
    book's ``err_train``. That loss comes with the gradient at the new
    weights, which the next epoch steps along, so an epoch costs one forward
    and one backward pass; the last epoch (``last=True``) skips the backward
    pass it would not use.

    Safeguarded, a step that raises the loss is taken back and tried again
    at half the step size (and no momentum), along the same gradient, until
    the loss does not rise; the smaller step size is kept for the epochs
    that follow. The book's steps are not safeguarded.

    Parameters
    ----------
    loss_and_gradient : callable
        ``theta -> (loss, gradient)`` on the training data.

    loss : callable
        ``theta -> loss`` on the training data (forward pass only).

    optimizer : UpdateRule
        The update rule.

    safeguarded : bool, default=False
        Halve the step size instead of taking a step that raises the loss.

    Attributes
    ----------
    start_loss : float
        The loss at the weights before the first step.
    """

    # A rise of the loss smaller than this share of it is rounding, not an
    # overshoot.
    RISE_TOLERANCE = 1e-12
    # The safeguard gives up (and takes the step) below this step size.
    SMALLEST_STEP = 1e-12

    def __init__(self, loss_and_gradient, loss, optimizer, safeguarded=False):
        self.loss_and_gradient = loss_and_gradient
        self.loss = loss
        self.optimizer = optimizer
        self.safeguarded = safeguarded
        self.start_loss = None
        self._gradient = None
        self._loss = None

    def __call__(self, theta, last=False):
        if self._gradient is None:
            self._loss, self._gradient = self.loss_and_gradient(theta)
            if self.start_loss is None:
                self.start_loss = self._loss
        if self.safeguarded:
            return self._safeguarded_step(theta, last)
        self.optimizer.step(theta, self._gradient)
        if last:
            self._gradient = None
            return self.loss(theta)
        self._loss, self._gradient = self.loss_and_gradient(theta)
        return self._loss

    def _safeguarded_step(self, theta, last):
        before, gradient = copy_of(theta), copy_of(self._gradient)
        limit = self._loss + self.RISE_TOLERANCE * abs(self._loss)
        while True:
            self.optimizer.step(theta, gradient)
            if last:
                loss, self._gradient = self.loss(theta), None
            else:
                loss, self._gradient = self.loss_and_gradient(theta)
            if loss <= limit or self.optimizer.learning_rate < self.SMALLEST_STEP:
                self._loss = loss
                return loss
            theta[:] = before  # overshot: back, and half the step
            self.optimizer.learning_rate *= 0.5
            self.optimizer.forget()


class MiniBatchEpoch:
    """The sgd epoch: one step per mini-batch, one pass over the data.

    Calling it moves ``theta`` and returns the weight-averaged mean of the
    batch losses, each taken before its step.

    Safeguarded, an epoch whose mean loss rose by more than half above the
    previous epoch's halves the step size for the epochs that follow (the
    steps are not taken back: that would cost a second pass over every
    batch). The epoch losses of mini-batches are noisy, so only a large rise
    counts (``RISE_TOLERANCE``; its figures: ``benchmarks/README.md``).

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

    optimizer : UpdateRule
        The update rule.

    safeguarded : bool, default=False
        Halve the step size after an epoch whose loss rose.

    Attributes
    ----------
    start_loss : float
        The first batch's loss at the weights before the first step.
    """

    # A rise of the epoch loss by more than this share is an overshoot.
    RISE_TOLERANCE = 0.5

    def __init__(
        self,
        batch_loss_and_gradient,
        sample_weight,
        batch_size,
        order,
        optimizer,
        safeguarded=False,
    ):
        self.batch_loss_and_gradient = batch_loss_and_gradient
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.order = order
        self.optimizer = optimizer
        self.safeguarded = safeguarded
        self.start_loss = None
        self._previous_loss = None

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
        loss = total_loss / total_weight
        if self.safeguarded and self._previous_loss is not None:
            if loss > self._previous_loss * (1 + self.RISE_TOLERANCE):
                self.optimizer.learning_rate *= 0.5
        self._previous_loss = loss
        return loss


def minimize_lbfgs(loss_and_gradient, theta, max_iter, tol, callback):
    """Minimise with SciPy's L-BFGS-B along the back-propagated gradient.

    Parameters
    ----------
    loss_and_gradient : callable
        ``theta -> (loss, gradient)``.

    theta : ndarray or array
        Starting weights (any float dtype, any namespace and device; L-BFGS-B
        itself works on float64 NumPy vectors, converted once per call).

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

    def fun(x):
        loss, gradient = loss_and_gradient(moved_like(x, theta))
        return loss, to_numpy(gradient).astype(np.float64)  # a copy: SciPy may keep it

    def on_iteration(intermediate_result):
        x = copy_of(moved_like(intermediate_result.x, theta))
        callback(x, intermediate_result.fun)

    return minimize(
        fun,
        to_numpy(theta).astype(np.float64),
        jac=True,
        method="L-BFGS-B",
        callback=on_iteration,
        options={"maxiter": max_iter, "maxfun": MAX_FUNCTION_CALLS, "gtol": tol},
    )


class Solver:
    """A training method, as the estimator sees it: what it allows, and how
    it moves the weights.

    A first-order solver steps along the back-propagated gradient, epoch by
    epoch, with an update rule (:meth:`update_rule`): on all the data
    (``mini_batches = False``) or on mini-batches of ``batch_size``. Any
    other solver minimises the whole objective itself (:meth:`minimize`).
    The estimators read everything else from the flags, so that a new
    solver is one subclass and one :func:`register` call.

    Attributes
    ----------
    name : str
        The value of the ``solver`` parameter.

    summary : str
        One line for the docs' list of solvers.

    first_order : bool
        Steps along the gradient epoch by epoch, with ``learning_rate``
        (and ``momentum``, if its rule takes it); otherwise :meth:`minimize`.

    mini_batches : bool
        Steps on mini-batches of ``batch_size`` (first-order solvers).

    incremental : bool
        ``partial_fit`` runs one epoch of it.

    early_stopping : bool
        ``early_stopping=True`` may watch it.

    data_parallel : bool
        ``DaskBackpropClassifier`` trains with it where the data live (a
        full-batch objective is a sum over the partitions).

    overshoot_advice : str
        What to change when a solver that is not first-order diverges or
        does not learn (first-order solvers name ``learning_rate``).

    auto_step : float
        The step of ``learning_rate="auto"``, in the coordinates of
        standardised inputs (first-order solvers).
    """

    name = None
    summary = ""
    first_order = True
    mini_batches = False
    incremental = True
    early_stopping = True
    data_parallel = True
    overshoot_advice = None
    # The book's 1.0, measured best of 0.5, 1, 2 and 4 for gd on the
    # benchmark sets (benchmarks/defaults.py).
    auto_step = 1.0

    def callback_tasks(self, epochs):
        """Callback tasks of a fit of up to ``epochs`` epochs or iterations:
        a minimiser begins one more iteration than it runs (SciPy's last
        callback), as in LogisticRegression."""
        return epochs + (not self.first_order)

    def update_rule(self, learning_rate, momentum):
        """The rule of a first-order solver: an :class:`UpdateRule`, whose
        ``step(theta, gradient)`` moves ``theta`` in place and whose state
        is carried over across warm starts and ``partial_fit`` calls."""
        return HeavyBall(learning_rate, momentum)

    def minimize(self, loss_and_gradient, theta, max_iter, tol, callback):
        """Minimise the objective (solvers that are not first-order), as
        :func:`minimize_lbfgs` does."""
        raise NotImplementedError(f"solver={self.name!r} takes epochs")


class GradientDescent(Solver):
    name = "gd"
    summary = "full-batch steepest descent, the book's method"


class MiniBatchDescent(Solver):
    name = "sgd"
    summary = (
        "steps on mini-batches of ``batch_size``, reshuffled every epoch when "
        "``shuffle``"
    )
    mini_batches = True
    data_parallel = False  # its steps follow each other within an epoch


class AdaptiveMoments(Solver):
    name = "adam"
    summary = (
        "Adam's adaptive steps on mini-batches of ``batch_size``, reshuffled "
        "every epoch when ``shuffle`` (``MLPClassifier``'s default solver)"
    )
    mini_batches = True
    data_parallel = False  # its steps follow each other within an epoch
    # learning_rate="auto": chosen on benchmarks/tabular.py (docs/tabular.rst).
    auto_step = 0.01

    def update_rule(self, learning_rate, momentum):
        return Adam(learning_rate)


class LBFGS(Solver):
    name = "lbfgs"
    summary = "SciPy's L-BFGS-B driven by the same back-propagated gradient"
    first_order = False
    incremental = False
    early_stopping = False
    overshoot_advice = (
        "L-BFGS takes no learning_rate: standardise the features "
        "(StandardScaler), or add an L2 penalty (l2 > 0)."
    )

    def minimize(self, loss_and_gradient, theta, max_iter, tol, callback):
        return minimize_lbfgs(loss_and_gradient, theta, max_iter, tol, callback)


SOLVERS = {}
# The names, for the ``solver`` parameter's constraint (scikit-learn's
# StrOptions keeps this set itself, so a solver registered later is valid).
SOLVER_NAMES = set()


def register(solver):
    """Make ``solver`` (a :class:`Solver`) a value of the ``solver`` parameter."""
    SOLVERS[solver.name] = solver
    SOLVER_NAMES.add(solver.name)
    return solver


def unregister(name):
    """Take a registered solver away again (for tests)."""
    del SOLVERS[name]
    SOLVER_NAMES.discard(name)


for _solver in (GradientDescent(), MiniBatchDescent(), AdaptiveMoments(), LBFGS()):
    register(_solver)


def solver_of(estimator):
    """The registered solver that ``estimator.solver`` names."""
    return SOLVERS[estimator.solver]
