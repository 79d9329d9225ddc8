"""axe-core on every page that shows 'Cases like yours', in English and Spanish, with the box on
the page (and a screenshot of each under test-artifacts/cases-like-yours/)."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory
from complaints.models import Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from filing.services import draft_start, draft_step_save
from filing.tests.answers import problem
from helpcenter.browser import axe_violations, screenshot, violations_text
from imr.models import Determination
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THERAPY = {"treatment_in_dispute": "Physical therapy for my knee", "what_happened": "The plan stopped it."}


def test_the_pages_with_cases_like_yours_pass_axe_in_both_languages(page, live_server):
    for number in range(3):
        PublishedDecisionFactory(
            treatment_category="Rehabilitation Services - Outpatient",
            treatment_subcategory="Physical Therapy",
            determination=Determination.OVERTURNED if number else Determination.UPHELD,
            findings="Physical therapy restores function after knee surgery.",
        )
    tallies_rebuild()
    person = EnrolleeFactory(email="rosa@example.test")
    HealthPlanFactory(name="Golden State Health")
    case = drive(file_case(enrollee=person, **THERAPY), PATHS[Status.TRIAGED_IMR])
    draft = draft_start(owner=person)
    for step in ("who", "patient", "plan", "grievance"):
        draft_step_save(
            draft=draft, step=step, answers={"done": True} if step != "who" else {"relationship": "PATIENT"}
        )
    draft_step_save(draft=draft, step="problem", answers=problem(**THERAPY))
    page.goto("/account/signin/")
    page.locator("#id_username").fill(person.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    urls = [
        "/guide/check/?urgent=no&grievance_filed=no&denial_reason=MEDICAL_NECESSITY&treatment=physical+therapy",
        f"/my/{case.number}/",
        f"/file/{draft.public_id}/documents/",
    ]
    found = {}
    for prefix, heading in (("", "Cases like yours"), ("/es", "Casos como el suyo")):
        for url in urls:
            page.goto(prefix + url)
            assert page.get_by_role("heading", name=heading).is_visible(), prefix + url
            screenshot(page, f"{prefix or '/en'}{url.split('?')[0]}".replace("/", "-"), folder="cases-like-yours")
            violations = axe_violations(page)
            if violations:
                found[prefix + url] = violations_text(violations)
    # Words that name no published treatment: the sentence that says so, and its link.
    for prefix, link in (("", "Search past decisions yourself"), ("/es", "Busque usted mismo decisiones anteriores")):
        url = f"{prefix}{urls[0].replace('physical+therapy', 'terapia+f%C3%ADsica')}"
        page.goto(url)
        assert page.get_by_role("link", name=link).is_visible(), url
        violations = axe_violations(page)
        if violations:
            found[url] = violations_text(violations)
    assert not found, "\n".join(f"{url}:\n{text}" for url, text in found.items())
