from lgir_pyg.transforms.per_user_split import PerUserSplit
from lgir_pyg.transforms.complete_resumes import CompleteResumes
from lgir_pyg.transforms.encode_text import EncodeText
from lgir_pyg.transforms.gan_refine import RefineResumes

__all__ = ['PerUserSplit', 'CompleteResumes', 'EncodeText', 'RefineResumes']
