from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from lgir_pyg.llm import user_context
from lgir_pyg.llm.resumes import load_resumes
from lgir_pyg.text import EmbeddingCache, TextEncoder
from lgir_pyg.training.evaluator import Evaluator
from lgir_pyg.training.models import Recommender, build_model, model_spec
from lgir_pyg.training.trainer import Trainer

USER_TEXTS = ('self', 'context', 'src', 'irc')


def user_texts(data: HeteroData, source: str) -> List[str]:
    r"""The user texts of :obj:`source`: :obj:`"self"` (the
    self-descriptions), :obj:`"context"` (the IRC prompt's context without
    the LLM, see :func:`lgir_pyg.llm.user_context`), :obj:`"src"` or
    :obj:`"irc"` (the completed resumes, see
    :func:`lgir_pyg.llm.resumes.load_resumes`)."""
    if source == 'self':
        return list(data['user'].text)
    if source == 'context':
        return user_context(data)
    if source in ('src', 'irc'):
        return load_resumes(data, source)
    raise ValueError(f"Unknown user text source {source!r}; valid sources: "
                     f"{', '.join(USER_TEXTS)}")


def text_inputs(data: HeteroData, source: str, encoder: TextEncoder,
                cache_dir: Optional[str] = None) -> Tuple[Tensor, Tensor]:
    r"""Encodes the user texts of :obj:`source` and the job texts; with
    :obj:`cache_dir`, through an :class:`lgir_pyg.text.EmbeddingCache`."""
    pairs = ((user_texts(data, source), f'user.{source}'),
             (data['job'].text, 'job.text'))
    if cache_dir is None:
        return tuple(encoder.encode(texts) for texts, _ in pairs)
    cache = EmbeddingCache(cache_dir)
    return tuple(cache.encode(encoder, texts, name) for texts, name in pairs)


def _flat(result: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in result.items() if not isinstance(v, dict)}


def prepare_model(
    name: str,
    data: HeteroData,
    seed: int = 0,
    encoder: Optional[TextEncoder] = None,
    cache_dir: Optional[str] = None,
    **kwargs,
) -> Recommender:
    r"""Builds the registered model :obj:`name` after
    :obj:`torch.manual_seed(seed)`, encoding its texts first if it uses
    any (see :func:`text_inputs`; :obj:`encoder` defaults to the bundled
    all-MiniLM-L6-v2). :obj:`**kwargs` go to the model's builder."""
    spec = model_spec(name)
    user_x = job_x = None
    if spec.user_text is not None:
        if encoder is None:
            from lgir_pyg.text import SentenceTransformerEncoder
            encoder = SentenceTransformerEncoder()
        user_x, job_x = text_inputs(data, spec.user_text, encoder, cache_dir)
    torch.manual_seed(seed)
    return build_model(name, data, user_x, job_x, **kwargs)


def run_experiment(
    name: str,
    data: HeteroData,
    seed: int = 0,
    encoder: Optional[TextEncoder] = None,
    cache_dir: Optional[str] = None,
    evaluator: Optional[Evaluator] = None,
    model_kwargs: Optional[Dict[str, Any]] = None,
    train_kwargs: Optional[Dict[str, Any]] = None,
) -> Tuple[Recommender, Dict[str, Any]]:
    r"""Builds the registered model :obj:`name` (:func:`prepare_model`),
    trains it with :class:`Trainer` (its registered defaults, updated by
    :obj:`train_kwargs`) and evaluates it. Returns the model and
    :obj:`{"model", "seed", "valid", "test", "test_sampled",
    "test_groups", "test_warm_cold", "best_epoch",
    "seconds_per_epoch"}`; the metrics come from the full ranking unless
    named :obj:`"..._sampled"`.

    Args:
        name (str): A registered model name.
        data (HeteroData): The split graph.
        seed (int, optional): Seed of initialisation and training; the
            evaluator's sampled negatives do not depend on it.
            (default: :obj:`0`)
        encoder (TextEncoder, optional): Encoder of the texts of text
            models. (default: the bundled all-MiniLM-L6-v2)
        cache_dir (str, optional): Keep text embeddings here.
            (default: :obj:`None`)
        evaluator (Evaluator, optional): The evaluator, shared by models
            that are compared. (default: :obj:`Evaluator(data)`)
        model_kwargs (dict, optional): Arguments of the model's builder.
        train_kwargs (dict, optional): Arguments of :class:`Trainer`.
    """
    model = prepare_model(name, data, seed, encoder, cache_dir,
                          **(model_kwargs or {}))
    evaluator = evaluator or Evaluator(data)
    trainer = Trainer(model, data, evaluator, seed=seed,
                      **{**model_spec(name).train, **(train_kwargs or {})})
    fit = trainer.fit()

    score = model.scorer()
    valid = evaluator.evaluate(score, 'val')
    test = evaluator.evaluate(score, 'test')
    return model, {
        'model': name,
        'seed': seed,
        'valid': _flat(valid),
        'test': _flat(test),
        'test_sampled': _flat(evaluator.evaluate(score, 'test', 'sampled')),
        'test_groups': test['groups'],
        'test_warm_cold': test['warm_cold'],
        'best_epoch': fit['best_epoch'],
        'seconds_per_epoch': fit['seconds_per_epoch'],
    }
