import pytest
import torch

from lgir_pyg.nn import (
    GANRefine,
    ResumeDiscriminator,
    ResumeGenerator,
    discriminator_loss,
    generator_loss,
    shot_masks,
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
    with pytest.raises(ValueError, match=f"'k1' \\({k1}\\).*'k2' \\({k2}\\)"):
        shot_masks(torch.tensor([1]), k1, k2)
    with pytest.raises(ValueError, match="'k1'"):
        GANRefine(4, k1=k1, k2=k2)


def test_losses():
    real, fake = torch.tensor([20.0, 20.0]), torch.tensor([-20.0])
    assert discriminator_loss(real, fake) < 1e-6  # D is right.
    assert generator_loss(fake) > 10  # G is caught.

    refined, original = torch.ones(2, 3), torch.zeros(2, 3)
    out = generator_loss(torch.zeros(2), refined, original, 0.5)
    assert torch.isclose(out, torch.log(torch.tensor(2.0)) + 0.5 * 3)
    with pytest.raises(ValueError, match="'refined' and 'original'"):
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
    with pytest.raises(ValueError, match=r"\(N, 4\) \(got \(3, 5\)\)"):
        refine(torch.randn(3, 5), torch.tensor([1, 1, 1]))
    with pytest.raises(ValueError, match='NaN or infinite'):
        refine(torch.tensor([[float('nan'), 0.0, 0.0, 0.0]]), torch.ones(1))
    with pytest.raises(ValueError, match="'num_train_interactions' is"):
        refine(x)
    with pytest.raises(ValueError, match="'num_train_interactions' must"):
        refine(x, torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="'mask' must"):
        refine(x, mask=torch.tensor([True]))
    with pytest.raises(ValueError, match="'mask' must be a boolean"):
        refine(x, mask=torch.tensor([0, 1, 0]))
    with pytest.raises(ValueError, match='needs many-shot users'):
        refine.loss(x, torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match='needs few-shot users'):
        refine.loss(x, torch.tensor([5, 6, 7]))
    with pytest.raises(ValueError, match="'select'"):
        GANRefine(4, select='random')


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
