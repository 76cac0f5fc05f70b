"""The result of an importance computation."""

import warnings
from numbers import Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, validate_params

from . import _uncertainty
from ._uncertainty import ConfidenceInterval

__all__ = ["EXTRAS", "ConfidenceInterval", "Importances"]

# What the families of methods give besides the importances: name -> what it holds.
EXTRAS = {
    "convergence_delta": "path methods: completeness error of each row, shape "
                         "(n_samples, n_outputs), sum_i IG_i(x) - (F(x) - F(x'))",
    "local": "per-row attributions, shape (n_samples, n_outputs, n_features), with "
             "return_local=True",
    "standard_error": "sampled Shapley values with return_local=True: the standard error "
                      "of each value of local, same shape; SAGE: of each value, shape "
                      "(n_features,)",
    "n_permutations": "SAGE: the walks (a row and an order of the inputs) averaged, None "
                      "when computed exactly",
    "converged": "SAGE: whether the largest standard error is below threshold times the "
                 "range of the values (True when computed exactly)",
    "expected_value": "Shapley values: the weighted mean output on the background, "
                      "shape (n_outputs,); each row's values add up to F(x) minus it",
    "neuron_importances": "conductance: mean |conductance| of each hidden unit, shape "
                          "(n_outputs, n_units), or a list with one per layer",
    "neuron_local": "conductance with return_local=True: per-row values of each unit",
    "profile": "Lek profiles: the long table with NeuralNetTools' columns",
    "groups": "Lek profiles: the values the other inputs are held at, one row per group",
    "rank_counts": "refits: rank_counts[i, r] is how many refits put input i at place r+1",
    "rank_agreement": "refits: Kendall's W of the refits' rankings",
    "sampling": "folds and refits: how the columns of importances were made, a Bunch "
                "with n_refits, n_folds (None without cv), n_repeats (columns per refit "
                "and fold; the columns run refit after refit, fold after fold within a "
                "refit, repeat after repeat within a fold) and, with folds, n_train and "
                "n_test (the rows of each fold's training and held-out sets, or None)",
}

_LEVEL = {"level": [Interval(Real, 0, 1, closed="neither")]}




def entry_names(feature_names, output_names, shape):
    """Feature and output names as object arrays (``x0, ...`` and ``y`` or ``y0, ...``
    by default), checked against ``shape``: ``(n_outputs, n_features, ...)``."""
    n_outputs, n_features = shape[:2]
    if feature_names is None:
        feature_names = [f"x{i}" for i in range(n_features)]
    if output_names is None:
        output_names = ["y"] if n_outputs == 1 else [f"y{k}" for k in range(n_outputs)]
    feature_names = np.asarray(feature_names, dtype=object)
    output_names = np.asarray(output_names, dtype=object)
    if len(feature_names) != n_features or len(output_names) != n_outputs:
        raise ValueError(
            f"per_output has shape {tuple(shape)}, but {len(feature_names)} feature names "
            f"and {len(output_names)} output names were given.")
    return feature_names, output_names


def output_column(name):
    """A per-output column's name: a class or target name, or "class 2" for a number."""
    if isinstance(name, str):
        return name
    return f"class {name}"


def _order_by(values):
    return np.argsort(-np.asarray(values, dtype=float), kind="stable")


class Importances:
    """Importances of the input features, as computed by one method.

    The attribute names follow :func:`sklearn.inspection.permutation_importance`, so code
    written for its result reads this one too.

    Parameters
    ----------
    per_output : array-like of shape (n_outputs, n_features)
        The method's value per output unit and input: Garson's normalised share,
        Olden's signed connection weight, the gradient aggregate, ... Methods that do not
        tell outputs apart (weight magnitude) give one row.
    method : str
        Name of the method that produced it.
    feature_names : array-like of str, default=None
        Names of the inputs; ``x0, x1, ...`` when not given.
    output_names : array-like, default=None
        Names of the rows of ``per_output`` (class labels, target names).
    importances : ndarray of shape (n_features, n_samples), default=None
        Samples, for methods that repeat (permutations, refits).
    importances_mean : ndarray of shape (n_features,), default=None
        Overrides the default, the mean over outputs of ``|per_output|``.
    importances_std : ndarray of shape (n_features,), default=None
        Standard deviation over the samples, for methods that repeat.
    extras : dict, default=None
        What a family of methods gives besides the importances, by name, each readable
        as an attribute (None where the method gives none): the names below.

    Attributes
    ----------
    per_output : ndarray of shape (n_outputs, n_features)
    importances_mean : ndarray of shape (n_features,)
        Mean over outputs of ``|per_output|``: signs say direction, not importance.
    importances_std : ndarray of shape (n_features,) or None
    importances : ndarray of shape (n_features, n_samples) or None
    feature_names : ndarray of str
    output_names : ndarray
    method : str
    extras : dict
        As given; also readable as attributes: ``result.local``,
        ``result.convergence_delta``, ``result.neuron_importances``,
        ``result.neuron_local``, ``result.profile``, ``result.groups``,
        ``result.rank_counts``, ``result.rank_agreement``, ``result.sampling``
        (None when absent).

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import Importances
    >>> result = Importances([[0.5, -1.5]], method="olden", feature_names=["a", "b"])
    >>> result.importances_mean
    array([0.5, 1.5])
    >>> result.normalized()
    array([0.25, 0.75])

    A method that repeats gives samples, and an interval for the mean:

    >>> repeats = Importances([[2.0, 0.5]], method="permutation",
    ...                       importances=np.array([[1.0, 2.0, 3.0], [0.5, 0.4, 0.6]]))
    >>> repeats.confidence_interval(level=0.95).low.round(3)
    array([-0.484,  0.252])
    """

    def __init__(self, per_output, *, method, feature_names=None, output_names=None,
                 importances=None, importances_mean=None, importances_std=None,
                 extras=None):
        per_output = np.atleast_2d(np.asarray(per_output, dtype=float))
        n_outputs, n_features = per_output.shape
        self.per_output = per_output
        self.method = method
        self.feature_names, self.output_names = entry_names(
            feature_names, output_names, per_output.shape)
        if importances_mean is None:
            importances_mean = np.abs(per_output).mean(axis=0)
        self.importances_mean = np.asarray(importances_mean, dtype=float)
        self.importances_std = importances_std
        self.importances = importances
        unknown = sorted(set(extras or {}) - set(EXTRAS))
        if unknown:
            raise ValueError(f"Unknown extras {unknown}; known: {sorted(EXTRAS)}.")
        self.extras = {key: value for key, value in (extras or {}).items()
                       if value is not None}

    def __getattr__(self, name):
        # Only called for names not found otherwise: the extras, None when absent.
        if name in EXTRAS:
            return self.__dict__.get("extras", {}).get(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def n_features(self):
        return self.per_output.shape[1]

    def __getitem__(self, key):
        """Item access, as on the Bunch of :func:`sklearn.inspection.permutation_importance`:
        ``result["importances_mean"]`` is ``result.importances_mean``."""
        if not isinstance(key, str) or key.startswith("_") or not hasattr(self, key) or \
                callable(getattr(self, key)):
            raise KeyError(key)
        return getattr(self, key)

    def keys(self):
        """The names of the attributes that hold values, as a Bunch's keys."""
        own = [key for key, value in vars(self).items()
               if value is not None and key != "extras" and not key.startswith("_")]
        return own + list(self.extras)

    def normalized(self):
        """``importances_mean`` clipped at 0 and scaled to sum to 1.

        All zeros stay all zeros, with a warning (the first time): nothing can be
        ranked then.
        """
        clipped = np.clip(self.importances_mean, 0, None)
        total = clipped.sum()
        if not total > 0:
            if not self.__dict__.get("_warned_all_zero", False):
                self._warned_all_zero = True
                warnings.warn(
                    f"All importances from method {self.method!r} are zero or negative; "
                    "feature_importances_ is all zeros.",
                    UserWarning,
                    stacklevel=2,
                )
            return np.zeros_like(clipped)
        return clipped / total

    def to_frame(self, level=0.95, sort=False):
        """The result as a pandas DataFrame, one row per feature.

        Columns: ``importance`` (``importances_mean``), ``normalized`` (the same
        clipped at 0 and summing to 1, as ``feature_importances_``), ``std`` when the
        method repeats, ``ci_low`` and ``ci_high`` when there are repeats to make
        :meth:`confidence_interval` from; then, with several outputs, one column per
        output with ``per_output`` (named by its class or target: ``"setosa"``,
        ``"class 2"``, ``"y1"``), or with one output a ``signed`` column when the
        method's values carry a sign.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of ``ci_low`` and ``ci_high``.
        sort : bool, default=False
            Most important first (ties in column order); by default X's column order.

        Returns
        -------
        frame : pandas.DataFrame

        Examples
        --------
        >>> from skimportance import Importances
        >>> result = Importances([[0.5, -1.5]], method="olden", feature_names=["a", "b"])
        >>> frame = result.to_frame(sort=True)
        >>> frame.index.tolist(), frame.columns.tolist()
        (['b', 'a'], ['importance', 'normalized', 'signed'])
        >>> frame["signed"].tolist()
        [-1.5, 0.5]
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - exercised only without pandas
            raise ImportError("to_frame needs pandas: pip install pandas") from exc
        interval = self.confidence_interval(level) if _uncertainty.is_repeated(self) \
            else None
        frame = pd.DataFrame({"importance": self.importances_mean}, index=self.feature_names)
        with warnings.catch_warnings():
            # All zeros: the table shows it; the warning is for feature_importances_.
            warnings.simplefilter("ignore", UserWarning)
            frame["normalized"] = self.normalized()
        if self.importances_std is not None:
            frame["std"] = self.importances_std
        if interval is not None:
            frame["ci_low"], frame["ci_high"] = interval
        if len(self.output_names) > 1:
            for name, row in zip(self.output_names, self.per_output):
                frame[output_column(name)] = row
        elif np.any(self.per_output < 0):
            frame["signed"] = self.per_output[0]
        frame.index.name = "feature"
        if sort:
            frame = frame.iloc[_order_by(self.importances_mean)]
        return frame

    def to_shap(self, X=None, output=0):
        """The per-row values of one output as a ``shap.Explanation``, for shap's plots.

        Needs shap (``pip install shap``, not a dependency) and a result with per-row
        values (``return_local=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            The rows the values were computed on, the Explanation's ``data`` (shap's
            plots colour by it); None leaves ``data`` empty.
        output : int, default=0
            Position of the output in ``output_names``.

        Returns
        -------
        explanation : shap.Explanation
            ``values`` is ``local[:, output, :]``, ``base_values`` the output's
            ``expected_value`` on every row (Shapley values), or 0 for methods without
            one; ``feature_names`` are this result's.

        Raises
        ------
        ValueError
            When the result has no per-row values, or X or output do not fit them.
        ImportError
            When shap is not installed.

        Examples
        --------
        Needs shap, so not run here:

        >>> from sklearn.datasets import make_regression
        >>> from sklearn.neural_network import MLPRegressor
        >>> from skimportance import feature_importances
        >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
        >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
        >>> result = feature_importances(mlp.fit(X, y), X, method="shapley",
        ...                              return_local=True)
        >>> import shap  # doctest: +SKIP
        >>> shap.plots.beeswarm(result.to_shap(X))  # doctest: +SKIP
        """
        if self.local is None:
            raise ValueError(f"to_shap needs per-row values, and this result of method "
                             f"{self.method!r} has none: compute it with "
                             "feature_importances(..., return_local=True).")
        local = np.asarray(self.local, dtype=float)
        n_samples, n_outputs, n_features = local.shape
        if isinstance(output, bool) or not isinstance(output, (int, np.integer)) or \
                not 0 <= output < n_outputs:
            raise ValueError(f"output must be an integer in [0, {n_outputs}), a position "
                             f"in output_names {list(self.output_names)}; got {output!r}.")
        data = None if X is None else np.asarray(X)
        if data is not None and data.shape != (n_samples, n_features):
            raise ValueError(f"X has shape {data.shape}, but the per-row values have "
                             f"{n_samples} rows and {n_features} features: pass the X "
                             "they were computed on.")
        try:
            import shap
        except ImportError as exc:
            raise ImportError("to_shap needs shap, which skimportance does not install: "
                              "pip install shap") from exc
        expected = self.expected_value
        base = 0.0 if expected is None else float(np.ravel(expected)[output])
        # Copies, so that shap's plots cannot change this result or the caller's X.
        return shap.Explanation(values=local[:, output, :].copy(),
                                base_values=np.full(n_samples, base),
                                data=None if data is None else data.copy(),
                                feature_names=[str(name) for name in self.feature_names])

    @validate_params(_LEVEL, prefer_skip_nested_validation=True)
    def confidence_interval(self, level=0.95):
        """A confidence interval for ``importances_mean``, from the repeats it pools.

        Which interval, and so what it covers, depends on what was repeated (the
        :ref:`user guide <uncertainty>` gives the formulas and how to read them). In
        every case the samples of one model on one held-out set (a method's repeats)
        are first averaged, and the interval is ``estimate +- t * standard_error``
        with ``t`` the Student quantile.

        - ``"repeats"``, the repeats of one method on one fitted model and one data set
          (``Permutation(n_repeats=...)``): the t-interval over the repeats, with
          ``n_repeats - 1`` degrees of freedom. It covers the method's own noise (the
          shuffles) only, given that model and that data: not another fit, nor other
          data.
        - ``"folds"``, a cross-fit (``cv=``): the corrected resampled t of Nadeau and
          Bengio (2003). The folds' training sets overlap, so their values are
          correlated and their plain variance is too small; the variance of the fold
          means ``s**2`` is scaled by ``1 / J + n_test / n_train`` (``J`` folds, the
          mean held-out and training sizes) instead of ``1 / J``, with ``J - 1``
          degrees of freedom. It is about the expected held-out importance of the
          network trained on a training set of this size, over training sets.
        - ``"refits"``, refits with other seeds on the same data (``n_refits=``): the
          t-interval over the refits, ``n_refits - 1`` degrees of freedom. It covers the
          network's seed, given the data.
        - ``"refits x folds"`` (both): the refits x folds table of a two-way
          random-effects model (:meth:`variance_components`); the variance of the mean
          is ``sigma2_seed / R + s2_folds * (1 / J + n_test / n_train)``, with the
          seed's main effect ``sigma2_seed`` from the table's mean squares and
          ``s2_folds`` the variance of the folds' means over refits, with
          Satterthwaite's degrees of freedom (at least ``min(R, J) - 1``).

        Parameters
        ----------
        level : float, default=0.95
            Confidence level, in (0, 1).

        Returns
        -------
        interval : ConfidenceInterval
            A named tuple ``(low, high)``, each of shape (n_features,), whose ``kind``
            says which of the four it is; also ``level``, ``estimate``,
            ``standard_error`` and ``df``.

        Raises
        ------
        ValueError
            When nothing was repeated (a deterministic method on one fit): there is no
            spread to make an interval from.

        Examples
        --------
        >>> import numpy as np
        >>> from skimportance import Importances
        >>> from skimportance._result import combine_folds
        >>> folds = [Importances([[v, 1.0]], method="garson") for v in (1.0, 2.0, 3.0)]
        >>> pooled = combine_folds(folds, n_train=[20, 20, 20], n_test=[10, 10, 10])
        >>> interval = pooled.confidence_interval()
        >>> interval.kind
        'folds'
        >>> interval.standard_error.round(4)  # sqrt(1 * (1/3 + 10/20)) for the first
        array([0.9129, 0.    ])
        """
        return _uncertainty.confidence_interval(self, level)

    def variance_components(self):
        """How much of the spread is the network's seed and how much the data.

        For a result with both ``n_refits`` and ``cv``: the table ``T[r, j]`` of refit
        ``r`` on fold ``j`` (a method's repeats averaged first) is read as a two-way
        random-effects model without replication, ``T[r, j] = mu + a[r] + b[j] +
        e[r, j]``, with the seed's effect ``a`` (each refit keeps its seed on every
        fold), the fold's ``b`` and their interaction ``e``. From the mean squares of
        refits ``MS_R``, folds ``MS_J`` and residuals ``MS_E`` (``R`` refits, ``J``
        folds), ``seed_main = (MS_R - MS_E) / J``, ``data = (MS_J - MS_E) / R`` (both
        clipped at 0) and ``interaction = MS_E``.

        ``seed`` and ``data`` are the law of total variance of one value ``T``
        conditioned on the data: ``seed`` is the variance over seeds on a fixed
        training set (``seed_main + interaction``: a seed's effect that changes with
        the data is the seed's too), the mean over folds of the variance over refits;
        ``data`` the variance over folds of the value averaged over seeds. Their sum
        ``total`` is the variance of one refit's value on one fold.

        Returns
        -------
        components : Bunch
            Each of shape (n_features,): ``seed``, ``data``, ``total``,
            ``seed_main``, ``interaction`` and ``repeats`` (the variance of one of a
            method's repeats within a refit and fold, part of ``interaction`` once
            averaged; None when the method does not repeat); and ``n_refits``,
            ``n_folds``.

        Raises
        ------
        ValueError
            When the result is not from both ``n_refits > 1`` and ``cv``.

        Examples
        --------
        >>> import numpy as np
        >>> from skimportance import Importances
        >>> from skimportance._result import combine_folds, combine_refits
        >>> table = np.array([[1.0, 3.0], [2.0, 4.0], [3.0, 5.0]])  # refits x folds
        >>> refits = [combine_folds([Importances([[v]], method="m") for v in row])
        ...           for row in table]
        >>> parts = combine_refits(refits).variance_components()
        >>> parts.seed, parts.data  # var(1, 2, 3) and var(2, 4) - 0: no interaction
        (array([1.]), array([2.]))
        """
        return _uncertainty.variance_components(self)

    def __repr__(self):
        order = np.argsort(-self.importances_mean)[:5]
        top = ", ".join(f"{self.feature_names[i]}={self.importances_mean[i]:.3g}" for i in order)
        more = ", ..." if self.n_features > 5 else ""
        return f"Importances(method={self.method!r}, {top}{more})"


def _mean_over_folds(values):
    if any(v is None for v in values):
        return None
    if isinstance(values[0], list):
        return [np.mean(layer, axis=0) for layer in zip(*values)]
    return np.mean(values, axis=0)


def combine_folds(results, *, n_train=None, n_test=None):
    """One :class:`Importances` from the held-out results of the folds of a cross-fit.

    ``importances`` holds every fold's samples side by side (its repeats for methods
    that repeat, its ``importances_mean`` otherwise); ``importances_mean`` and
    ``importances_std`` are their mean and standard deviation. ``per_output`` (and
    ``neuron_importances``) are the means over folds. ``sampling`` records the layout,
    and the sizes the confidence interval's correction needs.

    Parameters
    ----------
    results : list of Importances
        One per fold, from the same method on the same features.
    n_train, n_test : array-like of int of shape (n_folds,), default=None
        Rows of each fold's training and held-out sets; when not given,
        :meth:`Importances.confidence_interval` takes the ratio of K-fold,
        ``1 / (n_folds - 1)``.

    Returns
    -------
    result : Importances

    Examples
    --------
    >>> from skimportance._result import Importances, combine_folds
    >>> folds = [Importances([[1.0, 0.0]], method="m"), Importances([[3.0, 0.0]], method="m")]
    >>> combine_folds(folds).importances_mean
    array([2., 0.])
    """
    counts = {_samples(r).shape[1] for r in results}
    sizes = [None if n is None else np.asarray(n, dtype=int) for n in (n_train, n_test)]
    sampling = Bunch(n_refits=1, n_folds=len(results),
                     n_repeats=counts.pop() if len(counts) == 1 else None,
                     n_train=sizes[0], n_test=sizes[1])
    return _pool(results, "folds", "every fold must see the same outputs (all classes in "
                 "every training fold)", sampling=sampling)


def _pool(results, what, why, **extra):
    """Pool results of the same method side by side: samples, their mean and spread."""
    shapes = {r.per_output.shape for r in results}
    if len(shapes) > 1:
        raise ValueError(f"The {what} gave results of different shapes {sorted(shapes)}: "
                         f"{why}.")
    first = results[0]
    samples = np.concatenate([_samples(r) for r in results], axis=1)
    return Importances(
        np.mean([r.per_output for r in results], axis=0),
        method=first.method,
        feature_names=first.feature_names,
        output_names=first.output_names,
        importances=samples,
        importances_mean=samples.mean(axis=1),
        importances_std=samples.std(axis=1),
        extras={"neuron_importances": _mean_over_folds([r.neuron_importances
                                                        for r in results]), **extra},
    )


def _samples(result):
    """A result's samples: its repeats, or its ``importances_mean`` as one column."""
    if result.importances is None:
        return np.asarray(result.importances_mean)[:, None]
    return np.asarray(result.importances)


def combine_refits(results):
    """One :class:`Importances` from the results of refits with different seeds.

    ``importances`` holds every refit's samples side by side, refit after refit (each
    refit's repeats, or folds, or its ``importances_mean``); ``importances_mean`` and
    ``importances_std`` are their mean and standard deviation; ``per_output`` (and
    ``neuron_importances``) the means over refits. ``rank_counts`` and
    ``rank_agreement`` (Kendall's W) compare the refits' ``importances_mean``.
    ``sampling`` records the layout (refits, and each refit's folds and repeats).

    Parameters
    ----------
    results : list of Importances
        One per refit, from the same method on the same features.

    Returns
    -------
    result : Importances

    Examples
    --------
    >>> from skimportance._result import Importances, combine_refits
    >>> refits = [Importances([[3.0, 1.0]], method="m"), Importances([[1.0, 2.0]], method="m")]
    >>> combined = combine_refits(refits)
    >>> combined.importances_mean
    array([2. , 1.5])
    >>> combined.rank_counts
    array([[1, 1],
           [1, 1]])
    >>> combined.rank_agreement
    0.0
    """
    from ._agreement import kendalls_w, rank_table

    means = np.vstack([np.asarray(r.importances_mean, dtype=float) for r in results])
    return _pool(results, "refits", "every refit must see the same outputs",
                 rank_counts=rank_table(means), rank_agreement=kendalls_w(means),
                 sampling=_refits_sampling(results))


def _refits_sampling(results):
    """The layout of refits of results: each refit's folds and repeats, if all alike."""
    inner = [(r.sampling.n_folds, r.sampling.n_repeats) if r.sampling is not None
             else (None, _samples(r).shape[1]) for r in results]
    n_folds, n_repeats = inner[0] if len(set(inner)) == 1 else (None, None)
    first = results[0].sampling
    sizes = (first.n_train, first.n_test) if first is not None and n_folds else (None, None)
    return Bunch(n_refits=len(results), n_folds=n_folds, n_repeats=n_repeats,
                 n_train=sizes[0], n_test=sizes[1])
