import pytest
from django.core.cache import cache

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # Throttle counts live in the cache; a per-test memory cache keeps other runs' counts out.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "filing"}}
    # A memory cache lives as long as the process: start each test with no counts.
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enrollee(db):
    return EnrolleeFactory(email="rosa@example.test", full_name="Rosa Delgado")


@pytest.fixture
def plan(db):
    return HealthPlanFactory(name="Golden State Health")


@pytest.fixture
def signed_in(client, enrollee):
    client.login(username=enrollee.email, password=TEST_PASSWORD)
    return client
