"""No health information leaves the portal in e-mails or logs, and error reports hide what was posted.

A case with unmistakable details (name, birth date, member ID, treatment, story) is filed online,
answered by the plan, decided, its letters issued and its clocks swept until every notice goes out;
a sign-in fails and a lockout happens. Every e-mail sent and every log line written on the way is
then searched for those details."""

import logging
import sys
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.models import Case, Letter, Status
from complaints.services.letter_issue import letter_issue
from complaints.sweep import sweep_run
from complaints.tests.drive import PATHS, drive
from filing.tests import answers
from filing.tests.answers import fill_draft, step_url
from helpcenter.tests import counts
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

SECRETS = {
    "first name": "Wilhelmina",
    "last name": "Quarrington",
    "member ID": "MBR-QX-7781",
    "treatment": "Proton beam therapy",
    "story": "ocular melanoma",
    "street": "4471 Larkspur",
    "phone": "559-555-0142",
    # The whole date in the forms the portal writes it, not the year alone: a task's run time
    # ("succeeded in 0.0019591s") may hold any four digits.
    "birth date": ("1959-07-13", "07/13/1959", "7/13/1959", "July 13, 1959", "13 de julio de 1959"),
}


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        text = self.format(record)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def log_lines():
    handler = _Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def _found(texts: list[str]) -> list[str]:
    return [
        f"{label} in: {text[:160]!r}"
        for text in texts
        for label, secrets in SECRETS.items()
        if any(secret in text for secret in ((secrets,) if isinstance(secrets, str) else secrets))
    ]


def test_no_email_and_no_log_line_carries_health_information(
    settings, tmp_path, log_lines, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    plan = HealthPlanFactory(name="Leak Test Plan", notice_email="notices@plan.example.test")
    PlanUserFactory(health_plan=plan, email="compliance@plan.example.test")
    StaffFactory(groups=[StaffGroup.SUPERVISOR], email="boss@dmhc.example.test")
    enrollee = EnrolleeFactory(email="filer@example.test")
    client = Client()
    client.force_login(enrollee)

    patient = answers.patient(
        first_name="Wilhelmina",
        last_name="Quarrington",
        street="4471 Larkspur Lane",
        phone="559-555-0142",
        **answers.date_parts("birth_date", date(1959, 7, 13)),
    )
    problem = answers.problem(
        treatment_in_dispute="Proton beam therapy",
        what_happened="The plan refused treatment for my ocular melanoma.",
    )
    draft = fill_draft(client, plan, patient=patient, plan=answers.plan(plan, member_id="MBR-QX-7781"), problem=problem)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(step_url(draft, "sign"), answers.sign(signed_name="Wilhelmina Quarrington")).status_code == 302
        )
    case = Case.objects.get()
    assert case.patient.last_name == "Quarrington"

    # The plan answers through its portal; the case goes on to a decision; every letter is issued.
    with django_capture_on_commit_callbacks(execute=True):
        case = drive(case, PATHS[Status.RESPONSE_REQUESTED][1:])
        plan_client = verified_client(PlanUserFactory(health_plan=plan))
        plan_client.post(f"/plan/cases/{case.number}/respond/", {"statement": "Records attached."})
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case = drive(case, ["triage_imr", "send_to_imr", "record_determination", "issue_imr_decision"])
        for letter in Letter.objects.filter(case=case, state=Letter.State.PENDING):
            letter_issue(letter_id=letter.id)
    # Every clock runs late: the sweep sends reminders, late notices and overdue notices.
    later = case.received_at + timedelta(days=60)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_run(now=later)
    # A failed sign-in and a lockout are logged and audited too.
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        Client().post("/account/signin/", {"username": "filer@example.test", "password": "Quarrington1959"})

    emails = [f"{message.subject}\n{message.body}" for message in mail.outbox]
    emails += [str(content) for message in mail.outbox for content, _ in getattr(message, "alternatives", [])]
    counts.report(f"no health information: {len(emails)} e-mails and {len(log_lines)} log lines searched")
    assert len(mail.outbox) >= 5, [message.subject for message in mail.outbox]
    assert _found(emails) == []
    assert _found(log_lines) == []


def _fail():
    raise ValueError("the view failed")


def test_an_error_report_hides_what_was_posted_and_the_local_variables():
    posted = {name: SECRETS[label] for name, label in [("first_name", "first name"), ("member_id", "member ID")]}
    request = RequestFactory().post("/file/x/patient/", posted)
    request.user = EnrolleeFactory()
    treatment = SECRETS["treatment"]  # a local variable of a failing frame
    try:
        _fail()
    except ValueError:
        report = ExceptionReporter(request, *sys.exc_info())
    text = report.get_traceback_text() + report.get_traceback_html()
    assert "the view failed" in text
    assert "first_name" in text  # the field is named, its value hidden
    assert treatment not in text
    assert _found([text]) == []
