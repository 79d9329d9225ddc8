"""What signing writes, pinned: the timeline in order, the clocks, and the queries it costs.

Written before the submission was made faster (``complaints.row_checks``, clocks and their events
inserted together), and passing on the code before and after: the record a case starts with did
not change."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.clocks import CLOCK_RULES, LOCAL_TZ, ClockName
from complaints.errors import CaseError
from complaints.models import Case, CaseEvent, CaseNumberSequence
from complaints.tests.samples import PDF
from filing import services
from filing.tests import answers
from filing.tests.answers import fill_draft, step_url
from filing.tests.test_apply import _file

pytestmark = pytest.mark.django_db

# Enough for the case, its patient, clocks, timeline, document and the draft; it was 123 before,
# and 28 while the case number took a savepoint, a read and an update (7 for a year's first case).
SUBMIT_QUERIES_MAX = 22  # inside the test's own transaction, draft_submit's adds a savepoint


def _sign(client, plan):
    draft = fill_draft(client, plan)
    client.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "DENIAL_LETTER", "files": [_file("d.pdf", PDF)]}
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(step_url(draft, "sign"), answers.sign())
    assert response["Location"] == step_url(draft, "done")
    draft.refresh_from_db()
    return draft.submitted_case, len(queries.captured_queries)


def test_signing_writes_the_filed_event_then_each_clock_then_the_document(signed_in, enrollee, plan):
    with time_machine.travel("2026-11-16 10:00 -08:00", tick=False):
        case, _ = _sign(signed_in, plan)
        now = timezone.now()
    events = list(case.events.order_by("occurred_at", "id").values_list("kind", "summary", "actor", "actor_role"))
    assert events == [
        (CaseEvent.Kind.FILED, f"Filed online; case number {case.number}", enrollee.pk, "ENROLLEE"),
        *[(CaseEvent.Kind.CLOCK_STARTED, summary, enrollee.pk, "ENROLLEE") for summary in _clock_summaries(case)],
        (CaseEvent.Kind.DOCUMENT_ADDED, "Document added: Plan's denial letter", enrollee.pk, "ENROLLEE"),
    ]
    clocks = list(case.clocks.order_by("id").values_list("name", "started_at", "met_at", "stopped_at"))
    decision = case.plan_decision_date
    grievance = case.grievance_filed_date
    assert clocks == [
        ("ACKNOWLEDGEMENT", case.received_at, None, None),
        ("ELIGIBILITY_NOTICE", case.received_at, None, None),
        ("FILING_WINDOW", _day_start(decision), case.received_at, None),
        ("PLAN_GRIEVANCE", _day_start(grievance), _day_start(decision), None),
    ]
    assert case.received_at == now
    started = case.events.filter(kind=CaseEvent.Kind.CLOCK_STARTED).order_by("id")
    assert [event.data["clock"] for event in started] == [name for name, *_ in clocks]
    # The stored data as written at filing (due times in California time, as the rules compute them).
    assert [event.data for event in started] == [
        {"clock": "ACKNOWLEDGEMENT", "started_at": "2026-11-16T18:00:00+00:00", "due_at": "2026-11-23T23:59:59-08:00"},
        {
            "clock": "ELIGIBILITY_NOTICE",
            "started_at": "2026-11-16T18:00:00+00:00",
            "due_at": "2026-11-23T23:59:59-08:00",
        },
        {"clock": "FILING_WINDOW", "started_at": "2026-10-27T00:00:00-07:00", "due_at": "2027-04-27T23:59:59-07:00"},
        {"clock": "PLAN_GRIEVANCE", "started_at": "2026-10-07T00:00:00-07:00", "due_at": "2026-11-06T23:59:59-08:00"},
    ]
    assert all(event.occurred_at == now for event in started)
    first = case.clocks.exclude(name__in=["FILING_WINDOW", "PLAN_GRIEVANCE"]).order_by("due_at", "id").first()
    assert (case.next_due_at, case.next_clock_name) == (first.due_at, first.name)


def test_signing_costs_a_fixed_number_of_queries(signed_in, plan):
    _, queries = _sign(signed_in, plan)
    assert queries <= SUBMIT_QUERIES_MAX


def test_a_refusal_after_the_number_was_taken_leaves_nothing(signed_in, enrollee, plan):
    # case_file and document_add run without savepoints inside draft_submit: its one
    # transaction must still undo everything, the number taken included.
    draft = fill_draft(signed_in, plan)
    signed_in.post(step_url(draft, "documents"), {"action": "upload", "kind": "BILL", "files": [_file("b.pdf", PDF)]})
    sequences = list(CaseNumberSequence.objects.values_list("year", "last_value"))
    with pytest.raises(CaseError):
        services.draft_submit(draft=draft, actor=enrollee, signed_name="", records_authorized=True, language="en")
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert list(CaseNumberSequence.objects.values_list("year", "last_value")) == sequences
    draft.refresh_from_db()
    assert draft.submitted_case is None
    assert draft.answers["problem"]
    assert draft.documents.count() == 1


def _day_start(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)


def _clock_summaries(case):
    return [
        f"{clock.get_name_display()} clock: {_length(clock)}, due {clock.due_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M %Z}"
        for clock in case.clocks.order_by("id")
    ]


def _length(clock):
    rule = CLOCK_RULES[ClockName(clock.name)]
    return rule.urgent if clock.urgent else rule.normal
