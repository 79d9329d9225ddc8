"""axe-core in Chromium on the decisions pages as this round left them: the statistics with the
median days, and the search explaining that words cannot be searched, in English and Spanish."""

import pytest

from helpcenter.browser import axe_violations, screenshot, violations_text
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_statistics_and_the_search_pass_axe_in_both_languages(page, live_server):
    for days in (12, 30, 41):
        PublishedDecisionFactory(days_to_review=days, days_to_adopt=days // 10)
    tallies_rebuild()
    found = {}
    for prefix in ("", "/es"):
        for path, shows in (("/decisions/stats/", "#days-heading"), ("/decisions/?q=zzzxq", ".error-summary")):
            page.goto(prefix + path)
            assert page.locator(shows).is_visible(), prefix + path
            screenshot(page, f"{prefix or '/en'}{path}".replace("/", "-").replace("?", "-"), folder="decisions")
            violations = axe_violations(page)
            if violations:
                found[prefix + path] = violations_text(violations)
    assert not found, "\n".join(f"{url}:\n{text}" for url, text in found.items())
