"""
=============================================
Checking back-propagation against differences
=============================================

The book checks its back-propagated gradient (``dCE_FNN``) against central
differences (``dCE_FNN_num``) at random weights, entry by entry. Here
:func:`skbackprop.backprop_gradient` and :func:`skbackprop.numerical_gradient`
do the same for the chapter's network, M = 2 and K = 3: 15 entries, six of W
and nine of V.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skbackprop import (
    BackpropClassifier,
    backprop_gradient,
    make_textbook_data,
    numerical_gradient,
)

X, y = make_textbook_data()
X, y = X[:100], y[:100]

# One step from random weights of scale 1 (init="normal") gives a classifier
# whose weights are far from any optimum, so the gradient is far from zero.
clf = BackpropClassifier(
    n_hidden=2, init="normal", init_scale=1.0, max_iter=1, random_state=1
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)

dW, dV = backprop_gradient(clf, X, y)
nW, nV = numerical_gradient(clf, X, y, eps=1e-3)  # the book's epsilon
analytic = np.r_[dW.ravel(), dV.ravel()]
numerical = np.r_[nW.ravel(), nV.ravel()]
print("largest difference:", np.abs(analytic - numerical).max())

# %%
# The two side by side, as the book's bar chart shows them.
positions = np.arange(analytic.size)
fig, ax = plt.subplots(figsize=(9, 3.5))
ax.bar(positions - 0.2, analytic, width=0.4, color="black", label="back-propagation")
ax.bar(
    positions + 0.2,
    numerical,
    width=0.4,
    color="cornflowerblue",
    label="central differences",
)
ax.set_xticks(positions)
ax.set_xticklabels([f"W{i}" for i in range(6)] + [f"V{i}" for i in range(9)])
ax.axvline(5.5, color="gray", linewidth=0.8)
ax.set_ylabel("dE / dweight")
ax.legend()
fig.tight_layout()
