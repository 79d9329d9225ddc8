"""The supervisors' dashboard: open cases by status and track, clocks overdue and due soon, clock
compliance over 30 and 90 days, cases received per week, cases by plan, and the sweep's health."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from accounts.tests.factories import HealthPlanFactory
from complaints.clocks import LOCAL_TZ
from complaints.tests.drive import drive
from complaints.tests.factories import file_case
from ops.services import heartbeat_record

from .conftest import signed_in
from .support import page_text

pytestmark = pytest.mark.django_db

DASHBOARD_URL = "/admin/complaints/case/dashboard/"
NOW = datetime(2026, 11, 4, 11, 0, tzinfo=LOCAL_TZ)  # a Wednesday
DATES = {"grievance_filed_date": date(2026, 5, 1), "plan_decision_date": date(2026, 6, 1)}


def at(year, month, day, hour=10):
    return time_machine.travel(datetime(year, month, day, hour, 0, tzinfo=LOCAL_TZ), tick=False)


@pytest.fixture
def history(supervisor):
    """Seven cases whose clocks were met, missed or stopped at known times (see each line)."""
    kaiser, blue = HealthPlanFactory(name="Kaiser Foundation Health Plan"), HealthPlanFactory(name="Blue Shield")
    cases = {}
    with at(2026, 7, 1):
        cases["D"] = file_case(health_plan_id=blue.id, **DATES)  # long ago: outside both windows
    with at(2026, 7, 2):
        drive(cases["D"], ["acknowledge"], actor=supervisor)
    with at(2026, 9, 1):
        cases["E"] = file_case(health_plan_id=blue.id, **DATES)
        cases["F"] = file_case(health_plan_id=blue.id, **DATES)
    with at(2026, 9, 2):
        drive(cases["E"], ["withdraw"], actor=supervisor)  # clocks stopped before due: not counted
    with at(2026, 9, 3):
        drive(cases["F"], ["acknowledge"], actor=supervisor)  # on time; eligibility then missed (Sep 8)
    with at(2026, 10, 20):
        cases["A"] = file_case(health_plan_id=kaiser.id, **DATES)
        cases["B"] = file_case(health_plan_id=kaiser.id, **DATES)
    with at(2026, 10, 21):
        drive(cases["A"], ["acknowledge"], actor=supervisor)  # on time
    with at(2026, 11, 2):
        drive(cases["B"], ["acknowledge"], actor=supervisor)  # late: it was due Oct 26
    with at(2026, 10, 28):
        cases["G"] = file_case(
            health_plan_id=blue.id, **DATES
        )  # acknowledgement due Nov 2: missed; eligibility due today
    with at(2026, 11, 3):
        cases["C"] = file_case(health_plan_id=kaiser.id, **DATES)  # everything still ahead
    return cases


def dashboard_text(user) -> str:
    with time_machine.travel(NOW, tick=False):
        response = signed_in(user).get(DASHBOARD_URL)
    assert response.status_code == 200
    return page_text(response)


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_open_cases_by_status_and_track(supervisor, history):
    text = between(dashboard_text(supervisor), "Open cases by status and track", "Running clocks")
    assert "(6)" in text  # the withdrawn case is not open
    assert "Filed 2 0 0 2" in text
    assert "Acknowledged 4 0 0 4" in text
    assert "Withdrawn" not in text


def test_running_clocks_overdue_due_today_and_due_soon(supervisor, history):
    text = between(dashboard_text(supervisor), "Running clocks", "Clock compliance")
    # Eligibility notices: six running, four overdue (A, B, D, F), G's due tonight.
    assert "IMR eligibility notice 6 4 OVERDUE 1 1" in text
    # Acknowledgements: C's is ahead, G's was due Monday.
    assert "Acknowledgement letter 2 1 OVERDUE 0 0" in text
    assert "Plan written response and records 0 0 0 0" in text


def test_clock_compliance_over_30_and_90_days(supervisor, history):
    text = dashboard_text(supervisor)
    last_30 = between(text, "Last 30 days", "Last 90 days")
    # Acknowledgements: A on time, B late, G missed. Eligibility: A and B missed.
    assert "Acknowledgement letter 3 1 33.3%" in last_30
    assert "IMR eligibility notice 2 0 0.0%" in last_30
    assert "All clocks 5 1 20.0%" in last_30
    last_90 = between(text, "Last 90 days", "Cases received per week")
    # F adds an acknowledgement on time and a missed eligibility notice; E's stopped clocks never count.
    assert "Acknowledgement letter 4 2 50.0%" in last_90
    assert "IMR eligibility notice 3 0 0.0%" in last_90
    assert "All clocks 7 2 28.6%" in last_90


def test_cases_received_per_week_as_a_chart_and_a_table(supervisor, history):
    with time_machine.travel(NOW, tick=False):
        response = signed_in(supervisor).get(DASHBOARD_URL)
    content = response.content.decode()
    assert '<svg role="img"' in content
    assert content.count("<rect ") == 12
    text = between(page_text(response), "Week of Cases received", "Cases by plan")
    assert "Mon Aug 17, 2026 0" in text  # twelve weeks, the first starting on a Monday
    assert "Mon Aug 31, 2026 2" in text  # E and F
    assert "Mon Oct 19, 2026 2" in text  # A and B
    assert "Mon Oct 26, 2026 1" in text  # G
    assert "Mon Nov 2, 2026 1" in text  # C
    assert "Jul" not in text  # D is older than the chart


def test_cases_by_plan(supervisor, history):
    text = dashboard_text(supervisor)
    rows = text[text.index("Cases by plan") :]
    # Open, open with an overdue clock, received in the last 30 and 90 days.
    assert "Blue Shield 3 3 OVERDUE 1 3" in rows
    assert "Kaiser Foundation Health Plan 3 2 OVERDUE 3 3" in rows
    assert rows.index("Blue Shield") < rows.index("Kaiser")


def test_the_sweep_is_shown_healthy_when_it_ran_recently(supervisor):
    with time_machine.travel(NOW - timedelta(seconds=90), tick=False):
        heartbeat_record(service="SWEEP", host="worker-1")
    text = dashboard_text(supervisor)
    assert "The clock sweep last ran 1 min ago" in text
    assert "FAULT" not in text


def test_a_stale_sweep_is_a_fault(supervisor, settings):
    settings.SWEEP_STALE_SECONDS = 300
    with time_machine.travel(NOW - timedelta(minutes=20), tick=False):
        heartbeat_record(service="SWEEP", host="worker-1")
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        heartbeat_record(service="WORKER", host="worker-1")  # another service's heartbeat does not count
    text = dashboard_text(supervisor)
    assert "FAULT: the clock sweep last ran 20 min ago" in text


def test_a_sweep_that_never_ran_is_a_fault(supervisor):
    assert "FAULT: the clock sweep has never run." in dashboard_text(supervisor)


def test_the_dashboard_links_each_figure_to_the_queue(supervisor, history):
    with time_machine.travel(NOW, tick=False):
        content = signed_in(supervisor).get(DASHBOARD_URL).content.decode()
    assert "/admin/complaints/case/?clock=ELIGIBILITY_NOTICE&amp;due=overdue" in content
    assert "/admin/complaints/case/?status=FILED" in content
