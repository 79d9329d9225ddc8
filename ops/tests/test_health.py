from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ops.health import check_heartbeat, health_report
from ops.models import Heartbeat
from ops.services import heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, settings):
    """A client allowed to see /healthz's details: the test client's address is trusted."""
    settings.HEALTHZ_DETAIL_ADDRESSES = ["127.0.0.1"]
    return client


def test_a_service_never_seen_is_a_fault():
    result = check_heartbeat(Heartbeat.Service.WORKER)
    assert result.ok is False
    assert result.detail == "never seen"


def test_a_recent_heartbeat_is_fine_and_a_stale_one_is_a_fault(settings):
    settings.HEARTBEAT_STALE_SECONDS = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        heartbeat_record(service=Heartbeat.Service.WORKER, host="worker-1")
    with time_machine.travel(start + timedelta(seconds=119), tick=False):
        assert check_heartbeat(Heartbeat.Service.WORKER).ok is True
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        stale = check_heartbeat(Heartbeat.Service.WORKER)
        assert stale.ok is False
        assert stale.detail == "not seen for 121 s"


def test_the_newest_host_counts_when_several_workers_report():
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        heartbeat_record(service=Heartbeat.Service.WORKER, host="old-host")
    with time_machine.travel(now, tick=False):
        heartbeat_record(service=Heartbeat.Service.WORKER, host="new-host")
        assert check_heartbeat(Heartbeat.Service.WORKER).ok is True
    assert Heartbeat.objects.filter(service=Heartbeat.Service.WORKER).count() == 2


def test_a_second_heartbeat_from_one_host_updates_its_row():
    heartbeat_record(service=Heartbeat.Service.BEAT, host="h")
    heartbeat_record(service=Heartbeat.Service.BEAT, host="h")
    assert Heartbeat.objects.filter(service=Heartbeat.Service.BEAT).count() == 1


def _all_alive():
    for service in (Heartbeat.Service.WORKER, Heartbeat.Service.BEAT, Heartbeat.Service.SWEEP):
        heartbeat_record(service=service)


def test_healthz_answers_200_when_everything_is_alive(operator):
    _all_alive()
    response = operator.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "broker", "worker", "beat", "sweep", "backup"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_and_names_the_fault_when_beat_is_gone(operator):
    heartbeat_record(service=Heartbeat.Service.WORKER)
    response = operator.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"]["ok"] is True
    assert checks["beat"] == {"ok": False, "detail": "never seen"}


def test_healthz_reports_an_unreachable_broker(operator, settings):
    from helpcenter.celery import app

    _all_alive()
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.EMBEDDED_BROKER_DIRS = []
    try:
        response = operator.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_health_report_database_check_names_the_vendor():
    report = health_report()
    assert report["checks"]["database"]["ok"] is True
    assert report["checks"]["database"]["detail"] in {"sqlite", "postgresql"}


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_a_sweep_that_has_not_run_for_several_minutes_is_a_fault(operator, settings):
    settings.SWEEP_STALE_SECONDS = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _all_alive()
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        # Worker and beat report again; the sweep has not run since.
        heartbeat_record(service=Heartbeat.Service.WORKER)
        heartbeat_record(service=Heartbeat.Service.BEAT)
        assert operator.get("/healthz").status_code == 200
    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        heartbeat_record(service=Heartbeat.Service.WORKER)
        heartbeat_record(service=Heartbeat.Service.BEAT)
        response = operator.get("/healthz")
        assert response.status_code == 503
        assert response.json()["checks"]["sweep"]["detail"] == "not seen for 301 s"


def test_the_public_gets_the_status_only(client):
    _all_alive()
    healthy = client.get("/healthz")
    assert (healthy.status_code, healthy.json()) == (200, {"ok": True})
    Heartbeat.objects.filter(service=Heartbeat.Service.BEAT).delete()
    failing = client.get("/healthz")
    assert (failing.status_code, failing.json()) == (503, {"ok": False})
    for word in ("postgresql", "sqlite", "redis", "filesystem", "last_seen", "never seen"):
        assert word not in failing.text.lower()


def test_signed_in_staff_with_the_second_factor_see_the_details():
    from accounts.models import StaffGroup
    from accounts.tests.factories import EnrolleeFactory, StaffFactory
    from twofactor.testing import verified_client

    _all_alive()
    staff = StaffFactory(groups=[StaffGroup.INTAKE])
    assert set(verified_client(staff).get("/healthz").json()["checks"]) == {
        "database",
        "broker",
        "worker",
        "beat",
        "sweep",
        "backup",
    }
    password_only = Client()
    password_only.force_login(staff)
    assert password_only.get("/healthz").json() == {"ok": True}
    enrollee = Client()
    enrollee.force_login(EnrolleeFactory())
    assert enrollee.get("/healthz").json() == {"ok": True}


def test_a_trusted_address_sees_the_details_and_a_forged_header_does_not(client, settings):
    _all_alive()
    settings.HEALTHZ_DETAIL_ADDRESSES = ["10.20.0.0/16"]
    assert "checks" in client.get("/healthz", REMOTE_ADDR="10.20.3.4").json()
    assert client.get("/healthz", REMOTE_ADDR="198.51.100.7").json() == {"ok": True}
    forged = client.get("/healthz", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.20.3.4")
    assert forged.json() == {"ok": True}
