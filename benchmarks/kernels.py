"""The compiled kernels against the NumPy/SciPy code they replace, one thread.

Run from the repository root::

    python benchmarks/kernels.py

For the array sizes of the benchmark workloads (the book's 100 samples, a
digits epoch, an sgd batch of 256 x 256, a 1024-row block of the large
workload) prints the median time of each kernel of ``skbackprop._kernels``
and of the NumPy code ``skbackprop._network`` runs without it, and their
ratio; for the sigmoid also the largest difference from ``expit`` (in float64
for float32 inputs) in units of the last place.

Every call of either side gets fresh inputs: the same values copied into its
work arrays, the copy timed apart and taken off, so that no call runs on the
output of the one before (a slope applied to its own output again and again
shrinks to subnormals, which are slow).
"""

import timeit

import numpy as np
from _harness import table_header, table_row
from scipy.special import expit
from skbackprop._kernels import sigmoid_inplace

import skbackprop._numpy_ops as numpy_ops

# (rows, M, K) of the hidden and output layers
SHAPES = {
    "textbook": (100, 2, 3),
    "digits epoch": (1797, 64, 10),
    "sgd batch": (256, 256, 10),
    "large block": (1024, 256, 10),
}


def median_microseconds(function, number=50, repeat=7):
    times = timeit.repeat(function, number=number, repeat=repeat)
    return float(np.median(times)) / number * 1e6


def fresh_microseconds(prepare, function):
    """Median time of ``function`` on inputs ``prepare`` makes afresh."""

    def both():
        prepare()
        function()

    return max(0.0, median_microseconds(both) - median_microseconds(prepare))


def largest_ulp_difference(b):
    expected = expit(b.astype(np.float64)).astype(b.dtype)
    got = b.copy()
    sigmoid_inplace(got)
    return float(np.max(np.abs(got - expected) / np.spacing(expected)))


def without_kernels(function):
    """``function`` run with the NumPy code of ``skbackprop._numpy_ops``."""

    def run():
        kernels, numpy_ops._kernels = numpy_ops._kernels, None
        try:
            function()
        finally:
            numpy_ops._kernels = kernels

    return run


def cases(rows, M, K, dtype, rng):
    B = rng.normal(scale=3.0, size=(rows, M)).astype(dtype)
    Z = expit(B)
    delta = rng.normal(size=(rows, M)).astype(dtype)
    A = rng.normal(size=(rows, K)).astype(dtype)
    p = np.full(rows, 1 / rows, dtype=dtype)
    pT = np.eye(K, dtype=dtype)[rng.randint(K, size=rows)] * p[:, None]
    work_B, work_delta, work_A = B.copy(), delta.copy(), A.copy()
    sums_M, sums_K = np.empty(M, dtype), np.empty(K, dtype)

    def fresh():
        work_B[...] = B
        work_delta[...] = delta
        work_A[...] = A

    def slope():
        numpy_ops.times_sigmoid_slope(work_delta, Z, sums_M)

    def softmax():
        numpy_ops.softmax_cross_entropy(work_A, pT, p, sums_K)

    return fresh, {
        "sigmoid": (
            lambda: sigmoid_inplace(work_B),
            lambda: expit(work_B, out=work_B),
            largest_ulp_difference(B),
        ),
        "sigmoid slope": (slope, without_kernels(slope), None),
        "softmax cross entropy": (softmax, without_kernels(softmax), None),
    }


def main():
    rng = np.random.RandomState(0)
    print("One thread; fresh inputs every call.")
    table_header(
        "kernel", "shape", "dtype", "NumPy (us)", "compiled (us)", "ratio", "ulp"
    )
    for name, (rows, M, K) in SHAPES.items():
        for dtype in (np.float64, np.float32):
            fresh, kernels = cases(rows, M, K, dtype, rng)
            for kernel, (ours, reference, ulp) in kernels.items():
                ours_us = fresh_microseconds(fresh, ours)
                reference_us = fresh_microseconds(fresh, reference)
                table_row(
                    kernel,
                    f"{name} {rows}x{M}x{K}",
                    np.dtype(dtype).name,
                    f"{reference_us:.1f}",
                    f"{ours_us:.1f}",
                    f"**{ours_us / reference_us:.2f}**",
                    "" if ulp is None else f"{ulp:.1f}",
                )


if __name__ == "__main__":
    main()
