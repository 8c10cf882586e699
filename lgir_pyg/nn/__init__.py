from lgir_pyg.nn.gan import (
    GANRefine,
    ResumeDiscriminator,
    ResumeGenerator,
    discriminator_loss,
    generator_loss,
    shot_masks,
)
from lgir_pyg.nn.lgir import LGIR

__all__ = [
    'GANRefine',
    'LGIR',
    'ResumeDiscriminator',
    'ResumeGenerator',
    'discriminator_loss',
    'generator_loss',
    'shot_masks',
]
