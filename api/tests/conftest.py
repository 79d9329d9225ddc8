import uuid

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _api_budget(settings):
    # A generous budget for tests that are not about the throttle; the cache is shared, so each
    # test also starts with a fresh count.
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()


@pytest.fixture
def api(client):
    """The test client, as one client address of its own (the throttle counts per address)."""
    client.defaults["REMOTE_ADDR"] = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    return client
