"""The nightly backup's record, retention and lease; "last backup" in /healthz and on the
supervisors' dashboard; supervisors told about a failed or overdue backup, once."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.tests.admin.conftest import signed_in
from ops.backup import storage
from ops.backup.schedule import backup_run, backup_watch
from ops.leases import lease_acquire
from ops.models import BackupNotice, BackupRun
from ops.services import heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def backups(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_ENCRYPTION_KEY = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "b"}},
    }
    return tmp_path / "b"


@pytest.fixture
def supervisor():
    return StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sam@helpcenter.example")


def healthz(client) -> tuple[int, dict]:
    """/healthz's status and its backup check, read as an operator (from a trusted address)."""
    for service in ("WORKER", "BEAT", "SWEEP"):
        heartbeat_record(service=service)
    with override_settings(HEALTHZ_DETAIL_ADDRESSES=["127.0.0.1"]):
        response = client.get("/healthz")
    return response.status_code, response.json()["checks"]["backup"]


def test_a_new_portal_is_healthy_until_its_first_backup_is_overdue(client, settings):
    settings.BACKUP_STALE_HOURS = 26
    status, check = healthz(client)
    assert (status, check["ok"], check["detail"]) == (200, True, "never backed up; the first runs tonight")
    with time_machine.travel(timezone.now() + timedelta(hours=27)):
        status, check = healthz(client)
    assert (status, check["ok"], check["detail"]) == (503, False, "never backed up; overdue")


def test_a_backup_records_its_run_and_healthz_reports_its_age(client, backups):
    run = backup_run(trigger=BackupRun.Trigger.COMMAND)
    run.refresh_from_db()
    assert run.status == BackupRun.Status.SUCCEEDED
    assert (backups / run.archive_name).is_file()
    assert run.size_bytes == (backups / run.archive_name).stat().st_size
    status, check = healthz(client)
    assert status == 200
    assert check["ok"] is True
    assert check["detail"].startswith("last backup ")
    assert check["last_seen_at"] == run.finished_at.isoformat()
    with time_machine.travel(timezone.now() + timedelta(hours=django_settings.BACKUP_STALE_HOURS, minutes=5)):
        status, check = healthz(client)
    assert status == 503
    assert check["ok"] is False
    assert check["detail"].endswith("; overdue")


def test_retention_keeps_the_newest_archives(backups, settings):
    settings.BACKUP_KEEP = 2
    names = []
    for hour in range(3):
        with time_machine.travel(timezone.now() + timedelta(hours=hour)):
            names.append(backup_run(trigger=BackupRun.Trigger.SCHEDULE).archive_name)
    assert storage.archives() == names[1:]
    assert "1 older archives deleted (keeping 2)" in BackupRun.objects.get(archive_name=names[2]).detail


def test_a_second_backup_while_one_runs_does_nothing(backups):
    assert lease_acquire(name="backup", holder="another-host:1", seconds=600)
    assert backup_run(trigger=BackupRun.Trigger.SCHEDULE) is None
    assert not BackupRun.objects.exists()
    assert storage.archives() == []


def test_a_failed_backup_is_recorded_and_supervisors_are_told_once(settings, tmp_path, supervisor, client):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}},
    }
    with pytest.raises(OSError, match="not-a-folder"):
        backup_run(trigger=BackupRun.Trigger.SCHEDULE)
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED
    assert "not-a-folder" in run.detail
    assert [message.to for message in mail.outbox] == [["sam@helpcenter.example"]]
    assert mail.outbox[0].subject == "Help Center portal: the backup failed"
    backup_watch()  # not overdue yet (a new portal): nothing more
    assert len(mail.outbox) == 1
    text = signed_in(supervisor).get("/admin/complaints/case/dashboard/").content.decode()
    assert "The latest attempt failed" in text


def test_an_overdue_backup_is_told_to_supervisors_once_per_stretch(backups, supervisor):
    backup_run(trigger=BackupRun.Trigger.COMMAND)
    later = timezone.now() + timedelta(hours=27)
    with time_machine.travel(later):
        backup_watch()
        backup_watch()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Help Center portal: no backup for too long"
    assert "OVERDUE: The last good backup finished 27" in mail.outbox[0].body
    with time_machine.travel(later + timedelta(hours=1)):
        backup_run(trigger=BackupRun.Trigger.SCHEDULE)
        backup_watch()
    with time_machine.travel(later + timedelta(hours=30)):
        backup_watch()
    assert len(mail.outbox) == 2
    assert BackupNotice.objects.filter(sent_at__isnull=False).count() == 2


def test_the_dashboard_shows_the_last_backup(backups, supervisor):
    run = backup_run(trigger=BackupRun.Trigger.COMMAND)
    text = signed_in(supervisor).get("/admin/complaints/case/dashboard/").content.decode()
    assert "The last good backup finished" in text
    assert run.archive_name in text


def test_the_nightly_backup_and_its_watch_are_on_beat(settings):
    nightly = settings.CELERY_BEAT_SCHEDULE["backup-nightly"]
    assert nightly["task"] == "ops.backup_nightly"
    assert nightly["schedule"].hour == {settings.BACKUP_HOUR}
    assert settings.CELERY_BEAT_SCHEDULE["backup-watch"]["task"] == "ops.backup_watch"


def test_a_failure_with_no_supervisor_to_tell_is_still_recorded(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}},
    }
    with pytest.raises(OSError, match="not-a-folder"):
        backup_run(trigger=BackupRun.Trigger.COMMAND)
    assert BackupRun.objects.get().status == BackupRun.Status.FAILED
    notice = BackupNotice.objects.get()
    assert notice.recipients == []
    assert notice.sent_at is None
    assert mail.outbox == []


def test_a_notice_no_supervisor_could_be_told_goes_to_the_supervisors_there_are_at_the_next_watch(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}},
    }
    with pytest.raises(OSError, match="not-a-folder"):
        backup_run(trigger=BackupRun.Trigger.COMMAND)
    assert mail.outbox == []
    StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sam@helpcenter.example")
    backup_watch()
    [message] = mail.outbox
    assert message.to == ["sam@helpcenter.example"]
    assert message.subject == "Help Center portal: the backup failed"
    notice = BackupNotice.objects.get()
    assert (notice.recipients, notice.attempts) == (["sam@helpcenter.example"], 2)
    assert notice.sent_at is not None
    backup_watch()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_notice_another_process_is_sending_is_left_to_it():
    import threading

    from django.db import connection, transaction

    from ops.backup.schedule import backup_notice_send

    notice = BackupNotice.objects.create(
        key="backup-failed-1", recipients=["sam@helpcenter.example"], subject="s", body="b", created_at=timezone.now()
    )
    locked, release = threading.Event(), threading.Event()

    def other_sender():
        try:
            with transaction.atomic():
                BackupNotice.objects.select_for_update().get(pk=notice.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert locked.wait(10)
        backup_notice_send(notice_id=notice.pk)
        assert mail.outbox == []
    finally:
        release.set()
        thread.join(10)
    notice.refresh_from_db()
    assert (notice.attempts, notice.sent_at) == (0, None)
    backup_notice_send(notice_id=notice.pk)
    assert len(mail.outbox) == 1
