import math

import pytest
import torch

from lgir_pyg.training import Evaluator

METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')


def naive_metrics(ranking, relevant):
    # By hand from a ranked list of jobs and the set of relevant jobs.
    hits = [job in relevant for job in ranking]
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits[:5]) if hit)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 5)))
    precision_sum = sum(
        sum(hits[:i + 1]) / (i + 1) for i, hit in enumerate(hits[:5]) if hit)
    first = next((i for i, hit in enumerate(hits) if hit), None)
    return {
        'ndcg@5': dcg / idcg,
        'map@5': precision_sum / min(len(relevant), 5),
        'mrr': 0.0 if first is None else 1 / (first + 1),
        'recall@10': sum(hits[:10]) / len(relevant),
        'recall@20': sum(hits[:20]) / len(relevant),
    }


def pairs(index):
    return [tuple(p) for p in index.t().tolist()]


def naive_full(data, scores, split):
    store = data['user', 'interacts', 'job']
    labels = pairs(store[f'{split}_edge_label_index'])
    excluded = pairs(store.edge_index)
    if split == 'test':
        excluded += pairs(store.val_edge_label_index)
    warm = set(store.edge_index[1].tolist())
    out = {}
    for user in sorted({u for u, _ in labels}):
        candidates = [j for j in range(scores.size(1))
                      if (user, j) not in excluded]
        ranking = sorted(candidates, key=lambda j: -float(scores[user, j]))
        relevant = {j for u, j in labels if u == user}
        out[user] = {
            'all': naive_metrics(ranking, relevant),
            'warm': relevant & warm and naive_metrics(ranking,
                                                      relevant & warm),
            'cold': relevant - warm and naive_metrics(ranking,
                                                      relevant - warm),
        }
    return out


def mean(values):
    return sum(values) / len(values)


@pytest.mark.parametrize('split', ['val', 'test'])
def test_full_ranking_equals_naive_loop(rec_graph, split):
    scores = torch.randn(6, 12, generator=torch.Generator().manual_seed(0))
    evaluator = Evaluator(rec_graph, num_sampled_negatives=3, batch_size=2)
    assert str(evaluator) == ('Evaluator(ndcg@5, map@5, mrr, recall@10, '
                              'recall@20, num_sampled_negatives=3, seed=0)')
    out = evaluator.evaluate(lambda user: scores[user], split, per_user=True)
    naive = naive_full(rec_graph, scores, split)

    users = sorted(naive)
    assert out['count'] == len(users)
    assert out['per_user']['user'].tolist() == users
    for name in METRICS:
        expected = [naive[u]['all'][name] for u in users]
        assert out['per_user'][name].tolist() == pytest.approx(expected)
        assert out[name] == pytest.approx(mean(expected))
        for kind in ('warm', 'cold'):
            values = [naive[u][kind][name] for u in users if naive[u][kind]]
            assert out['warm_cold'][kind]['count'] == len(values)
            assert out['warm_cold'][kind][name] == pytest.approx(mean(values))

    num_train = {u: n for u, n in enumerate(
        rec_graph['user'].num_train_interactions.tolist())}
    groups = {'1': [1], '2': [2], '3-5': [3, 4, 5], '6+': [6]}
    for group, sizes in groups.items():
        members = [u for u in users if num_train[u] in sizes]
        assert out['groups'][group]['count'] == len(members)
        if members:
            assert out['groups'][group]['ndcg@5'] == pytest.approx(
                mean([naive[u]['all']['ndcg@5'] for u in members]))
        else:
            assert out['groups'][group]['ndcg@5'] is None


def test_exclusion(rec_graph):
    # Training jobs score highest, yet cannot push the held-out job down.
    store = rec_graph['user', 'interacts', 'job']
    scores = torch.zeros(6, 12)
    scores[store.edge_index[0], store.edge_index[1]] = 10.0
    scores[store.val_edge_label_index[0], store.val_edge_label_index[1]] = 5.
    evaluator = Evaluator(rec_graph, num_sampled_negatives=3)
    out = evaluator.evaluate(lambda user: scores[user], 'val')
    assert out['ndcg@5'] == out['mrr'] == 1.0

    # On test, validation jobs are excluded too.
    scores[store.test_edge_label_index[0],
           store.test_edge_label_index[1]] = 1.0
    out = evaluator.evaluate(lambda user: scores[user], 'test')
    assert out['recall@10'] == 1.0
    assert out['mrr'] == 1.0


def test_ties_count_against_the_held_out_job(make_rec_graph):
    evaluator = Evaluator(make_rec_graph(num_jobs=30),
                          num_sampled_negatives=20)
    for protocol in ('full', 'sampled'):
        out = evaluator.evaluate(lambda user: torch.ones(user.numel(), 30),
                                 'test', protocol)
        assert out['ndcg@5'] == out['recall@20'] == 0.0


def test_sampled_protocol(rec_graph):
    store = rec_graph['user', 'interacts', 'job']
    interacted = set(pairs(torch.cat([store.edge_index,
                                      store.val_edge_label_index,
                                      store.test_edge_label_index], 1)))
    # User 0 interacted with 8 of 12 jobs: 4 negatives must be all others.
    evaluator = Evaluator(rec_graph, num_sampled_negatives=4)
    for split in ('val', 'test'):
        labels = pairs(store[f'{split}_edge_label_index'])
        candidates = evaluator.sampled_candidates(split)
        assert candidates.size() == (len(labels), 5)
        assert candidates[:, -1].tolist() == [j for _, j in labels]
        for (user, _), row in zip(labels, candidates[:, :-1].tolist()):
            assert len(set(row)) == 4
            assert not {(user, j) for j in row} & interacted
        row = candidates[[u for u, _ in labels].index(0), :-1]
        assert sorted(row.tolist()) == [8, 9, 10, 11]

    # Fixed per seed, whatever the order of calls.
    other = Evaluator(rec_graph, num_sampled_negatives=4)
    assert torch.equal(other.sampled_candidates('test'),
                       evaluator.sampled_candidates('test'))
    assert not torch.equal(
        Evaluator(rec_graph, num_sampled_negatives=2,
                  seed=1).sampled_candidates('test'),
        Evaluator(rec_graph, num_sampled_negatives=2).sampled_candidates(
            'test'))

    scores = torch.randn(6, 12, generator=torch.Generator().manual_seed(1))
    out = evaluator.evaluate(lambda user: scores[user], 'test', 'sampled',
                             per_user=True)
    candidates = evaluator.sampled_candidates('test')
    expected = []
    for (user, job), row in zip(pairs(store.test_edge_label_index),
                                candidates.tolist()):
        ranking = sorted(row, key=lambda j: -float(scores[user, j]))
        expected.append(naive_metrics(ranking, {job}))
    assert out['count'] == 6
    assert out['per_user']['user'].tolist() == [0, 1, 2, 2, 3, 4]
    for name in METRICS:
        assert out['per_user'][name].tolist() == pytest.approx(
            [e[name] for e in expected])


def test_evaluator_errors(rec_graph):
    evaluator = Evaluator(rec_graph, num_sampled_negatives=3)
    with pytest.raises(ValueError, match="'split'"):
        evaluator.evaluate(lambda user: torch.zeros(user.numel(), 12), 'x')
    with pytest.raises(ValueError, match="'protocol'"):
        evaluator.evaluate(lambda user: torch.zeros(user.numel(), 12),
                           protocol='x')
    with pytest.raises(ValueError, match=r'shape \[5, 12\]'):
        evaluator.evaluate(lambda user: torch.zeros(user.numel(), 11), 'test')
    with pytest.raises(ValueError, match='NaN or infinite .* user 1'):
        evaluator.evaluate(lambda user: torch.where(
            user.view(-1, 1) == 1, float('nan'), torch.zeros(1, 12)), 'val')
    with pytest.raises(ValueError, match="Unknown metric 'hits@5'"):
        Evaluator(rec_graph, metrics=['hits@5'])
    with pytest.raises(ValueError, match='fewer than num_sampled_neg'):
        Evaluator(rec_graph).evaluate(
            lambda user: torch.zeros(user.numel(), 12), protocol='sampled')
    del rec_graph['user', 'interacts', 'job'].val_edge_label_index
    with pytest.raises(ValueError, match='split the graph first'):
        Evaluator(rec_graph)


def test_custom_metrics(rec_graph):
    evaluator = Evaluator(rec_graph, metrics=['recall@1', 'ndcg@2'],
                          num_sampled_negatives=3)
    out = evaluator.evaluate(lambda user: torch.zeros(user.numel(), 12))
    assert set(out) == {'recall@1', 'ndcg@2', 'count', 'groups',
                        'warm_cold'}
