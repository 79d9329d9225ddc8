"""The plan hears by e-mail when its response is requested, the day before it is due, and when it
is late: end to end, from the move or the sweep to the plan user's inbox and the link in it, which
leads to the plan sign-in. Other plans' users never hear about the case."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.tests.factories import PlanUserFactory
from complaints.clocks import ClockName
from complaints.models import Status
from complaints.sweep import sweep_run
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_users(plan, other_plan):
    ours = PlanUserFactory(health_plan=plan, email="compliance@planx.example.test")
    theirs = PlanUserFactory(health_plan=other_plan, email="compliance@plany.example.test")
    return ours, theirs


def _mail_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def _follow_link(client, body: str):
    link = next(word for word in body.split() if word.startswith(settings.PORTAL_BASE_URL))
    return client.get(link.removeprefix(settings.PORTAL_BASE_URL))


def test_the_request_for_a_response_reaches_the_plan_users_and_no_one_else(
    client, plan, plan_users, django_capture_on_commit_callbacks
):
    ours, theirs = plan_users
    case = file_case(health_plan_id=plan.id)
    with django_capture_on_commit_callbacks(execute=True):
        drive(case, PATHS[Status.RESPONSE_REQUESTED])
    received = _mail_to(ours.email)
    assert len(received) == 1
    assert case.number in received[0].subject
    assert "letter is waiting" in received[0].subject
    assert plan.notice_email in received[0].to
    assert "Knee" not in received[0].body
    assert "Delgado" not in received[0].body
    assert _mail_to(theirs.email) == []
    # The link leads to the plan sign-in, and from there back to the portal.
    landing = _follow_link(client, received[0].body)
    assert landing.status_code == 302
    assert landing["Location"] == "/plan/login/?next=/plan/"


def test_the_reminder_and_the_late_notice_reach_the_plan_users(plan, plan_users, django_capture_on_commit_callbacks):
    ours, theirs = plan_users
    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    due = case.clocks.get(name=ClockName.PLAN_RESPONSE).due_at
    mail.outbox.clear()
    for moment in (due - timedelta(hours=20), due + timedelta(minutes=5)):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            sweep_run(now=moment)
    # (The sweep also renders the request letter left pending here and says it is waiting.)
    subjects = sorted(message.subject for message in _mail_to(ours.email) if "letter" not in message.subject)
    assert subjects == [
        f"Help Center case {case.number}: the plan's written response is due soon",
        f"Help Center case {case.number}: the plan's written response is late",
    ]
    assert _mail_to(theirs.email) == []
    for message in _mail_to(ours.email):
        assert f"{settings.PORTAL_BASE_URL}/plan/" in message.body
        assert "Knee" not in message.body
        assert "Delgado" not in message.body


def test_a_response_sent_in_time_stops_the_reminders(plan, plan_users, django_capture_on_commit_callbacks):
    from complaints.services.plan_responses import plan_response_submit

    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    due = case.clocks.get(name=ClockName.PLAN_RESPONSE).due_at
    plan_response_submit(case=case, statement="Our answer.", files=[], actor=plan_users[0])
    mail.outbox.clear()
    for moment in (due - timedelta(hours=20), due + timedelta(minutes=5)):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            sweep_run(now=moment)
    assert [m.subject for m in _mail_to(plan_users[0].email) if "letter" not in m.subject] == []
