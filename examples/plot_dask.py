"""
=====================================================
On a Dask cluster: a search, and data in many chunks
=====================================================

Two ways to go beyond one process. A ``GridSearchCV`` over ``n_hidden`` and
``learning_rate`` runs its fits on the workers of a Dask cluster through
joblib's ``"dask"`` backend; and a classifier trains on a dask array chunk by
chunk with :func:`skbackprop.incremental.fit_chunks`, never holding more than
one chunk in memory. Here the cluster is a small local one; point
``Client`` at a real scheduler and the code stays the same.
"""

# %%
import warnings

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbackprop import BackpropClassifier
from skbackprop.incremental import fit_chunks

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)

# %%
# A search on the cluster
# -----------------------
X, y = load_digits(return_X_y=True)
X, y = X[:900], y[:900]
search = GridSearchCV(
    make_pipeline(StandardScaler(), BackpropClassifier(max_iter=50, random_state=0)),
    {
        "backpropclassifier__n_hidden": [4, 16],
        "backpropclassifier__learning_rate": [1.0, 3.0],
    },
    cv=3,
)
with joblib.parallel_backend("dask"), warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# Training on a dask array of 40 chunks
# -------------------------------------
# Each epoch visits the chunks in a new random order; only one chunk is
# computed and held at a time.
X_big, y_big = make_classification(
    n_samples=20_000, n_features=20, n_informative=10, random_state=0
)
X_dask = da.from_array(X_big, chunks=(500, 20))
y_dask = da.from_array(y_big, chunks=500)
clf = BackpropClassifier(n_hidden=16, solver="sgd", batch_size=100, random_state=0)
accuracy = []
for epoch in range(3):
    fit_chunks(clf, X_dask, y_dask, classes=[0, 1], random_state=epoch)
    accuracy.append(clf.score(X_big[:5_000], y_big[:5_000]))
print(
    f"{X_dask.numblocks[0]} chunks, accuracy after each epoch:", np.round(accuracy, 3)
)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(np.arange(1, 4), accuracy, "o-")
ax.set_xlabel("epoch over the chunks")
ax.set_ylabel("accuracy (first 5,000 rows)")
fig.tight_layout()

client.close()
cluster.close()
