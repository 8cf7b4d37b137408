"""The array API route below the seam: the primitives of the network's passes.

For X of any array API namespace other than NumPy's (PyTorch, CuPy,
array-api-strict, ...), on any device, with scikit-learn's dispatch on.
:class:`ArrayOps` has the methods of :class:`skbackprop._numpy_ops.NumPyOps`,
written against the namespace ``xp``: no compiled kernels and no scratch
arrays (each pass makes its temporaries; a GPU's allocator keeps them), the
same in-place updates of ``out`` arguments, which are views of the weights'
or the gradient's flat vector (NumPy, PyTorch, CuPy and array-api-strict
write through them).

On a GPU the whole batch goes through each product at once. On a CPU device
it goes in blocks of rows, as on the NumPy path, so that large temporaries
are not zeroed afresh every pass (the figures: ``benchmarks/README.md``).
"""

from scipy.special import expit, log_softmax

from ._namespace import array_api_compat, namespace_and_device

# Rows per block on a CPU device: about this many elements in the widest
# (rows x max(D, M, K)) array of a block, 4 MB in float64, which the C
# allocator reuses from block to block instead of mapping fresh pages.
CPU_BLOCK_ELEMENTS = 1 << 19


class ArrayOps:
    """The primitives of :mod:`skbackprop._network` in the namespace ``xp``.

    Parameters
    ----------
    xp : module
        The array namespace (array-api-compat's wrapper where there is one).

    device : object
        The device of X, where every array of the passes is made.
    """

    def __init__(self, xp, device):
        self.xp, self.device = xp, device
        self._on_cpu = "cpu" in str(device).lower()
        compat = array_api_compat()
        # SciPy's expit runs natively on PyTorch and CuPy (one fused kernel)
        self._native_expit = None
        for is_array in ("is_torch_namespace", "is_cupy_namespace"):
            if getattr(compat, is_array)(xp):
                self._native_expit = expit

    def matmul(self, A, B, out=None):
        """A @ B, written into ``out`` when given."""
        if out is None:
            return A @ B
        out[...] = A @ B
        return out

    def sigmoid(self, B):
        """h(b) = 1 / (1 + exp(-b)), written over B; from exp(-|b|) where
        SciPy's ``expit`` does not run in the namespace, so that no exp
        overflows."""
        if self._native_expit is not None:
            B[...] = self._native_expit(B)
            return B
        xp = self.xp
        E = xp.exp(-xp.abs(B))  # exp(-|b|), in (0, 1]
        B[...] = xp.where(B >= 0, 1 / (1 + E), E / (1 + E))
        return B

    def times_sigmoid_slope(self, delta, Z, column_sums):
        """delta <- delta z (1 - z), in place; its column sums into
        ``column_sums``."""
        delta *= Z
        delta *= 1 - Z  # h'(b) = z (1 - z)
        column_sums[...] = self.xp.sum(delta, axis=0)
        return delta

    def softmax_cross_entropy(self, A, pT, p, column_sums):
        """The loss of these samples, and delta2 = p_n (y - t) written over A.

        ``-sum_n sum_k p_n t_nk log y_nk`` from SciPy's ``log_softmax`` (never
        ``log 0``); the column sums of delta2 go into ``column_sums``.
        """
        xp = self.xp
        log_Y = log_softmax(A, axis=1)  # log y = a - log S
        loss = -float(xp.sum(pT * log_Y))  # eq. 7-18
        A[...] = xp.exp(log_Y) * p[:, None] - pT  # p_n (y_nk - t_nk)
        column_sums[...] = xp.sum(A, axis=0)
        return loss

    def softmax_rows(self, A, log=False):
        """Each row of A turned into y = softmax(a), or log y, in place."""
        log_Y = log_softmax(A, axis=1)
        A[...] = log_Y if log else self.xp.exp(log_Y)
        return A

    def scratch(self, name, shape, dtype):
        """No scratch arrays here: None, so that each product makes its own."""
        return None

    def take_rows(self, X, rows):
        return X if rows == slice(0, X.shape[0]) else X[rows, ...]

    def blocks(self, n_rows, width):
        """Slices of the rows, one block each: all rows on a GPU."""
        rows = n_rows
        if self._on_cpu:
            rows = max(1, CPU_BLOCK_ELEMENTS // width)
        step = max(rows, 1)
        return [
            slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)
        ]

    def map_over_blocks(self, block_function, n_rows, width, out):
        """Fill ``out`` block by block: ``block_function(rows, out[rows])``."""
        for rows in self.blocks(n_rows, width):
            block_function(rows, out[rows, ...])
        return out

    def sum_over_blocks(self, block_function, n_rows, width, out):
        """The scalar contributions summed, the array ones into ``out``."""
        blocks = self.blocks(n_rows, width)
        total = block_function(blocks[0], out)
        if len(blocks) > 1:
            lane = self.xp.empty_like(out)
            for rows in blocks[1:]:
                total += block_function(rows, lane)
                out += lane
        return total

    def empty(self, shape, dtype):
        return self.xp.empty(shape, dtype=dtype, device=self.device)

    def reshape(self, a, shape):
        return self.xp.reshape(a, shape)

    def sum(self, a, axis=None):
        return self.xp.sum(a, axis=axis)

    def argmax(self, a, axis):
        return self.xp.argmax(a, axis=axis)

    def astype(self, a, dtype):
        return self.xp.astype(a, dtype)

    def small_network_takes(self, X, pT, p, M):
        return False  # the one-call pass is a compiled NumPy kernel

    def small_network_pass(self, theta, X, pT, p, gradient):
        raise NotImplementedError


def array_ops_for(array):
    """:class:`ArrayOps` of ``array``'s namespace and device."""
    xp, device = namespace_and_device(array)
    return ArrayOps(xp, device)
