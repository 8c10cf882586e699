import torch
from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.nn import GANRefine


@functional_transform('refine_resumes')
class RefineResumes(BaseTransform):
    r"""Replaces the text embeddings :obj:`data[node_type].x` of the users
    that a trained :class:`~lgir_pyg.nn.GANRefine` selects (by default the
    few-shot users, found from :obj:`data[node_type].num_train_interactions`)
    by their refined embeddings :math:`G(\mathbf{t})`
    (functional name: :obj:`refine_resumes`).

    The generator runs in evaluation mode and without gradients.

    .. note::

        The repr names the settings of :obj:`refine` but not its trained
        weights: do not use this transform as a cached :obj:`pre_transform`.

    Args:
        refine (GANRefine): The trained refinement layer.
        node_type (str, optional): The node type holding the resumes.
            (default: :obj:`"user"`)
    """
    def __init__(self, refine: GANRefine, node_type: str = 'user') -> None:
        self.refine = refine
        self.node_type = node_type

    def forward(self, data: HeteroData) -> HeteroData:
        store = data[self.node_type]
        training = self.refine.training
        self.refine.eval()
        with torch.no_grad():
            store.x = self.refine(store.x, store.get('num_train_interactions'))
        self.refine.train(training)
        return data

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.refine}, '
                f'node_type={self.node_type})')
