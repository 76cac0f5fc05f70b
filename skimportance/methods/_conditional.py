"""Conditional permutation importance (Strobl et al. 2008; Chamma et al. 2023)."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._parallel import delayed, run
from ..network._threads import threaded_map
from ._column_engine import _ColumnMethod, _columns_per_entry
from ._registry import register

__all__ = ["ConditionalPermutation"]

# Penalties of the built-in ridge, relative to the correlation matrix of the other
# inputs (so 1e-6 is ordinary least squares to rounding and 1 shrinks strongly); each
# entry takes the one with the smallest generalised cross-validation error on the
# training fold.
_ALPHAS = np.logspace(-6, 0, 7)


def _design(X):
    """The inputs the conditional models read, and how each entry of X is replaced.

    Returns ``Z`` (float, one column per numeric column of X, one dummy per category of
    a text column), ``owner`` (the column of X each column of Z comes from) and
    ``numeric`` (per column of X: whether it holds numbers).
    """
    if X.dtype.kind in "biuf":  # all numbers: Z is X, checked at once
        Z = np.asarray(X, dtype=float)
        finite = np.isfinite(Z).all(axis=0)
        if not finite.all():
            _not_finite(int(np.flatnonzero(~finite)[0]))
        return Z, np.arange(X.shape[1]), np.ones(X.shape[1], dtype=bool)
    parts, owner, numeric = [], [], []
    for j in range(X.shape[1]):
        try:
            values = np.asarray(X[:, j], dtype=float)
        except (TypeError, ValueError):
            _, codes = np.unique(X[:, j].astype(str), return_inverse=True)
            dummies = np.eye(codes.max() + 1)[codes]
            parts.append(dummies)
            owner += [j] * dummies.shape[1]
            numeric.append(False)
            continue
        if not np.isfinite(values).all():
            _not_finite(j)
        parts.append(values[:, None])
        owner.append(j)
        numeric.append(True)
    Z = np.hstack(parts) if parts else np.empty((X.shape[0], 0))
    return Z, np.array(owner, dtype=int), np.array(numeric)


def _not_finite(j):
    raise ValueError(
        f"Method 'conditional' regresses each column of X on the others, so X must be "
        f"finite; column {j} has NaN or infinite values (impute them before computing "
        "importances).")


def _many_values(X, max_categories):
    """Per column of a numeric X: whether its first rows already take more than
    ``max_categories`` distinct values (then it is not discrete; the first test of
    ``_is_discrete``, for all the columns at once)."""
    head = np.sort(np.asarray(X[:4 * (max_categories + 1)], dtype=float), axis=0)
    return 1 + np.count_nonzero(np.diff(head, axis=0), axis=0) > max_categories


def _is_discrete(X, cols, numeric, max_categories):
    """An entry is resampled as categories when a member holds text, or when its joint
    values take at most ``max_categories`` distinct rows (a binary column, dummies)."""
    if not numeric[cols].all():
        return True
    values = np.asarray(X[:, cols], dtype=float)
    # The first rows usually settle it, without sorting all of them.
    for rows in (values[:4 * (max_categories + 1)], values):
        if len(np.unique(rows, axis=0) if len(cols) > 1 else np.unique(rows)) > max_categories:
            return False
    return True


def _fold_pieces(Z, test, shift):
    """One fold's rows of Z minus ``shift``, with their Gram matrix, sums, minima and
    maxima: the training fold of each split is the other folds' pieces added up."""
    Y = Z[test] - shift
    return Y, Y.T @ Y, Y.sum(axis=0), Y.min(axis=0), Y.max(axis=0)


def _training_correlation(pieces):
    """The correlation matrix of the rows of ``pieces`` (``_fold_pieces`` of each of
    their folds), their mean (in shifted units) and standard deviations.

    The centred Gram is the sum of the pieces' Grams minus ``n u u'`` for the mean
    ``u``: with Z shifted by the mean of all rows, ``u`` is of the order of the spread
    over the square root of the rows, so the subtraction loses almost nothing, even
    when the columns' means are large next to their spread. A column constant on
    these rows (equal minimum and maximum, exact) is zero once centred, as in a direct
    computation, and is not scaled.
    """
    n = sum(len(Y) for Y, *_ in pieces)
    gram = sum(G for _, G, *_ in pieces)
    u = sum(s for _, _, s, *_ in pieces) / n
    constant = (np.minimum.reduce([lo for *_, lo, _ in pieces])
                == np.maximum.reduce([hi for *_, hi in pieces]))
    centred = gram - n * np.outer(u, u)
    centred[constant] = 0.0
    centred[:, constant] = 0.0
    scale = np.sqrt(np.maximum(np.diag(centred), 0.0) / n)
    scale[scale == 0] = 1.0  # a constant column is zero once centred: nothing to scale
    return centred / n / np.outer(scale, scale), u, scale


def _ridge_residuals(Z, train, test, targets, pieces=None):
    """Held-out residuals of the built-in ridge for each target, fitted on ``train``.

    ``targets`` is a list of arrays of columns of Z, each regressed (jointly, if several)
    on all the other columns, standardised on the training fold. One eigendecomposition
    of the correlation matrix ``C`` of the training fold serves every target and
    penalty (block inversion): with ``P = (C + alpha I)^-1``, the coefficients of
    columns S on the rest are ``-P[-S, S] P[S, S]^-1``, so the residuals are
    ``Zc P[:, S] P[S, S]^-1``. Each target's penalty minimises its generalised
    cross-validation error on the training fold (Golub, Heath & Wahba 1979), the mean
    squared residual over ``(1 - df / n)**2``, both in closed form from ``P`` and ``C``
    (the squared residuals' mean is ``B' C B`` for ``B = P[:, S] P[S, S]^-1``; the
    degrees of freedom are 1 for the intercept plus ``q - |S| - alpha tr(A^-1)``, where
    ``A^-1 = P[-S, -S] - P[-S, S] P[S, S]^-1 P[S, -S]``), so no penalty costs a pass
    over the rows.

    ``pieces``: ``(training pieces, test rows minus the shift)`` from
    ``_fold_pieces``, when the splits share them; None computes them here.

    Returns the (len(test), number of single-column targets) residuals of the targets
    of one column, in their order, and a list with the (len(test), len(S)) residuals of
    each target of several columns (None for the others), in Z's units.
    """
    if pieces is None:
        shift = Z.mean(axis=0)
        pieces = ([_fold_pieces(Z, train, shift)], Z[test] - shift)
    training, Y_test = pieces
    C, mean, scale = _training_correlation(training)
    n, q = len(train), Z.shape[1]
    # P = V diag(1 / (lambda + alpha)) V': for one column j, P[j, j] and |P[:, j]|^2 are
    # sums over the eigenvalues, so every penalty costs O(q^2) for all the columns.
    lam, V = np.linalg.eigh(C)
    lam = np.maximum(lam, 0.0)
    alone = np.array([t for t, S in enumerate(targets) if len(S) == 1], dtype=int)
    cols = np.array([targets[t][0] for t in alone], dtype=int)
    V2 = V[cols] ** 2
    best_error = np.full(len(targets), np.inf)
    best_alpha = np.zeros(len(targets))
    best = [None] * len(targets)  # the coefficients B of each group
    groups = [t for t, S in enumerate(targets) if len(S) > 1]
    for alpha in _ALPHAS:
        d = 1.0 / (lam + alpha)
        trace = d.sum()
        if alone.size:
            diagonal, squares = V2 @ d, V2 @ d ** 2
            # P C P = P - alpha P P, since C = P^-1 - alpha I.
            mse = (diagonal - alpha * squares) / diagonal ** 2
            df = q - alpha * (trace - squares / diagonal)  # 1 + (q - 1) - alpha tr(A^-1)
            error = mse / np.maximum(1 - df / n, 1e-12) ** 2
            better = error < best_error[alone]
            best_error[alone[better]] = error[better]
            best_alpha[alone[better]] = alpha
        if not groups:
            continue
        P = (V * d) @ V.T
        for t in groups:
            S = targets[t]
            P_SS = P[np.ix_(S, S)]
            inner = np.linalg.inv(P_SS)
            B = P[:, S] @ inner
            CP_S = P[:, S] - alpha * (P @ P[:, S])
            mse = np.trace(B.T @ CP_S @ inner) / len(S)
            rest = trace - np.trace(P_SS) - np.trace(P[S] @ B) + np.trace(P_SS @ inner @ P_SS)
            df = 1 + (q - len(S)) - alpha * rest
            error = mse / max(1 - df / n, 1e-12) ** 2
            if error < best_error[t]:
                best_error[t], best[t] = error, B
    Zh = (Y_test - mean) / scale
    residuals = [None] * len(targets)
    R = np.empty((len(test), 0))
    if alone.size:
        # B[:, j] = P[:, j] / P[j, j], for each column's own penalty; one product for all.
        B = np.empty((q, len(alone)))
        for alpha in np.unique(best_alpha[alone]):
            k = np.flatnonzero(best_alpha[alone] == alpha)
            d = 1.0 / (lam + alpha)
            Pk = V @ (d[:, None] * V[cols[k]].T)
            B[:, k] = Pk / Pk[cols[k], np.arange(len(k))]
        R = (Zh @ B) * scale[cols]
    for t in groups:
        residuals[t] = (Zh @ best[t]) * scale[targets[t]]
    return R, residuals


def _fit_predict(model, Z, y, train, test):
    """Held-out predictions of a clone of a regressor fitted on the training rows."""
    if Z.shape[1] == 0:  # nothing to regress on: the training mean
        mean = np.mean(y[train], axis=0)
        return np.broadcast_to(mean, (len(test),) + y.shape[1:]).copy()
    fitted = clone(model).fit(Z[train], y[train])
    return np.asarray(fitted.predict(Z[test]), dtype=float).reshape((len(test),) + y.shape[1:])


def _fit_proba(model, Z, codes, n_classes, train, test):
    """Held-out class probabilities (columns: all classes of the entry) of a clone of a
    classifier fitted on the training rows; the training frequencies without inputs."""
    seen = np.unique(codes[train])
    proba = np.zeros((len(test), n_classes))
    if Z.shape[1] == 0 or len(seen) == 1:
        counts = np.bincount(codes[train], minlength=n_classes)
        proba[:] = counts / counts.sum()
        return proba
    fitted = clone(model).fit(Z[train], codes[train])
    proba[:, np.asarray(fitted.classes_, dtype=int)] = fitted.predict_proba(Z[test])
    return proba


class _Continuous:
    """Replaced values ``m(x_-S) + residual[perm]`` of numeric entries."""

    def __init__(self, prediction, residual):
        self.prediction, self.residual = prediction, residual

    def values(self, perm):
        return self.prediction + self.residual[perm]


class _Columns:
    """The numeric single columns' ``_Continuous`` side by side: ``values(perm, cols)``
    are theirs for the columns ``cols`` of X, in one gather."""

    def __init__(self, prediction, residual, columns):
        self.prediction, self.residual = prediction, residual
        self.position = {int(j): k for k, j in enumerate(columns)}

    def values(self, perm, cols):
        at = np.array([self.position[int(j)] for j in cols], dtype=int)
        if len(at) and np.array_equal(at, np.arange(at[0], at[0] + len(at))):
            at = slice(at[0], at[0] + len(at))  # a block of columns: views, not copies
        # Gathering whole rows (np.take) is several times faster than fancy indexing
        # of rows and columns together.
        out = np.take(self.residual[:, at], perm, axis=0)
        out += self.prediction[:, at]
        return out


# The key of the _Columns among the models (entries are tuples of columns).
_SINGLES = "single columns"


class _Categories:
    """Replaced values drawn from the predicted distribution of an entry's categories
    (its joint rows), by inverting the cumulative probabilities at shared uniforms."""

    def __init__(self, proba, categories):
        self.cumulative = np.cumsum(proba, axis=1)
        self.categories = categories

    def values(self, uniforms):
        codes = (uniforms[:, None] > self.cumulative[:, :-1]).sum(axis=1)
        return self.categories[codes]


class _Conditional:
    """The column engine's replacement: each entry's values after each repeat, from
    its own conditional model (an entry = the columns passed together in one call, or
    one column at a time for the single columns)."""

    def __init__(self, models, perms, uniforms, grouped):
        self.models, self.perms, self.uniforms = models, perms, uniforms
        self.grouped = grouped

    def __len__(self):
        return len(self.perms)

    def _one(self, key, repeat):
        model = self.models[key]
        draw = self.perms[repeat] if isinstance(model, _Continuous) else self.uniforms[repeat]
        return model.values(draw)

    def __call__(self, X, repeat, cols):
        if self.grouped:
            return self._one(tuple(int(c) for c in cols), repeat)
        columns = self.models.get(_SINGLES)
        numeric = [c for c, col in enumerate(cols)
                   if columns is not None and int(col) in columns.position]
        if len(numeric) == len(cols):
            return columns.values(self.perms[repeat], cols).astype(X.dtype, copy=False)
        out = np.empty((X.shape[0], len(cols)), dtype=X.dtype)
        if numeric:
            out[:, numeric] = columns.values(self.perms[repeat], np.asarray(cols)[numeric])
        for c in set(range(len(cols))) - set(numeric):
            out[:, c] = self._one((int(cols[c]),), repeat)[:, 0]
        return out


@register
class ConditionalPermutation(_ColumnMethod):
    """Conditional permutation importance: the drop of the score when a column is
    replaced by draws from its distribution given the other inputs.

    Conditional feature importance (CFI; Strobl et al. 2008, Chamma et al. 2023). Column
    ``j`` is replaced by ``m_j(x_-j) + e_j[perm]``, where ``m_j`` regresses ``x_j`` on
    the other inputs and ``e_j = x_j - m_j(x_-j)`` are its residuals, shuffled. The
    replaced rows keep the dependence of ``x_j`` on the other inputs, so the model is
    not scored on rows that never occur (the bias of :class:`Permutation` on correlated
    inputs): only the part of ``x_j`` that the other inputs do not explain is
    disturbed. An input that is a near copy of another therefore gets a small
    importance: it brings nothing the other does not. Selected by ``"conditional"``.

    The conditional models are **cross-fitted** over the rows scored: they are split
    into ``cv`` folds (shuffled by ``random_state``), and the residual of each row comes
    from a model fitted on the other folds only, never on the row itself. A group of
    ``feature_groups`` is regressed on the other inputs jointly (multi-output) and its
    residual rows are shuffled together.

    Categorical and binary entries (a column of text, or an entry whose values take at
    most ``max_categories`` distinct rows, such as a 0/1 column or a group of dummies)
    are not regressed: they are **drawn from a classifier's predicted distribution**
    over their categories given the other inputs (cross-fitted in the same way), so a
    replaced value is always one of the entry's own values. The other inputs are given
    to the models as numbers, with text columns one-hot encoded.

    The default regressor is a ridge regression on the standardised other inputs,
    whose penalty is chosen per entry by generalised cross-validation on the training
    fold (Golub, Heath & Wahba 1979; ``RidgeCV`` uses its leave-one-out relative); it
    is fitted for all columns at once from one eigendecomposition of the training
    fold's correlation matrix; each fold's Gram matrix is computed once, a training
    fold's being the sum of the other folds'. With a linear model the conditional
    distribution is ``m_j`` plus a residual drawn independently of ``x_-j``: right
    for Gaussian inputs, an approximation otherwise (pass a non-linear ``estimator``).
    Not weighted by ``sample_weight`` (the scores are).

    For an MLP it runs on the same rank-one fast path as :class:`Permutation` (one
    replaced column is one rank-one change of the first layer); the extra memory is
    that of permutation plus the predictions and residuals of the numeric columns
    (twice the size of X), and while the built-in ridge is fitted one more copy of X
    (each fold's shifted rows, for its Gram matrix) and one p x p Gram per fold.

    Parameters
    ----------
    estimator : regressor or None, default=None
        The model of each numeric entry given the other inputs, cloned and fitted per
        fold (for a group it is given a 2-d target: use a regressor that supports
        several outputs). None: the built-in ridge described above.
    n_repeats : int, default=5
        Number of shuffles of the residuals (and draws of the categories).
    scoring : str, callable, list, tuple, dict or None, default=None
        As in :class:`Permutation`.
    cv : int, default=5
        Folds of the cross-fit (at most one per row).
    random_state : int, RandomState instance or None, default=None
        Controls the folds, the shuffles (the same as :class:`Permutation` draws for the
        same seed) and the draws of the categories.
    n_jobs : int, default=None
        The conditional models and the columns are processed in parallel with joblib;
        the numbers do not depend on it.
    classifier : classifier or None, default=None
        The model of each categorical entry (``fit``, ``predict_proba`` and
        ``classes_``). None: a logistic regression on the standardised other inputs.
    max_categories : int, default=10
        Numeric entries whose values take at most this many distinct rows are
        categorical.
    engine : {"auto", "exact", "fast"}, default="auto"
        As in :class:`Permutation`.
    verbose : int, default=0
        Show a progress bar (tqdm, if installed).

    See Also
    --------
    Permutation : The marginal version, which shuffles the column itself.
    skimportance.correlation_groups : Groups of correlated inputs, to rank together.
    skimportance.feature_dependence : How well each input is predicted by the others.

    References
    ----------
    Strobl, Boulesteix, Kneib, Augustin & Zeileis (2008), Conditional variable
    importance for random forests, BMC Bioinformatics 9:307. Chamma, Engemann &
    Thirion (2023), Statistically valid variable importance assessment through
    conditional permutations, NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import ConditionalPermutation
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> X[:, 2] = X[:, 0] + 0.1 * rng.normal(size=400)  # a near copy of x0, not in y
    >>> y = X[:, 0] + X[:, 1]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, y, method=ConditionalPermutation(random_state=0))
    >>> result.importances.shape
    (3, 5)
    >>> bool(result.importances_mean[2] < 0.2 * result.importances_mean[1])
    True
    """

    name = "conditional"
    multimetric_ok = True
    has_repeats = True
    random = True
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "scoring": [str, callable, list, tuple, dict, None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "classifier": [HasMethods(["fit", "predict_proba"]), None],
        "max_categories": [Interval(Integral, 1, None, closed="left")],
        "engine": [StrOptions({"auto", "exact", "fast"})],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_repeats=5, scoring=None, cv=5, random_state=None,
                 n_jobs=None, *, classifier=None, max_categories=10, engine="auto",
                 verbose=0):
        self.estimator = estimator
        self.n_repeats = n_repeats
        self.scoring = scoring
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.classifier = classifier
        self.max_categories = max_categories
        self.engine = engine
        self.verbose = verbose

    def _compute(self, inputs):
        estimator, X, y, sample_weight = (inputs.estimator, inputs.X, inputs.y,
                                          inputs.sample_weight)
        n_rows = X.shape[0]
        scorer = self.check_scorer(estimator)
        baseline = self._baseline(scorer, estimator, X, y, sample_weight)

        # The shuffles are Permutation's for the same seed; then the folds, the uniforms.
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max + 1)
        generator = np.random.RandomState(seed)
        shuffle, perm, perms = np.arange(n_rows), np.arange(n_rows), []
        for _ in range(self.n_repeats):
            generator.shuffle(shuffle)
            perm = perm[shuffle]
            perms.append(perm)
        folds = KFold(min(self.cv, n_rows), shuffle=True,
                      random_state=generator.randint(np.iinfo(np.int32).max))
        splits = list(folds.split(X))
        uniforms = generator.uniform(size=(self.n_repeats, n_rows))

        entries = _columns_per_entry(inputs.feature_groups, X.shape[1])
        singles = sorted({int(cols[0]) for cols in entries if len(cols) == 1})
        groups = list(dict.fromkeys(tuple(int(c) for c in cols)
                                    for cols in entries if len(cols) > 1))
        models = self._conditional_models(X, [(j,) for j in singles] + groups, splits)

        single_at = [i for i, cols in enumerate(entries) if len(cols) == 1]
        group_at = [i for i, cols in enumerate(entries) if len(cols) > 1]
        scores = np.empty((len(entries), self.n_repeats, len(baseline)))
        for at, grouped in ((single_at, False), (group_at, True)):
            if at:
                replace = _Conditional(models, perms, uniforms, grouped)
                scores[at] = self._replace_and_score(estimator, scorer, X, y, sample_weight,
                                                     replace, baseline,
                                                     [entries[i] for i in at])
        return self._result(baseline - scores, inputs.feature_names, scorer)

    def _conditional_models(self, X, keys, splits):
        """{entry (tuple of columns): its replacement model}, cross-fitted on ``splits``."""
        Z, owner, numeric = _design(X)
        n_rows = X.shape[0]
        many = (_many_values(X, self.max_categories) if numeric.all()
                else np.zeros(X.shape[1], dtype=bool))
        discrete = {key: not (len(key) == 1 and many[key[0]]) and _is_discrete(
            X, np.array(key), numeric, self.max_categories) for key in keys}
        models = {}

        def others(key):
            return np.flatnonzero(~np.isin(owner, key))

        def folds(func, items):
            if self.n_jobs is None:
                # A fold's products are small (p x p): BLAS's own threads synchronise on
                # each, which on a busy machine made one eigendecomposition of a 500 x 500
                # matrix 20 times slower; the folds share the threads instead.
                return list(threaded_map(func, items))
            return run((delayed(func)(item) for item in items), n_jobs=self.n_jobs,
                       prefer="threads")

        continuous = [key for key in keys if not discrete[key]]
        # The single columns side by side (the replacement gathers a block of them in
        # one go, as Permutation does), the groups one array each.
        singles = [key for key in continuous if len(key) == 1]
        several = [key for key in continuous if len(key) > 1]
        position = {key: k for k, key in enumerate(singles)}
        single_cols = [key[0] for key in singles]
        single_targets = (Z if single_cols == list(range(Z.shape[1])) and numeric.all()
                          else np.asarray(X[:, single_cols], dtype=float))
        single_predictions = np.empty_like(single_targets)
        targets = {key: np.asarray(X[:, list(key)], dtype=float) for key in several}
        predictions = {key: np.empty((n_rows, len(key))) for key in several}
        if continuous and self.estimator is None:
            # Columns of Z of each target: numeric columns of X are one column of Z each.
            where = {j: int(np.flatnonzero(owner == j)[0]) for key in continuous for j in key}
            columns = [np.array([where[j] for j in key]) for key in singles + several]
            # Each fold's Gram matrix once; a training fold's is the sum of the others'.
            shift = Z.mean(axis=0)
            pieces = folds(lambda split: _fold_pieces(Z, split[1], shift), splits)

            def fold(f):
                training = [piece for g, piece in enumerate(pieces) if g != f]
                return _ridge_residuals(Z, *splits[f], columns, (training, pieces[f][0]))

            parts = folds(fold, range(len(splits)))
            held_out = np.empty_like(single_targets)
            for (_, test), (single_residuals, residuals) in zip(splits, parts):
                held_out[test] = single_residuals
                for key, residual in zip(several, residuals[len(singles):]):
                    predictions[key][test] = targets[key][test] - residual
            single_predictions = single_targets - held_out
        elif continuous:
            tasks = [(key, test, delayed(_fit_predict)(
                self.estimator, Z[:, others(key)],
                single_targets[:, position[key]] if len(key) == 1 else targets[key],
                train, test))
                for key in continuous for train, test in splits]
            parts = run((task for *_, task in tasks), n_jobs=self.n_jobs, prefer="threads")
            for (key, test, _), part in zip(tasks, parts):
                if len(key) == 1:
                    single_predictions[test, position[key]] = part.reshape(len(test))
                else:
                    predictions[key][test] = part.reshape(len(test), len(key))
        single_residuals = single_targets - single_predictions
        for k, key in enumerate(singles):
            models[key] = _Continuous(single_predictions[:, k:k + 1],
                                      single_residuals[:, k:k + 1])
        models[_SINGLES] = _Columns(single_predictions, single_residuals,
                                    [key[0] for key in singles])
        for key in several:
            models[key] = _Continuous(predictions[key], targets[key] - predictions[key])

        categorical = [key for key in keys if discrete[key]]
        classifier = self.classifier if self.classifier is not None else make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000))
        tasks = []
        for key in categorical:
            values = X[:, list(key)]
            labels = values.astype(str) if values.dtype.kind == "O" else values
            _, first, codes = np.unique(labels, axis=0, return_index=True,
                                        return_inverse=True)
            codes = codes.ravel()
            models[key] = (values[first], codes)
            tasks += [(key, test, delayed(_fit_proba)(classifier, Z[:, others(key)], codes,
                                                      len(first), train, test))
                      for train, test in splits]
        parts = run((task for *_, task in tasks), n_jobs=self.n_jobs, prefer="threads")
        proba = {key: np.empty((n_rows, len(models[key][0]))) for key in categorical}
        for (key, test, _), part in zip(tasks, parts):
            proba[key][test] = part
        for key in categorical:
            models[key] = _Categories(proba[key], models[key][0])
        return models
