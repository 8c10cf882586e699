import pytest
import torch

from lgir_pyg.evaluation import Evaluator
from lgir_pyg.models import LGIRRecommender, build_model
from lgir_pyg.training import Trainer, load_checkpoint, save_checkpoint


class ScriptedEvaluator:
    r"""Returns the next validation value of a script; records states."""
    metrics = ('ndcg@5', )

    def __init__(self, model, values):
        self.model = model
        self.values = list(values)
        self.states = []

    def evaluate(self, score, split):
        assert split == 'val'
        self.states.append({k: v.clone()
                            for k, v in self.model.state_dict().items()})
        return {'ndcg@5': self.values.pop(0)}


def state_equal(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_trainer(rec_graph):
    def fit(seed):
        torch.manual_seed(seed)
        model = build_model('lightgcn', rec_graph, embedding_dim=4)
        trainer = Trainer(model, rec_graph,
                          Evaluator(rec_graph, num_sampled_negatives=3),
                          epochs=3, batch_size=4, lr=0.01, seed=seed)
        return model, trainer.fit()

    model, out = fit(0)
    assert out['epochs'] == 3 and out['seconds_per_epoch'] > 0
    assert [h['epoch'] for h in out['history']] == [0, 1, 2, 3]
    assert out['history'][0]['loss'] is None
    assert out['best_val'] == max(h['ndcg@5'] for h in out['history'])
    # Seeded: the same seed trains the same model.
    again, _ = fit(0)
    assert state_equal(model.state_dict(), again.state_dict())
    other, _ = fit(1)
    assert not state_equal(model.state_dict(), other.state_dict())
    assert str(Trainer(model, rec_graph, Evaluator(rec_graph))) == (
        'Trainer(epochs=100, batch_size=1024, lr=0.001, patience=10, '
        'seed=0)')


def test_early_stopping_restores_the_best_state(rec_graph):
    model = build_model('lightgcn', rec_graph, embedding_dim=4)
    evaluator = ScriptedEvaluator(model, [0.1, 0.3, 0.2, 0.25, 0.9])
    out = Trainer(model, rec_graph, evaluator, epochs=10, batch_size=4,
                  lr=0.01, patience=2).fit()
    assert out['epochs'] == 3 and out['best_epoch'] == 1
    assert out['best_val'] == 0.3
    assert state_equal(model.state_dict(), evaluator.states[1])
    assert not state_equal(model.state_dict(), evaluator.states[3])


def test_eval_every(rec_graph):
    model = build_model('lightgcn', rec_graph, embedding_dim=4)
    evaluator = ScriptedEvaluator(model, [0.1, 0.2, 0.3, 0.4])
    out = Trainer(model, rec_graph, evaluator, epochs=5, batch_size=4,
                  eval_every=2).fit()
    assert [h['epoch'] for h in out['history']] == [0, 2, 4, 5]


def test_gan_step(rec_graph):
    torch.manual_seed(0)
    model = build_model('lgir', rec_graph,
                        gan_kwargs={'hidden_channels': 4})
    refine = model.model.refine
    before = {name: p.clone() for name, p in refine.named_parameters()}
    evaluator = ScriptedEvaluator(model, [0.1, 0.2, 0.3])
    Trainer(model, rec_graph, evaluator, epochs=2, batch_size=8,
            lambda_gan=0.5).fit()
    for name, param in refine.named_parameters():
        assert not torch.equal(param, before[name]), name


def test_untrained_models_are_left_alone(rec_graph):
    model = build_model('pop', rec_graph)
    out = Trainer(model, rec_graph, ScriptedEvaluator(model, [])).fit()
    assert out == {'epochs': 0, 'best_epoch': 0, 'best_val': None,
                   'seconds_per_epoch': 0.0, 'history': []}


def test_checkpoint(rec_graph, tmp_path):
    model = build_model('lightgcn-text', rec_graph)
    with torch.no_grad():
        model.model.user_proj.weight.add_(1.0)
    path = str(tmp_path / 'model.pt')
    save_checkpoint(model, path, {'model': 'lightgcn-text', 'seed': 0})
    checkpoint = load_checkpoint(path)
    assert checkpoint['meta'] == {'model': 'lightgcn-text', 'seed': 0}
    fresh = build_model('lightgcn-text', rec_graph)
    fresh.load_state_dict(checkpoint['state_dict'])
    user = torch.arange(6)
    assert torch.equal(fresh.scorer()(user), model.scorer()(user))


def test_trainer_errors(rec_graph):
    model = build_model('lightgcn', rec_graph, embedding_dim=4)
    evaluator = Evaluator(rec_graph, num_sampled_negatives=3)
    with pytest.raises(ValueError, match="'monitor' \\('hit@1'\\)"):
        Trainer(model, rec_graph, evaluator, monitor='hit@1')
    with pytest.raises(ValueError, match='patience'):
        Trainer(model, rec_graph, evaluator, patience=0)
    with pytest.raises(ValueError, match="'propagation' must be one of"):
        Trainer(model, rec_graph, evaluator, propagation='sparse')
    with pytest.raises(ValueError, match="'gan_batch_size' must be"):
        Trainer(model, rec_graph, evaluator, gan_batch_size=0)
    with pytest.raises(ValueError, match="Unknown device 'gpu0'"):
        Trainer(model, rec_graph, evaluator, device='gpu0')

    model.loss = lambda *args: torch.tensor(float('nan'), requires_grad=True)
    with pytest.raises(FloatingPointError, match='became nan in epoch 1'):
        Trainer(model, rec_graph, evaluator, epochs=1).fit()

    # A graph without training edges has nothing to train on.
    store = rec_graph['user', 'interacts', 'job']
    store.edge_index = store.edge_index[:, :0]
    with pytest.raises(ValueError, match='no training edges'):
        Trainer(build_model('lightgcn', rec_graph), rec_graph,
                evaluator).fit()


def fit_lgir(graph, **kwargs):
    torch.manual_seed(0)
    model = LGIRRecommender(graph, gan=True,
                            gan_kwargs={'hidden_channels': 4})
    out = Trainer(model, graph, Evaluator(graph, num_sampled_negatives=3),
                  epochs=3, batch_size=4, lr=0.01, gan_batch_size=3,
                  **kwargs).fit()
    return model, out


def test_batch_and_full_propagation_train_alike(rec_graph):
    # One-layer LGIR: the mini-batch path is exact, so training is too.
    full_model, full = fit_lgir(rec_graph, propagation='full')
    batch_model, batch = fit_lgir(rec_graph, propagation='batch')
    for a, b in zip(full['history'], batch['history']):
        assert a['epoch'] == b['epoch']
        assert a['loss'] == pytest.approx(b['loss'], abs=1e-5)
        assert a['ndcg@5'] == pytest.approx(b['ndcg@5'], abs=1e-6)
    for key, value in full_model.state_dict().items():
        assert torch.allclose(value, batch_model.state_dict()[key],
                              atol=1e-5), key


def test_one_gan_step_per_training_step(rec_graph):
    torch.manual_seed(0)
    model = LGIRRecommender(rec_graph, gan=True,
                            gan_kwargs={'hidden_channels': 4})
    refine = model.model.refine
    calls = {'sample_shots': [], 'loss': 0}
    sample_shots, loss = model.sample_shots, refine.loss

    def spy_sample_shots(num_samples, generator=None):
        calls['sample_shots'].append(num_samples)
        return sample_shots(num_samples, generator)

    def spy_loss(*args, **kwargs):
        calls['loss'] += 1
        assert kwargs == {} and args[2].numel() == 5  # The sampled few.
        return loss(*args, **kwargs)

    model.sample_shots, refine.loss = spy_sample_shots, spy_loss
    trainer = Trainer(model, rec_graph, Evaluator(rec_graph), batch_size=4,
                      gan_batch_size=5)
    trainer.train_epoch(trainer.sampler(), *trainer.optimizers())
    # 14 training edges: four steps, each with one GAN loss on 5 + 5 users.
    assert calls == {'sample_shots': [5] * 4, 'loss': 4}


@pytest.mark.skipif(torch.cuda.is_available(),
                    reason='checks the error of a machine without CUDA')
def test_cuda_device_without_cuda(rec_graph):
    model = build_model('lightgcn', rec_graph, embedding_dim=4)
    with pytest.raises(ValueError, match="Device 'cuda' was asked for, but "
                       "CUDA is not available"):
        Trainer(model, rec_graph, Evaluator(rec_graph), device='cuda')


@pytest.mark.skipif(not torch.cuda.is_available(),
                    reason='needs a CUDA GPU (torch.cuda.is_available() is '
                    'False on this machine)')
def test_trainer_on_cuda(rec_graph):
    cpu_model, cpu = fit_lgir(rec_graph, device='cpu')
    model, out = fit_lgir(rec_graph, device='cuda')
    assert all(p.is_cuda for p in model.parameters())
    assert all(b.is_cuda for b in model.buffers())
    for a, b in zip(cpu['history'], out['history']):
        assert a['loss'] == pytest.approx(b['loss'], abs=1e-4)
    scores = model.scorer()(torch.tensor([0, 1]))
    assert scores.is_cuda and torch.allclose(
        scores.cpu(), cpu_model.scorer()(torch.tensor([0, 1])), atol=1e-4)
