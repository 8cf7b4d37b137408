"""E(theta) and its gradient on one data set, evaluated many times.

A training run evaluates the objective on the same data thousands of times.
:class:`Objective` does once what does not change between those calls: the
products p_n t_nk of the sample weights and the targets, and the views of the
gradient buffer that the backward pass writes into. For the book's small
network, where an epoch is a few dozen NumPy calls on 100 x 3 arrays, that
is a third of the time of an epoch.
"""

from ._network import (
    Layers,
    backpropagate,
    l2_penalty,
    n_weights,
    objective,
    ops_for,
)


class Objective:
    """The training objective on fixed data: loss, and loss with gradient.

    Parameters
    ----------
    X : {array, sparse matrix} of shape (N, D)
        Inputs, of the floating dtype of the weights; sparse X must be CSR.
        NumPy and SciPy sparse X take the NumPy route, any other array
        API array the array API route, on its device (:func:`ops_for
        <skbackprop._network.ops_for>`); T and p are then of its namespace.

    T : ndarray of shape (N, K)
        One-hot (1-of-K) targets.

    p : ndarray of shape (N,)
        Sample weights normalised to sum to one (``1 / N`` each for the book).

    l2 : float
        L2 penalty on the weights, biases excluded.

    M : int
        Number of hidden units.
    """

    def __init__(self, X, T, p, l2, M):
        self.X, self.T, self.p = X, T, p
        self.l2, self.M = l2, M
        self.N, self.D = X.shape
        self.K = T.shape[1]
        self.ops = ops_for(X)
        self.pT = T * p[:, None]  # p_n t_nk, the same at every call
        size = n_weights(self.D, M, self.K)
        self.gradient = self.ops.empty((size,), X.dtype)
        self._gradient_layers = Layers(self.gradient, self.D, M, self.K)
        self._theta = None  # the weights whose views are in self._layers
        self._layers = None
        # The book's network and others as small: one compiled call a pass.
        self._one_call = self.ops.small_network_takes(X, self.pT, p, M)

    def __reduce__(self):
        # Rebuilt from the data when unpickled (a Dask worker sending it to
        # another): pickled views would no longer view the gradient buffer.
        return (type(self), (self.X, self.T, self.p, self.l2, self.M))

    def loss(self, theta):
        """E(theta), the forward pass only."""
        return objective(theta, self.X, self.T, self.p, self.l2, self.M)

    def loss_and_gradient(self, theta):
        """E(theta) and dE/dtheta by error back-propagation.

        Parameters
        ----------
        theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
            Flat weights in the book's order.

        Returns
        -------
        loss : float
            The weighted mean cross entropy plus the L2 penalty.

        gradient : ndarray, shape and dtype of ``theta``
            dE/dtheta laid out as ``theta``. This is the objective's own
            buffer, overwritten by the next call: copy it to keep it.
        """
        D, M, K, ops = self.D, self.M, self.K, self.ops
        layers = self._layers_of(theta)
        if self._one_call and theta.dtype == self.X.dtype and theta.flags.c_contiguous:
            loss = ops.small_network_pass(theta, self.X, self.pT, self.p, self.gradient)
            return self._with_penalty(loss, theta, layers)

        def block(rows, gradient):
            if gradient is self.gradient:
                gradient_layers = self._gradient_layers
            else:
                gradient_layers = Layers(gradient, D, M, K)
            return backpropagate(
                ops,
                layers,
                ops.take_rows(self.X, rows),
                ops.take_rows(self.pT, rows),
                ops.take_rows(self.p, rows),
                gradient_layers,
            )

        loss = ops.sum_over_blocks(block, self.N, M, self.gradient)
        return self._with_penalty(loss, theta, layers)

    def _with_penalty(self, loss, theta, layers):
        loss = with_l2_penalty(loss, theta, layers, self._gradient_layers, self.l2)
        return loss, self.gradient

    def _layers_of(self, theta):
        # Training moves one weight array in place: its views are made once.
        if theta is not self._theta:
            self._theta = theta
            self._layers = Layers(theta, self.D, self.M, self.K)
        return self._layers


def with_l2_penalty(loss, theta, layers, gradient, l2):
    """The penalty, added to a loss and its gradient (every objective's).

    Returns ``E + (l2 / 2) |w|^2`` and adds ``l2 w`` to the gradient in
    place, over every weight but the biases.

    Parameters
    ----------
    loss : float
        E(theta) without the penalty.

    theta : ndarray
        The flat weights.

    layers, gradient : Layers
        Views of ``theta`` and of the gradient buffer.

    l2 : float
        The penalty's coefficient.
    """
    if l2 == 0:
        return loss
    D, M, K = layers.W.shape[1], layers.W.shape[0], layers.V.shape[0]
    gradient.W += l2 * layers.W  # d/dw of (l2 / 2) w^2
    gradient.V += l2 * layers.V
    return loss + l2_penalty(theta, D, M, K, l2)


def loss_and_gradient(theta, X, T, p, l2, M):
    """The objective and its gradient by error back-propagation.

    This one function is what every solver (through :class:`Objective`),
    :func:`skbackprop.backprop_gradient` and
    :func:`skbackprop.numerical_gradient` evaluate, so the gradient that is
    tested is the gradient that trains.

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights in the book's order.

    X, T, p, l2, M
        The data and settings, as for :class:`Objective`.

    Returns
    -------
    loss : float
        E(theta), the weighted mean cross entropy plus the L2 penalty.

    gradient : ndarray, shape and dtype of ``theta``
        dE/dtheta, laid out as ``theta`` (``unpack`` it to get dW, dV); a
        new array.
    """
    return Objective(X, T, p, l2, M).loss_and_gradient(theta)
