import pandas as pd

from lgir_pyg.datasets import from_tables
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import build_model
from lgir_pyg.text import SentenceTransformerEncoder
from lgir_pyg.transforms import EncodeText, PerUserSplit

# 1. Three tables: DataFrames, or paths to CSV (UTF-8) or Parquet files.
users = pd.DataFrame({
    'user_id': ['u1', 'u2', 'u3', 'u4'],
    'text': [
        'Retail cashier, friendly, looking for full-time work.',
        'Registered nurse with ICU experience.',
        '',  # Empty self-descriptions are allowed.
        'Line cook; I like busy kitchens.',
    ],
})
jobs = pd.DataFrame({
    'job_id': ['j1', 'j2', 'j3', 'j4', 'j5', 'j6'],
    'title': ['Cashier', 'RN', 'Barista', 'Line Cook', 'CNA', 'Host'],
    'text': [
        'Cashier @ Target, Denver, Retail',
        'Registered Nurse (ICU) @ Kaiser, Oakland, Healthcare',
        'Barista @ Blue Bottle, Oakland, Food service',
        'Line Cook @ Chez Panisse, Berkeley, Restaurants',
        'Certified Nursing Assistant @ Sutter, Oakland, Healthcare',
        'Host @ Haven, Oakland, Restaurants',
    ],
})
interactions = pd.DataFrame({
    'user_id': ['u1', 'u1', 'u1', 'u2', 'u2', 'u2', 'u2', 'u3', 'u3', 'u4',
                'u4'],
    'job_id': ['j1', 'j3', 'j6', 'j2', 'j5', 'j2', 'j1', 'j3', 'j4', 'j4',
               'j6'],
    'time': ['2024-01-01', '2024-01-02', '2024-01-05', '2024-02-01',
             '2024-02-03', '2024-02-04', '2024-02-06', '2024-03-01',
             '2024-03-02', '2024-04-01', '2024-04-02'],
})

# 2. The bipartite graph; the repeated pair (u2, j2) becomes one edge.
data = from_tables(users, jobs, interactions)

# 3. Hold out the last interaction of each user with >= 2 for test and the
#    second-to-last of each user with >= 3 for validation.
data = PerUserSplit()(data)

# 4. Text embeddings of users and jobs as node features `x`, with the
#    bundled all-MiniLM-L6-v2 (offline). Other texts get their own
#    features: EncodeText(encoder, 'user', 'resume_irc') writes `x_irc`.
data = EncodeText(SentenceTransformerEncoder())(data)
print(data)

# 5. Any model reads its features from the graph and goes through the same
#    evaluator; here the zero-shot cosine of user and job texts.
model = build_model('text', data)
result = Evaluator(data).evaluate(model.scorer(), split='test')
print({name: round(result[name], 3) for name in ('ndcg@5', 'mrr', 'count')})
