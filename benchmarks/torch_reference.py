"""BackpropClassifier against the same network written in PyTorch, on the CPU.

PyTorch is what a user picks for speed, so it is the second reference: the
same math (sigmoid hidden layer, softmax outputs, mean cross entropy, plain
gradient steps from the same starting weights), the same data, side by side
in this one process, the contenders alternating. Before timing, each workload
checks that the two agree: the loss after the first step, to 1e-12 in
float64. Install the extra with ``pip install -e ".[bench]"``; run from the
repository root::

    python benchmarks/torch_reference.py [--json FILE]

Threads: PyTorch gets as many intra-op threads as our row blocks use, which
the output's first line states.
"""

import json
import sys
import warnings

import numpy as np
import torch
from _harness import (
    alternate,
    large_data,
    ours,
    per_epoch,
    quietly,
    table_header,
    table_row,
)
from sklearn.utils import check_random_state

from skbackprop import make_textbook_data
from skbackprop._initialization import initial_weights
from skbackprop._network import unpack
from skbackprop._row_blocks import n_threads


class TorchNetwork:
    """The chapter 7 network in PyTorch, starting from our initial weights."""

    def __init__(self, X, y, M, dtype, random_state=0):
        self.X = torch.from_numpy(np.ascontiguousarray(X, dtype=dtype))
        self.y = torch.from_numpy(np.asarray(y, dtype=np.int64))
        D, K = X.shape[1], int(y.max()) + 1
        rng = check_random_state(random_state)
        theta = initial_weights("glorot", 0.01, D, M, K, rng, np.dtype(dtype))
        W, V = unpack(theta, D, M, K)
        self.start = [W[:, :-1].T.copy(), W[:, -1].copy(), V[:, :-1].T.copy()]
        self.start.append(V[:, -1].copy())

    def parameters(self):
        return [torch.tensor(a, requires_grad=True) for a in self.start]

    @staticmethod
    def loss(parameters, X, y):
        W, w_bias, V, v_bias = parameters
        Z = torch.sigmoid(X @ W + w_bias)  # z = h(W x)
        return torch.nn.functional.cross_entropy(Z @ V + v_bias, y)  # mean E

    def fit_gd(self, epochs, learning_rate):
        """Full-batch steepest descent; the losses after each step."""
        parameters = self.parameters()
        losses = []
        for _ in range(epochs):
            loss = self.loss(parameters, self.X, self.y)
            loss.backward()
            with torch.no_grad():
                for parameter in parameters:
                    parameter -= learning_rate * parameter.grad
                    parameter.grad = None
            losses.append(loss.detach())
        with torch.no_grad():
            final = self.loss(parameters, self.X, self.y)
        return [float(x) for x in losses[1:]] + [float(final)]

    def fit_sgd(self, learning_rate, batch_size):
        """One epoch of mini-batches in order."""
        parameters = self.parameters()
        for start in range(0, self.X.shape[0], batch_size):
            rows = slice(start, start + batch_size)
            loss = self.loss(parameters, self.X[rows], self.y[rows])
            loss.backward()
            with torch.no_grad():
                for parameter in parameters:
                    parameter -= learning_rate * parameter.grad
                    parameter.grad = None

    def predict_proba(self, X, chunk=None):
        parameters = [torch.from_numpy(a) for a in self.start]
        W, w_bias, V, v_bias = parameters
        X = torch.from_numpy(X)
        with torch.no_grad():
            if chunk is None:
                return torch.softmax(torch.sigmoid(X @ W + w_bias) @ V + v_bias, 1)
            return torch.cat(
                [
                    torch.softmax(
                        torch.sigmoid(X[i : i + chunk] @ W + w_bias) @ V + v_bias, 1
                    )
                    for i in range(0, X.shape[0], chunk)
                ]
            )


def check_same_first_step(X, y, M, learning_rate, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine = ours(M, learning_rate, 1).fit(X.astype(dtype), y).loss_curve_[0]
    theirs = TorchNetwork(X, y, M, dtype).fit_gd(1, learning_rate)[0]
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    assert abs(mine - theirs) <= tolerance * abs(mine), (mine, theirs)
    return abs(mine - theirs) / abs(mine)


def main():
    threads = n_threads()
    torch.set_num_threads(threads)
    print(
        f"threads: ours {threads} (row blocks), PyTorch {torch.get_num_threads()} "
        f"(intra-op); torch {torch.__version__}"
    )
    table_header(
        "workload", "ours", "PyTorch", "ours / PyTorch", "first-step loss agrees to"
    )

    results = []

    def report(key, name, seconds, agreement=""):
        ratio = seconds["ours"] / seconds["torch"]
        table_row(
            name,
            f"{seconds['ours']:.4g} s",
            f"{seconds['torch']:.4g} s",
            f"**{ratio:.2f}**",
            agreement,
        )
        results.append({"key": key, "workload": name, "ratio": ratio})

    X, y = make_textbook_data()
    X, y = X[:100], y[:100]
    agreement = check_same_first_step(X, y, 2, 1.0, np.float64)
    book = TorchNetwork(X, y, 2, np.float64)
    report(
        "textbook",
        "textbook whole fit (1000 gd epochs)",
        alternate(
            {
                "ours": quietly(lambda: ours(2, 1.0, 1000).fit(X, y)),
                "torch": lambda: book.fit_gd(1000, 1.0),
            },
            repeats=5,
        ),
        f"{agreement:.1e}",
    )

    X, y = large_data()
    for dtype in (np.float64, np.float32):
        agreement = check_same_first_step(X[:20_000], y[:20_000], 256, 0.1, dtype)
        network = TorchNetwork(X, y, 256, dtype)
        data = X.astype(dtype)
        report(
            f"large gd {np.dtype(dtype).name}",
            f"large gd epoch, {np.dtype(dtype).name} (200k x 100, M=256)",
            per_epoch(
                {
                    "ours": lambda n, data=data: lambda: ours(256, 0.1, n).fit(data, y),
                    "torch": lambda n, network=network: lambda: network.fit_gd(n, 0.1),
                },
                short=1,
                long=4,
                repeats=3,
            ),
            f"{agreement:.1e}",
        )
    network = TorchNetwork(X, y, 256, np.float64)
    report(
        "large sgd",
        "large sgd epoch, batch 256, float64",
        alternate(
            {
                "ours": quietly(
                    lambda: ours(256, 0.1, 1, solver="sgd", batch_size=256).fit(X, y)
                ),
                "torch": lambda: network.fit_sgd(0.1, 256),
            },
            repeats=3,
        ),
    )
    rng = np.random.RandomState(0)
    big = rng.normal(size=(1_000_000, 100))
    labels = np.arange(1_000_000) % 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = ours(256, 0.1, 1).fit(big[:2000], labels[:2000])
    network = TorchNetwork(big[:2000], labels[:2000], 256, np.float64)
    network.start = [
        clf.W_[:, :-1].T.copy(),
        clf.W_[:, -1].copy(),
        clf.V_[:, :-1].T.copy(),
        clf.V_[:, -1].copy(),
    ]
    assert np.allclose(
        network.predict_proba(big[:1000]).numpy(), clf.predict_proba(big[:1000])
    )
    for chunk in (None, 65_536):
        report(
            "predict_proba" if chunk is None else "predict_proba chunked",
            "predict_proba 1M x 100 (M=256)"
            + ("" if chunk is None else f", PyTorch in {chunk}-row chunks"),
            alternate(
                {
                    "ours": lambda: clf.predict_proba(big),
                    "torch": lambda c=chunk: network.predict_proba(big, c),
                },
                repeats=3,
            ),
        )
    return results


if __name__ == "__main__":
    # --json FILE also writes the ratios by workload key (run_all.py reads it).
    rows = main()
    if sys.argv[1:2] == ["--json"]:
        with open(sys.argv[2], "w") as file:
            json.dump(rows, file)
