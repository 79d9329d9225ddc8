import pytest
from django.conf import settings
from django.utils import translation

# The browser fixtures are registered once, here: Playwright's sync API runs one instance per
# thread, so a session-wide browser must be a single fixture for the whole suite.
from helpcenter.browser_fixtures import browser, new_page, page  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests create hundreds of users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_outlast_time_travel(settings):
    # Many tests sign in once, then travel days ahead with time-machine. Real sessions end after
    # 30 idle minutes and 12 hours; audit/tests/test_sessions.py tests those limits as shipped.
    ten_years = 10 * 365 * 24 * 60 * 60
    settings.SESSION_COOKIE_AGE = settings.SESSION_IDLE_TIMEOUT_SECONDS = settings.SESSION_MAX_AGE_SECONDS = ten_years


@pytest.fixture(autouse=True)
def _each_test_starts_in_english():
    # A request under /es/ leaves Spanish active in the test's thread (the middleware activates the
    # page's language and nothing resets it), so a later test that renders a form outside a request
    # would read Spanish messages. Real requests choose their language each time.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def broker(tmp_path):
    """A broker of the test's own for real Celery worker and beat processes (``ops.testing``)."""
    from ops.testing import own_broker

    with own_broker(tmp_path) as started:
        yield started
