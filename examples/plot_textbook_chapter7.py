"""
========================================
The textbook's chapter 7 run, reproduced
========================================

Three Gaussian classes in the plane, the first 100 points to train on and the
last 100 to test on; a network with M = 2 sigmoid hidden units and K = 3
softmax outputs, trained by 1000 full-batch steps of steepest descent with
learning rate 1 from the book's initial weights. The script prints the final
losses and accuracies (the book's 0.20843 / 0.26837 and 0.92 / 0.90) and draws
the learning curves, the trajectories of the 15 weights, and the decision
regions with the 0.8 and 0.9 probability contours over the test points.

Run it as a script to also save the figure::

    python examples/plot_textbook_chapter7.py  # writes chapter7.png
"""

# %%
# The data and the book's network
# -------------------------------
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier, make_textbook_data
from skbackprop.callbacks import WeightHistory

X, y = make_textbook_data()
X_train, y_train, X_test, y_test = X[:100], y[:100], X[100:], y[100:]

clf = BackpropClassifier(
    n_hidden=2,  # M
    learning_rate=1.0,  # alpha
    solver="gd",  # full-batch steepest descent, the book's method
    max_iter=1000,  # N_step
    init="normal",  # the book's WV_init = normal(0, 0.01, 15) after seed(1)
    init_scale=0.01,
    random_state=1,
    tol=0.0,  # never stop early: all 1000 steps, as in the book
    n_iter_no_change=10**6,
    early_stopping=False,  # the book scores its test data, never stops on it
)
# The book also records every weight after every step (``wv_hist``): the
# WeightHistory callback does (scikit-learn >= 1.9, whose callbacks it uses).
history = WeightHistory()
if hasattr(clf, "set_callbacks"):
    clf.set_callbacks(history)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 1000 steps, by design
    clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)

train_loss, test_loss = clf.loss_curve_[-1], clf.validation_loss_curve_[-1]
print(f"train loss {train_loss:.5f}, test loss {test_loss:.5f}")
print(
    f"train accuracy {clf.score(X_train, y_train):.2f}, "
    f"test accuracy {clf.score(X_test, y_test):.2f}"
)

# %%
# The weight trajectories
# -----------------------
# One row per step: the 15 weights, W then V, as the book's ``wv_hist``.
# Before scikit-learn 1.9 (no callbacks), ``partial_fit`` takes exactly one of
# those steps per call, so the same run, one step at a time, gives them too.
if history.W_:
    trajectories = np.array(
        [
            np.r_[W.ravel(), V.ravel()]
            for W, V in zip(history.W_, history.V_, strict=True)
        ]
    )
else:
    stepper = clone(clf)
    steps = []
    for _ in range(1000):
        stepper.partial_fit(X_train, y_train, classes=[0, 1, 2])
        steps.append(np.r_[stepper.W_.ravel(), stepper.V_.ravel()])
    trajectories = np.array(steps)
assert np.allclose(trajectories[-1], np.r_[clf.W_.ravel(), clf.V_.ravel()])

# %%
# Learning curves, weights and decision regions
# ---------------------------------------------
# ``loss_curve_`` is the book's ``err_train`` and ``validation_loss_curve_``
# its ``err_test``: the mean cross entropy after each step.
fig, (ax_loss, ax_weights, ax_regions) = plt.subplots(1, 3, figsize=(15, 4.5))
ax_loss.plot(clf.loss_curve_, "k", label="training")
ax_loss.plot(clf.validation_loss_curve_, "cornflowerblue", label="test")
ax_loss.set_xlabel("step")
ax_loss.set_ylabel("mean cross entropy")
ax_loss.legend()
ax_loss.grid(True)

ax_weights.plot(trajectories[:, :6], "k", linewidth=0.8)
ax_weights.plot(trajectories[:, 6:], "cornflowerblue", linewidth=0.8)
ax_weights.set_xlabel("step")
ax_weights.set_title("weights: W (black), V (blue)")
ax_weights.grid(True)

x0, x1 = np.meshgrid(np.linspace(-3, 3, 120), np.linspace(-3, 3, 120))
grid = np.c_[x0.ravel(), x1.ravel()]
proba = clf.predict_proba(grid)
colors = ["cornflowerblue", "gray", "khaki"]
for k in range(3):
    ax_regions.contourf(
        x0,
        x1,
        (proba.argmax(axis=1) == k).reshape(x0.shape),
        levels=[0.5, 1.5],
        colors=[colors[k]],
        alpha=0.3,
    )
    contour = ax_regions.contour(
        x0,
        x1,
        proba[:, k].reshape(x0.shape),
        levels=[0.8, 0.9],
        colors="k",
        linewidths=0.8,
    )
    ax_regions.clabel(contour, fmt="%.1f", fontsize=8)
for k, marker_color in enumerate(colors):
    ax_regions.plot(
        X_test[y_test == k, 0],
        X_test[y_test == k, 1],
        "o",
        markerfacecolor=marker_color,
        markeredgecolor="k",
        linestyle="none",
    )
ax_regions.set_xlim(-3, 3)
ax_regions.set_ylim(-3, 3)
ax_regions.set_title("decision regions, test points")
fig.tight_layout()

if __name__ == "__main__" and "sphinx_gallery" not in sys.modules:
    fig.savefig("chapter7.png", dpi=100)
    print("saved chapter7.png")
