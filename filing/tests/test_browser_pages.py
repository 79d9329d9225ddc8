"""axe-core on every page an enrollee or visitor can reach, in English and in Spanish, including
the error states, with a screenshot of each under test-artifacts/pages/."""

import re

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory, StaffFactory
from complaints.models import Status
from complaints.tests.drive import case_at
from filing.services import draft_start, draft_step_save
from helpcenter.browser import axe_violations, screenshot, violations_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANONYMOUS = [
    "/",
    "/guide/",
    "/guide/check/",
    "/guide/check/?urgent=no&grievance_filed=no&denial_reason=OTHER",
    "/guide/check/?urgent=yes&grievance_filed=no&denial_reason=MEDICAL_NECESSITY",
    "/guide/check/?urgent=no&grievance_filed=yes&grievance_filed_date_0=1&grievance_filed_date_1=2&"
    "grievance_filed_date_2=2020&plan_decided=yes&plan_decision_date_0=2&plan_decision_date_1=2&"
    "plan_decision_date_2=2020&denial_reason=COVERAGE_BILLING",
    "/contact/",
    "/file/",
    "/account/signup/",
    "/account/signup/check-your-email/",
    "/account/signin/",
    "/account/password/reset/",
    "/account/password/reset/sent/",
    "/account/password/reset/done/",
    "/account/password/reset/MQ/not-a-token/",
    "/account/verify/MQ/not-a-token/",
]


def _check_all(page, urls, folder, *, submit_empty=()):
    found = {}
    for prefix in ("", "/es"):
        for url in urls:
            page.goto(prefix + url)
            if url in submit_empty:
                with page.expect_navigation():
                    page.locator("main form button[type=submit]").last.click()
            name = f"{prefix or '/en'}{url}{'-errors' if url in submit_empty else ''}"
            screenshot(page, re.sub(r"[?&=]", "-", name), folder=folder)
            violations = axe_violations(page)
            if violations:
                found[prefix + url] = violations_text(violations)
    return found


def test_every_public_page_passes_axe_in_both_languages(page, live_server):
    found = _check_all(
        page,
        ANONYMOUS,
        "pages-public",
        submit_empty={"/contact/", "/account/signup/", "/account/signin/", "/account/password/reset/"},
    )
    assert not found, "\n".join(f"{url}:\n{text}" for url, text in found.items())


def test_every_page_of_my_cases_passes_axe_in_both_languages(page, live_server):
    person = EnrolleeFactory(email="rosa@example.test")
    HealthPlanFactory(name="Golden State Health")
    case = case_at(Status.RESPONSE_REQUESTED, enrollee=person)
    draft = draft_start(owner=person)
    draft_step_save(draft=draft, step="who", answers={"relationship": "PATIENT"})
    page.goto("/account/signin/")
    page.locator("#id_username").fill(person.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    urls = [
        "/my/",
        f"/my/{case.number}/",
        f"/my/{case.number}/withdraw/",
        f"/file/{draft.public_id}/delete/",
        f"/file/{draft.public_id}/review/",
        f"/file/{draft.public_id}/documents/",
    ]
    found = _check_all(
        page, urls, "pages-my-cases", submit_empty={f"/my/{case.number}/", f"/my/{case.number}/withdraw/"}
    )
    assert not found, "\n".join(f"{url}:\n{text}" for url, text in found.items())


def test_the_page_for_staff_accounts_passes_axe(page, live_server, client):
    staff = StaffFactory(groups=[StaffGroup.INTAKE])
    client.force_login(staff)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    found = _check_all(page, ["/my/"], "pages-staff")
    assert not found, found
