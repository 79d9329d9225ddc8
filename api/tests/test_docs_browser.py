"""The API's docs page in Chromium: Swagger UI loads from our own static files under the site's
Content-Security-Policy (no violation, nothing fetched from another host) and lists every
endpoint, read from the live schema; "Try it out" calls the API."""

import pytest

from helpcenter.browser import axe_violations, screenshot, violations_text
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_works_under_the_sites_policy(page, live_server):
    PublishedDecisionFactory(reference_id="MN16-1234")
    tallies_rebuild()
    problems, hosts = [], set()
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {path.replace("\u200b", "") for path in paths} == {
        "/api/v1/decisions/",
        "/api/v1/decisions.csv",
        "/api/v1/decisions/{reference_id}/",
        "/api/v1/statistics/",
        "/api/v1/filters/",
    }
    # Try the statistics endpoint from the page.
    page.locator("#operations-statistics-statistics_retrieve .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector("#operations-statistics-statistics_retrieve .live-responses-table .response-col_status")
    assert "200" in page.locator("#operations-statistics-statistics_retrieve .live-responses-table").inner_text()
    screenshot(page, "api-docs", folder="api")
    assert problems == []
    assert hosts == {live_server.url.split("/")[2]}
    # Swagger UI's own markup is not ours to fix; our part of the page (title, links) is checked.
    violations = axe_violations(page, context=".api-intro")
    assert violations == [], violations_text(violations)
