"""Filing through the online form, step by step, as the test client (the browser tests do it in Chromium)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory
from complaints.models import Case, Channel, Document, FilerRelationship, Representative
from complaints.tests.samples import PDF
from filing import services
from filing.models import FilingDraft
from filing.tests import answers
from filing.tests.answers import fill_draft, start_draft, step_url

pytestmark = pytest.mark.django_db


def test_the_start_page_asks_a_stranger_to_create_an_account_or_sign_in(client):
    page = client.get("/file/").text
    assert reverse("accounts:sign-up") + "?next=/file/" in page
    assert reverse("accounts:sign-in") + "?next=/file/" in page
    assert "1-888-466-2219" in page


def test_starting_an_application_needs_an_account(client):
    response = client.post("/file/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in") + "?next=")
    assert FilingDraft.objects.count() == 0


def test_a_patient_files_a_complete_case(signed_in, enrollee, plan, django_capture_on_commit_callbacks):
    draft = fill_draft(signed_in, plan)
    signed_in.post(
        step_url(draft, "documents"),
        {"action": "upload", "kind": "DENIAL_LETTER", "files": [_file("denial.pdf", PDF)]},
    )
    review = signed_in.get(step_url(draft, "review"))
    assert "Knee replacement surgery" in review.text
    assert "denial.pdf" in review.text
    assert reverse("file-sign", kwargs={"draft_id": draft.public_id}) in review.text

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(step_url(draft, "sign"), answers.sign())

    draft.refresh_from_db()
    case = draft.submitted_case
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "done")
    assert case.channel == Channel.ONLINE
    assert case.filed_by == enrollee
    assert case.filer_relationship == FilerRelationship.PATIENT
    assert case.health_plan == plan
    assert case.member_id == "M123456"
    assert case.plan_decided
    assert case.plan_decision_date == timezone.localdate() - timedelta(days=20)
    assert case.treatment_in_dispute == "Knee replacement surgery"
    assert case.records_authorized
    assert case.signed_name == "Rosa M Delgado"
    assert case.patient.birth_date == date(1968, 4, 2)
    assert case.patient.zip_code == "95814"
    assert case.patient.contact_by_email
    assert case.patient.letter_language == "en"
    assert not Representative.objects.filter(case=case).exists()
    document = case.documents.get()
    assert document.original_name == "denial.pdf"
    assert document.source == Document.Source.ENROLLEE
    assert document.kind == Document.Kind.DENIAL_LETTER
    assert draft.documents.count() == 0
    assert draft.answers == {}

    done = signed_in.get(response["Location"]).text
    assert case.number in done
    assert "What happens next" in done
    confirmation = next(message for message in mail.outbox if enrollee.email in message.to)
    assert case.number in confirmation.subject
    assert "/my/" in confirmation.body


def test_the_confirmation_email_carries_no_health_information(
    signed_in, enrollee, plan, django_capture_on_commit_callbacks
):
    draft = fill_draft(signed_in, plan, problem=answers.problem(treatment_in_dispute="Chemotherapy for lymphoma"))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(step_url(draft, "sign"), answers.sign())
    confirmation = next(message for message in mail.outbox if enrollee.email in message.to)
    text = confirmation.subject + confirmation.body
    for private in ("Chemotherapy", "lymphoma", "Rosa", "Delgado", "Knee", "1968", "M123456", plan.name):
        assert private not in text


def test_a_second_click_or_a_resent_form_makes_no_second_case(signed_in, plan):
    draft = fill_draft(signed_in, plan)
    first = signed_in.post(step_url(draft, "sign"), answers.sign())
    again = signed_in.post(step_url(draft, "sign"), answers.sign())
    assert first["Location"] == again["Location"] == step_url(draft, "done")
    assert Case.objects.count() == 1
    draft.refresh_from_db()
    assert (
        services.draft_submit(draft=draft, actor=draft.owner, signed_name="x", records_authorized=True, language="en")
        == draft.submitted_case
    )
    assert Case.objects.count() == 1
    # Every step of a sent application now leads to its confirmation, not to a new case.
    assert signed_in.post(step_url(draft, "problem"), answers.problem())["Location"] == step_url(draft, "done")


def test_steps_cannot_be_skipped(signed_in, plan):
    draft = start_draft(signed_in)
    response = signed_in.get(step_url(draft, "problem"))
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "who")
    assert signed_in.get(step_url(draft, "sign"))["Location"] == step_url(draft, "review")


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_a_signature_on_an_unfinished_application_files_nothing_and_goes_back_to_the_review(signed_in, plan, prefix):
    draft = fill_draft(signed_in, plan, upto="plan")
    response = signed_in.post(step_url(draft, "sign", prefix), answers.sign())
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "review", prefix)
    assert Case.objects.count() == 0
    draft.refresh_from_db()
    assert draft.submitted_case is None
    assert set(draft.answers) >= {"who", "patient", "plan"}


def test_the_review_lists_what_is_missing_and_offers_no_signature(signed_in, plan):
    draft = fill_draft(signed_in, plan, upto="plan")
    review = signed_in.get(step_url(draft, "review")).text
    assert "There is a problem" in review
    assert f'href="{step_url(draft, "grievance")}?from=review"' in review
    assert reverse("file-sign", kwargs={"draft_id": draft.public_id}) not in review


def test_a_draft_resumes_on_another_device_with_every_answer(client, enrollee, plan):
    first_device = client
    first_device.login(username=enrollee.email, password=TEST_PASSWORD)
    draft = fill_draft(first_device, plan, upto="patient")
    from django.test import Client

    second_device = Client()
    second_device.login(username=enrollee.email, password=TEST_PASSWORD)
    resumed = second_device.get(step_url(draft, "patient"))
    form = resumed.context["form"]
    assert form.initial["first_name"] == "Rosa"
    assert form.initial["birth_date"] == date(1968, 4, 2)
    assert 'value="1968"' in resumed.text
    assert second_device.get(step_url(draft, "problem"))["Location"] == step_url(draft, "plan")
    my_cases = second_device.get("/my/").text
    resume = reverse("file-resume", kwargs={"draft_id": draft.public_id})
    assert resume in my_cases
    assert second_device.get(resume)["Location"] == step_url(draft, "plan")


def test_an_authorized_assistant_files_with_the_designation_signed_by_both(
    signed_in, plan, django_capture_on_commit_callbacks
):
    draft = fill_draft(signed_in, plan, relationship="AUTHORIZED_ASSISTANT", upto="who")
    page = signed_in.post(step_url(draft, "patient"), answers.patient())
    assert page["Location"] == step_url(draft, "representative")
    unsigned = signed_in.post(step_url(draft, "representative"), answers.representative(patient_signed_name=""))
    assert unsigned.status_code == 200
    assert "The patient must type their name" in unsigned.text
    unsigned = signed_in.post(step_url(draft, "representative"), answers.representative(assistant_signed_name=""))
    assert "Type your full name to sign." in unsigned.text
    signed_in.post(step_url(draft, "representative"), answers.representative())
    for step, data in (
        ("plan", answers.plan(plan)),
        ("grievance", answers.grievance()),
        ("problem", answers.problem()),
    ):
        signed_in.post(step_url(draft, step), data)
    signed_in.post(step_url(draft, "documents"), {"action": "continue", "kind": "OTHER"})
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(step_url(draft, "sign"), answers.sign(signed_name="Marta Delgado"))
    case = Case.objects.get()
    assert case.filer_relationship == FilerRelationship.AUTHORIZED_ASSISTANT
    representative = case.representative
    assert representative.full_name == "Marta Delgado"
    assert representative.relationship_to_patient == "Daughter"
    assert representative.patient_signed_name == "Rosa M Delgado"
    assert representative.assistant_signed_name == "Marta Delgado"
    assert representative.patient_signed_date == representative.assistant_signed_date == timezone.localdate()
    assert not representative.has_power_of_attorney


def test_a_legal_representative_attaches_a_power_of_attorney_instead_of_the_patients_signature(signed_in, plan):
    draft = fill_draft(
        signed_in,
        plan,
        relationship="AUTHORIZED_ASSISTANT",
        upto="problem",
        representative=answers.representative(has_power_of_attorney="yes", patient_signed_name=""),
    )
    refused = signed_in.post(step_url(draft, "documents"), {"action": "continue", "kind": "OTHER"})
    assert refused.status_code == 200
    assert "attach a copy" in refused.text
    signed_in.post(
        step_url(draft, "documents"),
        {"action": "continue", "kind": "POWER_OF_ATTORNEY", "files": [_file("poa.pdf", PDF)]},
    )
    signed_in.post(step_url(draft, "sign"), answers.sign(signed_name="Marta Delgado"))
    case = Case.objects.get()
    assert case.representative.has_power_of_attorney
    assert case.representative.patient_signed_name == ""
    assert case.documents.get().kind == Document.Kind.POWER_OF_ATTORNEY


def test_a_parent_or_guardian_files_only_for_a_patient_under_18(signed_in, plan):
    draft = fill_draft(signed_in, plan, relationship="PARENT_GUARDIAN", upto="who")
    adult = signed_in.post(step_url(draft, "patient"), answers.patient())
    assert adult.status_code == 200
    assert "under 18" in adult.text
    child_birth = timezone.localdate().replace(year=timezone.localdate().year - 9, day=1)
    child = signed_in.post(step_url(draft, "patient"), answers.patient(**answers.date_parts("birth_date", child_birth)))
    assert child["Location"] == step_url(draft, "representative")
    response = signed_in.post(
        step_url(draft, "representative"), answers.representative(relationship_to_patient="Mother")
    )
    assert response["Location"] == step_url(draft, "plan")
    draft.refresh_from_db()
    assert "patient_signed_name" not in draft.answers["representative"]


def test_changing_who_files_sends_the_person_to_the_step_that_now_applies(signed_in, plan):
    draft = fill_draft(signed_in, plan)
    response = signed_in.post(step_url(draft, "who") + "?from=review", answers.who("AUTHORIZED_ASSISTANT"))
    assert response["Location"] == step_url(draft, "representative")
    response = signed_in.post(step_url(draft, "representative") + "?from=review", answers.representative())
    assert response["Location"] == step_url(draft, "review")


def test_a_change_from_the_review_returns_to_the_review(signed_in, plan):
    draft = fill_draft(signed_in, plan)
    response = signed_in.post(step_url(draft, "plan") + "?from=review", answers.plan(plan, member_id="Z999"))
    assert response["Location"] == step_url(draft, "review")
    assert "Z999" in signed_in.get(step_url(draft, "review")).text


def test_a_late_application_needs_a_reason_and_is_told_the_help_center_decides(signed_in, plan):
    draft = fill_draft(signed_in, plan, upto="plan")
    late = answers.grievance(filed_days_ago=400, decided_days_ago=300)
    refused = signed_in.post(step_url(draft, "grievance"), late)
    assert refused.status_code == 200
    assert "more than 6 months ago" in refused.text
    assert "The Help Center decides whether it can accept a late application." in refused.text
    late["late_filing_reason"] = "I was in the hospital for months."
    assert signed_in.post(step_url(draft, "grievance"), late)["Location"] == step_url(draft, "problem")
    signed_in.post(step_url(draft, "problem"), answers.problem())
    signed_in.post(step_url(draft, "documents"), {"action": "continue", "kind": "OTHER"})
    signed_in.post(step_url(draft, "sign"), answers.sign())
    assert Case.objects.get().late_filing_reason == "I was in the hospital for months."


def test_a_plan_not_on_the_list_is_named_instead(signed_in, plan):
    draft = fill_draft(signed_in, plan, upto="who")
    signed_in.post(step_url(draft, "patient"), answers.patient())
    unnamed = signed_in.post(step_url(draft, "plan"), answers.plan(plan, health_plan="other"))
    assert "Type the name of the health plan." in unnamed.text
    signed_in.post(step_url(draft, "plan"), answers.plan(plan, health_plan="other", plan_name_not_listed="Tiny Plan"))
    for step, data in (("grievance", answers.grievance()), ("problem", answers.problem())):
        signed_in.post(step_url(draft, step), data)
    signed_in.post(step_url(draft, "documents"), {"action": "continue", "kind": "OTHER"})
    signed_in.post(step_url(draft, "sign"), answers.sign())
    case = Case.objects.get()
    assert case.health_plan is None
    assert case.plan_name_not_listed == "Tiny Plan"


def test_hostile_text_is_kept_as_text_and_always_escaped(signed_in, plan):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    draft = fill_draft(signed_in, plan, problem=answers.problem(what_happened=script, treatment_in_dispute=script))
    review = signed_in.get(step_url(draft, "review")).text
    assert "<script>alert" not in review
    assert "&lt;script&gt;alert" in review
    signed_in.post(step_url(draft, "sign"), answers.sign())
    case = Case.objects.get()
    assert case.what_happened == script
    detail = signed_in.get(f"/my/{case.number}/").text
    assert "<img src=x" not in detail


def test_an_error_page_starts_with_a_summary_linking_to_each_field(signed_in, plan):
    draft = fill_draft(signed_in, plan, upto="who")
    page = signed_in.post(step_url(draft, "patient"), answers.patient(first_name="", zip_code="1234", gender=""))
    assert page.status_code == 200
    text = page.text
    assert text.index("There is a problem") < text.index("<h1>")
    for anchor in ('href="#id_first_name"', 'href="#id_gender_0"', 'href="#id_zip_code"'):
        assert anchor in text
    assert "<title>Error: " in text
    assert 'aria-describedby="id_zip_code_error"' in text or "id_zip_code_error" in text


def test_an_application_in_spanish_is_confirmed_in_spanish(client, plan, django_capture_on_commit_callbacks):
    enrollee = EnrolleeFactory()
    client.login(username=enrollee.email, password=TEST_PASSWORD)
    draft = fill_draft(client, plan)
    page = client.get(step_url(draft, "sign", prefix="/es"))
    assert "Firme y envíe" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(step_url(draft, "sign", prefix="/es"), answers.sign())
    confirmation = next(message for message in mail.outbox if enrollee.email in message.to)
    assert "Recibimos su solicitud" in confirmation.subject
    assert "/es/my/" in confirmation.body


def test_an_unsent_application_can_be_deleted_with_its_files(signed_in, plan, settings):
    draft = fill_draft(signed_in, plan, upto="problem")
    signed_in.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "BILL", "files": [_file("bill.pdf", PDF)]}
    )
    stored = draft.documents.get().file.name
    from django.core.files.storage import default_storage

    assert default_storage.exists(stored)
    signed_in.post(reverse("file-delete", kwargs={"draft_id": draft.public_id}))
    assert not FilingDraft.objects.filter(pk=draft.pk).exists()


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
