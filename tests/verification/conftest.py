import pytest


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    """Every face-check test keeps its encrypted files in its own temporary folder."""
    return private_storage
