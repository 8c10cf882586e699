import pytest
import torch

RESUMES = ['python developer who likes jobs at company 1', 'cook',
           'Registered nurses; ICU please', 'line cook', 'driver',
           'teacher']


@pytest.fixture
def graph(rec_graph):
    rec_graph['user'].resume_irc = RESUMES
    return rec_graph


def _randomize(model, seed=0):
    # Trained-looking parameters: every part and the GAN's generator act.
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=gen))
    return model


@pytest.fixture
def randomize():
    r"""Sets a model's parameters to random, trained-looking values."""
    return _randomize
