"""
===================================
Watching every epoch: fit callbacks
===================================

scikit-learn 1.9's callbacks (``sklearn.callback``) see each epoch of a fit:
``ProgressBar`` draws its progress, ``ScoringMonitor`` scores the model
after every epoch, and a callback of one's own can score other data, or
stop training. Each hook gets ``fitted_estimator``, a copy of the model as
it stands after that epoch, ready to predict.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skbackprop import BackpropClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


class TestScore:
    """Scores held-out data after every epoch; stops once it reaches 0.96."""

    def __init__(self, X, y, target=0.96):
        self.X, self.y, self.target = X, y, target
        self.scores = []

    def setup(self, estimator, context):
        self.scores = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.max_subtasks != 0 or fitted_estimator is None:
            return False  # the whole fit's task, not an epoch
        self.scores.append(fitted_estimator.score(self.X, self.y))
        return self.scores[-1] >= self.target  # True stops training


monitor = ScoringMonitor(scoring="accuracy")
test_score = TestScore(X_test, y_test)
clf = BackpropClassifier(n_hidden=64, max_iter=300, random_state=0)
clf.set_callbacks(ProgressBar(), monitor, test_score)
clf.fit(X_train, y_train)
print(f"stopped after {clf.n_iter_} epochs, test accuracy {test_score.scores[-1]:.3f}")

# %%
training = [r["accuracy"] for r in monitor.get_logs().data if r["task_name"] == "epoch"]
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(range(1, len(training) + 1), training, "k", label="training (ScoringMonitor)")
ax.plot(
    range(1, len(test_score.scores) + 1),
    test_score.scores,
    "cornflowerblue",
    label="test (own callback)",
)
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy")
ax.legend()
fig.tight_layout()
