"""
===========================================
The hidden layer as features: ``transform``
===========================================

The M sigmoid units turn each input x into M numbers z = h(W x) in (0, 1),
and the output layer is a linear softmax classifier on z. With M = 2 on the
chapter's data the hidden layer is a 2-D map: ``transform`` returns it. The
three classes, which overlap in the input plane, are separated by straight
lines in the hidden plane: that is what the output layer needs.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skbackprop import BackpropClassifier, make_textbook_data

X, y = make_textbook_data()
clf = BackpropClassifier(n_hidden=2, solver="lbfgs", l2=1e-3, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X[:100], y[:100])
Z = clf.transform(X)  # shape (200, 2): z_1, z_2 of every point
print("feature names:", clf.get_feature_names_out())

fig, (ax_input, ax_hidden) = plt.subplots(1, 2, figsize=(10, 4.5))
for k, colour in enumerate(["cornflowerblue", "gray", "white"]):
    ax_input.scatter(*X[y == k].T, c=colour, edgecolors="k", label=f"class {k}")
    ax_hidden.scatter(*Z[y == k].T, c=colour, edgecolors="k", label=f"class {k}")
ax_input.set(title="inputs x", xlabel="$x_1$", ylabel="$x_2$")
ax_hidden.set(title="hidden layer z = h(Wx)", xlabel="$z_1$", ylabel="$z_2$")
ax_hidden.set(xlim=(0, 1), ylim=(0, 1))
ax_hidden.legend(loc="best")
fig.tight_layout()

# %%
# As a transformer in a pipeline
# ------------------------------
# ``fit_transform`` trains the network and returns z, so the fitted hidden
# layer can feed any other model, as ``LinearDiscriminantAnalysis`` can.
features_then_logistic = make_pipeline(
    BackpropClassifier(n_hidden=2, solver="lbfgs", l2=1e-3, random_state=0),
    LogisticRegression(),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    features_then_logistic.fit(X[:100], y[:100])
accuracy = features_then_logistic.score(X[100:], y[100:])
print(f"logistic regression on z: test accuracy {accuracy:.2f}")
