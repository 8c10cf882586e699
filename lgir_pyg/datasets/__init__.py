from lgir_pyg.datasets.tables import TableError, from_tables
from lgir_pyg.datasets.kaggle_job_views import KaggleJobViews

__all__ = ['from_tables', 'TableError', 'KaggleJobViews']
