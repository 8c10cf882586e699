from typing import Union

from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.llm import CachedGenerator, ResumePrompts, TextGenerator


@functional_transform('complete_resumes')
class CompleteResumes(BaseTransform):
    r"""Completes every user's self-description into a resume with an LLM
    (LGIR stage 1) and stores it as :obj:`data['user'].resume` (a list of
    strings aligned with :obj:`data['user'].text`, which stays as it is).

    :obj:`mode="irc"` (interactive resume completion) shows the LLM up to
    :obj:`k` of the user's most recent *training* interactions, so it infers
    skills from behaviour; :obj:`mode="src"` shows the self-description
    alone. The repr names the model and the template version, so PyG's
    :obj:`pre_transform` cache sees a changed model or prompt.

    Args:
        generator (TextGenerator or CachedGenerator): The LLM, ideally
            wrapped in a :class:`~lgir_pyg.llm.CachedGenerator`.
        mode (str, optional): :obj:`"irc"` or :obj:`"src"`.
            (default: :obj:`"irc"`)
        k (int, optional): Training interactions shown by IRC.
            (default: :obj:`5`)
    """
    def __init__(self, generator: Union[TextGenerator, CachedGenerator],
                 mode: str = 'irc', k: int = 5) -> None:
        if isinstance(generator, TextGenerator):
            generator = CachedGenerator(generator)
        self.generator = generator
        self.prompts = ResumePrompts(mode=mode, k=k)

    def forward(self, data: HeteroData) -> HeteroData:
        prompts = self.prompts.build(data)
        data['user'].resume = self.generator.generate(prompts,
                                                      self.prompts.version)
        return data

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.generator.name}, '
                f'{self.prompts.version})')
