"""The IMR decision letters carry the findings and list every document the reviewers received,
by name, sender and date (shared/FINDINGS.md, item 6), read back from the stored PDFs in English
and Spanish. A document that arrived after the determination is not listed."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.clocks import LOCAL_TZ
from complaints.models import Document, Letter, Outcome, Status
from complaints.services.documents import document_add
from complaints.services.moves import case_move
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import case_at
from complaints.tests.factories import patient_data
from complaints.tests.samples import PDF, PNG
from complaints.workflow import MoveInput
from letters.context import format_date

pytestmark = pytest.mark.django_db

FINDINGS = "The reviewers found the knee replacement medically necessary: the X-rays show severe arthritis."


def flat_text(letter: Letter) -> str:
    with letter.pdf.open("rb") as stored:
        data = stored.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def _decided_case(language: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_at(Status.RESPONSE_REQUESTED, patient=patient_data(letter_language=language))
        now = timezone.now()
        for minutes, name, data in ((1, "denial-letter.pdf", PDF), (2, "knee-xray.png", PNG)):
            document_add(
                case=case, name=name, data=data, kind=Document.Kind.MEDICAL_RECORDS, source=Document.Source.ENROLLEE,
                actor=case.filed_by, actor_role="ENROLLEE", now=now - timedelta(minutes=10 - minutes),
            )  # fmt: skip
        plan_response_submit(
            case=case, statement="Not medically necessary under our criteria.",
            files=[("criteria.pdf", PDF)], actor=PlanUserFactory(health_plan=case.health_plan),
        )  # fmt: skip
        supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR])
        for move in ("triage_imr", "send_to_imr"):
            case = case_move(case=case, move=move, actor=supervisor, data=MoveInput(reason="Medical necessity."))
        case_move(
            case=case, move="record_determination", actor=supervisor,
            data=MoveInput(outcome=Outcome.OVERTURNED, reason=FINDINGS),
        )  # fmt: skip
        # Arrives after the determination: not something the reviewers had.
        document_add(
            case=case, name="late-note.pdf", data=PDF, kind=Document.Kind.OTHER, source=Document.Source.STAFF,
            actor=supervisor, actor_role="STAFF", now=timezone.now() + timedelta(minutes=30),
        )  # fmt: skip
        case = case_move(case=case, move="issue_imr_decision", actor=supervisor)
    return case


def _dates(case, language):
    return {
        document.original_name: format_date(document.uploaded_at.astimezone(LOCAL_TZ).date(), language)
        for document in case.documents.all()
    }


@pytest.mark.parametrize(
    ("language", "senders", "heading"),
    [
        ("en", {"ENROLLEE": "You", "PLAN": "Your health plan"}, "Documents the reviewers received"),
        ("es", {"ENROLLEE": "Usted", "PLAN": "Su plan de salud"}, "Documentos que recibieron los revisores"),
    ],
)
def test_the_enrollees_decision_letter_lists_every_document_the_reviewers_had(
    language, senders, heading, django_capture_on_commit_callbacks
):
    case = _decided_case(language, django_capture_on_commit_callbacks)
    letter = case.letters.get(kind="IMR_DECISION", recipient="ENROLLEE")
    assert letter.state == Letter.State.ISSUED
    assert letter.language == language
    text = flat_text(letter)
    assert FINDINGS in text
    assert heading in text
    dates = _dates(case, language)
    for name, sender in (("denial-letter.pdf", senders["ENROLLEE"]), ("knee-xray.png", senders["ENROLLEE"]),
                         ("criteria.pdf", senders["PLAN"])):  # fmt: skip
        assert f"{name} {sender} {dates[name]}" in text, text[text.find("Sent by") :][:500]
    assert "late-note.pdf" not in text
    assert text.index("denial-letter.pdf") < text.index("knee-xray.png") < text.index("criteria.pdf")


def test_the_plans_decision_letter_lists_them_too(django_capture_on_commit_callbacks):
    case = _decided_case("en", django_capture_on_commit_callbacks)
    text = flat_text(case.letters.get(kind="IMR_DECISION", recipient="PLAN"))
    assert FINDINGS in text
    dates = _dates(case, "en")
    assert f"denial-letter.pdf The enrollee {dates['denial-letter.pdf']}" in text
    assert f"criteria.pdf Your plan {dates['criteria.pdf']}" in text
    assert "late-note.pdf" not in text
