r"""Layers, models and losses of LGIR, in pure PyTorch and PyG.

Their forward passes need no host synchronisation; checks that would need
one (finite features, indices in range) run only in PyG's debug mode:

.. code-block:: python

    with torch_geometric.debug():
        user_emb, item_emb = model(edge_index, user_x, item_x)
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
