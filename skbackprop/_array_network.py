"""The chapter 7 network in any array API namespace, on X's device.

The same equations as :mod:`skbackprop._network`, written once against the
namespace ``xp`` of X (PyTorch, CuPy, array-api-strict, ...), so that they
run wherever X lives, a GPU included. Each pass is two matrix products
forward and three back, and a few elementwise maps.

For one input x (D features), bias last in each row of W and V:

    b = W x,  z = h(b),  a = V z,  y = softmax(a)       (forward)
    E = -sum_n p_n sum_k t_nk log y_nk                  (eq. 7-18, weighted)
    delta2 = y - t,  dE/dv_kj = delta2_k z_j            (backward, output)
    delta1 = h'(b) V^T delta2,  dE/dw_ji = delta1_j x_i (backward, hidden)

with the sums over n weighted by p_n. On a GPU the whole batch goes through
each product at once. On a CPU device it goes in blocks of rows, as on the
NumPy path, so that large temporaries are not zeroed afresh every pass
(the figures: ``benchmarks/README.md``). The loss comes back as one Python
float a pass; weights and gradients stay on the device.
"""

import sys

from scipy.special import expit, log_softmax

from . import _network
from ._namespace import array_api_compat, is_numpy, namespace_and_device

# Rows per block on a CPU device: about this many elements in the widest
# (rows x max(D, M, K)) array of a block, 4 MB in float64, which the C
# allocator reuses from block to block instead of mapping fresh pages.
CPU_BLOCK_ELEMENTS = 1 << 19


def network_for(X):
    """The module that computes the network on X.

    :mod:`skbackprop._network` (NumPy, the compiled kernels) for NumPy and
    sparse X; this module for any other array.
    """
    return _network if is_numpy(X) else sys.modules[__name__]


def row_blocks(X, M, K):
    """Slices of the rows of X, one block each (all rows on a GPU)."""
    _, device = namespace_and_device(X)
    N = X.shape[0]
    rows = N
    if "cpu" in str(device).lower():
        rows = max(1, CPU_BLOCK_ELEMENTS // max(X.shape[1], M, K))
    return [slice(start, min(start + rows, N)) for start in range(0, N, rows)]


def unpack(theta, D, M, K):
    """The book's W, shape (M, D+1), and V, shape (K, M+1), from ``theta``.

    Views where the namespace makes them (NumPy, PyTorch, CuPy), so that
    writing into them writes into ``theta``.
    """
    xp, _ = namespace_and_device(theta)
    split = M * (D + 1)
    W = xp.reshape(theta[:split], (M, D + 1))
    V = xp.reshape(theta[split:], (K, M + 1))
    return W, V


def sigmoid(B):
    """h(b) = 1 / (1 + exp(-b)).

    SciPy's ``expit``, where it runs in the namespace itself (PyTorch and
    CuPy: one fused kernel); elsewhere from exp(-|b|), so that no exp
    overflows.
    """
    compat = array_api_compat()
    if compat.is_torch_array(B) or compat.is_cupy_array(B):
        return expit(B)
    xp, _ = namespace_and_device(B)
    E = xp.exp(-xp.abs(B))  # exp(-|b|), in (0, 1]
    return xp.where(B >= 0, 1 / (1 + E), E / (1 + E))


def hidden_layer(W, X):
    """z = h(b), b = W x (bias last in W), shape (N, M)."""
    B = X @ W[:, :-1].T  # b_j = sum_i w_ji x_i
    B += W[:, -1]  # ... + w_j,bias (the dummy input x_{D+1} = 1)
    return sigmoid(B)


def output_logits(V, Z):
    """a = V z (bias last in V), shape (N, K)."""
    A = Z @ V[:, :-1].T  # a_k = sum_j v_kj z_j
    A += V[:, -1]  # ... + v_k,bias (the dummy unit z_{M+1} = 1)
    return A


def _by_blocks(X, M, K, block):
    """``block(rows of X)`` for every block of rows, concatenated."""
    blocks = row_blocks(X, M, K)
    if len(blocks) == 1:
        return block(X)
    xp, _ = namespace_and_device(X)
    return xp.concat([block(X[rows, ...]) for rows in blocks], axis=0)


def softmax_outputs(theta, X, M, K, log=False):
    """y (or log y, never ``log(0)``) for every row of X, shape (N, K)."""
    xp, _ = namespace_and_device(X)
    W, V = unpack(theta, X.shape[1], M, K)

    def block(X):
        log_Y = log_softmax(output_logits(V, hidden_layer(W, X)), axis=1)
        return log_Y if log else xp.exp(log_Y)

    return _by_blocks(X, M, K, block)


def log_probabilities(theta, X, M, K):
    """log y: ``softmax_outputs(..., log=True)``."""
    return softmax_outputs(theta, X, M, K, log=True)


def hidden_outputs(theta, X, M, K):
    """The hidden layer z = h(W x) for every row of X, shape (N, M)."""
    W, _ = unpack(theta, X.shape[1], M, K)
    return _by_blocks(X, M, K, lambda X: hidden_layer(W, X))


def cross_entropy(log_Y, T, p):
    """E = -sum_n p_n sum_k t_nk log y_nk (eq. 7-18), a float."""
    xp, _ = namespace_and_device(log_Y)
    return -float(xp.sum(p[:, None] * T * log_Y))


def accuracy(log_Y, labels, p):
    """Weighted share of rows whose most probable class is their label."""
    xp, _ = namespace_and_device(log_Y)
    right = xp.astype(xp.argmax(log_Y, axis=1) == labels, p.dtype)
    return float(xp.sum(p * right))


def l2_penalty(theta, D, M, K, l2):
    """(l2 / 2) times the squared norm of the weights, biases excluded."""
    if l2 == 0:
        return 0.0
    xp, _ = namespace_and_device(theta)
    W, V = unpack(theta, D, M, K)
    return 0.5 * l2 * float(xp.sum(W[:, :-1] ** 2) + xp.sum(V[:, :-1] ** 2))


def objective(theta, X, T, p, l2, M):
    """E(theta), the forward pass only."""
    D, K = X.shape[1], T.shape[1]
    log_Y = log_probabilities(theta, X, M, K)
    return cross_entropy(log_Y, T, p) + l2_penalty(theta, D, M, K, l2)


def backpropagate(theta, X, T, p, l2, M):
    """Forward and backward pass over all rows; the book's rules.

    Parameters are those of :func:`loss_and_gradient`.

    Returns
    -------
    loss : float
        E(theta) with the L2 penalty.

    gradient : array, shape, dtype and device of ``theta``
        dE/dtheta in the book's layout.
    """
    xp, device = namespace_and_device(X)
    D, K = X.shape[1], T.shape[1]
    W, V = unpack(theta, D, M, K)
    # The sums over n, accumulated block by block (eq. 7-18 and the
    # gradients): dE/dw_ji, dE/dw_j,bias, dE/dv_kj, dE/dv_k,bias.
    dW = xp.zeros((M, D), dtype=theta.dtype, device=device)
    dW_bias = xp.zeros((M,), dtype=theta.dtype, device=device)
    dV = xp.zeros((K, M), dtype=theta.dtype, device=device)
    dV_bias = xp.zeros((K,), dtype=theta.dtype, device=device)
    loss = xp.zeros((), dtype=theta.dtype, device=device)
    for rows in row_blocks(X, M, K):
        Xb, pb = X[rows, ...], p[rows][:, None]
        pT = pb * T[rows, ...]  # p_n t_nk

        # Forward pass.
        Z = hidden_layer(W, Xb)  # z = h(W x)
        log_Y = log_softmax(output_logits(V, Z), axis=1)  # log y = a - log S
        loss -= xp.sum(pT * log_Y)  # eq. 7-18

        # Backward pass. For softmax outputs with cross entropy the output
        # error is y - t (the softmax Jacobian and the slope of -log y
        # cancel); each row carries its weight p_n, which makes the products
        # the means over n.
        delta2 = xp.exp(log_Y)  # y
        delta2 *= pb
        delta2 -= pT  # p_n (y_nk - t_nk)
        dV += delta2.T @ Z  # dE/dv_kj = sum_n delta2_k z_j
        dV_bias += xp.sum(delta2, axis=0)  # the dummy unit z_{M+1} = 1
        delta1 = delta2 @ V[:, :-1]  # sum_k v_kj delta2_k
        delta1 *= Z
        delta1 *= 1 - Z  # h'(b) = z (1 - z)
        dW += delta1.T @ Xb  # dE/dw_ji = sum_n delta1_j x_i
        dW_bias += xp.sum(delta1, axis=0)  # the dummy input x_{D+1} = 1

    loss = float(loss)
    if l2 != 0:  # (l2 / 2) |w|^2, biases excluded
        loss += l2_penalty(theta, D, M, K, l2)
        dW += l2 * W[:, :-1]
        dV += l2 * V[:, :-1]
    gradient = xp.concat(
        [
            xp.reshape(xp.concat([dW, dW_bias[:, None]], axis=1), (-1,)),
            xp.reshape(xp.concat([dV, dV_bias[:, None]], axis=1), (-1,)),
        ]
    )
    return loss, gradient


def loss_and_gradient(theta, X, T, p, l2, M):
    """E(theta) and dE/dtheta, as :func:`skbackprop._objective.loss_and_gradient`.

    Parameters
    ----------
    theta : array of shape (M * (D + 1) + K * (M + 1),)
        Flat weights in the book's order, on X's device.

    X : array of shape (N, D)
        Inputs.

    T : array of shape (N, K)
        One-hot targets, on X's device.

    p : array of shape (N,)
        Sample weights normalised to sum to one, on X's device.

    l2 : float
        L2 penalty on the weights, biases excluded.

    M : int
        Number of hidden units.

    Returns
    -------
    loss : float
        The weighted mean cross entropy plus the L2 penalty.

    gradient : array, shape, dtype and device of ``theta``
        dE/dtheta; a new array.
    """
    return backpropagate(theta, X, T, p, l2, M)


class ArrayObjective:
    """The training objective on fixed data in X's namespace.

    The interface of :class:`skbackprop._objective.Objective` (``loss`` and
    ``loss_and_gradient``), for X that is not a NumPy array.

    Parameters
    ----------
    X, T, p, l2, M
        As for :func:`loss_and_gradient`.
    """

    def __init__(self, X, T, p, l2, M):
        self.X, self.T, self.p = X, T, p
        self.l2, self.M = l2, M

    def loss(self, theta):
        """E(theta), the forward pass only."""
        return objective(theta, self.X, self.T, self.p, self.l2, self.M)

    def loss_and_gradient(self, theta):
        """E(theta) and dE/dtheta (a new array) by error back-propagation."""
        return backpropagate(theta, self.X, self.T, self.p, self.l2, self.M)
