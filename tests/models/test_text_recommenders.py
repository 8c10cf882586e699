import torch
import torch.nn.functional as F

from lgir_pyg.models import build_model


def test_text_cosine_and_job_mean(rec_graph):
    user_x, item_x = rec_graph['user'].x, rec_graph['job'].x
    cosine = F.normalize(user_x, dim=-1) @ F.normalize(item_x, dim=-1).t()
    model = build_model('text', rec_graph)
    assert torch.allclose(model.scorer()(torch.arange(6)), cosine, atol=1e-6)

    # User 2 trained on jobs 1 and 3.
    mean = (F.normalize(user_x[2], dim=0) + F.normalize(item_x[1], dim=0) +
            F.normalize(item_x[3], dim=0))
    expected = F.normalize(item_x, dim=-1) @ F.normalize(mean, dim=0)
    model = build_model('job-mean', rec_graph)
    assert torch.allclose(model.scorer()(torch.tensor([2]))[0], expected,
                          atol=1e-6)
