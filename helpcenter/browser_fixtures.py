"""Pytest fixtures for browser tests, registered once for the whole suite by the root conftest.py.

``page`` is a fresh Chromium tab whose ``base_url`` is the ``live_server``; ``new_page()`` opens
another one in a separate browser context (no shared cookies: a second device). Tests that use
them should be marked ``@pytest.mark.browser``.
"""

import os

import pytest

from helpcenter.browser import AXE_SCRIPT, BrowserUnavailable, chromium_launch, chromium_path


@pytest.fixture(scope="session")
def browser():
    try:
        chromium_path()
    except BrowserUnavailable as missing:
        pytest.skip(str(missing))
    if not AXE_SCRIPT.exists():
        pytest.skip("node_modules/axe-core is missing: run make setup (npm ci).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would otherwise
    # refuse the tests' own database calls made beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = chromium_launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_page(*, locale: str = "en-US"):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1024, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
