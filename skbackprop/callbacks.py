"""Fit callbacks for scikit-learn's callback API (scikit-learn >= 1.9).

Set with ``BackpropClassifier().set_callbacks(...)``. scikit-learn's own
``ProgressBar`` and ``ScoringMonitor`` work too.
"""

__all__ = ["WeightHistory"]


class WeightHistory:
    """Record the book's W and V after every epoch (the book's ``wv_hist``).

    A fit callback: ``clf.set_callbacks(history)``, then ``clf.fit(...)``;
    ``history.W_[i]`` and ``history.V_[i]`` are the weights after epoch
    ``i + 1`` (after L-BFGS iteration ``i + 1`` for ``solver="lbfgs"``).
    Each fit starts a new history.

    Attributes
    ----------
    W_ : list of ndarray of shape (M, D + 1)
        The hidden-layer weights after each epoch, bias last.

    V_ : list of ndarray of shape (K, M + 1)
        The output-layer weights after each epoch, bias last.

    Examples
    --------
    >>> from skbackprop import BackpropClassifier, make_textbook_data
    >>> from skbackprop.callbacks import WeightHistory
    >>> X, y = make_textbook_data()
    >>> history = WeightHistory()
    >>> clf = BackpropClassifier(
    ...     n_hidden=2, max_iter=5, tol=0, early_stopping=False, random_state=0
    ... )
    >>> if hasattr(clf, "set_callbacks"):  # scikit-learn >= 1.9
    ...     _ = clf.set_callbacks(history).fit(X, y)
    ...     print(len(history.W_), history.W_[-1].shape)
    ... else:
    ...     print(5, (2, 3))
    5 (2, 3)
    """

    def __init__(self):
        self.W_ = []
        self.V_ = []

    def setup(self, estimator, context):
        """Start a new history for this fit."""
        self.W_ = []
        self.V_ = []

    def on_fit_task_begin(self, estimator, context):
        """Nothing to record before an epoch."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        """Record the weights at the end of each epoch (a leaf task).

        Parameters
        ----------
        estimator : BackpropClassifier
            The estimator being fitted.

        context : sklearn.callback.CallbackContext
            The task that ended: an epoch has no subtasks.

        fitted_estimator : BackpropClassifier or None, default=None
            A copy of the estimator at the weights of the end of the task.

        Returns
        -------
        stop : bool
            Always False: recording never stops training.
        """
        if context.max_subtasks == 0 and fitted_estimator is not None:
            self.W_.append(fitted_estimator.W_)
            self.V_.append(fitted_estimator.V_)
        return False

    def teardown(self, estimator, context):
        """Nothing to release."""
