import os.path as osp

import pytest


@pytest.fixture(scope='session')
def served_smollm(tmp_path_factory):
    r"""A real OpenAI-compatible server, :obj:`transformers serve`, serving
    the bundled SmolLM2 on 127.0.0.1 (a free port) for the session; yields
    :obj:`(base_url, model)`. The server cannot read the GGUF file, so it
    serves a plain copy made once under :obj:`$LGIR_HOME/models`."""
    from lgir_pyg.datasets.kaggle_job_views import lgir_home
    from lgir_pyg.llm.generators import DEFAULT_MODEL, export_plain_model
    from lgir_pyg.llm.openai_api import transformers_server
    folder = export_plain_model(
        osp.join(lgir_home(), 'models', f'{DEFAULT_MODEL}-plain'))
    log = str(tmp_path_factory.mktemp('server') / 'serve.log')
    with transformers_server(folder, log=log) as base_url:
        yield base_url, folder
