"""Feature groups: several columns ranked as one (a one-hot encoded variable, a sensor's
channels), and the sums that turn per-column values into per-group values."""

from numbers import Integral

import numpy as np

__all__ = ["combine_columns", "resolve_groups"]


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
        raise TypeError("feature_groups must be a list of columns or lists of columns, or a "
                        f"dict {{name: list of columns}}; got {type(feature_groups).__name__}.")
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
