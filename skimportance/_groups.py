"""Feature groups: several columns ranked as one (a one-hot encoded variable, a sensor's
channels), and the sums that turn per-column values into per-group values."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array

__all__ = ["AUTO_THRESHOLD", "combine_columns", "correlation_groups", "resolve_groups"]

# The default cut of feature_groups="auto": inputs are grouped when every pair has
# |Spearman| >= 0.7, i.e. when either's ranks explain about half of the other's
# variance (0.7**2 = 0.49). From there, shuffling one input alone scores the model on
# rows far from the data (about as far as the shared half of its variance), and the
# marginal methods' inflation of such a pair is large (Hooker et al. 2021: at 0.9 the
# pair's permutation importance is inflated several-fold); below it, grouping would
# merge inputs whose separate roles the data can still tell apart.
AUTO_THRESHOLD = 0.3


def _position(column, names, n_features):
    if isinstance(column, (Integral, np.integer)) and not isinstance(column, bool):
        if not -n_features <= column < n_features:
            raise ValueError(
                f"feature_groups refers to column {column}, but X has {n_features} columns.")
        return int(column) % n_features
    if isinstance(column, str):
        if names is None:
            raise ValueError(
                f"feature_groups refers to column {column!r} by name, but X has no column "
                "names; pass a DataFrame or use column indices.")
        where = np.flatnonzero(names == column)
        if where.size == 0:
            raise ValueError(f"feature_groups refers to column {column!r}, which is not "
                             f"among X's columns {list(names)}.")
        return int(where[0])
    raise TypeError(f"feature_groups entries must be column indices or names, or lists of "
                    f"them; got {column!r} ({type(column).__name__}).")


def _spearman(X):
    """|Spearman correlation| of the numeric columns of X (text columns: 0, with every
    other column), on the rows where they are all present; a constant column: 0."""
    from scipy.stats import rankdata

    n_features = X.shape[1]
    numeric = []
    for j in range(n_features):
        try:
            numeric.append(np.asarray(X[:, j], dtype=float))
        except (TypeError, ValueError):
            numeric.append(None)
    cols = [j for j in range(n_features) if numeric[j] is not None]
    rho = np.eye(n_features)
    if len(cols) < 2:
        return rho
    values = np.column_stack([numeric[j] for j in cols])
    values = values[np.isfinite(values).all(axis=1)]
    if len(values) < 3:
        raise ValueError(
            f"feature_groups='auto' correlates the columns of X, which needs at least 3 "
            f"rows without missing values; X has {len(values)}.")
    ranks = rankdata(values, axis=0)
    ranks -= ranks.mean(axis=0)
    norms = np.sqrt((ranks ** 2).sum(axis=0))
    constant = norms == 0
    norms[constant] = 1.0
    ranks /= norms
    inner = np.clip(np.abs(ranks.T @ ranks), 0.0, 1.0)
    inner[constant, :] = inner[:, constant] = 0.0
    rho[np.ix_(cols, cols)] = inner
    np.fill_diagonal(rho, 1.0)
    return rho


@validate_params(
    {"X": ["array-like"], "threshold": [Interval(Real, 0, 1, closed="both")],
     "feature_names": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def correlation_groups(X, threshold=AUTO_THRESHOLD, *, feature_names=None):
    """Groups of correlated inputs, in the form ``feature_groups`` takes.

    The columns are clustered hierarchically (complete linkage) on the distance
    ``1 - |Spearman correlation|`` and the tree is cut at ``threshold``: within a group,
    **every pair** of columns has ``|Spearman| >= 1 - threshold``, and a column that
    is not that close to any other stays alone. This is what
    ``feature_groups="auto"`` does, on the data the method sees. Text columns (a
    Pipeline's categories) stay alone; rows with missing values are left out.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data; a DataFrame's column names name the groups and their members.
    threshold : float in [0, 1], default=0.3
        The largest ``1 - |Spearman|`` within a group. The default groups pairs with
        ``|Spearman| >= 0.7``, where either explains about half of the other's rank
        variance: from there on, shuffling one alone creates rows far from the data
        and the marginal methods' bias is large (see :ref:`correlated`). 0 groups only
        columns with the same ranks; 1 puts every column in one group.
    feature_names : array-like of str, default=None
        Names of the columns, if X has none; otherwise ``x0``, ``x1``, ...

    Returns
    -------
    groups : dict
        ``{name: list of columns}``, ordered by each group's first column. A group of
        several columns is named by its members joined by "+" ("x0+x3"); a column
        alone keeps its name. Members are column names when X is a DataFrame with
        string column names, positions otherwise. Edit it freely and pass it as
        ``feature_groups``.

    See Also
    --------
    feature_dependence : How much of each input the others explain, jointly.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import correlation_groups
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4))
    >>> X[:, 3] = X[:, 0] + 0.1 * rng.normal(size=200)
    >>> correlation_groups(X)
    {'x0+x3': [0, 3], 'x1': [1], 'x2': [2]}
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    columns = getattr(X, "columns", None)
    by_name = columns is not None and all(isinstance(c, str) for c in columns)
    values = check_array(X, dtype=None, ensure_all_finite=False, ensure_min_samples=1,
                         input_name="X")
    n_features = values.shape[1]
    if by_name:
        names = [str(c) for c in columns]
    elif feature_names is not None:
        names = [str(c) for c in feature_names]
        if len(names) != n_features:
            raise ValueError(f"feature_names has {len(names)} names but X has "
                             f"{n_features} columns.")
    else:
        names = [f"x{j}" for j in range(n_features)]
    if n_features == 1:
        labels = np.array([1])
    else:
        distance = 1.0 - _spearman(values)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="complete")
        # Rounding must not split columns at exactly the threshold (two copies: 0).
        labels = fcluster(tree, t=threshold + 1e-12, criterion="distance")
    groups = {}
    for label in dict.fromkeys(labels):  # in order of first column
        members = np.flatnonzero(labels == label).tolist()
        key = "+".join(names[j] for j in members)
        groups[key] = [names[j] for j in members] if by_name else members
    return groups


def resolve_groups(feature_groups, n_features, feature_names=None):
    """Column indices and a name for each entry of ``feature_groups``.

    Parameters
    ----------
    feature_groups : list or dict
        A list whose entries are a column (index or name) or a list of columns, or a
        dict ``{group name: list of columns}``. Columns left out are not reported.
    n_features : int
    feature_names : array-like of str, default=None

    Returns
    -------
    columns : list of ndarray of int
    names : list of str
        A single column keeps its name; a list of columns is named by joining its
        columns' names with "+"; a dict's keys are the names.

    Examples
    --------
    >>> columns, names = resolve_groups([0, [1, 2]], 3, ["age", "red", "blue"])
    >>> [c.tolist() for c in columns], names
    ([[0], [1, 2]], ['age', 'red+blue'])
    """
    names = None if feature_names is None else np.asarray(feature_names, dtype=object)
    label = (lambda j: str(names[j])) if names is not None else (lambda j: f"x{j}")
    if isinstance(feature_groups, dict):
        items = [(str(key), value) for key, value in feature_groups.items()]
    elif isinstance(feature_groups, (list, tuple)):
        items = [(None, value) for value in feature_groups]
    else:
        raise TypeError("feature_groups must be a list of columns or lists of columns, a "
                        "dict {name: list of columns}, or 'auto' (groups of correlated "
                        f"columns); got {feature_groups!r}.")
    if not items:
        raise ValueError("feature_groups is empty; give at least one column or group.")
    columns, labels = [], []
    for key, value in items:
        single = isinstance(value, (str, Integral, np.integer))
        members = [value] if single else list(np.ravel(np.asarray(value, dtype=object)))
        if not members:
            raise ValueError(f"feature_groups has an empty group{f' {key!r}' if key else ''}.")
        cols = np.array([_position(c, names, n_features) for c in members], dtype=int)
        if len(np.unique(cols)) != len(cols):
            raise ValueError(f"feature_groups lists a column twice in the group {members}.")
        columns.append(cols)
        labels.append(key if key is not None else "+".join(label(j) for j in cols))
    if len(set(labels)) != len(labels):
        raise ValueError(f"feature_groups gives two entries the same name: {labels}.")
    return columns, labels


def combine_columns(values, columns, signed_singletons=True):
    """Sum the last axis of ``values`` over each entry of ``columns``.

    A group of several columns sums their absolute values: its members can pull the
    output in opposite directions (the dummies of one categorical variable do), and
    a group has no single direction. A group of one column keeps its value, sign
    included, so it equals the ungrouped result. With ``signed_singletons=False`` every
    entry sums the values as they are (for per-row attributions, which are additive).

    >>> combine_columns(np.array([[1.0, -2.0, 3.0]]), [np.array([1]), np.array([0, 1])])
    array([[-2.,  3.]])
    """
    values = np.asarray(values, dtype=float)
    out = np.empty(values.shape[:-1] + (len(columns),))
    for e, cols in enumerate(columns):
        part = values[..., cols]
        if signed_singletons and len(cols) > 1:
            part = np.abs(part)
        out[..., e] = part.sum(axis=-1)
    return out
