"""
==================================================
Choosing M and the learning rate with GridSearchCV
==================================================

The book's two hyper-parameters, the number of hidden units M (``n_hidden``)
and the learning rate alpha (``learning_rate``), searched by 3-fold
cross-validation in a ``Pipeline`` with a ``StandardScaler``, on the wine
data. ``learning_rate`` is the step of the default solver, Adam, whose
``"auto"`` steps 0.01 on standardised features; the grid spans it. The heat
map shows the mean validation accuracy of each pair.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier

X, y = load_wine(return_X_y=True)
n_hidden = [1, 2, 4, 8, 32]
learning_rate = [0.001, 0.003, 0.01, 0.03, 0.1]
search = GridSearchCV(
    make_pipeline(StandardScaler(), BackpropClassifier(max_iter=300, random_state=0)),
    {
        "backpropclassifier__n_hidden": n_hidden,
        "backpropclassifier__learning_rate": learning_rate,
    },
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
)
with warnings.catch_warnings():  # small alpha: 300 epochs are not enough
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# Each cell is placed by the parameters of its row of ``cv_results_``, not by
# the order of the rows: ``ParameterGrid`` varies the parameters in an order
# of its own (here ``n_hidden`` fastest), which a plain ``reshape`` would
# silently mislabel.
results = search.cv_results_
scores = np.full((len(n_hidden), len(learning_rate)), np.nan)
for M, alpha, score in zip(
    results["param_backpropclassifier__n_hidden"],
    results["param_backpropclassifier__learning_rate"],
    results["mean_test_score"],
    strict=True,
):
    scores[n_hidden.index(M), learning_rate.index(alpha)] = score
fig, ax = plt.subplots(figsize=(6, 4.5))
image = ax.imshow(scores, cmap="viridis", vmin=0.3, vmax=1.0)
ax.set_xticks(np.arange(len(learning_rate)), [str(a) for a in learning_rate])
ax.set_yticks(np.arange(len(n_hidden)), [str(m) for m in n_hidden])
ax.set_xlabel("learning_rate (alpha)")
ax.set_ylabel("n_hidden (M)")
for i in range(len(n_hidden)):
    for j in range(len(learning_rate)):
        ax.text(j, i, f"{scores[i, j]:.2f}", ha="center", va="center", color="w")
fig.colorbar(image, label="mean CV accuracy")
fig.tight_layout()
