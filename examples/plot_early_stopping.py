"""
=====================================
Early stopping on the validation loss
=====================================

With few samples, many features and many hidden units the training loss keeps
falling while the loss on held-out data turns up: the network starts to learn
the noise of its 100 training samples. ``early_stopping=True`` watches the
validation loss (``X_val, y_val`` when given, otherwise a stratified
``validation_fraction`` of the training data), stops once it has not improved
for ``n_iter_no_change`` epochs, and returns the weights of its best epoch.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

X, y = make_classification(
    n_samples=200, n_features=60, n_informative=5, flip_y=0.1, random_state=0
)
X_train, y_train, X_val, y_val = X[:100], y[:100], X[100:], y[100:]
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# A small step on standardised features: both curves fall smoothly until the
# validation loss turns up (at learning_rate=2.0 they zig-zag instead).
clf = BackpropClassifier(
    n_hidden=32,
    solver="gd",  # full-batch steps: smooth curves, whose turn is plain to see
    init="glorot",
    learning_rate=0.2,
    early_stopping=True,
    n_iter_no_change=100,
    max_iter=3000,
    random_state=0,
)
clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
best = int(np.argmin(clf.validation_loss_curve_))
print(
    f"stopped after {clf.n_iter_} epochs; best epoch {best + 1}, "
    f"validation loss {clf.best_loss_:.4f}, "
    f"validation accuracy {clf.score(X_val, y_val):.3f}"
)

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(clf.loss_curve_, "k", label="training loss")
ax.plot(clf.validation_loss_curve_, "cornflowerblue", label="validation loss")
ax.axvline(best, color="gray", linestyle="--", label="weights returned")
ax.set_xlabel("epoch")
ax.set_ylabel("mean cross entropy")
ax.legend()
fig.tight_layout()
