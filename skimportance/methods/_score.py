"""The base of the score-based methods: scorers, the baseline score, the result.

A score-based method measures how much the model's score drops when an input is
disturbed; :mod:`._column_engine` disturbs the columns, :mod:`._permutation`,
:mod:`._ablation` and :mod:`._drop` are the methods.
"""

import numpy as np
from sklearn.base import is_regressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.metrics._scorer import _check_multimetric_scoring

from .._result import Importances
from .._validation import overflow_hint
from ..network import with_fitted_names
from ._base import ImportanceMethod

__all__ = ["ScoreMethod"]


def _score(scorer, estimator, X, y, sample_weight):
    """The scores of ``estimator`` on (X, y): a vector, one per scorer of ``scorer``."""
    return scorer(estimator, with_fitted_names(estimator, X), y, sample_weight)


class _Scorers:
    """A method's scorer or scorers, called as one: each call gives a vector with one
    score per scorer, so one pass over the columns serves all of them.

    ``scorers`` maps names to ``scorer(estimator, X, y)``; the name None stands for a
    single scorer. A scorer may return a dict (a callable scoring several metrics):
    its keys are then the names.
    """

    def __init__(self, scorers, multimetric):
        self.scorers = scorers
        self.multimetric = multimetric
        self.names = None

    def __call__(self, estimator, X, y, sample_weight=None):
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        values = {}
        for name, scorer in self.scorers.items():
            value = scorer(estimator, X, y, **weights)
            if isinstance(value, dict):
                self.multimetric = True
                values.update(value)
            else:
                values[name] = value
        if self.names is None:
            self.names = list(values)
        try:
            return np.array([values[name] for name in self.names], dtype=float)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"scoring must give numbers (or a dict of numbers with the "
                             f"same keys on every call); got {values!r}.") from exc


class ScoreMethod(ImportanceMethod):
    """Base of the methods that score the model: they work for any fitted estimator.

    The score is the estimator's own ``score`` (``scoring=None``), a scorer name from
    :func:`sklearn.metrics.get_scorer_names`, or a scorer ``scorer(estimator, X, y)``
    such as :func:`sklearn.metrics.make_scorer` returns. ``scale`` plays no part: a drop
    of the score does not depend on the units of the inputs.
    """

    needs_network = False
    needs_X = True
    needs_y = True
    multimetric_ok = False

    def check_inputs(self, X, y, return_local=False):
        self._check_data(X, y)  # X and y together, in the words of a score
        super().check_inputs(X, y, return_local)

    def check(self, estimator, *, single_result=False):
        """Resolve the scorer for ``estimator`` (fitted or not), with clear errors."""
        if self.check_scorer(estimator).multimetric and single_result:
            raise ValueError(
                f"scoring={self.scoring!r} names several scorers; one result is needed "
                "here (a meta-estimator's feature_importances_): pick one, or call "
                "feature_importances for them all.")

    def _check_data(self, X, y):
        if X is None or y is None:
            missing = "X and y" if X is None and y is None else ("X" if X is None else "y")
            raise ValueError(
                f"Method {self.name!r} scores the model, so it needs the data and the true "
                f"targets; {missing} {'were' if ' and ' in missing else 'was'} not given."
            )
        if len(y) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {len(y)}.")
        if X.shape[0] < 2:
            raise ValueError(
                f"X has n_samples={X.shape[0]}; method {self.name!r} compares scores of "
                "the model, which need at least 2 samples (R² is undefined on one).")

    def check_scorer(self, estimator):
        """Resolve ``scoring`` for ``estimator`` (fitted or not), with clear errors.

        Parameters
        ----------
        estimator : estimator

        Returns
        -------
        scorer : callable
            ``scorer(estimator, X, y)``.
        """
        self._validate_params()
        scoring = self.scoring
        if isinstance(scoring, (list, tuple, set, dict)):
            return self._multimetric(estimator, scoring)
        if isinstance(scoring, str) and scoring not in get_scorer_names():
            raise ValueError(
                f"Unknown scoring={scoring!r} for method {self.name!r}: use a name from "
                "sklearn.metrics.get_scorer_names() (e.g. 'r2', 'accuracy', 'neg_log_loss'), "
                "a scorer from sklearn.metrics.make_scorer, or None for the estimator's score."
            )
        try:
            scorer = check_scoring(estimator, scoring=scoring)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scoring={scoring!r} for method {self.name!r}: {exc}") from exc
        response = getattr(scorer, "_response_method", "predict")
        response = (response,) if isinstance(response, str) else tuple(response)
        if is_regressor(estimator) and "predict" not in response:
            raise ValueError(
                f"scoring={scoring!r} scores a classifier's {' or '.join(response)}, but "
                f"{type(estimator).__name__} is a regressor; use a regression scorer such "
                "as 'r2' or 'neg_mean_squared_error'."
            )
        return _Scorers({None: scorer}, multimetric=False)

    def _multimetric(self, estimator, scoring):
        if not self.multimetric_ok:
            raise ValueError(f"Method {self.name!r} takes one scorer; got scoring={scoring!r}.")
        try:
            scorers = _check_multimetric_scoring(estimator, scoring)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scoring={scoring!r} for method {self.name!r}: {exc}") from exc
        return _Scorers(scorers, multimetric=True)

    def _baseline(self, scorer, estimator, X, y, sample_weight):
        try:
            baseline = _score(scorer, estimator, X, y, sample_weight)
        except (TypeError, ValueError) as exc:
            # The type is kept, as scikit-learn's permutation_importance raises it.
            raise type(exc)(
                f"scoring={self.scoring!r} cannot score {type(estimator).__name__} on this "
                f"data (method {self.name!r}): {exc}"
            ) from exc
        if not np.all(np.isfinite(baseline)):
            raise ValueError(
                f"scoring={self.scoring!r} gives a non-finite score ({baseline.tolist()}) "
                f"of {type(estimator).__name__} on the {X.shape[0]} rows of X (method "
                f"{self.name!r}): the model's predictions may not be finite, or the "
                f"score is undefined on this data; nothing can be compared with it."
                f"{overflow_hint(X)}")
        return baseline

    def _result(self, importances, feature_names, scorer):
        """One Importances from score drops of shape (n_entries, n_samples, n_scorers);
        a dict of them by scorer name when there are several scorers."""
        def one(values, name):
            return Importances(
                values.mean(axis=1)[None], method=self.name, feature_names=feature_names,
                output_names=[name], importances=values,
                importances_mean=values.mean(axis=1), importances_std=values.std(axis=1),
            )

        if scorer.multimetric:
            return {name: one(importances[..., m], name)
                    for m, name in enumerate(scorer.names)}
        name = self.scoring if isinstance(self.scoring, str) else "score"
        return one(importances[..., 0], name)
