import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    # Tiny models on a shared, loaded CPU: a second thread only adds
    # synchronisation (measured 30x slower training steps).
    num_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(num_threads)
