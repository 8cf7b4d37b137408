"""The compiled sigmoid against scipy.special.expit, on one thread.

Run from the repository root::

    python benchmarks/sigmoid.py

For the sizes of the benchmark workloads' hidden layers (a digits epoch, an
sgd batch of 256 x 256, a 1024-row block of the large workload) prints the
median time of ``expit(b, out=b)`` and of ``skbackprop._sigmoid``'s in-place
sigmoid, their ratio, and the largest difference in units of the last place.
"""

import timeit

import numpy as np
from scipy.special import expit
from skbackprop._sigmoid import sigmoid_inplace

SIZES = {"digits epoch": 1797 * 64, "sgd batch": 256 * 256, "large block": 1024 * 256}


def median_microseconds(function, array, number=50, repeat=7):
    """Median time of ``function(array)``, which overwrites ``array``."""
    times = timeit.repeat(lambda: function(array), number=number, repeat=repeat)
    return float(np.median(times)) / number * 1e6


def largest_ulp_difference(b):
    expected = expit(b)
    got = b.copy()
    sigmoid_inplace(got)
    return float(np.max(np.abs(got - expected) / np.spacing(expected)))


def main():
    rng = np.random.default_rng(0)
    print("| values | dtype | expit (us) | compiled (us) | compiled / expit | ulp |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, size in SIZES.items():
        for dtype in (np.float64, np.float32):
            b = rng.normal(scale=3.0, size=size).astype(dtype)
            work = b.copy()
            scipy_us = median_microseconds(lambda a: expit(a, out=a), work)
            ours_us = median_microseconds(sigmoid_inplace, work)
            print(
                f"| {name} ({size:,}) | {np.dtype(dtype).name} | {scipy_us:.0f} "
                f"| {ours_us:.0f} | **{ours_us / scipy_us:.2f}** "
                f"| {largest_ulp_difference(b):.1f} |"
            )


if __name__ == "__main__":
    main()
