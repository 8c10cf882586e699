import math

import pytest
import torch
from torch_geometric.data import HeteroData
from torch_geometric.transforms import RandomLinkSplit

from lgir_pyg.errors import DataError, UsageError
from lgir_pyg.evaluation import Evaluator

METRICS = ('ndcg@5', 'map@5', 'mrr', 'recall@10', 'recall@20')
EDGE_TYPE = ('user', 'interacts', 'job')


def naive_metrics(ranking, relevant):
    # By hand from a ranked list of candidates and the set of relevant ones.
    hits = [c in relevant for c in ranking]
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
        'hits@3': float(any(hits[:3])),
    }


def pairs(index):
    return [tuple(p) for p in index.t().tolist()]


def naive_full(data, scores, split, side='user', edge_type=EDGE_TYPE):
    # Pairs as (query, candidate): (user, job), or (job, user) for 'item'.
    def oriented(index):
        return [p if side == 'user' else p[::-1] for p in pairs(index)]

    store = data[edge_type]
    labels = oriented(store[f'{split}_edge_label_index'])
    excluded = oriented(store.edge_index)
    if split == 'test':
        excluded += oriented(store.val_edge_label_index)
    warm = {c for _, c in oriented(store.edge_index)}
    out = {}
    for query in sorted({q for q, _ in labels}):
        candidates = [c for c in range(scores.size(1))
                      if (query, c) not in excluded]
        ranking = sorted(candidates, key=lambda c: -float(scores[query, c]))
        relevant = {c for q, c in labels if q == query}
        out[query] = {
            'ranking': ranking,
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
    with pytest.raises(UsageError, match="Unknown metric 'auc@5'"):
        Evaluator(rec_graph, metrics=['auc@5'])
    # 12 jobs: user 0 has 6 unseen ones left, so 99 negatives shrink to 5
    # (user 0 interacted with jobs 0-7) for every query, with a warning.
    small = Evaluator(rec_graph)
    assert small.sampled_candidates('val').size(1) == 4 + 1
    out = small.evaluate(lambda user: torch.zeros(user.numel(), 12),
                         protocol='sampled')
    assert out['count'] == 2
    del rec_graph['user', 'interacts', 'job'].val_edge_label_index
    with pytest.raises(ValueError, match='split the graph first'):
        Evaluator(rec_graph)


def test_custom_metrics(rec_graph):
    evaluator = Evaluator(rec_graph, metrics=['recall@1', 'ndcg@2'],
                          num_sampled_negatives=3)
    out = evaluator.evaluate(lambda user: torch.zeros(user.numel(), 12))
    assert set(out) == {'recall@1', 'ndcg@2', 'count', 'groups',
                        'warm_cold'}


def renamed(data, src, rel, dst):
    # The same graph under other node and edge type names.
    out = HeteroData()
    out[src].num_nodes = data['user'].num_nodes
    out[dst].num_nodes = data['job'].num_nodes
    old = data[EDGE_TYPE]
    for key in ('edge_index', 'val_edge_label_index',
                'test_edge_label_index'):
        out[src, rel, dst][key] = old[key]
    out[dst, f'rev_{rel}', src].edge_index = old.edge_index.flip(0)
    return out


def test_any_type_names(rec_graph):
    scores = torch.randn(6, 12, generator=torch.Generator().manual_seed(2))
    data = renamed(rec_graph, 'customer', 'buys', 'product')
    evaluator = Evaluator(data, num_sampled_negatives=2)
    assert evaluator.edge_type == ('customer', 'buys', 'product')
    expected = Evaluator(rec_graph, num_sampled_negatives=2)
    for protocol in ('full', 'sampled'):
        for side in ('user', 'item'):
            score = scores if side == 'user' else scores.t()
            out = evaluator.evaluate(lambda i: score[i], 'test', protocol,
                                     side=side)
            assert out == expected.evaluate(lambda i: score[i], 'test',
                                            protocol, side=side)

    # A second interaction edge type has to be named.
    data['customer', 'views', 'product'].edge_index = torch.tensor([[0],
                                                                    [1]])
    with pytest.raises(DataError, match="pass 'edge_type'"):
        Evaluator(data)
    Evaluator(data, edge_type=('customer', 'buys', 'product'))
    with pytest.raises(DataError, match=r"no edge type \('a', 'b', 'c'\)"):
        Evaluator(data, edge_type=('a', 'b', 'c'))
    with pytest.raises(DataError, match=r"test_edge_label_index.* beyond 6"):
        data['customer', 'buys', 'product'].test_edge_label_index[0, 0] = 6
        Evaluator(data, edge_type=('customer', 'buys', 'product'))


@pytest.mark.parametrize('split', ['val', 'test'])
def test_item_side_equals_naive_loop(rec_graph, split):
    # Jobs rank users: score(job_index) is [len(job_index), num_users].
    scores = torch.randn(12, 6, generator=torch.Generator().manual_seed(3))
    evaluator = Evaluator(rec_graph, metrics=METRICS + ('hits@3', ),
                          batch_size=2)
    out = evaluator.evaluate(lambda job: scores[job], split, per_user=True,
                             side='item')
    naive = naive_full(rec_graph, scores, split, side='item')

    jobs = sorted(naive)
    assert out['count'] == len(jobs)
    assert out['per_user']['item'].tolist() == jobs
    for name in METRICS + ('hits@3', ):
        expected = [naive[j]['all'][name] for j in jobs]
        assert out['per_user'][name].tolist() == pytest.approx(expected)
        assert out[name] == pytest.approx(mean(expected))
    # Every held-out user has training jobs, so no example is cold.
    assert out['warm_cold']['warm']['count'] == len(jobs)
    assert out['warm_cold']['cold'] == {
        **{name: None for name in METRICS + ('hits@3', )}, 'count': 0}

    # Groups by the job's training users; '0' holds the cold jobs.
    degree = torch.bincount(rec_graph[EDGE_TYPE].edge_index[1],
                            minlength=12).tolist()
    groups = {'0': [0], '1': [1], '2': [2], '3-5': [3, 4, 5], '6+': [6]}
    assert list(out['groups']) == list(groups)
    for group, sizes in groups.items():
        members = [j for j in jobs if degree[j] in sizes]
        assert out['groups'][group]['count'] == len(members)
        if members:
            assert out['groups'][group]['mrr'] == pytest.approx(
                mean([naive[j]['all']['mrr'] for j in members]))
    if split == 'test':
        assert out['groups']['0']['count'] == 3  # Jobs 7, 8 and 9.


def test_item_side_sampled_protocol(rec_graph):
    store = rec_graph[EDGE_TYPE]
    interacted = set(pairs(torch.cat([store.edge_index,
                                      store.val_edge_label_index,
                                      store.test_edge_label_index], 1)))
    # Job 0 has users 0, 1, 5 (train) and 2 (test): 2 users are left.
    evaluator = Evaluator(rec_graph, num_sampled_negatives=2)
    labels = pairs(store.test_edge_label_index)
    candidates = evaluator.sampled_candidates('test', side='item')
    assert candidates[:, -1].tolist() == [u for u, _ in labels]
    for (user, job), row in zip(labels, candidates[:, :-1].tolist()):
        assert len(set(row)) == 2
        assert not {(u, job) for u in row} & interacted
    row = candidates[[j for _, j in labels].index(0), :-1]
    assert sorted(row.tolist()) == [3, 4]
    assert torch.equal(
        candidates,
        Evaluator(rec_graph, num_sampled_negatives=2).sampled_candidates(
            'test', side='item'))

    scores = torch.randn(12, 6, generator=torch.Generator().manual_seed(4))
    out = evaluator.evaluate(lambda job: scores[job], 'test', 'sampled',
                             per_user=True, side='item')
    assert out['per_user']['item'].tolist() == [j for _, j in labels]
    for name in METRICS:
        expected = [
            naive_metrics(sorted(row, key=lambda u: -float(scores[job, u])),
                          {user})[name]
            for (user, job), row in zip(labels, candidates.tolist())]
        assert out['per_user'][name].tolist() == pytest.approx(expected)

    with pytest.raises(UsageError, match="'side' must be one of"):
        evaluator.evaluate(lambda job: scores[job], side='job')
    with pytest.raises(UsageError, match=r"score\(job_index\) must return .*"
                       r"shape \[6, 6\], one score per 'user'"):
        evaluator.evaluate(lambda job: torch.zeros(job.numel(), 12), 'test',
                           side='item')
    # Job 0 has only 2 users it never met: every row gets 2 negatives.
    assert Evaluator(rec_graph, num_sampled_negatives=3).sampled_candidates(
        'test', side='item').size(1) == 2 + 1


def link_split_graph(num_users=8, num_jobs=10, num_edges=40):
    gen = torch.Generator().manual_seed(5)
    edge_index = torch.unique(torch.stack([
        torch.randint(num_users, (num_edges, ), generator=gen),
        torch.randint(num_jobs, (num_edges, ), generator=gen),
    ]), dim=1)
    data = HeteroData()
    data['user'].num_nodes = num_users
    data['job'].num_nodes = num_jobs
    data[EDGE_TYPE].edge_index = edge_index
    data['job', 'rev_interacts', 'user'].edge_index = edge_index.flip(0)
    return data


@pytest.mark.parametrize('split_labels', [False, True])
@pytest.mark.parametrize('disjoint_train_ratio', [0.0, 0.3])
def test_from_link_split(split_labels, disjoint_train_ratio):
    torch.manual_seed(0)
    data = link_split_graph()
    transform = RandomLinkSplit(
        num_val=0.2, num_test=0.2, edge_types=EDGE_TYPE,
        rev_edge_types=('job', 'rev_interacts', 'user'),
        split_labels=split_labels, disjoint_train_ratio=disjoint_train_ratio)
    train_data, val_data, test_data = transform(data)
    evaluator = Evaluator.from_link_split(train_data, val_data, test_data,
                                          num_sampled_negatives=2)
    # The input graphs are left as they were.
    assert 'val_edge_label_index' not in train_data[EDGE_TYPE]

    def positives(store):
        if split_labels:
            return store.pos_edge_label_index
        return store.edge_label_index[:, store.edge_label == 1]

    # Training pairs: all of the data's edges outside val and test.
    held_out = set(pairs(positives(val_data[EDGE_TYPE])) +
                   pairs(positives(test_data[EDGE_TYPE])))
    train = set(pairs(data[EDGE_TYPE].edge_index)) - held_out
    assert train == set(pairs(val_data[EDGE_TYPE].edge_index))
    # The same graph in PerUserSplit's layout.
    expected = HeteroData()
    expected['user'].num_nodes = 8
    expected['job'].num_nodes = 10
    store = expected[EDGE_TYPE]
    store.edge_index = torch.tensor(sorted(train)).t()
    store.val_edge_label_index = positives(val_data[EDGE_TYPE])
    store.test_edge_label_index = positives(test_data[EDGE_TYPE])

    scores = torch.randn(8, 10, generator=torch.Generator().manual_seed(6))
    for split in ('val', 'test'):
        out = evaluator.evaluate(lambda user: scores[user], split,
                                 per_user=True)
        naive = naive_full(expected, scores, split)
        assert out['per_user']['user'].tolist() == sorted(naive)
        assert out['per_user']['mrr'].tolist() == pytest.approx(
            [naive[u]['all']['mrr'] for u in sorted(naive)])
        # Message-passing edges of val/test data are not held out, and
        # negatives (label 0) are no targets.
        assert out['count'] == len({u for u, _ in pairs(
            positives(val_data[EDGE_TYPE] if split == 'val' else
                      test_data[EDGE_TYPE]))})
        assert (evaluator.sampled_candidates(split)[:, -1].tolist() ==
                store[f'{split}_edge_label_index'][1].tolist())


def test_link_split_errors():
    torch.manual_seed(0)
    train_data, val_data, test_data = RandomLinkSplit(
        edge_types=EDGE_TYPE,
        rev_edge_types=('job', 'rev_interacts', 'user'))(link_split_graph())
    with pytest.raises(DataError, match='Evaluator.from_link_split'):
        Evaluator(val_data)
    del test_data[EDGE_TYPE].edge_label_index
    with pytest.raises(DataError, match="test_data.* no 'edge_label_index'"):
        Evaluator.from_link_split(train_data, val_data, test_data)


@pytest.fixture
def beyond_graph(make_rec_graph):
    data = make_rec_graph(num_jobs=30)
    data['job'].industry = ['it', 'health', '', 'food'] * 7 + ['it', '']
    data['user'].gender = ['f', 'm', '', 'f', 'm', 'x']
    return data


def spread(values):
    values = [v for v in values if v is not None]
    m = mean(values)
    return max(values) - min(values), mean([(v - m)**2 for v in values])**.5


@pytest.mark.parametrize('split', ['val', 'test'])
def test_beyond_accuracy_equals_naive_loop(beyond_graph, split):
    scores = torch.randn(6, 30, generator=torch.Generator().manual_seed(7))
    evaluator = Evaluator(beyond_graph, metrics=['mrr'], batch_size=4,
                          item_category='industry', user_attribute='gender')
    assert str(evaluator) == ("Evaluator(mrr, num_sampled_negatives=99, "
                              "seed=0, item_category='industry', "
                              "user_attribute='gender')")
    out = evaluator.evaluate(lambda user: scores[user], split, beyond=True)
    plain = evaluator.evaluate(lambda user: scores[user], split)
    assert {k: v for k, v in out.items()
            if k not in ('beyond', 'fairness')} == plain
    assert 'ndcg@5' not in out  # Fairness needs it; the metrics do not.

    naive = naive_full(beyond_graph, scores, split)
    users = sorted(naive)
    category = beyond_graph['job'].industry
    degree = torch.bincount(beyond_graph[EDGE_TYPE].edge_index[1],
                            minlength=30).tolist()
    expected = {}
    for k in (5, 20):
        top = [naive[u]['ranking'][:k] for u in users]
        same = [sum(category[i] != '' and category[i] == category[j]
                    for i in items for j in items if i != j)
                for items in top]
        expected.update({
            f'coverage@{k}': len(set(sum(top, []))) / 30,
            f'diversity@{k}': mean([1 - n / (k * (k - 1)) for n in same]),
            f'known_category@{k}': mean([
                mean([category[i] != '' for i in items]) for items in top]),
            f'personalization@{k}': mean([
                1 - len(set(a) & set(b)) / k
                for i, a in enumerate(top) for b in top[i + 1:]]),
            f'popularity@{k}': mean([mean([degree[i] for i in items])
                                     for items in top]),
            f'cold@{k}': mean([mean([degree[i] == 0 for i in items])
                               for items in top]),
        })
    assert list(out['beyond']) == [
        f'{name}@{k}' for k in (5, 20)
        for name in ('coverage', 'diversity', 'known_category',
                     'personalization', 'popularity', 'cold')]
    assert out['beyond'] == pytest.approx(expected)

    ndcg = {u: naive[u]['all']['ndcg@5'] for u in users}
    num_train = beyond_graph['user'].num_train_interactions.tolist()
    groups = {'1': [1], '2': [2], '3-5': [3, 4, 5], '6+': [6]}
    by_group = {g: [ndcg[u] for u in users if num_train[u] in sizes]
                for g, sizes in groups.items()}
    gender = beyond_graph['user'].gender
    by_gender = {g: [ndcg[u] for u in users if gender[u] == g]
                 for g in ('f', 'm', 'x')}
    fairness = out['fairness']
    assert fairness['metric'] == 'ndcg@5'
    for report, by in ((fairness['groups'], by_group),
                       (fairness['attribute'], by_gender)):
        assert report['counts'] == {g: len(v) for g, v in by.items()}
        assert report['values'] == pytest.approx(
            {g: mean(v) if v else None for g, v in by.items()})
        assert (report['spread'], report['std']) == pytest.approx(
            spread(report['values'].values()))
    assert fairness['attribute']['name'] == 'gender'
    assert fairness['attribute']['unknown'] == int(2 in users)


def test_beyond_options(beyond_graph):
    def score(user):
        return torch.arange(30.).expand(user.numel(), 30)

    # One list for everybody: the 5 best jobs among those not excluded.
    evaluator = Evaluator(beyond_graph, beyond_k=[2, 5])
    out = evaluator.evaluate(score, 'val', beyond=True)
    assert set(out['beyond']) == {
        f'{name}@{k}' for k in (2, 5)
        for name in ('coverage', 'personalization', 'popularity', 'cold')}
    assert out['beyond']['coverage@2'] == pytest.approx(2 / 30)
    assert out['beyond']['personalization@5'] == 0.0
    assert out['beyond']['cold@5'] == 1.0
    assert 'attribute' not in out['fairness']

    with pytest.raises(UsageError, match="'beyond=True' needs"):
        evaluator.evaluate(score, protocol='sampled', beyond=True)
    with pytest.raises(UsageError, match="'beyond=True' needs"):
        evaluator.evaluate(score, side='item', beyond=True)
    with pytest.raises(UsageError, match=r"'beyond_k' \(5, 40\) exceeds"):
        Evaluator(beyond_graph, beyond_k=(5, 40)).evaluate(score,
                                                           beyond=True)
    with pytest.raises(UsageError, match="at least 2"):
        Evaluator(beyond_graph, beyond_k=(1, 5))
    with pytest.raises(DataError, match="data\\['job'\\] has no attribute "
                       "'sector'"):
        Evaluator(beyond_graph, item_category='sector')
    beyond_graph['user'].gender = ['f', 'm']
    with pytest.raises(DataError, match="gender must be a list of 6 str"):
        Evaluator(beyond_graph, user_attribute='gender')


def ogb_eval(evaluator, scores, split):
    from ogb.linkproppred import Evaluator as OGBEvaluator

    # ogbl-citation2's MRR input: one row of negatives per positive.
    users = evaluator._sides['user'].label_index[split][0]
    candidates = evaluator.sampled_candidates(split)
    pred = scores[users.view(-1, 1), candidates]
    return OGBEvaluator('ogbl-citation2').eval({
        'y_pred_pos': pred[:, -1],
        'y_pred_neg': pred[:, :-1],
    })


def test_sampled_protocol_matches_ogb(make_rec_graph):
    data = make_rec_graph(num_jobs=30)
    evaluator = Evaluator(data, metrics=['mrr', 'hits@1', 'hits@3',
                                         'hits@10'],
                          num_sampled_negatives=20)
    # Without ties, both tie rules agree.
    scores = torch.randn(6, 30, generator=torch.Generator().manual_seed(8))
    expected = ogb_eval(evaluator, scores, 'test')
    out = evaluator.evaluate(lambda user: scores[user], 'test', 'sampled',
                             per_user=True)
    for name in ('mrr', 'hits@1', 'hits@3', 'hits@10'):
        assert out['per_user'][name].tolist() == pytest.approx(
            expected[f'{name}_list'].tolist())
    ogb = evaluator.ogb_metrics(lambda user: scores[user], 'test')
    assert ogb == pytest.approx({
        'mrr': out['mrr'], 'hits@1': out['hits@1'], 'hits@3': out['hits@3'],
        'hits@10': out['hits@10'], 'count': 6})

    # With ties, OGB counts half of the tied negatives above the positive;
    # evaluate() counts all of them.
    scores = scores.round()
    expected = ogb_eval(evaluator, scores, 'test')
    ogb = evaluator.ogb_metrics(lambda user: scores[user], 'test')
    assert ogb == pytest.approx({
        'mrr': float(expected['mrr_list'].mean()),
        **{f'hits@{k}': float(expected[f'hits@{k}_list'].mean())
           for k in (1, 3, 10)},
        'count': 6})
    out = evaluator.evaluate(lambda user: scores[user], 'test', 'sampled')
    assert out['mrr'] < ogb['mrr']
    assert evaluator.ogb_metrics(lambda user: scores[user], 'val',
                                 ks=[2])['hits@2'] == pytest.approx(
        float((ogb_eval(evaluator, scores, 'val')['mrr_list'] >= .5).float()
              .mean()))
