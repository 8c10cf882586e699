import pytest
import torch

from lgir_pyg.models import LGIRRecommender, build_model
from lgir_pyg.nn import LGIR


def test_lgir_recommender(rec_graph):
    item_x = rec_graph['job'].x
    model = build_model('lightgcn-text', rec_graph)
    assert isinstance(model.model, LGIR) and model.model.refine is None
    assert str(model).startswith('LGIRRecommender(LGIR(6, 12, 8, '
                                 'embedding_dim=8, num_layers=1')
    assert model.gan_loss() is None and model.discriminator_parameters() == []
    # Untrained: jobs are their text, users what their jobs propagate.
    user_emb, item_emb = model()
    assert torch.allclose(item_emb, 0.5 * item_x)
    # User 4's only job is job 4, which has two users.
    assert torch.allclose(user_emb[4], 0.5 * item_x[4] / 2**0.5)

    gan = build_model('lgir', rec_graph)
    d_loss, g_loss = gan.gan_loss()
    assert d_loss.requires_grad and g_loss.requires_grad
    assert {id(p) for p in gan.discriminator_parameters()} == {
        id(p) for p in gan.model.refine.discriminator.parameters()}

    random = build_model('lightgcn-text', rec_graph, text_init='random',
                         embedding_dim=4, num_layers=2, use_id=True,
                         shared_projection=True)
    assert random.model.out_channels == 4
    with pytest.raises(ValueError, match='needs separate projections'):
        build_model('lightgcn-text', rec_graph, embedding_dim=4)
    with pytest.raises(ValueError, match="'text_init'"):
        build_model('lightgcn-text', rec_graph, text_init='zero')


def test_sample_shots(rec_graph):
    # Few-shot users have at most 2 training jobs (users 2-5), many-shot at
    # least 5 (user 0).
    model = LGIRRecommender(rec_graph, gan=True)
    few, many = model.sample_shots(20, torch.Generator().manual_seed(0))
    assert set(few.tolist()) == {2, 3, 4, 5} and set(many.tolist()) == {0}
    assert few.numel() == many.numel() == 20
    again, _ = model.sample_shots(20, torch.Generator().manual_seed(0))
    assert torch.equal(few, again)
    d_loss, g_loss = model.gan_loss(few, many)
    expected = model.model.refine.loss(model.user_x, few_index=few,
                                       many_index=many)
    assert torch.allclose(d_loss, expected[0])
    assert torch.allclose(g_loss, expected[1])
    assert LGIRRecommender(rec_graph).sample_shots(4) is None
    with pytest.raises(ValueError, match='many-shot users .* there are '
                       'none'):
        LGIRRecommender(rec_graph, gan=True,
                        gan_kwargs={'k2': 7}).sample_shots(4)
