import os.path as osp

import pytest

SHOP = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
                'shop', 'shop.yaml')


@pytest.fixture
def shop(tmp_path):
    r"""The arguments that point a command at the tiny non-job tables of
    tests/data/shop (customers buy products), processed under tmp_path."""
    return ['--config', SHOP, '--root', str(tmp_path / 'shop')]
