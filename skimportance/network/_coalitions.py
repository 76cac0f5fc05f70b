"""The coalition engine of Shapley values: the network on rows with some inputs replaced
by background values, with only the later layers evaluated for each coalition.

Replacing the inputs of a coalition of players by a background row b changes only the
first layer's pre-activation, by a sum of rank-one terms: for a row x,

    z(S, b) = z(b) + sum_{j in S} (x_{P_j} - b_{P_j}) @ W1[P_j, :]

where ``P_j`` are the network inputs of player j (one input, an encoded column's
inputs, or a group). The exact engine builds the pre-activations of every subset of the
``m`` "low" players by doubling (each subset is a smaller one plus one term, so every
coalition's sum has at most as many additions as there are players: no drift, unlike a
running sum over a Gray code) and adds, for each subset of the other players, one
shared term; the later layers then run on a cache-sized block of coalitions at once.
The sampled engine walks permutations of the players, adding one term per step; SAGE
(``coalition_outputs``, ``sage_walks``) uses the same coalitions and walks, returning the
background-averaged outputs for its loss.
"""

from concurrent.futures import ThreadPoolExecutor
from math import comb

import numpy as np
from sklearn import get_config

from ._blas import _blas_threads, single_threaded_blas
from ._core import CACHE_BYTES, OUTPUT, chunk_rows

__all__ = ["MAX_EXACT_PLAYERS", "coalition_outputs", "exact_shapley", "sage_walks",
           "sampled_shapley", "shapley_weights"]

# Exact values visit 2**n_players coalitions per row and background row: past this the
# cost (2**20, about 10**6 coalitions per row and background row, at 20) is refused.
MAX_EXACT_PLAYERS = 20


def shapley_weights(n_players):
    """Weights of v(S) in phi_i, by coalition size s: ``(inside, outside)``.

    ``inside[s] = (s-1)! (d-s)! / d!`` for S holding i, ``outside[s] = s! (d-s-1)! / d!``
    for S without it, so that ``phi_i = sum_S (inside or -outside)[|S|] v(S)``.

    Examples
    --------
    >>> inside, outside = shapley_weights(2)
    >>> inside.tolist(), outside.tolist()
    ([0.0, 0.5, 0.5], [0.5, 0.5, 0.0])
    """
    d = n_players
    inside = np.array([0.0] + [1.0 / (d * comb(d - 1, s - 1)) for s in range(1, d + 1)])
    outside = np.array([1.0 / (d * comb(d - 1, s)) for s in range(d)] + [0.0])
    return inside, outside


def _budget_elements(net):
    # A block's pre-activations, its activations and the later layers' intermediates:
    # about four arrays of the block's size live at once.
    budget = min(CACHE_BYTES, get_config()["working_memory"] * 2**20)
    return max(1, int(budget // (4 * net.dtype.itemsize)))


def _outputs(net, Z, output):
    """F of the pre-activations Z (..., h) of the first hidden layer: shape (..., k)."""
    shape = Z.shape[:-1]
    _, logits = net.forward_from(Z.reshape(-1, Z.shape[-1]), 0)
    if output == "proba":
        logits = OUTPUT[net.out_activation](logits)
    return logits.reshape(shape + (net.n_outputs,))


def _first_layer(net, rows):
    Z = np.asarray(rows, dtype=net.dtype) @ net.coefs[0]
    Z += net.intercepts[0]
    return Z


def _player_terms(net, X, B, players):
    """``D[r, j, b] = (X[r, P_j] - B[b, P_j]) @ W1[P_j]``, shape (R, n_players, nb, h)."""
    W1 = net.coefs[0]
    D = np.empty((X.shape[0], len(players), B.shape[0], W1.shape[1]), dtype=net.dtype)
    for j, cols in enumerate(players):
        cols = np.asarray(cols, dtype=int)
        Wj = W1[cols]
        np.subtract((X[:, cols] @ Wj)[:, None, :], (B[:, cols] @ Wj)[None], out=D[:, j])
    return D


def _background_chunks(net, B, weights):
    """Chunks of background rows whose one coalition fits the block budget."""
    width = max(W.shape[1] for W in net.coefs)
    step = chunk_rows(width * net.dtype.itemsize, B.shape[0],
                      budget=_budget_elements(net) * net.dtype.itemsize)
    for start in range(0, B.shape[0], step):
        yield B[start:start + step], weights[start:start + step]


def _run_blocks(work, blocks, n_threads):
    """``work(block)`` for every block, on up to ``n_threads`` threads with BLAS on one.

    Each block writes its own rows, and the blocks do not depend on the number of
    threads, so neither do the numbers. The blocks are small matrices, where BLAS's own
    threads cost more than they give (measured: 1.6 s -> 0.8 s on one thread, 88 rows
    of the diabetes data, MLP (32, 16)).
    """
    n_threads = _blas_threads() if n_threads is None else n_threads
    with single_threaded_blas():
        if n_threads <= 1 or len(blocks) <= 1:
            for block in blocks:
                work(block)
        else:
            with ThreadPoolExecutor(min(n_threads, len(blocks))) as pool:
                list(pool.map(work, blocks))


def exact_shapley(net, X, background, weights, players, output="proba", *,
                  n_threads=None):
    """Exact interventional Shapley values of every row of X, by all coalitions.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_rows, n_features)
        The rows to explain, in the network's inputs.
    background : ndarray of shape (n_background, n_features)
    weights : ndarray of shape (n_background,)
        Weights of the background rows, summing to one.
    players : list of ndarray of int
        The network inputs of each player; inputs in no player keep the background's
        values (the network does not see X's there).
    output : {"proba", "logit"}
    n_threads : int or None
        Threads that share the rows; None means as many as BLAS would use.

    Returns
    -------
    phi : ndarray of shape (n_rows, n_outputs, n_players)
        ``phi[r, k, j]``, with ``v(S) = sum_b weights[b] F_k(x_S, b_rest)``.
    expected : ndarray of shape (n_outputs,)
        ``v(empty set)``, the weighted mean output on the background.
    """
    d = len(players)
    if d > MAX_EXACT_PLAYERS:
        raise ValueError(f"Exact Shapley values are limited to {MAX_EXACT_PLAYERS} players "
                         f"(2**{d} coalitions asked).")
    n, k = X.shape[0], net.n_outputs
    X = np.asarray(X, dtype=net.dtype)
    phi = np.zeros((n, k, d))
    expected = np.zeros(k)
    inside, outside = shapley_weights(d)
    budget = _budget_elements(net)
    for B, wb in _background_chunks(net, np.asarray(background, dtype=net.dtype), weights):
        Zb = _first_layer(net, B)
        nb, h = Zb.shape
        width = max(W.shape[1] for W in net.coefs)
        # Centring by v(empty) cancels out of phi (each player's weights sum to zero)
        # and keeps the sum from cancelling large outputs against each other.
        v_empty = _outputs(net, Zb.copy(), output).T @ wb
        expected += v_empty
        per_coalition = nb * width
        m = int(min(d, max(0, np.floor(np.log2(max(1, budget // per_coalition))))))
        rows_per_block = int(min(n, max(1, budget // (per_coalition << m))))
        low = np.arange(1 << m)
        low_member = ((low[:, None] >> np.arange(m)) & 1).astype(bool)  # (2^m, m)
        low_size = low_member.sum(axis=1)

        def work(rows):
            D = _player_terms(net, X[rows], B, players)
            R = D.shape[0]
            table = np.empty((R, 1 << m, nb, h), dtype=net.dtype)
            table[:, 0] = Zb
            for bit in range(m):
                np.add(table[:, :1 << bit], D[:, bit, None],
                       out=table[:, 1 << bit:2 << bit])
            block = np.empty_like(table)
            for high in range(1 << (d - m)):
                high_member = ((high >> np.arange(d - m)) & 1).astype(bool)
                shared = D[:, m:][:, high_member].sum(axis=1)  # (R, nb, h)
                np.add(table, shared[:, None], out=block)
                v = np.tensordot(_outputs(net, block, output), wb, axes=([2], [0]))
                v -= v_empty  # (R, 2^m, k)
                member = np.concatenate(
                    [low_member, np.broadcast_to(high_member, (1 << m, d - m))], axis=1)
                size = low_size + high_member.sum()
                C = np.where(member, inside[size][:, None], -outside[size][:, None])
                phi[rows] += np.einsum("rsk,sp->rkp", v, C)

        blocks = [slice(r0, min(n, r0 + rows_per_block))
                  for r0 in range(0, n, rows_per_block)]
        _run_blocks(work, blocks, n_threads)
    return phi, expected


def sampled_shapley(net, X, background, weights, players, output="proba", *,
                    n_permutations=64, seeds=None, entries=None, n_threads=None):
    """Shapley values estimated by antithetic permutation sampling.

    For each row, ``n_permutations`` random orders of the players are drawn (from
    ``np.random.default_rng(seeds[r])``), each walked forwards and backwards: a walk adds
    the players one at a time, each step one rank-one term, and credits each player with
    the change of v it made. Every walk's credits add up to ``F(x) - v(empty)``, so the
    estimates are efficient to rounding.

    ``entries`` (a list of arrays of player indices, or None) sums players into the
    values returned, before the spread is measured: a sum's standard error counts the
    correlation between its players' estimates. ``n_threads`` as in
    :func:`exact_shapley`.

    Returns
    -------
    phi : ndarray of shape (n_rows, n_outputs, n_players or n_entries)
        The mean over the antithetic pairs.
    standard_error : ndarray of shape (n_rows, n_outputs, n_players or n_entries)
        The standard deviation of the pair means over sqrt(n_permutations) (0 with a
        single permutation, which has no spread to measure).
    expected : ndarray of shape (n_outputs,)
    """
    d, n, k = len(players), X.shape[0], net.n_outputs
    X = np.asarray(X, dtype=net.dtype)
    background = np.asarray(background, dtype=net.dtype)
    P = n_permutations
    width = max(W.shape[1] for W in net.coefs)
    chunks = []
    expected = np.zeros(k)
    for B, wb in _background_chunks(net, background, weights):
        Zb = _first_layer(net, B)
        v_empty = _outputs(net, Zb.copy(), output).T @ wb
        expected += v_empty
        chunks.append((B, wb, Zb, v_empty))
    n_out = d if entries is None else len(entries)
    phi = np.empty((n, k, n_out))
    standard_error = np.zeros((n, k, n_out))
    budget = _budget_elements(net)

    def work(r):
        # One generator per row: the draws do not depend on how rows are chunked.
        perm = np.argsort(np.random.default_rng(seeds[r]).random((P, d)), axis=1)
        orders = np.concatenate([perm, perm[:, ::-1]])  # walk w and w + P are a pair
        walks = np.zeros((2 * P, k, d))
        for B, wb, Zb, v_empty in chunks:
            D = _player_terms(net, X[r:r + 1], B, players)[0]  # (d, nb, h)
            step = int(min(2 * P, max(1, budget // (d * Zb.shape[0] * width))))
            for w0 in range(0, 2 * P, step):
                order = orders[w0:w0 + step]  # (W, d)
                Z = D[order]  # (W, d, nb, h), a copy: each step adds one term below
                # In place, step after step: the same sums as np.cumsum, which on this
                # 4-d array was 13 times slower (most of the sampled mode's time).
                for t in range(1, d):
                    np.add(Z[:, t - 1], Z[:, t], out=Z[:, t])
                Z += Zb
                v = np.tensordot(_outputs(net, Z, output), wb, axes=([2], [0]))  # (W, d, k)
                gains = np.diff(v, axis=1, prepend=np.broadcast_to(
                    v_empty, (len(order), 1, k)))
                credit = np.empty_like(gains)
                np.put_along_axis(credit, order[:, :, None], gains, axis=1)
                walks[w0:w0 + len(order)] += credit.transpose(0, 2, 1)
        pairs = 0.5 * (walks[:P] + walks[P:])  # (P, k, d)
        if entries is not None:
            pairs = np.stack([pairs[..., e].sum(axis=-1) for e in entries], axis=-1)
        phi[r] = pairs.mean(axis=0)
        if P > 1:
            standard_error[r] = pairs.std(axis=0, ddof=1) / np.sqrt(P)

    _run_blocks(work, list(range(n)), n_threads)
    return phi, standard_error, expected


def coalition_outputs(net, X, background, weights, players, output="proba", *,
                      n_threads=None):
    """The background-averaged output of every coalition of the players, for every row.

    The coalitions are built as in :func:`exact_shapley` (a doubling table of the low
    players' terms plus one shared term per subset of the others), but their values
    are returned instead of being weighted into Shapley values, for games that are a
    nonlinear function of them (SAGE's loss).

    Parameters
    ----------
    net, X, background, weights, players, output, n_threads
        As in :func:`exact_shapley`.

    Returns
    -------
    values : ndarray of shape (n_rows, 2**n_players, n_outputs)
        ``values[r, S]``, S a bit mask of the players (bit j: player j keeps row r's
        values): ``sum_b weights[b] F(x_S, b_rest)``.
    expected : ndarray of shape (n_outputs,)
        ``v(empty set)``, the weighted mean output on the background.
    """
    d = len(players)
    if d > MAX_EXACT_PLAYERS:
        raise ValueError(f"Exact coalitions are limited to {MAX_EXACT_PLAYERS} players "
                         f"(2**{d} coalitions asked).")
    n, k = X.shape[0], net.n_outputs
    X = np.asarray(X, dtype=net.dtype)
    values = np.zeros((n, 1 << d, k))
    expected = np.zeros(k)
    budget = _budget_elements(net)
    width = max(W.shape[1] for W in net.coefs)
    for B, wb in _background_chunks(net, np.asarray(background, dtype=net.dtype), weights):
        Zb = _first_layer(net, B)
        nb, h = Zb.shape
        expected += _outputs(net, Zb.copy(), output).T @ wb
        per_coalition = nb * width
        m = int(min(d, max(0, np.floor(np.log2(max(1, budget // per_coalition))))))
        rows_per_block = int(min(n, max(1, budget // (per_coalition << m))))

        def work(rows):
            D = _player_terms(net, X[rows], B, players)
            table = np.empty((D.shape[0], 1 << m, nb, h), dtype=net.dtype)
            table[:, 0] = Zb
            for bit in range(m):
                np.add(table[:, :1 << bit], D[:, bit, None],
                       out=table[:, 1 << bit:2 << bit])
            block = np.empty_like(table)
            for high in range(1 << (d - m)):
                high_member = ((high >> np.arange(d - m)) & 1).astype(bool)
                shared = D[:, m:][:, high_member].sum(axis=1)  # (R, nb, h)
                np.add(table, shared[:, None], out=block)
                values[rows, high << m:(high + 1) << m] += np.tensordot(
                    _outputs(net, block, output), wb, axes=([2], [0]))

        blocks = [slice(r0, min(n, r0 + rows_per_block))
                  for r0 in range(0, n, rows_per_block)]
        _run_blocks(work, blocks, n_threads)
    return values, expected


def sage_walks(net, X, background, weights, players, rows, orders, output="proba", *,
               n_threads=None):
    """The background-averaged outputs along walks that add the players one at a time.

    Walk w explains row ``X[rows[w]]``: it starts from the background (no player) and
    adds the players ``orders[w, 0], orders[w, 1], ...``, each step one rank-one term of
    the first layer's pre-activation for all background rows at once, so each step
    costs one pass through the later layers. The walks are given (drawn by the caller),
    so the numbers do not depend on ``n_threads`` or on how the walks are blocked.

    Parameters
    ----------
    net, X, background, weights, players, output, n_threads
        As in :func:`exact_shapley`.
    rows : ndarray of int of shape (n_walks,)
        The row of X each walk explains.
    orders : ndarray of int of shape (n_walks, n_players)
        The order in which each walk adds the players (a permutation of them).

    Returns
    -------
    steps : ndarray of shape (n_walks, n_players + 1, n_outputs)
        ``steps[w, t] = sum_b weights[b] F(x_S, b_rest)`` with S the first ``t``
        players of ``orders[w]``, for the row ``X[rows[w]]``: ``steps[w, 0]`` is the
        empty coalition, evaluated with the walk's own steps so that a player that
        changes nothing changes the output by exactly 0 (a separate pass through the
        layers may round differently).
    expected : ndarray of shape (n_outputs,)
        ``v(empty set)``, the weighted mean output on the background.
    """
    X = np.asarray(X, dtype=net.dtype)
    rows = np.asarray(rows, dtype=np.intp)
    orders = np.asarray(orders, dtype=np.intp)
    n_walks, d = orders.shape
    k = net.n_outputs
    width = max(W.shape[1] for W in net.coefs)
    steps = np.zeros((n_walks, d + 1, k))
    expected = np.zeros(k)
    W1 = net.coefs[0]
    columns = [np.asarray(cols, dtype=int) for cols in players]
    chunks = []
    for B, wb in _background_chunks(net, np.asarray(background, dtype=net.dtype), weights):
        Zb = _first_layer(net, B)
        expected += _outputs(net, Zb.copy(), output).T @ wb
        # Each player's term of the background rows, once for all walks: (d, nb, h).
        terms = np.stack([B[:, cols] @ W1[cols] for cols in columns])
        chunks.append((wb, Zb, terms))
    largest = max(Zb.shape[0] for _, Zb, _ in chunks)
    # Each walk holds its running sums (d + 1 x nb x h) and the later layers' outputs.
    per_walk = max(1, 2 * (d + 1) * largest * width)
    budget = _budget_elements(net)
    # Each step of a block is a few numpy calls on (walks x nb x h): with a small
    # background one walk per call is mostly call overhead (measured: 0.5 ms a walk of
    # 30 steps on 15 rows, MLP (100,)), so blocks hold at least 2**15 elements a step,
    # up to four times the budget.
    walks_per_block = max(budget // per_walk, -(-2**15 // (largest * width)))
    walks_per_block = int(min(max(n_walks, 1), walks_per_block,
                              max(1, 4 * budget // per_walk)))

    # The walked rows' own terms in walk order: (n_walks, d, h), once for all.
    x = X[rows]
    own = np.stack([x[:, cols] @ W1[cols] for cols in columns], axis=1)
    own = own[np.arange(n_walks)[:, None], orders]

    def walk_block(block):
        order = orders[block]
        for wb, Zb, terms in chunks:
            Z = np.empty((len(order), d + 1) + Zb.shape, dtype=net.dtype)
            Z[:, 0] = Zb
            # Each step's term, in walk order, then the running sums in place, step
            # after step (np.cumsum on this 4-d array is much slower).
            np.subtract(own[block, :, None], terms[order], out=Z[:, 1:])
            for t in range(1, d + 1):
                np.add(Z[:, t - 1], Z[:, t], out=Z[:, t])
            steps[block] += np.tensordot(_outputs(net, Z, output), wb, axes=([2], [0]))

    def work(group):
        for block in group:
            walk_block(block)

    blocks = [slice(w0, min(n_walks, w0 + walks_per_block))
              for w0 in range(0, n_walks, walks_per_block)]
    # A block may be a single walk: each thread takes every n_threads-th block, as one
    # task per block costs more in scheduling than the walk itself.
    n_threads = _blas_threads() if n_threads is None else n_threads
    groups = [blocks[i::max(1, n_threads)] for i in range(max(1, n_threads))]
    _run_blocks(work, [g for g in groups if g], n_threads)
    return steps, expected
