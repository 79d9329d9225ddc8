import pytest

# The browser fixtures are registered once, here: Playwright's sync API runs one instance per
# thread, so a session-wide browser must be a single fixture for the whole suite.
from helpcenter.browser_fixtures import browser, new_page, page  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests create hundreds of users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
