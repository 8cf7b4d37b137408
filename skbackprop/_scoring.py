"""Early stopping on a score: the validation rows scored by a scikit-learn
scorer at the weights of each epoch (``scoring``)."""

import copy

import numpy as np
from sklearn.metrics import check_scoring

from ._namespace import is_numpy, to_numpy


class HeldOutScorer:
    """A scorer applied to the validation rows at given weights.

    The scorer (``scorer(estimator, X, y)``, higher is better) is called on a
    shallow copy of the estimator that holds the weights to score, so that
    any scorer works: those of predictions, of probabilities, or a callable
    of one's own.

    Parameters
    ----------
    scorer : callable
        ``scorer(estimator, X, y[, sample_weight=...])``.

    estimator : BackpropClassifier
        The estimator being fitted (``classes_`` and ``n_features_in_``
        set). It is copied, not changed.

    X : {ndarray, sparse matrix} of shape (N, D)
        The validation inputs, as the fit holds them.

    labels : ndarray of shape (N,)
        Their class indices into ``classes_``.

    p : ndarray of shape (N,)
        Their normalised sample weights, passed to the scorer as
        ``sample_weight`` unless all equal.
    """

    def __init__(self, scorer, estimator, X, labels, p):
        self.scorer = scorer
        self.name = estimator.scoring
        self.X = X
        self.y = to_numpy(estimator.classes_)[to_numpy(labels)]
        p = to_numpy(p)
        # the scorer's keyword arguments, the same at every epoch
        self.weights = {} if np.all(p == p[0]) else {"sample_weight": p}
        self.snapshot = copy.copy(estimator)
        # The rows come as the fit converted them, without column names.
        self.snapshot.__dict__.pop("feature_names_in_", None)

    def __call__(self, theta):
        """The score of the network with raw weights ``theta``."""
        self.snapshot._theta = theta
        try:
            score = float(self.scorer(self.snapshot, self.X, self.y, **self.weights))
        except (ValueError, TypeError) as error:
            # e.g. roc_auc on validation rows of one class
            raise ValueError(
                f"scoring={self.name!r} could not score the validation data: {error}"
            ) from error
        if not np.isfinite(score):
            raise ValueError(
                f"scoring={self.name!r} gave {score} on the validation data; "
                "early stopping needs a finite score."
            )
        return score


def held_out_scorer(estimator, validation):
    """The :class:`HeldOutScorer` of ``estimator.scoring`` on ``validation``,
    or None for ``scoring="loss"`` (the validation loss is watched).

    Raises ``ValueError`` for a name that is not a scikit-learn scorer, and
    for validation data outside NumPy (a scorer works on NumPy arrays).
    """
    if isinstance(estimator.scoring, str) and estimator.scoring == "loss":
        return None
    scorer = check_scoring(estimator, scoring=estimator.scoring)
    if not is_numpy(validation.X):
        raise ValueError(
            f"scoring={estimator.scoring!r} scores NumPy or SciPy sparse data; "
            "with array API input, early stopping watches the validation loss: "
            "set scoring='loss'."
        )
    return HeldOutScorer(
        scorer, estimator, validation.X, validation.labels, validation.p
    )
