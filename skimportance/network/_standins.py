"""Scoring outputs computed elsewhere with the caller's own scikit-learn scorer.

``reads_only_predictions`` tells whether a scorer sees an estimator only through its
predict* methods (then the rank-one engine's outputs can stand in for them); the
stand-in estimators return those outputs post-processed exactly as ``MLPRegressor`` /
``MLPClassifier`` do.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from ._core import final_step

__all__ = ["reads_only_predictions"]


def reads_only_predictions(scorer, estimator):
    """Whether ``scorer`` sees the estimator only through its predict* methods.

    scikit-learn's scorers (strings, ``make_scorer``) and the default ``estimator.score``
    of MLPs do; a plain callable ``scorer(estimator, X, y)`` may look at X itself.
    """
    scorers = getattr(scorer, "scorers", None)  # several, called as one
    if scorers is not None:
        return all(reads_only_predictions(s, estimator) for s in scorers.values())
    try:
        from sklearn.metrics._scorer import _BaseScorer, _PassthroughScorer
    except ImportError:  # pragma: no cover - scikit-learn moved them: the exact slow path
        return False
    if isinstance(scorer, _PassthroughScorer):
        _, final = final_step(estimator)
        return getattr(type(final), "score", None) in (RegressorMixin.score,
                                                       ClassifierMixin.score)
    return isinstance(scorer, _BaseScorer)


class _Outputs(BaseEstimator):
    """Returns precomputed network outputs; ``outputs_`` is set before each scoring."""

    def fit(self, X, y=None):
        raise TypeError("This stand-in only returns outputs computed elsewhere.")

    def _checked(self, X):
        if len(X) != len(self.outputs_):
            raise ValueError(
                f"The stand-in holds outputs for {len(self.outputs_)} rows, got {len(X)}.")
        return self.outputs_


class _RegressorOutputs(RegressorMixin, _Outputs):
    def predict(self, X):
        out = self._checked(X)
        return out.ravel() if out.shape[1] == 1 else out


class _ClassifierOutputs(ClassifierMixin, _Outputs):
    def __init__(self, classes=None, multilabel=False):
        self.classes = classes
        self.multilabel = multilabel

    @property
    def classes_(self):
        return self.classes

    # The post-processing of MLPClassifier.predict / predict_proba.
    def predict(self, X):
        P = self._checked(X)
        if self.multilabel:
            return (P > 0.5).astype(int)
        if P.shape[1] == 1:
            return self.classes[(P[:, 0] > 0.5).astype(int)]
        return self.classes.take(P.argmax(axis=1))

    def predict_proba(self, X):
        P = self._checked(X)
        if P.shape[1] == 1:
            return np.vstack([1 - P[:, 0], P[:, 0]]).T
        return P

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))
