"""
============================================
Against MLPClassifier and LogisticRegression
============================================

3-fold cross-validated accuracy of three classifiers, each with its default
parameters behind a ``StandardScaler``, on four small scikit-learn data sets
(``benchmarks/defaults.py`` runs the 5-fold version with fit times).
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

datasets = {
    "iris": load_iris,
    "wine": load_wine,
    "breast cancer": load_breast_cancer,
    "digits": load_digits,
}
models = {
    "BackpropClassifier": BackpropClassifier(random_state=0),
    "MLPClassifier": MLPClassifier(random_state=0),
    "LogisticRegression": LogisticRegression(max_iter=1000),
}
cv = StratifiedKFold(3, shuffle=True, random_state=0)
scores = np.zeros((len(datasets), len(models)))
for i, load in enumerate(datasets.values()):
    X, y = load(return_X_y=True)
    for j, model in enumerate(models.values()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            # n_jobs=2: the folds run two at a time
            scores[i, j] = cross_val_score(
                make_pipeline(StandardScaler(), model), X, y, cv=cv, n_jobs=2
            ).mean()
for name, row in zip(datasets, scores, strict=True):
    print(f"{name:14s}", "  ".join(f"{s:.4f}" for s in row))

# %%
fig, ax = plt.subplots(figsize=(8, 4))
width = 0.27
for j, name in enumerate(models):
    ax.bar(np.arange(len(datasets)) + (j - 1) * width, scores[:, j], width, label=name)
ax.set_xticks(np.arange(len(datasets)), list(datasets))
ax.set_ylim(0.85, 1.0)
ax.set_ylabel("3-fold CV accuracy")
ax.legend(loc="lower left")
fig.tight_layout()
