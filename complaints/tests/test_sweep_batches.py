"""The sweep handles due clocks in batches: the same few queries for three due clocks or thirty,
each plan's notices to that plan's own people, no notice made twice, and one undeliverable
notice holding up no other."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.clocks import ClockName
from complaints.models import Clock, Notice, Status
from complaints.services.notices import NoticeDraft, notices_create
from complaints.sweep import clock_notices_create, due_clocks, sweep_run
from complaints.tasks import NoticesUndelivered, notices_deliver_task
from complaints.tests.drive import case_at

pytestmark = pytest.mark.django_db


def _plan_with_people(name: str):
    plan = HealthPlanFactory(name=name, notice_email=f"notices@{name.lower()}.example.test")
    PlanUserFactory(health_plan=plan, email=f"compliance@{name.lower()}.example.test")
    return plan


def _overdue_plan_responses(plans, per_plan: int) -> list[Clock]:
    clocks = []
    for plan in plans:
        for _ in range(per_plan):
            case = case_at(Status.RESPONSE_REQUESTED, health_plan_id=plan.id)
            clocks.append(case.clocks.get(name=ClockName.PLAN_RESPONSE))
    return clocks


def _notice_queries(now) -> tuple[int, list[Notice]]:
    """What the sweep does with the due clocks, with the queries it costs."""
    with CaptureQueriesContext(connection) as queries:
        made = clock_notices_create(clocks=due_clocks(now=now), now=now)
    return len(queries), made


def _clock_notices():
    return Notice.objects.exclude(kind=Notice.Kind.LETTER_WAITING)


@pytest.fixture
def supervisor():
    return StaffFactory(groups=[StaffGroup.SUPERVISOR], email="boss@helpcenter.example.test")


def test_thirty_due_clocks_cost_the_same_queries_as_three(supervisor):
    plans = [_plan_with_people(name) for name in ("Alpha", "Beta", "Gamma")]
    few = _overdue_plan_responses(plans, per_plan=1)
    later = max(clock.due_at for clock in few) + timedelta(minutes=5)
    queries_for_three, made = _notice_queries(later)
    assert len(made) == 6  # each: the plan's late notice and the supervisors'
    _clock_notices().delete()

    _overdue_plan_responses(plans, per_plan=9)
    later = max(clock.due_at for clock in Clock.objects.filter(name=ClockName.PLAN_RESPONSE)) + timedelta(minutes=5)
    queries_for_thirty, made = _notice_queries(later)
    assert len(made) == 60
    assert queries_for_thirty == queries_for_three


def test_a_repeated_sweep_makes_nothing_and_costs_no_more(supervisor):
    clocks = _overdue_plan_responses([_plan_with_people("Alpha")], per_plan=4)
    later = max(clock.due_at for clock in clocks) + timedelta(minutes=5)
    first_queries, first = _notice_queries(later)
    again_queries, again = _notice_queries(later + timedelta(seconds=1))
    assert len(first) == 8
    assert again == []
    assert _clock_notices().count() == 8
    assert again_queries <= first_queries
    # The sweep itself, run after them, finds nothing new either.
    assert sweep_run(now=later + timedelta(seconds=2)).notices_created == []


def test_each_plan_hears_only_of_its_own_cases_in_one_batch(supervisor):
    alpha, beta = _plan_with_people("Alpha"), _plan_with_people("Beta")
    clocks = _overdue_plan_responses([alpha, beta], per_plan=2)
    report = sweep_run(now=max(clock.due_at for clock in clocks) + timedelta(minutes=5))
    assert len(report.notices_created) == 8
    late = _clock_notices().filter(kind=Notice.Kind.PLAN_LATE).select_related("case__health_plan")
    assert len(late) == 4
    for notice in late:
        name = notice.case.health_plan.name.lower()
        assert notice.recipients == [f"notices@{name}.example.test", f"compliance@{name}.example.test"]
    for notice in _clock_notices().filter(kind=Notice.Kind.CLOCK_OVERDUE):
        assert "boss@helpcenter.example.test" in notice.recipients
        assert not any("alpha" in address or "beta" in address for address in notice.recipients)


def test_a_notice_whose_key_exists_is_not_made_again():
    case = case_at(Status.ACKNOWLEDGED)
    now = timezone.now()
    first = NoticeDraft(
        case=case, kind=Notice.Kind.CLOCK_OVERDUE, key="k1", recipients=["a@x.test"], subject="s", body="b"
    )
    second = NoticeDraft(
        case=case, kind=Notice.Kind.CLOCK_OVERDUE, key="k2", recipients=["a@x.test"], subject="s", body="b"
    )
    nobody = NoticeDraft(case=case, kind=Notice.Kind.CLOCK_OVERDUE, key="k3", recipients=[], subject="s", body="b")
    assert [notice.key for notice in notices_create(drafts=[first], now=now)] == ["k1"]
    made = notices_create(drafts=[first, second, nobody], now=now + timedelta(minutes=1))
    assert [notice.key for notice in made] == ["k2"]
    assert sorted(Notice.objects.values_list("key", flat=True)) == ["k1", "k2"]


def test_one_undeliverable_notice_holds_up_no_other_and_is_tried_again(django_capture_on_commit_callbacks):
    case = case_at(Status.ACKNOWLEDGED)
    drafts = [
        NoticeDraft(
            case=case,
            kind=Notice.Kind.CLOCK_OVERDUE,
            key=f"k{n}",
            recipients=[f"p{n}@x.test"],
            subject=f"s{n}",
            body="b",
        )
        for n in range(3)
    ]
    notices = notices_create(drafts=drafts, now=timezone.now())
    ids = [notice.id for notice in notices]
    real_send = mail.send_mail

    def refuse_the_second(subject, *args, **kwargs):
        if subject == "s1":
            raise ConnectionRefusedError("mail server down")
        return real_send(subject, *args, **kwargs)

    mail.outbox.clear()
    # The mail server refusing one message (a stand-in: no mail server runs in the tests).
    with (
        mock.patch("complaints.services.notices.send_mail", side_effect=refuse_the_second),
        pytest.raises(NoticesUndelivered),
    ):
        notices_deliver_task.run(ids)
    assert sorted(message.subject for message in mail.outbox) == ["s0", "s2"]
    assert Notice.objects.get(key="k1").sent_at is None
    assert Notice.objects.get(key="k1").attempts == 1

    notices_deliver_task.run(ids)  # the retry: only the one left is sent
    assert sorted(message.subject for message in mail.outbox) == ["s0", "s1", "s2"]
    assert Notice.objects.filter(sent_at__isnull=True).count() == 0
