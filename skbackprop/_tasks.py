"""scikit-learn's fit callbacks (``sklearn.callback``, scikit-learn >= 1.9):
one fit task, with one subtask per epoch or L-BFGS iteration.

Where no callback is set (or scikit-learn has no callbacks) the fit gets
:class:`NoTasks`, whose hooks do nothing, so that a fit without callbacks pays
nothing for them: creating a context and calling its hooks every epoch would
cost a fifth of the book's 1000-epoch fit.
"""

from ._namespace import copy_of, to_numpy


class NoTasks:
    """The hooks of a fit without callbacks: they do nothing."""

    asked_to_stop = False

    def begin(self, raw):
        """Start an epoch."""

    def end(self, raw):
        """End an epoch; never asks to stop."""
        return False

    def close(self):
        """End the fit."""


class EpochTasks:
    """A fit's callback context: one task, one subtask per epoch.

    Parameters
    ----------
    estimator : BackpropClassifier
        The estimator being fitted (its ``classes_`` set).

    X : {ndarray, sparse matrix}
        The training inputs.

    y : ndarray
        The training labels.

    sample_weight : ndarray
        The training sample weights, passed to the hooks as metadata.

    max_epochs : int
        Most epochs (subtasks).

    Attributes
    ----------
    asked_to_stop : bool
        Whether a callback asked the fit to stop.
    """

    def __init__(self, estimator, X, y, sample_weight, max_epochs):
        self.estimator, self.X, self.y = estimator, X, y
        self.metadata = {"sample_weight": sample_weight}
        self.context = estimator._init_callback_context(max_subtasks=max_epochs)
        self.context.call_on_fit_task_begin(**self._arguments())
        self._epoch = None
        self.asked_to_stop = False

    def _arguments(self, raw=None):
        arguments = dict(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        if raw is not None:  # made only if a hook asks for fitted_estimator
            arguments["reconstruction_attributes"] = lambda: self._fitted(raw)
        return arguments

    def _fitted(self, raw):
        """What makes a copy of the estimator predict with these weights."""
        return {"_theta": copy_of(raw), "loss_curve_": list(self.estimator.loss_curve_)}

    def begin(self, raw):
        """Start an epoch at the raw weights ``raw``."""
        self._epoch = self.context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(**self._arguments(raw))

    def end(self, raw):
        """End the epoch at ``raw`` (None: an epoch that did not run); True
        when a callback asks to stop."""
        if self._epoch.call_on_fit_task_end(**self._arguments(raw)):
            self.asked_to_stop = True
        return self.asked_to_stop

    def close(self):
        """End the fit task."""
        self.context.call_on_fit_task_end(
            **self._arguments(), reconstruction_attributes={}
        )


def fit_tasks(estimator, X, labels, sample_weight, max_epochs):
    """The callback tasks of a fit: EpochTasks where callbacks are set."""
    if not (
        hasattr(estimator, "_skl_callbacks")
        or hasattr(estimator, "_parent_callback_ctx")
    ):
        return NoTasks()
    y = to_numpy(estimator.classes_)[labels]
    return EpochTasks(estimator, X, y, sample_weight, max_epochs)
