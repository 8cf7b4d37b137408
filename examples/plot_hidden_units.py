"""
=====================================================
The number of hidden units M and the decision regions
=====================================================

With M = 1 the network can only draw boundaries along one direction; each
added sigmoid unit adds one more bend. The chapter's data, trained with
L-BFGS to convergence for M = 1, 2, 4 and 16.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skbackprop import BackpropClassifier, make_textbook_data

X, y = make_textbook_data()
X_train, y_train, X_test, y_test = X[:100], y[:100], X[100:], y[100:]
x0, x1 = np.meshgrid(np.linspace(-3, 3, 100), np.linspace(-3, 3, 100))
grid = np.c_[x0.ravel(), x1.ravel()]

fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
for ax, M in zip(axes, [1, 2, 4, 16], strict=True):
    clf = BackpropClassifier(
        n_hidden=M, solver="lbfgs", max_iter=500, l2=1e-3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    regions = clf.predict(grid).reshape(x0.shape)
    ax.contourf(
        x0,
        x1,
        regions,
        levels=[-0.5, 0.5, 1.5, 2.5],
        colors=["cornflowerblue", "gray", "khaki"],
        alpha=0.4,
    )
    ax.scatter(
        X_test[:, 0],
        X_test[:, 1],
        c=y_test,
        cmap="viridis",
        s=12,
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set_title(f"M = {M}: test accuracy {clf.score(X_test, y_test):.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
