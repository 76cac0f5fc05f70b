"""The result of :func:`~skimportance.evaluate_methods`: score curves and their summary."""

import numpy as np

__all__ = ["RANDOM", "Faithfulness"]

RANDOM = "random"


class Faithfulness:
    """The result of :func:`evaluate_methods`: score curves and one number per method.

    Parameters
    ----------
    methods : list of str
        Names of the evaluated methods, ``"random"`` (the baseline) last.
    k : ndarray of int of shape (n_k,)
        Numbers of inputs removed (``strategy="remove"``) or kept (``"keep"``).
    n_features : int
        Number of inputs of X.
    scores : ndarray of shape (n_methods, n_k, n_folds)
        Held-out score of the model retrained without (or with only) each method's top
        ``k[j]`` inputs of fold ``f``.
    full_scores : ndarray of shape (n_folds,)
        Held-out score of the model trained on every input, per fold.
    orderings : ndarray of int of shape (n_methods, n_folds, n_features)
        Each method's ranking of the columns in each training fold, most important
        first; for ``"random"``, the first random ordering of each fold.
    strategy : {"remove", "keep"}
    scoring : str
        The scorer's name, or ``"score"`` for the estimator's ``score``.
    feature_names : ndarray of str
    random_orderings : ndarray of int of shape (n_folds, n_random, n_features), \
default=None
        The random orderings of each fold, whose scores are averaged into the row
        ``"random"`` of ``scores``; None means the one in ``orderings``.

    Attributes
    ----------
    methods : list of str
    k : ndarray of int of shape (n_k,)
    fractions : ndarray of shape (n_k,)
        ``k / n_features``: the fractions actually evaluated, the requested ones
        rounded to whole inputs.
    n_features : int
    scores : ndarray of shape (n_methods, n_k, n_folds)
    full_scores : ndarray of shape (n_folds,)
    orderings : ndarray of int of shape (n_methods, n_folds, n_features)
    random_orderings : ndarray of int of shape (n_folds, n_random, n_features)
    faithfulness_folds : ndarray of shape (n_methods, n_folds)
        Per fold, the mean over ``k`` of the score gap to the random ranking:
        ``score_random - score_method`` for ``"remove"``, ``score_method -
        score_random`` for ``"keep"``. 0 for ``"random"`` itself.
    faithfulness : ndarray of shape (n_methods,)
        Mean of ``faithfulness_folds`` over the folds. Higher is more faithful; a
        method no better than a random ranking is near 0.
    faithfulness_std : ndarray of shape (n_methods,)
        Standard deviation of ``faithfulness_folds`` over the folds (``ddof=0``).
    strategy : str
    scoring : str
    feature_names : ndarray of str
    n_folds : int

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import Faithfulness
    >>> scores = np.array([[[0.2, 0.3]], [[0.5, 0.6]]])  # 2 methods, one k, 2 folds
    >>> result = Faithfulness(["olden", "random"], [1], 2, scores, [0.9, 0.8],
    ...                       np.zeros((2, 2, 2), dtype=int), "remove", "r2", ["a", "b"])
    >>> result.faithfulness.round(6).tolist()  # random minus method, mean over folds
    [0.3, 0.0]
    >>> result.ranking()
    ['olden', 'random']
    """

    def __init__(self, methods, k, n_features, scores, full_scores, orderings, strategy,
                 scoring, feature_names, random_orderings=None):
        self.methods = list(methods)
        self.k = np.asarray(k, dtype=int)
        self.n_features = int(n_features)
        self.fractions = self.k / self.n_features
        self.scores = np.asarray(scores, dtype=float)
        self.full_scores = np.asarray(full_scores, dtype=float)
        self.orderings = np.asarray(orderings, dtype=int)
        self.strategy = strategy
        self.scoring = scoring
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.n_folds = self.scores.shape[2]
        if random_orderings is None:
            random_orderings = self.orderings[self.methods.index(RANDOM)][:, None]
        self.random_orderings = np.asarray(random_orderings, dtype=int)
        random_scores = self.scores[self.methods.index(RANDOM)]
        # Signed so that higher is more faithful for both strategies.
        gap = random_scores - self.scores if strategy == "remove" else \
            self.scores - random_scores
        self.faithfulness_folds = gap.mean(axis=1)
        self.faithfulness = self.faithfulness_folds.mean(axis=1)
        self.faithfulness_std = self.faithfulness_folds.std(axis=1)

    def ranking(self):
        """Method names, the most faithful first (ties in the order of ``methods``).

        Returns
        -------
        names : list of str
        """
        order = np.argsort(-self.faithfulness, kind="stable")
        return [self.methods[i] for i in order]

    def to_frame(self):
        """The score curves as a long pandas DataFrame, one row per method, k and fold.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``method``, ``fraction``, ``k``, ``fold``, ``score``.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - exercised only without pandas
            raise ImportError("to_frame needs pandas: pip install pandas") from exc
        m, j, f = np.meshgrid(np.arange(len(self.methods)), np.arange(self.k.size),
                              np.arange(self.n_folds), indexing="ij")
        return pd.DataFrame({
            "method": np.asarray(self.methods, dtype=object)[m.ravel()],
            "fraction": self.fractions[j.ravel()],
            "k": self.k[j.ravel()],
            "fold": f.ravel(),
            "score": self.scores.ravel(),
        })

    def __repr__(self):
        ranked = ", ".join(
            f"{self.methods[i]}={self.faithfulness[i]:+.3g}±{self.faithfulness_std[i]:.2g}"
            for i in np.argsort(-self.faithfulness, kind="stable"))
        return (f"Faithfulness(strategy={self.strategy!r}, scoring={self.scoring!r}, "
                f"k={self.k.tolist()}, {ranked})")
