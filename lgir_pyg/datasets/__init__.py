from lgir_pyg.datasets.tables import TableError, from_tables
from lgir_pyg.datasets.graph import interaction_edge_type, reverse_edge_type
from lgir_pyg.datasets.kaggle_job_views import KaggleJobViews, lgir_home
from lgir_pyg.datasets.tables_dataset import TablesDataset
from lgir_pyg.datasets.split import PerUserSplit

__all__ = [
    'from_tables', 'TableError', 'KaggleJobViews', 'TablesDataset',
    'interaction_edge_type', 'reverse_edge_type', 'lgir_home', 'PerUserSplit'
]
