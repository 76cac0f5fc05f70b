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


def _regression_metric(scorer, estimator):
    """``(metric, sign)`` of a regression scorer that reads only ``predict`` with the
    default arguments: ``"r2"`` or ``"mse"``; None for any other scorer."""
    try:
        from sklearn.metrics import mean_squared_error, r2_score
        from sklearn.metrics._scorer import _PassthroughScorer, _Scorer
    except ImportError:  # pragma: no cover - scikit-learn moved them: one call per score
        return None
    if isinstance(scorer, _PassthroughScorer):
        _, final = final_step(estimator)
        return ("r2", 1) if getattr(type(final), "score", None) is RegressorMixin.score else None
    if (type(scorer) is not _Scorer or getattr(scorer, "_kwargs", None) != {}
            or getattr(scorer, "_response_method", None) != "predict"):
        return None
    metric = {r2_score: "r2", mean_squared_error: "mse"}.get(scorer._score_func)
    return None if metric is None else (metric, scorer._sign)


class BatchScores:
    """The scores of many outputs at once, for the regression scorers whose arithmetic
    is known (R², mean squared error): one vectorised pass instead of one scorer call,
    with its argument checks, per output (those checks were most of the time of
    Permutation on wide data).

    Built by :meth:`from_scorer`, which returns None for any other scorer: those are
    called once per output, as before. The first batch is checked against the scorer
    itself (``verified``), and outputs that are not all finite go to the scorer too,
    so that its errors are raised as before.
    """

    def __init__(self, metrics, y, sample_weight):
        self.metrics = metrics
        Y = np.asarray(y, dtype=float)
        self.Y = Y.reshape(len(Y), -1)
        self.sample_weight = None if sample_weight is None else np.asarray(
            sample_weight, dtype=float)
        weight = 1.0 if self.sample_weight is None else self.sample_weight[:, None]
        self.weight = weight
        mean = np.average(self.Y, axis=0, weights=self.sample_weight)
        self.denominator = np.sum(weight * (self.Y - mean) ** 2, axis=0)
        self.verified = False

    @classmethod
    def from_scorer(cls, scorers, standin, y, sample_weight):
        """A BatchScores for ``scorers`` (a method's ``_Scorers``), or None."""
        if not isinstance(standin, _RegressorOutputs):
            return None
        names = getattr(scorers, "names", None)
        if names is None or list(names) != list(scorers.scorers):
            return None
        metrics = []
        for name in names:
            metric = _regression_metric(scorers.scorers[name], standin)
            if metric is None:
                return None
            metrics.append(metric)
        return cls(metrics, y, sample_weight)

    def __call__(self, outputs):
        """Scores, shape (len(outputs), n_scorers), of outputs (m, n_rows, n_outputs);
        None when they are not all finite (the scorer's own checks must see them)."""
        if outputs.shape[1:] != self.Y.shape or not np.isfinite(outputs).all():
            return None
        squares = (self.Y - outputs) ** 2
        scores = np.empty((len(outputs), len(self.metrics)))
        for m, (metric, sign) in enumerate(self.metrics):
            if metric == "mse":
                errors = np.average(squares, axis=1, weights=self.sample_weight)
                scores[:, m] = sign * errors.mean(axis=1)
                continue
            # R² as r2_score computes it, force_finite included: 1 for a zero numerator,
            # 0 for a zero denominator, averaged over the outputs.
            numerator = np.sum(self.weight * squares, axis=1)
            valid = (self.denominator != 0) & (numerator != 0)
            ratio = numerator / np.where(valid, self.denominator, 1.0)
            per_output = np.where(valid, 1 - ratio, np.where(numerator != 0, 0.0, 1.0))
            scores[:, m] = sign * per_output.mean(axis=1)
        return scores
