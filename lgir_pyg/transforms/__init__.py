from lgir_pyg.transforms.per_user_split import PerUserSplit

__all__ = ['PerUserSplit']
