import torch
from torch_geometric.data import HeteroData

from lgir_pyg.nn import GANRefine
from lgir_pyg.transforms import RefineResumes


def test_refine_resumes():
    refine = GANRefine(4, hidden_channels=8, dropout=0.5)
    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)
    transform = RefineResumes(refine)
    assert str(transform) == (
        'RefineResumes(GANRefine(4, hidden_channels=8, num_layers=2, k1=2, '
        'k2=5, identity_weight=1.0, select=threshold), node_type=user)')

    data = HeteroData()
    data['user'].x = x = torch.randn(3, 4)
    data['user'].num_train_interactions = torch.tensor([1, 3, 6])
    data['job'].x = job_x = torch.randn(2, 4)

    data = transform(data)
    assert refine.training  # Restored after running in evaluation mode.
    out = data['user'].x
    assert not out.requires_grad
    refine.eval()
    assert torch.allclose(out[0], refine.generator(x[:1])[0])
    assert torch.equal(out[1:], x[1:])
    assert torch.equal(data['job'].x, job_x)
