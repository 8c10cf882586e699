r"""Layers, models and losses of LGIR, in pure PyTorch and PyG.

Their inputs are checked the way PyG checks its own; every check raises a
:class:`~lgir_pyg.errors.UsageError` (a :class:`ValueError`) naming the
argument:

* **At construction, always:** sizes and depths (:obj:`num_users`,
  :obj:`embedding_dim`, :obj:`num_layers`, ...) are integers in range;
  probabilities, weights and scales (:obj:`dropout` in :math:`[0, 1)`,
  :obj:`identity_weight`, :obj:`alpha`, ...) are finite numbers in range;
  the thresholds :math:`0 \leq k_1 < k_2` and the choice arguments.
* **In every call, always:** what is known without reading a tensor's
  values, so it costs no host synchronisation: shapes, that indices
  (:obj:`edge_index`, :obj:`user_index`, :obj:`exclude_edge_index`, ...)
  are :obj:`torch.int64` or :obj:`torch.int32` tensors, and that features
  have the layer's floating point type (a layer converted with
  :meth:`~torch.nn.Module.double` takes :obj:`float64` features).
* **In PyG's debug mode only:** what needs the values, and so a host
  synchronisation: that every index is in range and that features are
  finite.

.. code-block:: python

    with torch_geometric.debug():
        user_emb, item_emb = model(edge_index, user_x, item_x)

Outside of debug mode an index out of range fails in torch itself, or,
where it still names a node of the joint user-item graph (a user index
past the last user is an item), is taken as that node; NaN or infinite
features give NaN scores. Run new data once in debug mode. The models of
:mod:`lgir_pyg.models` check that a graph's features are finite when they
are built.
"""
from lgir_pyg.nn.gan import (
    GANRefine,
    ResumeDiscriminator,
    ResumeGenerator,
    discriminator_loss,
    generator_loss,
    shot_masks,
    shot_thresholds,
)
from lgir_pyg.nn.hybrid_lgir import HybridLGIR
from lgir_pyg.nn.lgir import LGIR

__all__ = [
    'GANRefine',
    'LGIR',
    'HybridLGIR',
    'ResumeDiscriminator',
    'ResumeGenerator',
    'discriminator_loss',
    'generator_loss',
    'shot_masks',
    'shot_thresholds',
]
