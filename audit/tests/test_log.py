"""The audit log: who read, downloaded or changed which case, when, from where, and the outcome;
rows nobody can change or delete; and the supervisors' search and CSV export."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from audit.models import Action, AuditEvent, AuditEventImmutable, Outcome
from audit.rules import RULES, SIGN_IN_ROUTES
from audit.services import audit_record
from complaints.models import Document, Status
from complaints.services.documents import document_add
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case():
    case = drive(file_case(), PATHS[Status.RESPONSE_REQUESTED])
    document_add(
        case=case, name="denial.pdf", data=PDF, kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    return case


def events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_staff_reading_and_downloading_a_case_are_each_recorded_with_who_what_where_and_outcome(case):
    staff = StaffFactory(groups=[StaffGroup.CLINICAL], email="cleo@dmhc.example.test")
    client = verified_client(staff)
    document = case.documents.get()
    before = AuditEvent.objects.count()
    page = client.get(f"/admin/complaints/case/{case.pk}/change/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Tester")
    download = client.get(f"/admin/complaints/case/{case.pk}/documents/{document.pk}/", REMOTE_ADDR="10.1.2.3")
    assert page.status_code == 200
    assert download.status_code == 200
    view, fetched = AuditEvent.objects.order_by("id")[before:]
    assert (view.actor, view.actor_label, view.actor_kind) == (staff, "cleo@dmhc.example.test", "STAFF")
    assert (view.action, view.outcome, view.case_number) == (Action.VIEW, Outcome.SUCCESS, case.number)
    assert (view.ip_address, view.user_agent, view.method) == ("10.1.2.3", "Tester", "GET")
    assert view.route == "admin:complaints_case_change"
    assert (fetched.action, fetched.object_kind, fetched.object_id) == (Action.DOWNLOAD, "document", str(document.pk))
    assert fetched.case_number == case.number
    # Nothing about the patient is in the log, only identifiers.
    for event in (view, fetched):
        row = " ".join(str(value) for value in event.__dict__.values())
        assert "Rosa" not in row
        assert "Delgado" not in row


def test_a_change_by_staff_is_recorded_as_a_change(case):
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    response = verified_client(staff).post(
        f"/admin/complaints/case/{case.pk}/move/receive_plan_response/", {}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302
    (change,) = events(route="admin:complaints_case_move")
    assert (change.action, change.outcome, change.case_number, change.method) == (
        Action.CHANGE,
        Outcome.SUCCESS,
        case.number,
        "POST",
    )


def test_a_plan_user_asking_for_another_plans_case_is_recorded_as_denied(case):
    stranger = PlanUserFactory()
    response = verified_client(stranger).get(f"/plan/cases/{case.number}/")
    assert response.status_code == 404
    (denied,) = events(actor=stranger, route="plan-case")
    assert (denied.action, denied.outcome, denied.case_number) == (Action.VIEW, Outcome.DENIED, case.number)
    assert denied.detail == "case not reached"


def test_the_plan_reading_its_case_and_downloading_a_file_are_recorded(case):
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    client = verified_client(plan_user)
    document = case.documents.get()
    assert client.get(f"/plan/cases/{case.number}/").status_code == 200
    assert client.get(f"/plan/cases/{case.number}/documents/{document.pk}/").status_code == 200
    assert [(e.action, e.outcome, e.case_number) for e in events(actor=plan_user, route__startswith="plan-")] == [
        (Action.VIEW, Outcome.SUCCESS, case.number),
        (Action.DOWNLOAD, Outcome.SUCCESS, case.number),
    ]


def test_the_enrollee_reading_their_own_case_is_recorded_too(case):
    client = Client()
    client.force_login(case.filed_by)
    assert client.get(f"/my/{case.number}/").status_code == 200
    (view,) = events(route="my-case")
    assert (view.actor, view.case_number, view.outcome) == (case.filed_by, case.number, Outcome.SUCCESS)


def test_a_staff_session_without_the_second_factor_is_recorded_as_denied(case):
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    client = Client()
    client.force_login(staff)
    assert client.get(f"/admin/complaints/case/{case.pk}/change/").status_code == 302
    (denied,) = events(route="admin:complaints_case_change")
    assert denied.outcome == Outcome.DENIED
    assert denied.case_number == ""


def test_nobody_signed_in_writes_no_row(case):
    assert Client().get(f"/my/{case.number}/").status_code == 302
    assert Client().get(f"/plan/cases/{case.number}/").status_code == 302
    assert not AuditEvent.objects.filter(route__in=["my-case", "plan-case"]).exists()


def test_public_pages_write_no_row(client):
    before = AuditEvent.objects.count()
    for path in ["/", "/guide/", "/decisions/", "/contact/"]:
        assert client.get(path).status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_address_comes_from_the_trusted_proxy_only(case, settings):
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    client = verified_client(staff)
    url = f"/admin/complaints/case/{case.pk}/change/"
    settings.TRUSTED_PROXIES = []
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    no_proxy, behind_proxy = events(route="admin:complaints_case_change")
    assert no_proxy.ip_address == "10.0.0.5"  # a header the client wrote is ignored
    assert behind_proxy.ip_address == "203.0.113.7"  # the entry our load balancer added


def _view_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _view_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_rule_names_a_real_page():
    existing = _view_names(get_resolver().url_patterns)
    assert set(RULES) - existing == set()
    assert set(SIGN_IN_ROUTES) - existing == set()


# ---- rows are never changed or deleted ------------------------------------------------------
def _one_event() -> AuditEvent:
    return audit_record(action=Action.VIEW, outcome=Outcome.SUCCESS, actor=None, actor_label="someone@example.test")


def test_the_application_cannot_change_or_delete_a_row():
    event = _one_event()
    event.detail = "edited"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(detail="edited")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Only PostgreSQL refuses changes in the database: on SQLite a trigger would also refuse the "
    "DELETE that Django's test flush empties tables with (docs/security.md).",
)
@pytest.mark.django_db(transaction=True)  # committed rows, as the test flush meets them
def test_the_database_refuses_update_and_delete_even_in_raw_sql_but_allows_truncate():
    event = _one_event()
    for statement in (
        "UPDATE audit_auditevent SET detail = 'edited' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert not AuditEvent.objects.exists()


# ---- the supervisors' view ------------------------------------------------------------------
def test_supervisors_search_the_log_by_case_and_export_it_as_csv(case):
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    reader = StaffFactory(groups=[StaffGroup.LEGAL], email="leo@dmhc.example.test")
    verified_client(reader).get(f"/admin/complaints/case/{case.pk}/change/")
    audit_record(action=Action.VIEW, outcome=Outcome.SUCCESS, actor=None, actor_label="=HYPERLINK(1)", detail="-2+3")
    client = verified_client(supervisor)

    found = client.get("/admin/audit/auditevent/", {"q": case.number})
    assert found.status_code == 200
    assert "leo@dmhc.example.test" in found.text
    assert "Export these rows (CSV)" in found.text

    export = client.get("/admin/audit/auditevent/export/", {"q": case.number})
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith("attachment;")
    assert "no-store" in export["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {row["actor_label"] for row in rows} == {"leo@dmhc.example.test"}
    assert rows[0]["case_number"] == case.number

    everything = client.get("/admin/audit/auditevent/export/")
    cells = b"".join(everything.streaming_content).decode()
    # A cell a spreadsheet would run as a formula is written as text.
    assert "'=HYPERLINK(1)" in cells
    assert "'-2+3" in cells
    # Searching and exporting the log are in the log.
    assert events(actor=supervisor, action=Action.EXPORT)


def test_only_supervisors_open_the_log_and_nobody_can_edit_it(case):
    event = _one_event()
    for group in (StaffGroup.INTAKE, StaffGroup.CLINICAL, StaffGroup.LEGAL):
        client = verified_client(StaffFactory(groups=[group]))
        assert client.get("/admin/audit/auditevent/").status_code == 403
        assert client.get("/admin/audit/auditevent/export/").status_code == 403
    supervisor = verified_client(StaffFactory(groups=[StaffGroup.SUPERVISOR]))
    assert supervisor.get("/admin/audit/auditevent/add/").status_code == 403
    assert supervisor.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    detail = supervisor.post(f"/admin/audit/auditevent/{event.pk}/change/", {"detail": "edited"})
    assert detail.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
    enrollee = Client()
    enrollee.force_login(EnrolleeFactory())
    assert enrollee.get("/admin/audit/auditevent/").status_code == 302
