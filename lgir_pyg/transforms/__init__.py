r"""PyG transforms, where text meets the graph: the per-user split (a
dataset's default, re-exported), resume completion, the no-LLM context,
text encoding and the refinement of few-shot users' embeddings."""
from lgir_pyg.datasets.split import PerUserSplit
from lgir_pyg.transforms.recent_items import (recent_item_texts,
                                              recent_training_items)
from lgir_pyg.transforms.complete_resumes import CompleteResumes, user_prompts
from lgir_pyg.transforms.interaction_context import (InteractionContext,
                                                     user_context)
from lgir_pyg.transforms.encode_text import EncodeText, feature_name
from lgir_pyg.transforms.refine_resumes import RefineResumes

__all__ = [
    'PerUserSplit', 'CompleteResumes', 'InteractionContext', 'EncodeText',
    'feature_name', 'RefineResumes', 'recent_training_items',
    'recent_item_texts', 'user_prompts', 'user_context'
]
