"""The network core: everything skimportance knows about a fitted MLP, in numpy.

- ``Network``: the layers in the coordinates of X's columns (per-feature scalers of a
  Pipeline folded into the first layer by ``unwrap_network``), the forward pass, exact
  input Jacobians by back-propagation (``input_gradients``, ``gradient_batches``) and
  the Jacobian of the output activation (``output_jacobian``);
- one table of activations (``HIDDEN``, ``OUTPUT``) and their derivatives
  (``derivative``, ``multiply_by_derivative``), used by every method;
- ``chunk_rows``: the one row-chunk budget (``CACHE_BYTES``) of the streamed loops;
- unwrapping Pipelines and frozen estimators (``final_step``, ``is_frozen``,
  ``unfreeze``, ``is_mlp``, ``probe_affine``);
- encoded columns: ``network_inputs`` traces each network input back to the column of
  X it came from, ``entry_columns`` maps results back, ``with_fitted_names`` restores names;
- the rank-one engine of the score methods (``RankOneNetwork``, ``fast_network``,
  ``single_threaded_blas``) and its numba kernels (``_kernels``);
- the coalition engine of Shapley values (``exact_shapley``, ``sampled_shapley``) and
  of SAGE (``coalition_outputs``, ``sage_walks``);
- exact per-row Hessians of the outputs and their summaries over rows
  (``hessian_batches``, ``hessian_summary``, ``row_summary``), computed on threads
  sharing cache-sized chunks (``threaded_chunks``, ``threaded_map``, which also
  serve the gradients and SmoothGrad).

Nothing outside this package imports an underscore name from it.
"""

from ._columns import entry_columns, with_fitted_names, network_inputs
from ._core import (
    CACHE_BYTES,
    GRADIENT_CHUNK_BYTES,
    HIDDEN,
    OUTPUT,
    Network,
    NotAnMLPError,
    chunk_rows,
    derivative,
    final_step,
    is_frozen,
    is_mlp,
    multiply_by_derivative,
    probe_affine,
    unfreeze,
    unwrap_network,
)
from ._hessian import hessian_batches, hessian_summary, row_summary
from ._threads import threaded_chunks, threaded_map
from ._rank_one import RankOneNetwork, fast_network, single_threaded_blas
from ._coalitions import MAX_EXACT_PLAYERS, exact_shapley, sampled_shapley, shapley_weights
from ._coalitions import coalition_outputs, sage_walks

__all__ = [
    "CACHE_BYTES", "GRADIENT_CHUNK_BYTES", "HIDDEN", "OUTPUT", "Network", "NotAnMLPError", "RankOneNetwork",
    "chunk_rows", "derivative", "entry_columns", "fast_network", "final_step",
    "is_frozen", "is_mlp", "with_fitted_names", "multiply_by_derivative", "network_inputs",
    "probe_affine", "single_threaded_blas", "unfreeze", "unwrap_network",
    "MAX_EXACT_PLAYERS", "exact_shapley", "sampled_shapley", "shapley_weights",
    "coalition_outputs", "sage_walks",
    "hessian_batches", "hessian_summary", "row_summary", "threaded_chunks", "threaded_map",
]
