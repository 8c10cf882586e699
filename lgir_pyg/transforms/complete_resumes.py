from typing import List, Optional, Union

from torch_geometric.data import HeteroData
from torch_geometric.data.datapipes import functional_transform
from torch_geometric.transforms import BaseTransform

from lgir_pyg.datasets.graph import EdgeType, interaction_edge_type
from lgir_pyg.llm import CachedGenerator, ResumePrompts, TextGenerator
from lgir_pyg.transforms.recent_items import node_texts, recent_item_texts


def user_prompts(data: HeteroData, prompts: ResumePrompts,
                 edge_type: Optional[EdgeType] = None) -> List[str]:
    r"""The prompts of :obj:`prompts` for every user of :obj:`data`, read
    from the graph: the users' :obj:`text` and, for IRC, the texts of their
    :obj:`prompts.k` most recent *training* items
    (:func:`~lgir_pyg.transforms.recent_item_texts`). Users and items are
    the source and destination node types of the interaction edge type
    (:obj:`edge_type`, or the one non-reverse edge type of :obj:`data`)."""
    edge_type = interaction_edge_type(data, edge_type)
    texts = node_texts(data, edge_type[0])
    if prompts.mode == 'src':  # No item is shown (nor needs a text).
        return prompts.build(texts)
    return prompts.build(texts, recent_item_texts(data, prompts.k,
                                                  edge_type))


@functional_transform('complete_resumes')
class CompleteResumes(BaseTransform):
    r"""Completes every user's self-description into a resume with an LLM
    (LGIR stage 1) and stores it as :obj:`data[user_type].resume_<mode>`
    (e.g. :obj:`resume_irc`: a list of strings aligned with the user's
    :obj:`text`, which stays as it is), so the resumes of several modes
    coexist (functional name: :obj:`complete_resumes`).

    :obj:`mode="irc"` (interactive resume completion) shows the LLM up to
    :obj:`k` of the user's most recent *training* interactions, so it infers
    skills from behaviour; :obj:`mode="src"` shows the self-description
    alone. The user node type is the source of the interaction edge type.
    The repr names the model and the template version, so PyG's
    :obj:`pre_transform` cache sees a changed model or prompt.

    Args:
        generator (TextGenerator or CachedGenerator): The LLM, ideally
            wrapped in a :class:`~lgir_pyg.llm.CachedGenerator`.
        mode (str, optional): :obj:`"irc"` or :obj:`"src"`.
            (default: :obj:`"irc"`)
        k (int, optional): Training interactions shown by IRC.
            (default: :obj:`5`)
        prompts (ResumePrompts, optional): The prompt builder, for a
            template of your own; overrides :obj:`mode` and :obj:`k`.
            (default: :obj:`None`)
        edge_type (tuple, optional): The interaction edge type; inferred if
            :obj:`None`. (default: :obj:`None`)
        only_missing (bool, optional): If the graph already has
            :obj:`resume_<mode>`, complete only the users whose entry is
            :obj:`None` (e.g. those a file of resumes made elsewhere
            lacks); the others keep theirs. (default: :obj:`False`)
    """
    def __init__(self, generator: Union[TextGenerator, CachedGenerator],
                 mode: str = 'irc', k: int = 5,
                 prompts: Optional[ResumePrompts] = None,
                 edge_type: Optional[EdgeType] = None,
                 only_missing: bool = False) -> None:
        if isinstance(generator, TextGenerator):
            generator = CachedGenerator(generator)
        self.generator = generator
        self.prompts = prompts or ResumePrompts(mode=mode, k=k)
        self.edge_type = edge_type
        self.only_missing = only_missing

    @property
    def out_attr(self) -> str:
        return f'resume_{self.prompts.mode}'

    def forward(self, data: HeteroData) -> HeteroData:
        edge_type = interaction_edge_type(data, self.edge_type)
        store = data[edge_type[0]]
        prompts = user_prompts(data, self.prompts, edge_type)
        resumes = list(store[self.out_attr]) if (
            self.only_missing and self.out_attr in store) else \
            [None] * len(prompts)
        todo = [i for i, resume in enumerate(resumes) if resume is None]
        texts = self.generator.generate([prompts[i] for i in todo],
                                        self.prompts.version)
        for i, text in zip(todo, texts):
            resumes[i] = text
        store[self.out_attr] = resumes
        return data

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.generator.name}, '
                f'{self.prompts.version})')
