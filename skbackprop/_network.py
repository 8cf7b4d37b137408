"""The chapter 7 network as pure functions of one flat weight vector.

Notation follows the book. For one input x (D features) the network computes

    b_j = sum_i w_ji x_i + w_j,bias      hidden input
    z_j = h(b_j),  h = sigmoid          hidden output
    a_k = sum_j v_kj z_j + v_k,bias      output input
    y_k = exp(a_k) / sum_l exp(a_l)     softmax output

and is trained on the weighted mean cross entropy (the book's eq. 7-18 when
every sample weight is equal)

    E = - sum_n p_n sum_k t_nk log y_nk,     p_n = s_n / sum_m s_m,

plus ``(l2 / 2)`` times the squared norm of every weight except the biases.

All weights live in one flat vector ``theta`` in the book's order: the rows of
W (shape (M, D+1)) and then the rows of V (shape (K, M+1)), the bias last in
each row. ``W`` and ``V`` are views into ``theta``. Where the book appends a
dummy input fixed at 1, the code slices the last column off instead, so X is
never copied and may be sparse.

In the code every per-sample vector of the book becomes a row of a matrix:
``X`` is (N, D), ``B`` and ``Z`` are (N, M), ``A``, ``Y``, ``T`` are (N, K).
Large N is processed in blocks of rows: the sums over n of the book become
sums over blocks of sums over their rows.

These equations are written once, for every kind of array. What they compute
with (the products, the sigmoid, the softmax with its cross entropy, the
blocks of rows) comes from :func:`ops_for` X: the NumPy route
(:mod:`skbackprop._numpy_ops`: compiled kernels, ``out=`` buffers, row blocks
on every core) or the array API route (:mod:`skbackprop._array_ops`: any
namespace, on X's device).
"""

from ._array_ops import array_ops_for
from ._namespace import is_numpy
from ._numpy_ops import NUMPY


def ops_for(array):
    """The primitives the equations compute with, for ``array``'s kind."""
    return NUMPY if is_numpy(array) else array_ops_for(array)


def n_weights(D, M, K):
    """Number of entries of ``theta`` for D inputs, M hidden units, K outputs."""
    return M * (D + 1) + K * (M + 1)


def unpack(theta, D, M, K):
    """Views of ``theta`` as the book's W, shape (M, D+1), and V, shape (K, M+1).

    Parameters
    ----------
    theta : array of shape (M * (D + 1) + K * (M + 1),)
        Flat weights, W rows then V rows, bias last in each row.

    D, M, K : int
        Inputs, hidden units and outputs.

    Returns
    -------
    W : array of shape (M, D + 1)
        View of the hidden-layer weights.

    V : array of shape (K, M + 1)
        View of the output-layer weights.
    """
    ops = ops_for(theta)
    split = M * (D + 1)
    W = ops.reshape(theta[:split], (M, D + 1))
    V = ops.reshape(theta[split:], (K, M + 1))
    return W, V


class Layers:
    """The two layers of ``theta`` as four views, shaped for the products.

    Parameters
    ----------
    theta : array of shape (M * (D + 1) + K * (M + 1),)
        Flat weights (or a gradient laid out the same way).

    D, M, K : int
        Inputs, hidden units and outputs.

    Attributes
    ----------
    W : array of shape (M, D)
        w_ji, the hidden-layer weights without their biases.

    W_bias : array of shape (M,)
        w_j,bias, the weights of the dummy input fixed at 1.

    V : array of shape (K, M)
        v_kj, the output-layer weights without their biases.

    V_bias : array of shape (K,)
        v_k,bias, the weights of the dummy hidden unit fixed at 1.
    """

    __slots__ = ("W", "W_bias", "V", "V_bias")

    def __init__(self, theta, D, M, K):
        W, V = unpack(theta, D, M, K)
        self.W, self.W_bias = W[:, :-1], W[:, -1]
        self.V, self.V_bias = V[:, :-1], V[:, -1]


def hidden_layer(ops, layers, X, out=None):
    """Hidden outputs z = h(b), b = W x (bias last in W).

    Parameters
    ----------
    ops : NumPyOps or ArrayOps
        The primitives for X (:func:`ops_for`).

    layers : Layers
        The weights.

    X : {array, sparse matrix} of shape (N, D)
        Inputs.

    out : array of shape (N, M), default=None
        Where to write Z; a new array when None.

    Returns
    -------
    Z : array of shape (N, M)
        Sigmoid outputs of the hidden units.
    """
    B = ops.matmul(X, layers.W.T, out=out)  # b_j = sum_i w_ji x_i
    B += layers.W_bias  # ... + w_j,bias (the dummy input x_{D+1} = 1)
    return ops.sigmoid(B)  # z_j = h(b_j), written over b


def output_logits(ops, layers, Z, out=None):
    """Output inputs a = V z (bias last in V), shape (N, K)."""
    A = ops.matmul(Z, layers.V.T, out=out)  # a_k = sum_j v_kj z_j
    A += layers.V_bias  # ... + v_k,bias (the dummy unit z_{M+1} = 1)
    return A


def softmax_outputs(theta, X, M, K, log=False):
    """The network's outputs y (or log y) for every row of X.

    Computed block by block of rows (on every core, on the NumPy route), so
    that the N x M hidden layer is never held whole.

    Parameters
    ----------
    theta : array
        Flat weights, in X's namespace and on its device.

    X : {array, sparse matrix} of shape (N, D)
        Inputs.

    M, K : int
        Hidden units and outputs.

    log : bool, default=False
        Return log y, computed as a - log S, never as ``log(0)``.

    Returns
    -------
    Y : array of shape (N, K)
        y (rows summing to one) or log y, finite for any finite weights.
    """
    ops = ops_for(X)
    layers = Layers(theta, X.shape[1], M, K)

    def block(rows, out):
        # Not the training pass's "Z": scoring a validation set of another
        # size every epoch would reallocate it twice an epoch.
        Z = ops.scratch("Z outputs", (out.shape[0], M), out.dtype)
        Z = hidden_layer(ops, layers, ops.take_rows(X, rows), out=Z)
        A = output_logits(ops, layers, Z, out=out)
        ops.softmax_rows(A, log)  # y_k = exp(a_k) / S, or log y_k = a_k - log S

    Y = ops.empty((X.shape[0], K), theta.dtype)
    return ops.map_over_blocks(block, X.shape[0], M, Y)


def hidden_outputs(theta, X, M, K):
    """The hidden layer z = h(W x) for every row of X, shape (N, M).

    Computed block by block of rows, as :func:`softmax_outputs`.

    Parameters
    ----------
    theta : array
        Flat weights.

    X : {array, sparse matrix} of shape (N, D)
        Inputs.

    M, K : int
        Hidden units and outputs.

    Returns
    -------
    Z : array of shape (N, M)
        Sigmoid outputs of the hidden units, in (0, 1).
    """
    ops = ops_for(X)
    layers = Layers(theta, X.shape[1], M, K)

    def block(rows, out):
        hidden_layer(ops, layers, ops.take_rows(X, rows), out=out)

    Z = ops.empty((X.shape[0], M), theta.dtype)
    return ops.map_over_blocks(block, X.shape[0], M, Z)


def log_probabilities(theta, X, M, K):
    """log y, the log of the softmax outputs: ``softmax_outputs(..., log=True)``."""
    return softmax_outputs(theta, X, M, K, log=True)


def cross_entropy(log_Y, T, p):
    """Weighted mean cross entropy E = -sum_n p_n sum_k t_nk log y_nk (eq. 7-18)."""
    ops = ops_for(log_Y)
    return -float(p @ ops.sum(T * log_Y, axis=1))


def accuracy(log_Y, labels, p):
    """Weighted share of rows whose most probable class is their label."""
    ops = ops_for(log_Y)
    return float(p @ ops.astype(ops.argmax(log_Y, axis=1) == labels, p.dtype))


def l2_penalty(theta, D, M, K, l2):
    """(l2 / 2) times the squared norm of the weights, biases excluded."""
    if l2 == 0:
        return 0.0
    ops = ops_for(theta)
    W, V = unpack(theta, D, M, K)
    return 0.5 * l2 * float(ops.sum(W[:, :-1] ** 2) + ops.sum(V[:, :-1] ** 2))


def objective(theta, X, T, p, l2, M):
    """The training objective E(theta) alone, without its gradient.

    Parameters are those of :func:`skbackprop._objective.loss_and_gradient`.

    Returns
    -------
    loss : float
        Weighted mean cross entropy plus the L2 penalty.
    """
    D, K = X.shape[1], T.shape[1]
    log_Y = log_probabilities(theta, X, M, K)
    return cross_entropy(log_Y, T, p) + l2_penalty(theta, D, M, K, l2)


def backpropagate(ops, layers, X, pT, p, gradient):
    """Forward and backward pass over some samples; the book's rules.

    Writes these samples' share of the gradient into ``gradient`` and returns
    their share of the loss, so that summing over all the samples (in blocks)
    gives E and its gradient.

    Parameters
    ----------
    ops : NumPyOps or ArrayOps
        The primitives for X (:func:`ops_for`).

    layers : Layers
        The weights.

    X : {array, CSR matrix} of shape (n, D)
        Inputs of these samples.

    pT : array of shape (n, K)
        One-hot targets times the samples' normalised weights, p_n t_nk
        (the weights sum to one over *all* samples).

    p : array of shape (n,)
        The samples' normalised weights p_n.

    gradient : Layers
        Views of the array that receives this block's dE/dtheta
        (overwritten, not added to).

    Returns
    -------
    loss : float
        -sum_n p_n sum_k t_nk log y_nk over these samples.
    """
    n = X.shape[0]
    M, K = layers.W.shape[0], layers.V.shape[0]
    dtype = layers.W.dtype

    # Forward pass.
    Z = hidden_layer(ops, layers, X, out=ops.scratch("Z", (n, M), dtype))  # z = h(W x)
    A = output_logits(ops, layers, Z, out=ops.scratch("A", (n, K), dtype))  # a = V z
    # The loss (eq. 7-18), and delta2 = p_n (y - t) written over A, whose sum
    # over n is dE/dv_k,bias (the dummy unit z_{M+1} = 1). For softmax outputs
    # with cross entropy the output error is simply y - t: the softmax
    # Jacobian and the derivative of -log y cancel.
    loss = ops.softmax_cross_entropy(A, pT, p, column_sums=gradient.V_bias)
    delta2 = A

    # Backward pass: delta2 flows back through V and the sigmoid's slope.
    ops.matmul(delta2.T, Z, out=gradient.V)  # dE/dv_kj = delta2_k z_j
    delta1 = ops.matmul(delta2, layers.V, out=ops.scratch("delta1", (n, M), dtype))
    # delta1_j = h'(b_j) sum_k v_kj delta2_k, h'(b) = z (1 - z); summed over n
    # it is dE/dw_j,bias (the dummy input x_{D+1} = 1).
    ops.times_sigmoid_slope(delta1, Z, column_sums=gradient.W_bias)
    ops.matmul(delta1.T, X, out=gradient.W)  # dE/dw_ji = delta1_j x_i
    return loss
