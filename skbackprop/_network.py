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

from ._row_blocks import map_over_blocks, scratch, sum_over_blocks

try:  # built from _sigmoid.c at install time where a C compiler is found
    from ._sigmoid import sigmoid_inplace as _compiled_sigmoid
except ImportError:  # pragma: no cover - depends on the installation
    _compiled_sigmoid = None


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


def sigmoid(B):
    """h(b) = 1 / (1 + exp(-b)), elementwise and in place.

    The compiled, vectorised sigmoid of :mod:`skbackprop._sigmoid` when it
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
    if _compiled_sigmoid is not None and B.flags.c_contiguous:
        _compiled_sigmoid(B)
        return B
    return expit(B, out=B)


def hidden_layer(W, X, out=None):
    """Hidden outputs z = h(b), b = W x (bias last in W).

    Parameters
    ----------
    W : ndarray of shape (M, D + 1)
        Hidden-layer weights.

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
        out = np.empty((X.shape[0], W.shape[0]), dtype=W.dtype)
    _product_into(X, W[:, :-1].T, out)  # b_j = sum_i w_ji x_i
    out += W[:, -1]  # ... + w_j,bias (the dummy input x_{D+1} = 1)
    return sigmoid(out)  # z_j = h(b_j), written over b


def output_logits(V, Z):
    """Output inputs a = V z (bias last in V), shape (N, K)."""
    A = Z @ V[:, :-1].T  # a_k = sum_j v_kj z_j
    A += V[:, -1]  # ... + v_k,bias (the dummy unit z_{M+1} = 1)
    return A


def log_softmax(A):
    """log y_k = a_k - log sum_l exp(a_l), row by row, in place and stably.

    The same as ``scipy.special.log_softmax(A, axis=1)`` (the tests check
    it), written out because SciPy's costs about 50 microseconds per call in
    dispatch alone, a third of a whole epoch of the book's small network.
    It follows the one softmax rule of :func:`_softmax_parts`.

    Parameters
    ----------
    A : ndarray of shape (N, K)
        Output inputs a; overwritten.

    Returns
    -------
    log_Y : ndarray of shape (N, K)
        ``A`` itself, now holding log y.
    """
    _, _, log_S = _softmax_parts(A)
    A -= log_S[:, None]
    return A


def log_probabilities(theta, X, M, K):
    """log y, the log of the softmax outputs, computed without ``log(0)``.

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
    log_Y : ndarray of shape (N, K)
        log y, finite for any finite weights.
    """
    W, V = unpack(theta, X.shape[1], M, K)

    def block(rows, out):
        out[:] = log_softmax(output_logits(V, hidden_layer(W, X[rows])))

    log_Y = np.empty((X.shape[0], K), dtype=theta.dtype)
    return map_over_blocks(block, X.shape[0], M, log_Y)


def cross_entropy(log_Y, T, p):
    """Weighted mean cross entropy E = -sum_n p_n sum_k t_nk log y_nk (eq. 7-18)."""
    return -float(p @ (T * log_Y).sum(axis=1))


def l2_penalty(theta, D, M, K, l2):
    """(l2 / 2) times the squared norm of the weights, biases excluded."""
    if l2 == 0:
        return 0.0
    W, V = unpack(theta, D, M, K)
    return 0.5 * l2 * float(np.sum(W[:, :-1] ** 2) + np.sum(V[:, :-1] ** 2))


def objective(theta, X, T, p, l2, M):
    """The training objective E(theta) alone, without its gradient.

    Parameters are those of :func:`loss_and_gradient`.

    Returns
    -------
    loss : float
        Weighted mean cross entropy plus the L2 penalty.
    """
    D, K = X.shape[1], T.shape[1]
    log_Y = log_probabilities(theta, X, M, K)
    return cross_entropy(log_Y, T, p) + l2_penalty(theta, D, M, K, l2)


# |a| below which exp(a) neither overflows nor leaves the normal range, per
# float type (exp overflows past 709.8 in float64 and 88.7 in float32).
_SAFE_EXPONENT = {np.dtype(np.float64): 700.0, np.dtype(np.float32): 80.0}


def _softmax_parts(A):
    """exp(a), its row sums S and log S, so that y = exp(a) / S.

    As the book writes it when every a is small enough for exp; otherwise
    ``A`` is first shifted in place by its row maxima, which changes neither
    y nor the loss, and no exp overflows.
    """
    bound = _SAFE_EXPONENT[A.dtype]
    if not (-bound < A.min() and A.max() < bound):
        A -= A.max(axis=1, keepdims=True)
    expA = np.exp(A)
    S = expA.sum(axis=1)
    return expA, S, np.log(S)


def _product_into(A, B, out):
    """out = A @ B, with no temporary when both are dense."""
    if isinstance(A, np.ndarray) and isinstance(B, np.ndarray):
        np.matmul(A, B, out=out)
    elif isinstance(B, np.ndarray):  # sparse X on the left
        out[...] = A @ B
    else:  # sparse X on the right: (X.T @ A.T).T
        out[...] = (B.T @ A.T).T


def backpropagate(W, V, X, T, p, gradient):
    """Forward and backward pass over some samples; the book's rules.

    Writes these samples' share of the gradient into ``gradient`` and returns
    their share of the loss, so that summing over all the samples (in blocks)
    gives E and its gradient.

    Parameters
    ----------
    W, V : ndarray
        The book's weights, shapes (M, D+1) and (K, M+1).

    X : {ndarray, CSR matrix} of shape (n, D)
        Inputs of these samples.

    T : ndarray of shape (n, K)
        One-hot targets.

    p : ndarray of shape (n,)
        The samples' normalised weights (summing to one over *all* samples).

    gradient : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Receives this block's dE/dtheta (overwritten, not added to).

    Returns
    -------
    loss : float
        -sum_n p_n sum_k t_nk log y_nk over these samples.
    """
    n, D = X.shape
    M, K = W.shape[0], V.shape[0]
    dW, dV = unpack(gradient, D, M, K)

    # Forward pass.
    Z = hidden_layer(W, X, out=scratch("Z", (n, M), W.dtype))  # z = h(W x)
    A = output_logits(V, Z)  # a = V z
    expA, S, log_S = _softmax_parts(A)  # y_k = exp(a_k) / S
    # E = -sum_n p_n sum_k t_nk log y_nk = sum_n p_n (log S_n - sum_k t_nk a_nk)
    pT = T * p[:, None]
    loss = float(p @ log_S - np.vdot(pT, A))  # eq. 7-18

    # Backward pass. For softmax outputs with cross entropy the output error
    # is simply delta2_k = y_k - t_k: the softmax Jacobian and the derivative
    # of -log y cancel. Each sample's delta carries its weight p_n, which
    # makes the sums below the (weighted) means over n that the book takes.
    delta2 = np.multiply(expA, (p / S)[:, None], out=expA)  # p_n y_nk
    delta2 -= pT  # p_n (y_nk - t_nk)
    np.matmul(delta2.T, Z, out=dV[:, :-1])  # dE/dv_kj = delta2_k z_j
    dV[:, -1] = delta2.sum(axis=0)  # ... with z_{M+1} = 1
    delta1 = np.matmul(delta2, V[:, :-1], out=scratch("delta1", (n, M), W.dtype))
    delta1 *= Z  # delta1_j = h'(b_j) sum_k v_kj delta2_k, with h'(b) = z (1 - z)
    delta1 *= np.subtract(1.0, Z, out=Z)  # (Z is not needed after this)
    _product_into(delta1.T, X, dW[:, :-1])  # dE/dw_ji = delta1_j x_i
    dW[:, -1] = delta1.sum(axis=0)  # ... with x_{D+1} = 1
    return loss


def loss_and_gradient(theta, X, T, p, l2, M):
    """The objective and its gradient by error back-propagation.

    This one function is what every solver, :func:`skbackprop.backprop_gradient`
    and :func:`skbackprop.numerical_gradient` evaluate, so the gradient that
    is tested is the gradient that trains.

    Parameters
    ----------
    theta : ndarray of shape (M * (D + 1) + K * (M + 1),)
        Flat weights in the book's order.

    X : {ndarray, sparse matrix} of shape (N, D)
        Inputs, of the same floating dtype as ``theta``; sparse X must be CSR.

    T : ndarray of shape (N, K)
        One-hot (1-of-K) targets.

    p : ndarray of shape (N,)
        Sample weights normalised to sum to one (``1 / N`` each for the book).

    l2 : float
        L2 penalty on the weights, biases excluded.

    M : int
        Number of hidden units.

    Returns
    -------
    loss : float
        E(theta), the weighted mean cross entropy plus the L2 penalty.

    gradient : ndarray, shape and dtype of ``theta``
        dE/dtheta, laid out as ``theta`` (``unpack`` it to get dW, dV).
    """
    N, D = X.shape
    K = T.shape[1]
    W, V = unpack(theta, D, M, K)

    def block(rows, gradient):
        return backpropagate(W, V, X[rows], T[rows], p[rows], gradient)

    gradient = np.empty_like(theta)
    loss = sum_over_blocks(block, N, M, gradient)
    if l2 != 0:
        dW, dV = unpack(gradient, D, M, K)
        loss += l2_penalty(theta, D, M, K, l2)
        dW[:, :-1] += l2 * W[:, :-1]
        dV[:, :-1] += l2 * V[:, :-1]
    return loss, gradient
