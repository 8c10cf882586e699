import copy
import math
import re

import pytest
import torch
import torch_geometric

from lgir_pyg.errors import UsageError
from lgir_pyg.nn import (
    GANRefine,
    ResumeDiscriminator,
    ResumeGenerator,
    discriminator_loss,
    generator_loss,
    shot_masks,
    shot_thresholds,
)


def test_resume_generator():
    gen = ResumeGenerator(8, hidden_channels=16, num_layers=3, dropout=0.1)
    assert str(gen) == 'ResumeGenerator(8, hidden_channels=16, num_layers=3)'
    x = torch.randn(5, 8)
    assert torch.equal(gen(x), x)  # The identity at init.

    torch.nn.init.normal_(gen.mlp.lins[-1].weight)
    assert not torch.allclose(gen(x), x)
    gen.reset_parameters()
    assert torch.equal(gen(x), x)


def test_resume_discriminator():
    disc = ResumeDiscriminator(8, hidden_channels=16)
    assert str(disc) == ('ResumeDiscriminator(8, hidden_channels=16, '
                         'num_layers=2)')
    x = torch.randn(5, 8)
    assert disc(x).size() == (5, )
    assert torch.allclose(disc.quality(x), disc(x).sigmoid())


def test_shot_masks():
    count = torch.tensor([0, 1, 2, 3, 4, 5, 9])
    few, many = shot_masks(count, k1=2, k2=5)
    assert few.tolist() == [True, True, True, False, False, False, False]
    assert many.tolist() == [False, False, False, False, False, True, True]


@pytest.mark.parametrize('k1,k2', [(3, 3), (5, 2)])
def test_shot_masks_thresholds(k1, k2):
    with pytest.raises(UsageError, match=f"'k1' \\({k1}\\).*'k2' \\({k2}\\)"):
        shot_masks(torch.tensor([1]), k1, k2)
    with pytest.raises(UsageError, match="'k1'"):
        GANRefine(4, k1=k1, k2=k2)
    # A negative threshold would leave the few-shot group empty.
    with pytest.raises(UsageError, match="'k1' must be an integer >= 0"):
        shot_masks(torch.tensor([1]), -1, k2)


def test_shot_thresholds():
    # 10 users: median 2, 0.9-quantile 6.1.
    count = torch.tensor([1, 1, 1, 2, 2, 2, 3, 4, 6, 7])
    k1, k2 = shot_thresholds(count)
    assert (k1.item(), k2.item()) == (2, 7)
    few, many = shot_masks(count, k1, k2)
    assert few.sum() == 6 and many.tolist() == [False] * 9 + [True]
    # k2 stays above k1 when the quantiles fall on one value.
    k1, k2 = shot_thresholds(torch.ones(5, dtype=torch.long), (0.1, 0.2))
    assert (k1.item(), k2.item()) == (1, 2)
    for quantiles in [(0.9, 0.5), (0.5, 0.5), (-0.1, 0.5), (0.5, 1.1)]:
        with pytest.raises(UsageError, match="'quantiles' must be"):
            shot_thresholds(count, quantiles)


def test_gan_refine_quantile_thresholds():
    refine = GANRefine(4, hidden_channels=8, thresholds='quantile',
                       quantiles=(0.25, 0.75))
    assert str(refine) == ('GANRefine(4, hidden_channels=8, num_layers=2, '
                           'thresholds=quantile, quantiles=(0.25, 0.75), '
                           'identity_weight=1.0, select=threshold)')
    # Quartiles 1.75 and 5.25: k1 = 1, k2 = 6.
    count = torch.tensor([1, 1, 2, 3, 4, 5, 6, 9])
    few, many = refine.shot_masks(count)
    assert few.tolist() == [True, True] + [False] * 6
    assert many.tolist() == [False] * 6 + [True] * 2

    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)
    x = torch.randn(8, 4)
    out = refine(x, count)
    assert torch.equal(out[2:], x[2:])
    assert torch.allclose(out[:2], refine.generator(x[:2]))
    with pytest.raises(UsageError, match=r"at least k2, the 0.75-quantile,"):
        refine.loss(x[:2], count[:2])


def test_gan_refine_sample_shots():
    refine = GANRefine(4, hidden_channels=8)
    count = torch.tensor([1, 6, 3, 2, 9, 0, 5])
    few, many = refine.sample_shots(count, 50,
                                    torch.Generator().manual_seed(0))
    assert few.size() == many.size() == (50, )
    assert set(few.tolist()) == {0, 3, 5}  # All drawn, with replacement,
    assert set(many.tolist()) == {1, 4, 6}  # of their group only.
    again = refine.sample_shots(count, 50, torch.Generator().manual_seed(0))
    assert torch.equal(few, again[0]) and torch.equal(many, again[1])
    with pytest.raises(UsageError, match='needs many-shot users'):
        refine.sample_shots(torch.tensor([1, 2]), 4)


def test_gan_refine_loss_on_a_batch():
    torch.manual_seed(0)
    refine = GANRefine(4, hidden_channels=8, identity_weight=0.5)
    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)
    x = torch.randn(6, 4)
    count = torch.tensor([1, 5, 2, 6, 3, 1])
    calls = []
    refine.generator.register_forward_hook(
        lambda module, args, out: calls.append(args[0].size(0)))

    full = refine.loss(x, count)
    assert calls == [3]  # One forward pass of G for both losses.
    # The full loss is the loss of the batch of all few and many rows.
    batch = refine.loss(x, few_index=torch.tensor([0, 2, 5]),
                        many_index=torch.tensor([1, 3]))
    assert torch.allclose(full[0], batch[0])
    assert torch.allclose(full[1], batch[1])

    # A batch weighs the rows it holds: row 0 twice, row 2 not at all.
    few, many = torch.tensor([0, 0, 5]), torch.tensor([3])
    d_loss, g_loss = refine.loss(x, few_index=few, many_index=many)
    fake = refine.generator(x[few])
    expected = discriminator_loss(refine.discriminator(x[many]),
                                  refine.discriminator(fake))
    assert torch.allclose(d_loss, expected)
    expected = generator_loss(refine.discriminator(fake), fake, x[few], 0.5)
    assert torch.allclose(g_loss, expected)


def test_gan_refine_discriminator_step_before_generator_backward():
    # A trainer may step D on d_loss before back-propagating g_loss.
    refine = GANRefine(4, hidden_channels=8)
    x = torch.randn(6, 4)
    count = torch.tensor([1, 1, 2, 5, 6, 7])
    d_opt = torch.optim.SGD(refine.discriminator.parameters(), lr=0.1)
    d_loss, g_loss = refine.loss(x, count)
    d_loss.backward()
    d_opt.step()
    g_loss.backward()
    assert all(p.grad is not None for p in refine.generator.parameters())


def gan_inputs(device=None):
    x = torch.randn(6, 4, device=device)
    count = torch.tensor([1, 1, 2, 5, 6, 7], device=device)
    few = torch.tensor([0, 2, 2], device=device)
    many = torch.tensor([3, 5], device=device)
    return x, count, few, many


@pytest.mark.parametrize('select', ['threshold', 'discriminator'])
def test_gan_refine_meta_device(select):
    with torch.device('meta'):
        refine = GANRefine(4, hidden_channels=8, select=select)
        x, count, few, many = gan_inputs()
        out = refine(x, count)
        d_loss, g_loss = refine.loss(x, few_index=few, many_index=many)
    assert out.is_meta and out.size() == (6, 4)
    assert d_loss.is_meta and g_loss.is_meta


def test_gan_refine_deepcopy_and_to_after_forward():
    refine = GANRefine(4, hidden_channels=8, dropout=0.1)
    x, count, few, many = gan_inputs()
    refine.eval()
    out = refine(x, count)
    refine.loss(x, count)
    clone = copy.deepcopy(refine)
    assert torch.equal(clone(x, count), out)
    refine.double()
    assert torch.allclose(refine(x.double(), count).float(), out, atol=1e-6)
    refine.to('meta')
    assert refine(x.double().to('meta'), count.to('meta')).is_meta


@pytest.mark.skipif(not torch._dynamo.is_dynamo_supported(),
                    reason='torch.compile is not supported on this platform')
@pytest.mark.parametrize('kwargs', [{}, {'select': 'discriminator'},
                                    {'thresholds': 'quantile'}])
def test_gan_refine_compile(kwargs):
    refine = GANRefine(4, hidden_channels=8, **kwargs)
    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)
    x, count, few, many = gan_inputs()
    # fullgraph=True fails on any graph break (a host sync causes one).
    forward = torch.compile(refine, fullgraph=True, backend='eager')
    assert torch.allclose(forward(x, count), refine(x, count))
    loss = torch.compile(refine.loss, fullgraph=True, backend='eager')
    for a, b in zip(loss(x, few_index=few, many_index=many),
                    refine.loss(x, few_index=few, many_index=many)):
        assert torch.allclose(a, b)


def test_losses():
    real, fake = torch.tensor([20.0, 20.0]), torch.tensor([-20.0])
    assert discriminator_loss(real, fake) < 1e-6  # D is right.
    assert generator_loss(fake) > 10  # G is caught.

    refined, original = torch.ones(2, 3), torch.zeros(2, 3)
    out = generator_loss(torch.zeros(2), refined, original, 0.5)
    assert torch.isclose(out, torch.log(torch.tensor(2.0)) + 0.5 * 3)
    with pytest.raises(UsageError, match="'refined' and 'original'"):
        generator_loss(torch.zeros(2), identity_weight=0.5)


def test_gan_refine():
    refine = GANRefine(4, hidden_channels=8, identity_weight=0.5)
    assert str(refine) == ('GANRefine(4, hidden_channels=8, num_layers=2, '
                           'k1=2, k2=5, identity_weight=0.5, '
                           'select=threshold)')
    x = torch.randn(4, 4)
    count = torch.tensor([1, 2, 3, 6])
    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)

    out = refine(x, count)
    assert out.size() == x.size()
    assert not torch.allclose(out[:2], x[:2])  # Few-shot rows are refined,
    assert torch.equal(out[2:], x[2:])  # the others are not.
    assert torch.allclose(out[:2], refine.generator(x[:2]))

    mask = torch.tensor([False, False, False, True])
    out = refine(x, mask=mask)
    assert torch.equal(out[:3], x[:3])
    assert not torch.allclose(out[3], x[3])

    refine.reset_parameters()
    assert torch.equal(refine(x, count), x)


@pytest.mark.parametrize('bias,refined', [(-10.0, True), (10.0, False)])
def test_gan_refine_select_discriminator(bias, refined):
    refine = GANRefine(4, hidden_channels=8, select='discriminator',
                       quality_threshold=0.5)
    torch.nn.init.zeros_(refine.discriminator.mlp.lins[-1].weight)
    torch.nn.init.constant_(refine.discriminator.mlp.lins[-1].bias, bias)
    torch.nn.init.normal_(refine.generator.mlp.lins[-1].weight)
    assert str(refine).endswith(
        'select=discriminator, quality_threshold=0.5)')
    x = torch.randn(3, 4)
    out = refine(x)  # Needs no interaction counts.
    assert torch.equal(out, refine.generator(x) if refined else x)


def test_gan_refine_loss_reaches_own_parameters():
    refine = GANRefine(4, hidden_channels=8)
    x = torch.randn(6, 4)
    count = torch.tensor([1, 1, 2, 5, 6, 7])
    d_loss, g_loss = refine.loss(x, count)

    d_loss.backward(retain_graph=True)
    assert all(p.grad is not None for p in refine.discriminator.parameters())
    assert all(p.grad is None for p in refine.generator.parameters())

    refine.zero_grad(set_to_none=True)
    g_loss.backward()
    assert all(p.grad is not None for p in refine.generator.parameters())
    assert all(p.grad is None for p in refine.discriminator.parameters())


def test_gan_refine_errors():
    refine = GANRefine(4, hidden_channels=8)
    x = torch.randn(3, 4)
    with pytest.raises(UsageError, match=r"\(N, 4\) \(got \(3, 5\)\)"):
        refine(torch.randn(3, 5), torch.tensor([1, 1, 1]))
    nan_x = torch.tensor([[float('nan'), 0.0, 0.0, 0.0]])
    refine(nan_x, torch.ones(1))  # Checked in debug mode only.
    with torch_geometric.debug():
        with pytest.raises(UsageError, match="'x' contains NaN"):
            refine(nan_x, torch.ones(1))
        with pytest.raises(UsageError, match=r"'many_index' holds indices "
                           r"in \[3, 3\], outside \[0, 2\]"):
            refine.loss(x, few_index=torch.tensor([0]),
                        many_index=torch.tensor([3]))
    with pytest.raises(UsageError, match="'num_train_interactions' is"):
        refine(x)
    with pytest.raises(UsageError, match="'num_train_interactions' must"):
        refine(x, torch.tensor([1, 1]))
    with pytest.raises(UsageError, match="'mask' must"):
        refine(x, mask=torch.tensor([True]))
    with pytest.raises(UsageError, match="'mask' must be a boolean"):
        refine(x, mask=torch.tensor([0, 1, 0]))
    with pytest.raises(UsageError, match='needs many-shot users'):
        refine.loss(x, torch.tensor([1, 2, 3]))
    with pytest.raises(UsageError, match='needs few-shot users'):
        refine.loss(x, torch.tensor([5, 6, 7]))
    with pytest.raises(UsageError, match='must be given together'):
        refine.loss(x, few_index=torch.tensor([0]))
    with pytest.raises(UsageError, match="'num_samples' must be positive"):
        refine.sample_shots(torch.tensor([1, 6]), 0)
    with pytest.raises(UsageError, match="'num_train_interactions' must "
                       r"have shape \(N,\) \(got \(1, 2\)\)"):
        refine.sample_shots(torch.tensor([[1, 6]]), 1)
    with pytest.raises(UsageError, match="'num_train_interactions' is empty"):
        shot_thresholds(torch.tensor([], dtype=torch.long))


def test_gan_refine_dtypes():
    refine = GANRefine(4, hidden_channels=8, k1=1, k2=2)
    x, count = torch.randn(3, 4), torch.tensor([1, 2, 2])
    assert refine.dtype == torch.float32
    message = "'x' is torch.float64 but the layer is torch.float32"
    with pytest.raises(UsageError, match=re.escape(message)):
        refine(x.double(), count)
    with pytest.raises(UsageError, match=re.escape(message)):
        refine.loss(x.double(), count)
    with pytest.raises(UsageError, match="'few_index' must hold integer "
                       "indices of type torch.int64 or torch.int32 "
                       r"\(got torch.float32\)"):
        refine.loss(x, few_index=torch.tensor([0.]),
                    many_index=torch.tensor([1]))
    refine.double()
    assert refine.dtype == torch.float64
    assert refine(x.double(), count).dtype == torch.float64


@pytest.mark.parametrize('kwargs,match', [
    ({'k1': -1}, "'k1' must be an integer >= 0 (got -1)"),
    ({'k2': 1.5}, "'k2' must be an integer >= 0 (got 1.5)"),
    ({'dropout': 1.5}, "'dropout' must be a finite number in [0, 1) "
     "(got 1.5)"),
    ({'dropout': -0.1}, "'dropout' must be a finite number in [0, 1)"),
    ({'dropout': 1.0}, "'dropout' must be a finite number in [0, 1)"),
    ({'num_layers': 0}, "'num_layers' must be an integer >= 1 (got 0)"),
    ({'hidden_channels': 0}, "'hidden_channels' must be an integer >= 1"),
    ({'channels': 0}, "'channels' must be an integer >= 1 (got 0)"),
    ({'identity_weight': -1.0}, "'identity_weight' must be a finite number "
     ">= 0 (got -1.0)"),
    ({'identity_weight': math.inf}, "'identity_weight' must be a finite"),
    ({'quality_threshold': 0.0}, "'quality_threshold' must be a finite "
     "number in (0, 1) (got 0.0)"),
    ({'quality_threshold': 1.0}, "'quality_threshold' must be a finite"),
    ({'quality_threshold': math.nan}, "'quality_threshold' must be a finite"),
    ({'select': 'random'}, "'select' must be one of"),
    ({'thresholds': 'median'}, "'thresholds' must be one of"),
    ({'quantiles': (0.9, 0.5)}, "'quantiles' must be two numbers"),
])
def test_gan_refine_constructor_arguments(kwargs, match):
    # Checked at construction, as PyG's layers do.
    with pytest.raises(UsageError, match=re.escape(match)):
        GANRefine(**{'channels': 4, **kwargs})


@pytest.mark.parametrize('cls,kwargs,match', [
    (ResumeGenerator, {'dropout': 1.5}, "'dropout' must be a finite number"),
    (ResumeGenerator, {'num_layers': -1}, "'num_layers' must be an integer"),
    (ResumeDiscriminator, {'num_layers': 0}, "'num_layers' must be an"),
    (ResumeDiscriminator, {'hidden_channels': 0}, "'hidden_channels' must"),
])
def test_generator_discriminator_arguments(cls, kwargs, match):
    with pytest.raises(UsageError, match=match):
        cls(4, **kwargs)


def test_gan_refine_training_aligns():
    # Few-shot embeddings sit away from the many-shot ones; training moves
    # the refined few-shot rows towards them (GAN dynamics oscillate, hence
    # the fixed seed and the loose bound).
    torch.manual_seed(0)
    x = torch.cat([torch.randn(64, 4) + 1.0, torch.randn(64, 4)])
    count = torch.cat([torch.ones(64), torch.full((64, ), 8.0)])
    refine = GANRefine(4, hidden_channels=16, identity_weight=0.0)
    optimizer = torch.optim.Adam(refine.parameters(), lr=0.01)

    def gap():
        return (refine(x, count)[:64].mean(0) - x[64:].mean(0)).norm()

    before = gap()
    for _ in range(150):
        optimizer.zero_grad()
        d_loss, g_loss = refine.loss(x, count)
        (d_loss + g_loss).backward()  # One optimizer: losses are separated.
        optimizer.step()
    assert gap() < 0.6 * before
