"""Letters issued by the workflow: once per move, read back from the PDF, and only for their
recipients and staff."""

import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.models import CaseEvent, Letter, Notice, Outcome, ReviewUnit, Status
from complaints.selectors import letters_visible_to
from complaints.services.letter_issue import letter_issue
from complaints.services.moves import case_move
from complaints.tasks import letter_render
from complaints.tests.drive import IMR_PATH, drive
from complaints.tests.factories import file_case, patient_data
from complaints.workflow import MoveInput

pytestmark = pytest.mark.django_db


def pdf_text(letter: Letter) -> str:
    with letter.pdf.open("rb") as stored:
        data = stored.read()
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


@pytest.fixture
def overturned_case(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = drive(file_case(patient=patient_data(letter_language="es")), IMR_PATH[:7])
    return case


def test_each_move_issues_its_letters_once_and_they_read_back(overturned_case):
    case = overturned_case
    issued = {(letter.kind, letter.recipient): letter for letter in case.letters.all()}
    assert all(letter.state == Letter.State.ISSUED for letter in issued.values())
    decision_to_plan = pdf_text(issued[("IMR_DECISION", "PLAN")])
    assert case.number in decision_to_plan
    assert "overturned" in decision_to_plan
    assert "Page 1 of" in decision_to_plan
    decision_to_enrollee = pdf_text(issued[("IMR_DECISION", "ENROLLEE")])
    assert issued[("IMR_DECISION", "ENROLLEE")].language == "es"
    assert "Página 1 de" in decision_to_enrollee
    assert case.number in decision_to_enrollee
    assert "1-888-466-2219" in decision_to_enrollee
    assert case.events.filter(kind=CaseEvent.Kind.LETTER_ISSUED).count() == len(issued)
    # Each issued letter told its recipient by e-mail, once, in the recipient's language.
    assert case.notices.filter(kind=Notice.Kind.LETTER_WAITING).count() == len(issued)
    letter_notices = case.notices.filter(kind=Notice.Kind.LETTER_WAITING)
    to_enrollee = [notice for notice in letter_notices if notice.recipients == [case.filed_by.email]]
    assert len(to_enrollee) == sum(1 for kind, recipient in issued if recipient == "ENROLLEE")
    assert all("tiene una carta" in notice.subject for notice in to_enrollee)
    assert all("/es/my/" in notice.body for notice in to_enrollee)


def test_issuing_again_changes_nothing(overturned_case):
    letter = overturned_case.letters.get(kind="IMR_DECISION", recipient="PLAN")
    before = (letter.sha256, letter.pdf.name, letter.issued_at)
    letter_issue(letter_id=letter.id)
    letter_render.apply(args=[letter.id]).get()
    letter.refresh_from_db()
    assert (letter.sha256, letter.pdf.name, letter.issued_at) == before
    assert overturned_case.events.filter(kind=CaseEvent.Kind.LETTER_ISSUED, data__letter_id=letter.id).count() == 1


def test_a_letter_is_opened_only_by_its_recipient_and_staff(overturned_case):
    case = overturned_case
    enrollee_kinds = set(letters_visible_to(user=case.filed_by, case=case).values_list("recipient", flat=True))
    plan_kinds = set(
        letters_visible_to(user=PlanUserFactory(health_plan=case.health_plan), case=case).values_list(
            "recipient", flat=True
        )
    )
    assert enrollee_kinds == {"ENROLLEE"}
    assert plan_kinds == {"PLAN"}
    assert not letters_visible_to(user=EnrolleeFactory(), case=case).exists()
    assert not letters_visible_to(user=PlanUserFactory(), case=case).exists()
    staff = StaffFactory(groups=[StaffGroup.INTAKE])
    assert letters_visible_to(user=staff, case=case).count() == case.letters.count()


def test_a_complaint_decided_for_the_enrollee_says_what_the_plan_must_do_and_by_when(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = drive(
            file_case(denial_reason="COVERAGE_BILLING"),
            ["acknowledge", "request_plan_response", "receive_plan_response", "triage_complaint"],
        )
        legal = StaffFactory(groups=[StaffGroup.LEGAL])
        case = case_move(
            case=case,
            move="assign_review",
            actor=StaffFactory(groups=[StaffGroup.INTAKE]),
            data=MoveInput(review_unit=ReviewUnit.LEGAL),
        )
        case = case_move(
            case=case,
            move="decide_complaint",
            actor=legal,
            data=MoveInput(
                outcome=Outcome.IN_FAVOUR,
                reason="The plan must pay the ambulance bill.",
                carry_out_by=date(2026, 12, 18),
            ),
        )
    text = pdf_text(case.letters.get(kind="COMPLAINT_DECISION", recipient="PLAN"))
    assert "December 18, 2026" in text
    assert "The plan must pay the ambulance bill." in text
    conversion = pdf_text(case.letters.get(kind="COMPLAINT_CONVERSION", recipient="ENROLLEE"))
    assert case.number in conversion


def test_a_winning_complaint_needs_the_date_the_plan_must_act_by():
    from complaints.errors import MoveRefused
    from complaints.tests.drive import case_at

    case = case_at(Status.IN_COMPLAINT_REVIEW)
    with pytest.raises(MoveRefused) as refused:
        case_move(
            case=case,
            move="decide_complaint",
            actor=StaffFactory(groups=[StaffGroup.CLINICAL]),
            data=MoveInput(outcome=Outcome.IN_FAVOUR, reason="Pay it."),
        )
    assert "carry_out_by" in refused.value.field_errors
    lost = case_move(
        case=case,
        move="decide_complaint",
        actor=StaffFactory(groups=[StaffGroup.CLINICAL]),
        data=MoveInput(outcome=Outcome.NOT_IN_FAVOUR, reason="The plan followed the contract."),
    )
    assert lost.carry_out_by_date is None


def test_a_closure_letter_names_where_to_go(django_capture_on_commit_callbacks):
    from accounts.models import HealthPlan

    plan = HealthPlan.objects.create(
        name="Employer plan", regulated_by_dmhc=False, regulator_name="U.S. Department of Labor"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = drive(file_case(health_plan_id=plan.id), ["acknowledge", "refer_not_regulated"])
    text = pdf_text(case.letters.get(kind="CLOSURE"))
    assert "U.S. Department of Labor" in text


def test_render_letter_previews_without_issuing(overturned_case, tmp_path):
    out = tmp_path / "preview.pdf"
    output = StringIO()
    call_command(
        "render_letter", "imr_decision", overturned_case.number, "--recipient", "plan", "--out", str(out), stdout=output
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "Wrote" in output.getvalue()
    spanish = tmp_path / "es.pdf"
    call_command(
        "render_letter",
        "imr_decision",
        overturned_case.number,
        "--lang",
        "es",
        "--out",
        str(spanish),
        stdout=StringIO(),
    )
    text = subprocess.run(["pdftotext", str(spanish), "-"], capture_output=True, check=True).stdout.decode()
    assert "Página 1 de" in text
    assert overturned_case.letters.count() == len(set(overturned_case.letters.values_list("kind", "recipient")))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["teleport", "HC-2026-000001"], "Unknown letter kind"),
        (["acknowledgement", "HC-1999-000000"], "No case"),
    ],
)
def test_render_letter_refuses_bad_input(args, message, tmp_path):
    with pytest.raises(CommandError, match=message) as refused:
        call_command("render_letter", *args, "--out", str(tmp_path / "x.pdf"))
    assert refused.value.returncode == 2


def test_a_plan_letter_cannot_be_made_in_spanish(overturned_case, tmp_path):
    with pytest.raises(CommandError, match="cannot be made"):
        call_command(
            "render_letter",
            "imr_decision",
            overturned_case.number,
            "--recipient",
            "plan",
            "--lang",
            "es",
            "--out",
            str(tmp_path / "x.pdf"),
        )
