import os

import pytest
import torch

from lgir_pyg.errors import CheckpointError
from lgir_pyg.training.checkpoint import (
    load_checkpoint,
    load_state,
    save_checkpoint,
)


def test_round_trip(tmp_path):
    model = torch.nn.Linear(3, 2)
    path = str(tmp_path / 'new' / 'model.pt')  # The folder is created.
    save_checkpoint(model, path, {'model': 'linear', 'args': [3, 2],
                                  'config': {'lr': 0.1, 'seed': None}})
    assert os.listdir(tmp_path / 'new') == ['model.pt']
    checkpoint = load_checkpoint(path)
    assert checkpoint['meta'] == {'model': 'linear', 'args': [3, 2],
                                  'config': {'lr': 0.1, 'seed': None}}
    other = torch.nn.Linear(3, 2)
    load_state(other, checkpoint, path)
    assert torch.equal(other.weight, model.weight)
    save_checkpoint(model, path)
    assert load_checkpoint(path)['meta'] == {}


def test_save_errors(tmp_path):
    model = torch.nn.Linear(3, 2)
    path = tmp_path / 'model.pt'
    save_checkpoint(model, str(path))
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"meta\['when'\] is a "
                       r"datetime; checkpoint meta holds only"):
        import datetime
        save_checkpoint(model, str(path), {'when': datetime.datetime.now()})
    with pytest.raises(CheckpointError, match="has a key 1 that is not"):
        save_checkpoint(model, str(path), {'config': {1: 'a'}})
    assert path.read_bytes() == before  # A failed save keeps the old file.
    with pytest.raises(CheckpointError, match="it is a directory"):
        save_checkpoint(model, str(tmp_path))
    with pytest.raises(CheckpointError, match=f"Cannot save a checkpoint to "
                       f"'{path}/x.pt'"):
        save_checkpoint(model, str(path / 'x.pt'))  # Parent is a file.


def _write(path, kind):
    model = torch.nn.Linear(3, 2)
    if kind == 'truncated':
        save_checkpoint(model, str(path))
        raw = path.read_bytes()
        path.write_bytes(raw[:len(raw) // 2])
    elif kind == 'empty':
        path.write_bytes(b'')
    elif kind == 'text':
        path.write_text('user_id,text\n')
    elif kind == 'pickled-model':
        torch.save(model, str(path))
    elif kind == 'state-dict':
        torch.save(model.state_dict(), str(path))
    elif kind == 'list':
        torch.save([1, 2], str(path))


@pytest.mark.parametrize('kind,match', [
    ('truncated', r"Cannot read checkpoint '.*model\.pt' \(.*\); expected a "
     r"checkpoint written by lgir_pyg's save_checkpoint"),
    ('empty', r"Cannot read checkpoint '.*model\.pt' \(empty or truncated"),
    ('text', r"Cannot read checkpoint '.*model\.pt'"),
    ('pickled-model', r"Cannot read checkpoint '.*model\.pt' \(it holds "
     r"Python objects, not only tensors and plain values: a whole pickled "
     r"model\?\)"),
    ('state-dict', r"'.*model\.pt' is not an lgir_pyg checkpoint \(it holds "
     r"a dict with keys \['bias', 'weight'\]\); expected"),
    ('list', r"is not an lgir_pyg checkpoint \(it holds a list\)"),
])
def test_unreadable_checkpoint(tmp_path, kind, match):
    path = tmp_path / 'model.pt'
    _write(path, kind)
    with pytest.raises(CheckpointError, match=match) as info:
        load_checkpoint(str(path))
    assert '\n' not in str(info.value)


def test_missing_checkpoint(tmp_path):
    with pytest.raises(CheckpointError, match="'.*nope.pt' does not exist"):
        load_checkpoint(str(tmp_path / 'nope.pt'))
    with pytest.raises(CheckpointError, match="is a directory"):
        load_checkpoint(str(tmp_path))


def test_state_that_does_not_fit(tmp_path):
    path = str(tmp_path / 'model.pt')
    save_checkpoint(torch.nn.Linear(3, 2), path)
    checkpoint = load_checkpoint(path)
    with pytest.raises(CheckpointError, match=(
            rf"'{path}' does not fit Linear: 'bias' has shape \[2\] in the "
            rf"file but \[4\] in the model \(and 1 more\) \(was it saved "
            rf"with other model arguments or for another dataset\?\)")):
        load_state(torch.nn.Linear(3, 4), checkpoint, path)
    with pytest.raises(CheckpointError, match=(
            r"does not fit Sequential: missing '0.bias', '0.weight'; "
            r"unexpected 'bias', 'weight'")):
        load_state(torch.nn.Sequential(torch.nn.Linear(3, 2)), checkpoint,
                   path)


def test_checkpoint_with_the_old_job_names(tmp_path):
    # Before the layers' generic names, their state said job_... for item_.
    from lgir_pyg.nn import LGIR
    model = LGIR(3, 4, 6, embedding_dim=8, shared_projection=False)
    old = {k.replace('item_', 'job_'): v
           for k, v in model.state_dict().items()}
    path = str(tmp_path / 'old.pt')
    torch.save({'state_dict': old, 'meta': {'model': 'lgir'}}, path)
    with pytest.raises(CheckpointError, match=(
            rf"^'{path}' does not fit LGIR: missing 'item_embedding.weight', "
            r"'item_proj.weight'; unexpected 'job_embedding.weight', "
            r"'job_proj.weight' \(was it saved with other model arguments")):
        load_state(model, load_checkpoint(path), path)
