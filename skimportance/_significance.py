"""Randomization test of importances (Olden & Jackson 2002)."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import _num_samples

from ._parallel import delayed, run
from ._dispatch import run_method
from .methods import get_method
from .network import single_threaded_blas

__all__ = ["randomization_test"]


def _fit_importances(estimator, method, X, y, scale):
    """Fit ``estimator`` on (X, y); the method's ``importances_mean`` and feature names."""
    # Many small fits: BLAS's own threads would only synchronise on each tiny product.
    with single_threaded_blas():
        estimator.fit(X, y)
        result = run_method(method, estimator, X, y, scale=scale, training=(X, y, {}))
    return np.asarray(result.importances_mean, dtype=float), result.feature_names


def _null_importances(estimator, method, X, y, seed, scale):
    """Importances of a clone fitted to y permuted with ``seed``."""
    order = np.random.RandomState(seed).permutation(_num_samples(y))
    return _fit_importances(estimator, method, X, _safe_indexing(y, order), scale)[0]


def _unwrapped(estimator, method):
    """The network and method to test: a meta-estimator gives its own (and its ``scale``)
    unless ``method`` is given."""
    from ._estimators import _BaseImportance

    if not isinstance(estimator, _BaseImportance):
        return estimator, get_method("olden" if method is None else method), True
    return (estimator._make_estimator(),
            get_method(estimator.method if method is None else method), estimator.scale)


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "method": [str, HasMethods(["compute"]), callable, None],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=False,
)
def randomization_test(estimator, X, y, *, method=None, n_permutations=99,
                       random_state=None, n_jobs=None):
    """Randomization test of each input's importance (Olden & Jackson 2002).

    A clone of ``estimator`` is fitted on ``(X, y)`` and its importances are the
    observed values. Then ``n_permutations`` clones are fitted on ``(X, y)`` with
    ``y`` shuffled, which breaks every link between inputs and target: their
    importances are the null distribution. The p-value of input ``i`` is

        ``(#{null[:, i] >= observed[i]} + 1) / (n_permutations + 1)``,

    so the smallest possible p-value is ``1 / (n_permutations + 1)``.

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

    Every fit uses the estimator's own ``random_state`` unchanged, so the null fits
    differ from the observed fit only by the shuffling of ``y``. Importances are
    computed on ``X`` with ``scale=True``. Each fit runs with BLAS on one thread
    (the fits, spread over ``n_jobs``, are the parallel work), which for the small
    networks this test is meant for is much faster than BLAS's own threads.

    Parameters
    ----------
    estimator : estimator
        An ``MLPRegressor``, ``MLPClassifier`` or a ``Pipeline`` ending in one (any
        estimator for methods that do not read weights), or an
        :class:`~skimportance.ImportanceRegressor` / :class:`~skimportance.ImportanceClassifier`,
        whose ``estimator``, ``method`` and ``scale`` are then used. It is cloned (fitted
        or not, it is refitted), never modified.
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets; their rows are shuffled for the null fits.
    method : str, ImportanceMethod or callable, default=None
        As in :class:`ImportanceRegressor`; None means ``"olden"``, or the method of a
        meta-estimator given as ``estimator``.
    n_permutations : int, default=99
        Number of fits to shuffled targets.
    random_state : int, RandomState instance or None, default=None
        Draws one seed per permutation: the same value gives the same shuffles and
        p-values, whatever ``n_jobs``.
    n_jobs : int, default=None
        Parallel fits through joblib (any backend, dask included). The numbers do not
        depend on it.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With keys:

        p_values : ndarray of shape (n_features,)
            One per input.
        observed : ndarray of shape (n_features,)
            ``importances_mean`` of the network fitted to the real ``y``.
        null : ndarray of shape (n_permutations, n_features)
            ``importances_mean`` of each network fitted to a shuffled ``y``.
        feature_names : ndarray of str
            Names of the inputs.

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
    """
    estimator, method, scale = _unwrapped(estimator, method)
    method.check(estimator)
    seeds = check_random_state(random_state).randint(np.iinfo(np.int32).max,
                                                     size=n_permutations)
    observed, feature_names = _fit_importances(clone(estimator), method, X, y, scale)
    tasks = (delayed(_null_importances)(clone(estimator), method, X, y, seed, scale)
             for seed in seeds)
    null = np.vstack(run(tasks, n_jobs=n_jobs, desc="permutations"))
    p_values = ((null >= observed).sum(axis=0) + 1) / (n_permutations + 1)
    return Bunch(p_values=p_values, observed=observed, null=null,
                 feature_names=feature_names)
