"""Peak memory of a full-batch fit on the large workload, ours against MLP.

Each measurement runs in a fresh subprocess: it makes the 200,000 x 100 data,
then fits two gd epochs (M=256, K=10), measured two ways in two runs:

* under ``tracemalloc`` (NumPy reports its allocations to it): the peak of
  memory allocated *during* fit, above the caller's data;
* by the operating system (Linux): the rise of the process's peak resident
  memory during fit, its high-water mark reset just before (``clear_refs``),
  which counts what tracemalloc does not see (BLAS buffers, the allocator's
  own holdings, thread stacks).

Run from the repository root::

    python benchmarks/memory.py
"""

import json
import subprocess
import sys

CHILD = r"""
import json, sys, tracemalloc, warnings
import numpy as np
from sklearn.datasets import make_classification
sys.path.insert(0, "benchmarks")
from _harness import FULL_BATCH, matching_mlp
from skbackprop import BackpropClassifier
model, dtype, how = sys.argv[1], sys.argv[2], sys.argv[3]

def status(key):
    with open("/proc/self/status") as file:
        line = next(line for line in file if line.startswith(key))
    return int(line.split()[1]) * 1024

X, y = make_classification(n_samples=200_000, n_features=100, n_informative=50,
                           n_classes=10, random_state=0)
X = X.astype(dtype)
if model == "ours":
    clf = BackpropClassifier(n_hidden=256, learning_rate=0.1, max_iter=2, tol=0.0,
                             random_state=0, **FULL_BATCH)
else:
    clf = matching_mlp(256, 0.1, X.shape[0], 2)
warnings.simplefilter("ignore")
if how == "traced":
    tracemalloc.start()
    clf.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
else:
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")  # the peak resident memory starts again from now
    before = status("VmRSS:")
    clf.fit(X, y)
    peak = status("VmHWM:") - before
print(json.dumps({"peak": peak, "X": X.nbytes,
                  "NM": X.shape[0] * 256 * X.dtype.itemsize}))
"""


def measure(model, dtype, how="traced"):
    output = subprocess.run(
        [sys.executable, "-c", CHILD, model, dtype, how],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


HEADER = (
    "| dtype | ours peak | MLP peak | ours / MLP | target | ours in N x M buffers "
    "| budget X + 2.5 N x M | peak RSS rise, ours / MLP |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def format_row(result):
    mib = 2**20
    ours, mlp = result["ours"], result["MLP"]
    budget = ours["X"] + 2.5 * ours["NM"]
    return (
        f"| {result['dtype']} | {ours['peak'] / mib:.0f} MiB | "
        f"{mlp['peak'] / mib:.0f} MiB | **{result['ratio']:.2f}** | <= 0.7 | "
        f"{ours['peak'] / ours['NM']:.2f} | {budget / mib:.0f} MiB | "
        f"{result['rss']['ours'] / mib:.0f} MiB / {result['rss']['MLP'] / mib:.0f} "
        "MiB |"
    )


def main():
    print(HEADER)
    results = []
    for dtype in ("float64", "float32"):
        ours, mlp = measure("ours", dtype), measure("MLP", dtype)
        result = {
            "dtype": dtype,
            "ours": ours,
            "MLP": mlp,
            "ratio": ours["peak"] / mlp["peak"],
            "rss": {
                name: measure(name, dtype, "rss")["peak"] for name in ("ours", "MLP")
            },
        }
        print(format_row(result), flush=True)
        results.append(result)
    return results


if __name__ == "__main__":
    main()
