"""Randomization test of importances (Olden & Jackson 2002), with adjusted p-values."""

from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import _num_samples

from ._parallel import delayed, run
from ._dispatch import run_method
from ._result import combine_folds
from .methods import get_method
from .network import single_threaded_blas

__all__ = ["RandomizationTestResult", "randomization_test"]

_MAX_SEED = np.iinfo(np.int32).max


def _holm(p_values):
    """Holm's step-down adjustment: ``max_{k <= j} min(1, (m - k + 1) p_(k))``."""
    m = p_values.size
    order = np.argsort(p_values, kind="stable")
    steps = np.minimum(1.0, (m - np.arange(m)) * p_values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def _benjamini_hochberg(p_values):
    """Benjamini-Hochberg step-up adjustment: ``min_{k >= j} min(1, m p_(k) / k)``."""
    m = p_values.size
    order = np.argsort(p_values, kind="stable")
    steps = np.minimum(1.0, m * p_values[order] / np.arange(1, m + 1))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum.accumulate(steps[::-1])[::-1]
    return adjusted


def _standardized(observed, null):
    """Observed and null values centred and scaled, input by input, by the mean and
    standard deviation of all ``n_permutations + 1`` values.

    The observed value is pooled with the null ones so that the transform treats the
    observed fit as one more permutation: under the null hypothesis the rows stay
    exchangeable, and the +1 p-values stay exact. An input whose values are all equal
    gets zeros (it can then never be the maximum on its own).
    """
    values = np.vstack([observed, null])
    spread = values.std(axis=0)
    z = np.zeros_like(values)
    varies = spread > 0
    z[:, varies] = (values[:, varies] - values[:, varies].mean(axis=0)) / spread[varies]
    return z[0], z[1:]


def _max_t(observed, null):
    """Westfall & Young's step-down max-T adjusted p-values, with the +1 correction."""
    observed, null = _standardized(observed, null)
    order = np.argsort(-observed, kind="stable")  # most significant first
    # successive[b, j]: the largest null value of permutation b among the inputs from
    # the j-th most significant one down, i.e. those not yet rejected at step j.
    successive = np.maximum.accumulate(null[:, order[::-1]], axis=1)[:, ::-1]
    exceed = (successive >= observed[order]).sum(axis=0)
    steps = (exceed + 1) / (null.shape[0] + 1)
    adjusted = np.empty(observed.size)
    adjusted[order] = np.maximum.accumulate(steps)  # never below a more significant input
    return adjusted


_ADJUSTMENTS = {"holm": _holm, "bh": _benjamini_hochberg}


class RandomizationTestResult(Bunch):
    """The result of :func:`~skimportance.randomization_test`: a ``Bunch`` with
    adjusted p-values.

    Keys, readable as attributes too: ``p_values``, ``observed``, ``null`` and
    ``feature_names`` (see :func:`~skimportance.randomization_test`).

    Parameters
    ----------
    **kwargs : dict
        The keys above.

    See Also
    --------
    randomization_test : Computes it.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import RandomizationTestResult
    >>> res = RandomizationTestResult(
    ...     p_values=np.array([0.01, 0.04, 0.03, 0.5]),
    ...     observed=np.zeros(4), null=np.zeros((99, 4)), feature_names=None)
    >>> res.adjusted_p_values("holm")
    array([0.04, 0.09, 0.09, 0.5 ])
    >>> res.adjusted_p_values("bh")
    array([0.04      , 0.05333333, 0.05333333, 0.5       ])
    """

    @validate_params({"method": [StrOptions({"holm", "bh", "maxt"})]},
                     prefer_skip_nested_validation=True)
    def adjusted_p_values(self, method="holm"):
        """P-values adjusted for testing every input at once.

        Reject the inputs whose adjusted p-value is at most the level :math:`\\alpha`
        you chose.

        Parameters
        ----------
        method : {"holm", "bh", "maxt"}, default="holm"
            - ``"holm"``: Holm's step-down (1979); controls the family-wise error rate
              (the chance of calling any null input significant) under any dependence
              between the p-values. With ``m`` inputs and ``B`` permutations its
              smallest value is ``m / (B + 1)``.
            - ``"bh"``: Benjamini & Hochberg's step-up (1995); controls the false
              discovery rate (the expected share of null inputs among those called
              significant) for independent or positively dependent p-values.
            - ``"maxt"``: Westfall & Young's step-down max-T (1993), from the ``null``
              matrix: controls the family-wise error rate while using how the inputs'
              null importances depend on each other, so it is less conservative than
              Holm, and its smallest value is ``1 / (B + 1)`` whatever ``m``. Each
              input's observed and null values are first standardised by the mean
              and standard deviation of its ``B + 1`` values, so that an input with a
              wide null distribution does not dominate the maxima.

        Returns
        -------
        adjusted : ndarray of shape (n_features,)
            One per input, in ``[p_values, 1]``.

        References
        ----------
        Holm, S. (1979). A simple sequentially rejective multiple test procedure.
        Scandinavian Journal of Statistics 6, 65-70.

        Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a
        practical and powerful approach to multiple testing. Journal of the Royal
        Statistical Society B 57, 289-300.

        Westfall, P. H. and Young, S. S. (1993). Resampling-Based Multiple Testing.
        Wiley, New York (Algorithm 4.1, step-down max-T).
        """
        if method == "maxt":
            return _max_t(np.asarray(self.observed, dtype=float),
                          np.asarray(self.null, dtype=float))
        return _ADJUSTMENTS[method](np.asarray(self.p_values, dtype=float))


def _importances(estimator, method, X, y, scale, splits):
    """``importances_mean`` and feature names of ``estimator`` fitted to (X, y): on the
    training data (``splits=None``), or cross-fitted (fitted on each fold's training
    rows, measured on its held-out rows, averaged over the folds)."""
    from ._estimators import _fold_importances

    # Many small fits: BLAS's own threads would only synchronise on each tiny product.
    with single_threaded_blas():
        if splits is None:
            estimator.fit(X, y)
            result = run_method(method, estimator, X, y, scale=scale,
                                training=(X, y, {}))
        else:
            options = {"scale": scale, "feature_groups": None}
            result = combine_folds([
                _fold_importances(clone(estimator), method, X, y, None, {}, train, test,
                                  options)[0]
                for train, test in splits])
    return np.asarray(result.importances_mean, dtype=float), result.feature_names


def _null_importances(estimator, method, X, y, seed, scale, splits):
    """Importances of a clone fitted to y permuted with ``seed``."""
    order = np.random.RandomState(seed).permutation(_num_samples(y))
    return _importances(estimator, method, X, _safe_indexing(y, order), scale, splits)[0]


def _unwrapped(estimator, method):
    """The network and method to test: a meta-estimator gives its own (and its ``scale``)
    unless ``method`` is given."""
    from ._estimators import _BaseImportance

    if not isinstance(estimator, _BaseImportance):
        return estimator, get_method("olden" if method is None else method), True
    return (estimator._make_estimator(),
            get_method(estimator.method if method is None else method), estimator.scale)


def _splits(cv, estimator, X, y):
    """The folds, drawn once on the real ``y``, shared by the observed and null fits."""
    if cv is None:
        return None
    n_samples = _num_samples(X)
    if isinstance(cv, Integral) and cv > n_samples:
        raise ValueError(f"cv={cv} asks for {cv} folds, but X has only {n_samples} "
                         "samples; use at most one fold per sample.")
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    try:
        return list(splitter.split(X, y))
    except ValueError as exc:
        raise ValueError(f"cv={cv!r} cannot split the data: {exc}") from exc


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "method": [str, HasMethods(["compute"]), callable, None],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=False,
)
def randomization_test(estimator, X, y, *, method=None, n_permutations=99, cv=None,
                       random_state=None, n_jobs=None):
    """Randomization test of each input's importance (Olden & Jackson 2002).

    A clone of ``estimator`` is fitted on ``(X, y)`` and its importances are the
    observed values. Then ``n_permutations`` clones are fitted on ``(X, y)`` with
    ``y`` shuffled, which breaks every link between inputs and target: their
    importances are the null distribution. The p-value of input ``i`` is

        ``(#{null[:, i] >= observed[i]} + 1) / (n_permutations + 1)``,

    so the smallest possible p-value is ``1 / (n_permutations + 1)``. These p-values
    are per input; to call several inputs significant at once, use the result's
    ``adjusted_p_values("maxt")`` (or ``"holm"``, ``"bh"``).

    **It only works with enough weight decay.** A network fitted to noise with
    little regularisation memorises it and grows large weights, so the null
    importances are as large as (or larger than) those of a network fitted to real
    structure and nothing comes out significant. Set the network's ``alpha`` large
    enough that networks fitted to shuffled targets keep small weights (check that
    ``null`` is well below ``observed`` for inputs you know matter). Too much decay
    fails the other way: networks fitted to shuffled targets then collapse to
    near-zero weights everywhere, while the network fitted to the real targets keeps
    some weight on noise inputs alongside the real ones, and the noise inputs come out
    significant as well (seen with classifiers). Check that ``null`` is not all near
    zero, and try a few values of ``alpha``.

    The compared statistic is the method's ``importances_mean``: for signed
    methods such as ``"olden"`` this is the mean over outputs of the *absolute*
    connection weight, so the test is two-sided (an input with a large negative
    effect is as significant as one with a large positive effect). Olden & Jackson
    compare the signed values one side at a time; with the absolute value one test
    covers both directions and multi-output networks, at no cost in validity since
    observed and null values go through the same statistic.

    Every fit uses the estimator's own ``random_state`` unchanged, and a random method
    (``"permutation"``) the same seed in every fit, so the null fits differ from the
    observed fit only by the shuffling of ``y``. Importances are computed with
    ``scale=True``. Each fit runs with BLAS on one thread (the fits, spread over
    ``n_jobs``, are the parallel work), which for the small networks this test is
    meant for is much faster than BLAS's own threads.

    Parameters
    ----------
    estimator : estimator
        An ``MLPRegressor``, ``MLPClassifier`` or a ``Pipeline`` ending in one (any
        estimator for methods that do not read weights), or an
        :class:`~skimportance.ImportanceRegressor` / :class:`~skimportance.ImportanceClassifier`,
        whose ``estimator``, ``method`` and ``scale`` are then used (not its ``cv``:
        pass ``cv`` here). It is cloned (fitted or not, it is refitted), never
        modified.
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets; their rows are shuffled for the null fits.
    method : str, ImportanceMethod or callable, default=None
        As in :class:`ImportanceRegressor`; None means ``"olden"``, or the method of a
        meta-estimator given as ``estimator``.
    n_permutations : int, default=99
        Number of fits to shuffled targets.
    cv : int, cross-validation generator or iterable, default=None
        Where the importances are measured. None: on ``X``, the data each network was
        trained on. An int or a splitter (as in ``cross_validate``; stratified for
        classifiers): every fit, to the real ``y`` and to each shuffled one, is
        cross-fitted: a clone is fitted on the training rows of each fold, its
        importances are computed on the held-out rows, and the statistic is their mean
        over the folds. The folds are drawn once, on the real ``y``, and shared by all
        the fits. Score-based methods (``"permutation"``) gain the most: a network
        fitted to a shuffled ``y`` has nothing to show on held-out rows. Costs one fit
        per fold.
    random_state : int, RandomState instance or None, default=None
        Draws one seed per permutation, then the seed of a random method whose own
        ``random_state`` is None: the same value gives the same shuffles and
        p-values, whatever ``n_jobs``.
    n_jobs : int, default=None
        Parallel fits through joblib (any backend, dask included). The numbers do not
        depend on it.

    Returns
    -------
    result : RandomizationTestResult
        A :class:`~sklearn.utils.Bunch` with keys (read as attributes too):

        p_values : ndarray of shape (n_features,)
            One per input, not adjusted for multiple testing.
        observed : ndarray of shape (n_features,)
            ``importances_mean`` of the network fitted to the real ``y``.
        null : ndarray of shape (n_permutations, n_features)
            ``importances_mean`` of each network fitted to a shuffled ``y``.
        feature_names : ndarray of str
            Names of the inputs.

        and the method ``adjusted_p_values(method="holm")`` (``"holm"``, ``"bh"`` or
        ``"maxt"``), see :class:`~skimportance.RandomizationTestResult`.

    See Also
    --------
    RandomizationTestResult.adjusted_p_values : P-values adjusted for many inputs.

    References
    ----------
    Olden, J. D. and Jackson, D. A. (2002). Illuminating the "black box": a
    randomization approach for understanding variable contributions in artificial
    neural networks. Ecological Modelling 154, 135-150.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import randomization_test
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 4))
    >>> y = 2 * X[:, 0] - 1.5 * X[:, 1] + 0.5 * rng.normal(size=100)  # x2, x3 are noise
    >>> mlp = MLPRegressor(hidden_layer_sizes=(3,), alpha=10.0, solver="lbfgs",
    ...                    max_iter=200, random_state=0)
    >>> res = randomization_test(mlp, X, y, n_permutations=19, random_state=0)
    >>> res.null.shape
    (19, 4)
    >>> bool(res.p_values.min() >= 1 / 20)  # the smallest p-value 19 permutations allow
    True
    >>> res.p_values[:2] <= 0.05, res.p_values[2:] > 0.5  # real inputs, then noise
    (array([ True,  True]), array([ True,  True]))

    Adjusted for testing four inputs at once: max-T keeps the smallest p-value 19
    permutations allow, Holm cannot go below 4 / 20.

    >>> res.adjusted_p_values("maxt")[:2], res.adjusted_p_values("holm")[:2]
    (array([0.05, 0.05]), array([0.2, 0.2]))
    """
    estimator, method, scale = _unwrapped(estimator, method)
    method.check(estimator)
    rng = check_random_state(random_state)
    seeds = rng.randint(_MAX_SEED, size=n_permutations)
    if method.random and method.get_params(deep=False)["random_state"] is None \
            and random_state is not None:
        # Drawn after the shuffles' seeds, which stay those of a deterministic method.
        method.set_params(random_state=int(rng.randint(_MAX_SEED)))
    splits = _splits(cv, estimator, X, y)
    observed, feature_names = _importances(clone(estimator), method, X, y, scale, splits)
    tasks = (delayed(_null_importances)(clone(estimator), method, X, y, seed, scale, splits)
             for seed in seeds)
    null = np.vstack(run(tasks, n_jobs=n_jobs, desc="permutations"))
    p_values = ((null >= observed).sum(axis=0) + 1) / (n_permutations + 1)
    return RandomizationTestResult(p_values=p_values, observed=observed, null=null,
                                   feature_names=feature_names)
