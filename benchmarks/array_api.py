"""BackpropClassifier on NumPy input against the same fit on PyTorch tensors.

The large workload (200,000 x 100, ten classes, M=256, gd with a step of
0.1, and sgd in batches of 256), one epoch timed as the difference of a
6-epoch and a 1-epoch fit, the contenders alternating in this one process:

* ours on NumPy: the NumPy path, its row blocks and compiled kernels;
* ours on torch CPU tensors, with ``sklearn.set_config(array_api_dispatch=
  True)``: the array API route (:mod:`skbackprop._array_ops`);
* where CUDA is there, ours on CUDA tensors too (the data moved to the GPU
  once, before timing);
* MLPClassifier on the NumPy data (float64 only), set up for the same math
  (``_harness.matching_mlp``).

A last section times one product, X W^T, in NumPy and in PyTorch on the
CPU: the GEMM each path's epoch is made of.

Each line also gives the epoch floor of ``speed.py`` (the five products at
this machine's peak square-GEMM rate, the sigmoids and exps at the compiled
kernels' rates) and the efficiency floor / epoch; the floor is a CPU's and
says nothing of a GPU. Before timing, the NumPy and torch CPU fits are
checked to agree (loss after two epochs, to 1e-10). Run from the repository
root, with the ``array-api`` extra::

    SCIPY_ARRAY_API=1 python benchmarks/array_api.py

Threads: PyTorch gets as many intra-op threads as our row blocks use; the
first line of the output states both.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before SciPy is imported

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from _harness import (  # noqa: E402
    EpochFloor,
    alternate,
    large_data,
    matching_mlp,
    ours,
    per_epoch,
    quietly,
)

from skbackprop._row_blocks import n_threads  # noqa: E402

M, STEP, BATCH = 256, 0.1, 256


def fit_on(X, y, epochs, **params):
    """A function fitting ``epochs`` epochs on X, y with dispatch on."""

    def fit():
        with sklearn.config_context(array_api_dispatch=True):
            ours(M, STEP, epochs, **params).fit(X, y)

    return quietly(fit)


def inputs(X, y, device):
    """Each contender's data: NumPy, and tensors on the CPU or ``device``."""
    data = {"NumPy": (X, y)}
    for name, where in (("torch cpu", "cpu"), (f"torch {device}", device)):
        if where is not None:
            data[name] = (
                torch.asarray(X, device=where),
                torch.asarray(y, device=where),
            )
    return data


def check_agreement(X, y):
    X_t, y_t = torch.asarray(X), torch.asarray(y)
    with sklearn.config_context(array_api_dispatch=True):
        on_torch = quietly(lambda: ours(M, STEP, 2).fit(X_t, y_t))()
    on_numpy = quietly(lambda: ours(M, STEP, 2).fit(X, y))()
    difference = abs(on_torch.loss_curve_[-1] - on_numpy.loss_curve_[-1])
    assert difference <= 1e-10 * on_numpy.loss_curve_[-1], difference
    return difference


def report(title, seconds, floor):
    print(f"\n{title}")
    print(f"  floor {floor.seconds():.3f} s ({floor.describe()})")
    reference, mlp = seconds["NumPy"], seconds.get("MLPClassifier")
    for name, value in seconds.items():
        line = (
            f"  {name:<14} {value:7.3f} s   / NumPy {value / reference:5.2f}"
            f"   efficiency {floor.seconds() / value:4.2f}"
        )
        if mlp is not None:
            line += f"   / MLPClassifier {value / mlp:5.2f}"
        print(line)


def product_rates(X, M):
    """GFLOP/s of X W^T (N x D times D x M) in NumPy and PyTorch on the CPU."""
    W = np.random.RandomState(0).normal(size=(M, X.shape[1]))
    W_t, X_t = torch.asarray(W), torch.asarray(X)
    seconds = alternate({"NumPy": lambda: X @ W.T, "torch cpu": lambda: X_t @ W_t.T}, 5)
    flops = 2 * X.shape[0] * X.shape[1] * M
    print(f"\nX W^T, {X.shape[0]:,} x {X.shape[1]} times {X.shape[1]} x {M}, float64")
    for name, value in seconds.items():
        print(f"  {name:<14} {value:7.3f} s   {flops / value / 1e9:5.1f} GFLOP/s")


def main():
    threads = n_threads()
    torch.set_num_threads(threads)
    device = "cuda" if torch.cuda.is_available() else None
    print(
        f"threads: ours (row blocks and BLAS) {threads}, PyTorch intra-op "
        f"{torch.get_num_threads()}; CUDA: "
        + (torch.cuda.get_device_name() if device else "none on this machine")
    )
    X, y = large_data()
    N, D = X.shape
    print(f"agreement, loss after 2 epochs: {check_agreement(X, y):.1e}")

    for dtype in (np.float64, np.float32):
        data = inputs(X.astype(dtype), y, device)
        contenders = {
            name: (lambda X_, y_: lambda epochs: fit_on(X_, y_, epochs))(*pair)
            for name, pair in data.items()
        }
        if dtype == np.float64:
            contenders["MLPClassifier"] = lambda epochs: (
                lambda: matching_mlp(M, STEP, N, epochs).fit(X, y)
            )
        seconds = per_epoch(contenders, short=1, long=6, repeats=3)
        floor = EpochFloor(N, D, M, 10, dtype, threads)
        name = np.dtype(dtype).name
        report(f"large gd epoch, {name} ({N:,} x {D}, M={M})", seconds, floor)

    data = inputs(X, y, device)
    contenders = {
        name: fit_on(*pair, 1, solver="sgd", batch_size=BATCH)
        for name, pair in data.items()
    }
    contenders["MLPClassifier"] = quietly(
        lambda: matching_mlp(M, STEP, BATCH, 1).fit(X, y)
    )
    seconds = alternate(contenders, repeats=3)
    floor = EpochFloor(N, D, M, 10, np.float64, threads)
    report(f"large sgd epoch, batch {BATCH}, float64", seconds, floor)
    product_rates(X, M)


if __name__ == "__main__":
    main()
