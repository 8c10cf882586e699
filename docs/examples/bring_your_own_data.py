import pandas as pd

from lgir_pyg.datasets import from_tables
from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import build_model
from lgir_pyg.text import SentenceTransformerEncoder
from lgir_pyg.transforms import EncodeText, PerUserSplit

# 1. Three tables as they come, here from a bike shop: DataFrames, or paths
#    to CSV (UTF-8) or Parquet files. Customers and products are keyed
#    `id`; the purchases name them by `user_id` and `item_id`.
customers = pd.DataFrame({
    'id': ['c1', 'c2', 'c3', 'c4'],
    'about': [
        'Weekend road cyclist, rides 100 km every Sunday.',
        'Commutes by bike in the rain, all year.',
        '',  # Empty self-descriptions are allowed.
        'Takes the kids to school on a cargo bike.',
    ],
})
products = pd.DataFrame({
    'id': ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'],
    'name': ['Road helmet', 'Rain jacket', 'Bike lights', 'Child seat',
             'Bar tape', 'Mudguards'],
    'description': [
        'Lightweight road cycling helmet with MIPS',
        'Waterproof, breathable cycling rain jacket',
        'USB rechargeable front and rear bike lights',
        'Rear-mounted child seat for cargo and city bikes',
        'Cork bar tape for road handlebars',
        'Full-length mudguards that keep commuters dry',
    ],
})
purchases = pd.DataFrame({
    'user_id': ['c1', 'c1', 'c1', 'c2', 'c2', 'c2', 'c2', 'c3', 'c3', 'c4',
                'c4'],
    'item_id': ['p1', 'p5', 'p3', 'p2', 'p6', 'p2', 'p3', 'p3', 'p1', 'p4',
                'p3'],
    'time': ['2024-03-01', '2024-03-02', '2024-03-05', '2024-01-10',
             '2024-01-12', '2024-01-14', '2024-02-01', '2024-02-03',
             '2024-02-04', '2024-04-01', '2024-04-02'],
})

# 2. The bipartite graph: each table's columns by name, no renaming; the
#    interactions' `user_id`, `item_id` and `time` are the defaults. The
#    repeated pair (c2, p2) becomes one edge.
data = from_tables(
    customers, products, purchases,
    users_id_column='id', user_text_column='about',
    items_id_column='id', item_text_column='description',
    item_title_column='name',
    user_type='customer', item_type='product', relation='buys')

# 3. Hold out the last purchase of each customer with >= 2 for test and
#    the second-to-last of each customer with >= 3 for validation.
data = PerUserSplit()(data)

# 4. Text embeddings of customers and products as node features `x`, with
#    the bundled all-MiniLM-L6-v2 (offline). Other texts get their own
#    features: EncodeText(encoder, 'customer', 'resume_irc') writes `x_irc`.
data = EncodeText(SentenceTransformerEncoder())(data)
print(data)

# 5. Any model reads its features from the graph and goes through the same
#    evaluator; here the zero-shot cosine of customer and product texts.
model = build_model('text', data)
result = Evaluator(data).evaluate(model.scorer(), split='test')
print({name: round(result[name], 3) for name in ('ndcg@5', 'mrr', 'count')})
