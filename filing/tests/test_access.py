"""Nothing another person filed is reachable: another enrollee's draft, file, case, letter or
document is "not found" (404), for every address and method; staff and plan accounts are sent
to their own pages; strangers are asked to sign in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.models import Case, Document, Letter, Status
from complaints.services.documents import document_add
from complaints.services.letter_issue import letter_issue
from complaints.tests.drive import case_at
from complaints.tests.samples import PDF
from filing.models import FilingDraft
from filing.tests import answers
from filing.tests.answers import fill_draft, step_url

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=TEST_PASSWORD)
    return client


@pytest.fixture
def owner_draft(plan):
    owner = _signed_in(EnrolleeFactory())
    draft = fill_draft(owner, plan)
    owner.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "BILL", "files": [SimpleUploadedFile("b.pdf", PDF)]}
    )
    return draft


@pytest.fixture
def intruder():
    return _signed_in(EnrolleeFactory(email="intruder@example.test"))


def _draft_urls(draft: FilingDraft) -> list[tuple[str, str, dict]]:
    document = draft.documents.get()
    urls = [("get", step_url(draft, step), {}) for step in ("who", "patient", "plan", "grievance", "problem")]
    urls += [("post", step_url(draft, "problem"), answers.problem())]
    urls += [
        ("get", reverse("file-resume", kwargs={"draft_id": draft.public_id}), {}),
        ("get", step_url(draft, "documents"), {}),
        ("post", step_url(draft, "documents"), {"action": "continue", "kind": "OTHER"}),
        ("get", step_url(draft, "review"), {}),
        ("get", step_url(draft, "sign"), {}),
        ("post", step_url(draft, "sign"), answers.sign()),
        ("get", step_url(draft, "done"), {}),
        ("get", reverse("file-delete", kwargs={"draft_id": draft.public_id}), {}),
        ("post", reverse("file-delete", kwargs={"draft_id": draft.public_id}), {}),
        (
            "post",
            reverse("file-document-remove", kwargs={"draft_id": draft.public_id, "document_id": document.public_id}),
            {},
        ),
    ]
    return urls


def test_another_enrollees_draft_is_not_found_at_any_address(owner_draft, intruder):
    for method, url, data in _draft_urls(owner_draft):
        for prefix in ("", "/es"):
            response = getattr(intruder, method)(prefix + url, data)
            assert response.status_code == 404, (method, prefix + url, response.status_code)
    owner_draft.refresh_from_db()
    assert owner_draft.submitted_case is None
    assert owner_draft.documents.count() == 1
    assert owner_draft.answers["problem"]["treatment_in_dispute"] == "Knee replacement surgery"
    assert not Case.objects.exists()


def test_a_file_of_one_draft_cannot_be_removed_through_another(owner_draft, intruder, plan):
    own = fill_draft(intruder, plan, upto="who")
    document = owner_draft.documents.get()
    url = reverse("file-document-remove", kwargs={"draft_id": own.public_id, "document_id": document.public_id})
    assert intruder.post(url).status_code == 404
    assert owner_draft.documents.count() == 1


def test_a_draft_someone_else_sent_is_not_found_either(owner_draft, intruder):
    owner = Client()
    owner.force_login(owner_draft.owner)
    owner.post(step_url(owner_draft, "sign"), answers.sign())
    assert intruder.get(step_url(owner_draft, "done")).status_code == 404


@pytest.fixture
def owners_case():
    owner = EnrolleeFactory()
    case = case_at(Status.TRIAGED_IMR, enrollee=owner)
    # Outside a real commit the workers never ran: issue one letter to each side by hand.
    for recipient in ("ENROLLEE", "PLAN"):
        letter_issue(letter_id=case.letters.filter(recipient=recipient).order_by("id").first().id)
    document_add(
        case=case,
        name="mine.pdf",
        data=PDF,
        kind=Document.Kind.BILL,
        source=Document.Source.ENROLLEE,
        actor=owner,
        actor_role="ENROLLEE",
    )
    return case


def test_another_enrollees_case_is_not_found_at_any_address(owners_case, intruder):
    case = owners_case
    letter = case.letters.filter(state=Letter.State.ISSUED, recipient="ENROLLEE").first()
    assert letter is not None
    document = case.documents.get(original_name="mine.pdf")
    urls = [
        ("get", f"/my/{case.number}/", {}),
        ("get", f"/my/{case.number}/letters/{letter.id}/", {}),
        ("get", f"/my/{case.number}/documents/{document.id}/", {}),
        ("post", f"/my/{case.number}/documents/", {"kind": "OTHER", "files": [SimpleUploadedFile("x.pdf", PDF)]}),
        ("get", f"/my/{case.number}/withdraw/", {}),
        ("post", f"/my/{case.number}/withdraw/", {"reason": "Not mine", "confirm": "on"}),
    ]
    for method, url, data in urls:
        for prefix in ("", "/es"):
            response = getattr(intruder, method)(prefix + url, data)
            assert response.status_code == 404, (method, prefix + url)
    case.refresh_from_db()
    assert case.status == Status.TRIAGED_IMR
    assert case.documents.count() == 1
    assert case.number not in intruder.get("/my/").text


def test_a_plan_letter_and_a_plan_document_are_not_served_to_the_enrollee(owners_case):
    owner = Client()
    owner.force_login(owners_case.filed_by)
    plan_letter = owners_case.letters.filter(recipient="PLAN", state=Letter.State.ISSUED).first()
    assert plan_letter is not None
    assert owner.get(f"/my/{owners_case.number}/letters/{plan_letter.id}/").status_code == 404
    plan_document = document_add(
        case=owners_case,
        name="plan.pdf",
        data=PDF,
        kind=Document.Kind.PLAN_RESPONSE,
        source=Document.Source.PLAN,
        actor=None,
        actor_role="PLAN",
    )
    assert owner.get(f"/my/{owners_case.number}/documents/{plan_document.id}/").status_code == 404


@pytest.mark.parametrize(
    "factory", [PlanUserFactory, lambda: StaffFactory(groups=[StaffGroup.SUPERVISOR])], ids=["plan", "staff"]
)
def test_staff_and_plan_accounts_are_told_these_pages_are_for_enrollees(factory):
    client = Client()
    client.force_login(factory())
    for url in ("/my/", "/es/my/"):
        response = client.get(url)
        assert response.status_code == 403
    assert client.post("/file/new/").status_code == 403
    assert not FilingDraft.objects.exists()


def test_strangers_are_asked_to_sign_in(owners_case):
    stranger = Client()
    for url in ("/my/", f"/my/{owners_case.number}/", "/file/new/"):
        response = stranger.get(url) if url != "/file/new/" else stranger.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/signin/?next=")
