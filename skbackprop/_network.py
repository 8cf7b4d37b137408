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
Large N is processed in blocks of rows (:mod:`skbackprop._row_blocks`): the
sums over n of the book become sums over blocks of sums over their rows.
"""

import numpy as np
from scipy.special import expit

from ._compiled import load_kernels
from ._row_blocks import map_over_blocks, scratch, take_rows

# Built from _kernels.c at install time where a C compiler is found; where
# not (or broken), a KernelsWarning says so once and NumPy computes the same.
_kernels, _kernels_missing = load_kernels()


def n_weights(D, M, K):
    """Number of entries of ``theta`` for D inputs, M hidden units, K outputs."""
    return M * (D + 1) + K * (M + 1)


def unpack(theta, D, M, K):
    """Views of ``theta`` as the book's W, shape (M, D+1), and V, shape (K, M+1).

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights, W rows then V rows, bias last in each row.

    D, M, K : int
        Inputs, hidden units and outputs.

    Returns
    -------
    W : ndarray of shape (M, D + 1)
        View of the hidden-layer weights.

    V : ndarray of shape (K, M + 1)
        View of the output-layer weights.
    """
    split = M * (D + 1)
    W = theta[:split].reshape(M, D + 1)
    V = theta[split:].reshape(K, M + 1)
    return W, V


def _kernels_take(*arrays):
    """Whether the compiled kernels are built and can take these arrays.

    They need C-contiguous arrays (every work array of the passes is).
    """
    if _kernels is None:
        return False
    for array in arrays:
        if not array.flags.c_contiguous:
            return False
    return True


def sigmoid(B):
    """h(b) = 1 / (1 + exp(-b)), elementwise and in place.

    The compiled, vectorised sigmoid of :mod:`skbackprop._kernels` when it
    was built and ``B`` is C-contiguous (every array of the training and
    prediction passes is); :func:`scipy.special.expit` otherwise. Both give
    the same values to a few units in the last place.

    Parameters
    ----------
    B : ndarray of float32 or float64
        Hidden inputs b; overwritten with z = h(b).

    Returns
    -------
    Z : ndarray
        ``B`` itself, now holding h(b).
    """
    if _kernels_take(B):
        _kernels.sigmoid_inplace(B)
        return B
    return expit(B, out=B)


def times_sigmoid_slope(delta, Z, column_sums):
    """delta <- delta h'(b), h'(b) = z (1 - z), in place; and its column sums.

    Parameters
    ----------
    delta : ndarray of shape (n, M)
        Overwritten with ``delta * Z * (1 - Z)``.

    Z : ndarray of shape (n, M)
        Sigmoid outputs z = h(b); unchanged.

    column_sums : ndarray of shape (M,)
        Receives the sums over n of the new ``delta`` (may be strided).

    Returns
    -------
    delta : ndarray of shape (n, M)
        ``delta`` itself.
    """
    if _kernels_take(delta, Z):
        _kernels.times_sigmoid_slope(delta, Z, column_sums)
        return delta
    delta *= Z
    delta *= 1.0 - Z
    np.matmul(ones(delta.shape[0], delta.dtype), delta, out=column_sums)
    return delta


def softmax_cross_entropy(A, pT, p, column_sums):
    """The loss of some samples and their output errors delta2, in place.

    With S_n = sum_l exp(a_nl) and y_nk = exp(a_nk) / S_n, returns

        E = -sum_n p_n sum_k t_nk log y_nk = sum_n p_n (log S_n - sum_k t_nk a_nk)

    (eq. 7-18, never ``log 0``) and overwrites ``A`` with
    delta2_nk = p_n (y_nk - t_nk). For softmax outputs with cross entropy the
    output error is simply y - t: the softmax Jacobian and the derivative of
    -log y cancel. Each row carries its sample's weight p_n, which makes the
    products of the backward pass the (weighted) means over n of the book.
    Each row of ``A`` is first shifted by its maximum, which changes neither
    y nor E and keeps every exp finite (as in :func:`softmax_outputs`).

    One compiled pass over A when :mod:`skbackprop._kernels` is built; the
    same equations in NumPy otherwise.

    Parameters
    ----------
    A : ndarray of shape (n, K)
        Output inputs a; overwritten with delta2.

    pT : ndarray of shape (n, K)
        p_n t_nk: one-hot targets times the normalised sample weights.

    p : ndarray of shape (n,)
        Normalised sample weights p_n.

    column_sums : ndarray of shape (K,)
        Receives the sums over n of delta2 (may be strided).

    Returns
    -------
    loss : float
        These samples' share of E.
    """
    if _kernels_take(A, pT, p):
        return _kernels.softmax_cross_entropy(A, pT, p, column_sums)
    A -= A.max(axis=1, keepdims=True)  # a_k - max_l a_l
    loss = -float(np.vdot(pT, A))  # -sum_n p_n sum_k t_nk a_nk
    expA = np.exp(A, out=A)
    S = expA @ ones(A.shape[1], A.dtype)  # S_n = sum_l exp(a_nl)
    loss += float(p @ np.log(S))  # + sum_n p_n log S_n
    delta2 = np.multiply(expA, (p / S)[:, None], out=expA)  # p_n y_nk
    delta2 -= pT  # p_n (y_nk - t_nk)
    np.matmul(ones(A.shape[0], A.dtype), delta2, out=column_sums)
    return loss


class Layers:
    """The two layers of ``theta`` as four views, shaped for the products.

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights (or a gradient laid out the same way).

    D, M, K : int
        Inputs, hidden units and outputs.

    Attributes
    ----------
    W : ndarray of shape (M, D)
        w_ji, the hidden-layer weights without their biases.

    W_bias : ndarray of shape (M,)
        w_j,bias, the weights of the dummy input fixed at 1.

    V : ndarray of shape (K, M)
        v_kj, the output-layer weights without their biases.

    V_bias : ndarray of shape (K,)
        v_k,bias, the weights of the dummy hidden unit fixed at 1.
    """

    __slots__ = ("W", "W_bias", "V", "V_bias")

    def __init__(self, theta, D, M, K):
        W, V = unpack(theta, D, M, K)
        self.W, self.W_bias = W[:, :-1], W[:, -1]
        self.V, self.V_bias = V[:, :-1], V[:, -1]


def hidden_layer(layers, X, out=None):
    """Hidden outputs z = h(b), b = W x (bias last in W).

    Parameters
    ----------
    layers : Layers
        The weights.

    X : {ndarray, sparse matrix} of shape (N, D)
        Inputs.

    out : ndarray of shape (N, M), default=None
        Where to write Z; a new array when None.

    Returns
    -------
    Z : ndarray of shape (N, M)
        Sigmoid outputs of the hidden units.
    """
    if out is None:
        out = np.empty((X.shape[0], layers.W.shape[0]), dtype=layers.W.dtype)
    _product_into(X, layers.W.T, out)  # b_j = sum_i w_ji x_i
    out += layers.W_bias  # ... + w_j,bias (the dummy input x_{D+1} = 1)
    return sigmoid(out)  # z_j = h(b_j), written over b


def output_logits(layers, Z, out=None):
    """Output inputs a = V z (bias last in V), shape (N, K)."""
    A = np.matmul(Z, layers.V.T, out=out)  # a_k = sum_j v_kj z_j
    A += layers.V_bias  # ... + v_k,bias (the dummy unit z_{M+1} = 1)
    return A


_ones = {}


def ones(n, dtype):
    """A read-only vector of n ones: ``ones @ A`` sums the rows of A.

    On the small arrays of the book's network a product with a vector of ones
    takes about half the time of ``A.sum(axis=0)`` (NumPy reductions carry
    more fixed cost than a BLAS call), and it is as quick on large ones.
    """
    vector = _ones.get(dtype)
    if vector is None or vector.shape[0] < n:
        vector = np.ones(max(n, 64), dtype=dtype)
        vector.flags.writeable = False
        _ones[dtype] = vector
    return vector[:n]


def softmax_outputs(theta, X, M, K, log=False):
    """The network's outputs y (or log y) for every row of X.

    Computed block by block of rows, on every core, so that the N x M
    hidden layer is never held whole.

    Parameters
    ----------
    theta : ndarray
        Flat weights.

    X : {ndarray, sparse matrix} of shape (N, D)
        Inputs.

    M, K : int
        Hidden units and outputs.

    log : bool, default=False
        Return log y, computed as a - log S, never as ``log(0)``.

    Returns
    -------
    Y : ndarray of shape (N, K)
        y (rows summing to one) or log y, finite for any finite weights.
    """
    layers = Layers(theta, X.shape[1], M, K)

    def block(rows, out):
        # Not the training pass's "Z": scoring a validation set of another
        # size every epoch would reallocate it twice an epoch.
        Z = scratch("Z outputs", (out.shape[0], M), out.dtype)
        Z = hidden_layer(layers, take_rows(X, rows), out=Z)
        A = output_logits(layers, Z, out=out)
        A -= A.max(axis=1, keepdims=True)  # a_k - max_l a_l: changes no y_k
        if log:  # log y_k = a_k - log S, S = sum_l exp(a_l)
            A -= np.log(np.add.reduce(np.exp(A), axis=1))[:, None]
        else:  # y_k = exp(a_k) / S
            expA = np.exp(A, out=A)
            expA /= np.add.reduce(expA, axis=1)[:, None]

    Y = np.empty((X.shape[0], K), dtype=theta.dtype)
    return map_over_blocks(block, X.shape[0], M, Y)


def hidden_outputs(theta, X, M, K):
    """The hidden layer z = h(W x) for every row of X, shape (N, M).

    Computed block by block of rows, on every core, as :func:`softmax_outputs`.

    Parameters
    ----------
    theta : ndarray
        Flat weights.

    X : {ndarray, sparse matrix} of shape (N, D)
        Inputs.

    M, K : int
        Hidden units and outputs.

    Returns
    -------
    Z : ndarray of shape (N, M)
        Sigmoid outputs of the hidden units, in (0, 1).
    """
    layers = Layers(theta, X.shape[1], M, K)

    def block(rows, out):
        hidden_layer(layers, take_rows(X, rows), out=out)

    Z = np.empty((X.shape[0], M), dtype=theta.dtype)
    return map_over_blocks(block, X.shape[0], M, Z)


def log_probabilities(theta, X, M, K):
    """log y, the log of the softmax outputs: ``softmax_outputs(..., log=True)``."""
    return softmax_outputs(theta, X, M, K, log=True)


def cross_entropy(log_Y, T, p):
    """Weighted mean cross entropy E = -sum_n p_n sum_k t_nk log y_nk (eq. 7-18)."""
    return -float(p @ (T * log_Y).sum(axis=1))


def accuracy(log_Y, labels, p):
    """Weighted share of rows whose most probable class is their label."""
    return float(p @ (log_Y.argmax(axis=1) == labels))


def l2_penalty(theta, D, M, K, l2):
    """(l2 / 2) times the squared norm of the weights, biases excluded."""
    if l2 == 0:
        return 0.0
    W, V = unpack(theta, D, M, K)
    return 0.5 * l2 * float(np.sum(W[:, :-1] ** 2) + np.sum(V[:, :-1] ** 2))


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


def _product_into(A, B, out):
    """out = A @ B, with no temporary when both are dense."""
    if isinstance(A, np.ndarray) and isinstance(B, np.ndarray):
        np.matmul(A, B, out=out)
    elif isinstance(B, np.ndarray):  # sparse X on the left
        out[...] = A @ B
    else:  # sparse X on the right: (X.T @ A.T).T
        out[...] = (B.T @ A.T).T


def backpropagate(layers, X, pT, p, gradient):
    """Forward and backward pass over some samples; the book's rules.

    Writes these samples' share of the gradient into ``gradient`` and returns
    their share of the loss, so that summing over all the samples (in blocks)
    gives E and its gradient.

    Parameters
    ----------
    layers : Layers
        The weights.

    X : {ndarray, CSR matrix} of shape (n, D)
        Inputs of these samples.

    pT : ndarray of shape (n, K)
        One-hot targets times the samples' normalised weights, p_n t_nk
        (the weights sum to one over *all* samples).

    p : ndarray of shape (n,)
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
    Z = hidden_layer(layers, X, out=scratch("Z", (n, M), dtype))  # z = h(W x)
    A = output_logits(layers, Z, out=scratch("A", (n, K), dtype))  # a = V z
    # The loss (eq. 7-18), and delta2 = p_n (y - t) written over A, whose sum
    # over n is dE/dv_k,bias (the dummy unit z_{M+1} = 1).
    loss = softmax_cross_entropy(A, pT, p, column_sums=gradient.V_bias)
    delta2 = A

    # Backward pass: delta2 flows back through V and the sigmoid's slope.
    np.matmul(delta2.T, Z, out=gradient.V)  # dE/dv_kj = delta2_k z_j
    delta1 = np.matmul(delta2, layers.V, out=scratch("delta1", (n, M), dtype))
    # delta1_j = h'(b_j) sum_k v_kj delta2_k, h'(b) = z (1 - z); summed over n
    # it is dE/dw_j,bias (the dummy input x_{D+1} = 1).
    times_sigmoid_slope(delta1, Z, column_sums=gradient.W_bias)
    _product_into(delta1.T, X, gradient.W)  # dE/dw_ji = delta1_j x_i
    return loss


# The one-call pass (below) ran faster than the blocked NumPy pass up to about
# this much work, N M (D + K) multiply-adds a product, and slower beyond (the
# figures: benchmarks/README.md).
SMALL_NETWORK_WORK = 32_768


def small_network_takes(X, pT, p, M):
    """Whether :func:`small_network_pass` runs for this data.

    It needs the compiled kernels, dense C-contiguous arrays of one dtype,
    and a network small enough that NumPy's per-call cost would dominate.
    """
    if not isinstance(X, np.ndarray) or not _kernels_take(X, pT, p):
        return False
    N, D = X.shape
    K = pT.shape[1]
    return X.dtype == pT.dtype == p.dtype and N * M * (D + K) <= SMALL_NETWORK_WORK


def small_network_pass(theta, X, pT, p, gradient):
    """:func:`backpropagate` over all samples, as one compiled call.

    The same equations in the same order (the products written as loops),
    for networks where the calls of the NumPy pass cost more than their
    arithmetic: the book's, and others of a few thousand weights-times-rows.
    Only where :func:`small_network_takes` says so.

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights in the book's order, C-contiguous.

    X, pT, p
        As for :func:`backpropagate`, over all N samples.

    gradient : ndarray, shape and dtype of ``theta``
        Receives dE/dtheta of the cross entropy (overwritten).

    Returns
    -------
    loss : float
        -sum_n p_n sum_k t_nk log y_nk.
    """
    return _kernels.small_network_pass(gradient, theta, X, pT, p)
