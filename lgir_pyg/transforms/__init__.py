from lgir_pyg.transforms.per_user_split import PerUserSplit
from lgir_pyg.transforms.complete_resumes import CompleteResumes
from lgir_pyg.transforms.interaction_context import InteractionContext
from lgir_pyg.transforms.encode_text import EncodeText, feature_name
from lgir_pyg.transforms.gan_refine import RefineResumes

__all__ = [
    'PerUserSplit', 'CompleteResumes', 'InteractionContext', 'EncodeText',
    'feature_name', 'RefineResumes'
]
