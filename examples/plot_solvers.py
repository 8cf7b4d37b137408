"""
==========================================
adam, gd, sgd and L-BFGS on the same data
==========================================

Every solver steps along the same back-propagated gradient; they differ in how
they step. ``"adam"`` (the default) scales each weight's step by running means
of its gradient on mini-batches, full-batch ``"gd"`` is the book's method,
``"sgd"`` takes plain steps on mini-batches (several steps per epoch),
``"lbfgs"`` builds a curvature model from past gradients. The training loss
against epochs (iterations for L-BFGS) and against time, on standardised
handwritten digits.
"""

# %%
import time
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

solvers = {
    "adam (the default)": dict(max_iter=60, early_stopping=False),
    "gd": dict(solver="gd", learning_rate=1.0, max_iter=300),
    "gd + momentum 0.9": dict(
        solver="gd", learning_rate=1.0, momentum=0.9, max_iter=300
    ),
    "sgd, batch 64": dict(solver="sgd", learning_rate=0.5, batch_size=64, max_iter=60),
    "lbfgs": dict(solver="lbfgs", max_iter=150),
}
fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
for name, params in solvers.items():
    clf = BackpropClassifier(n_hidden=32, tol=0, random_state=0, **params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    curve = clf.loss_curve_
    times = [seconds * (i + 1) / len(curve) for i in range(len(curve))]
    label = f"{name}: test accuracy {clf.score(X_test, y_test):.3f}"
    ax_epoch.semilogy(curve, label=label)
    ax_time.semilogy(times, curve, label=name)
    print(label, f"({seconds:.2f} s)")
ax_epoch.set_xlabel("epoch (iteration for lbfgs)")
ax_epoch.set_ylabel("training loss")
ax_time.set_xlabel("seconds (spread evenly over the run)")
ax_epoch.legend(fontsize=8)
fig.tight_layout()
