"""The backup drills: a seeded portal is backed up while filings arrive, loses its database and
every file, is restored with `manage.py restore`, and everything is back: every case, clock,
timeline entry, document (bytes equal), letter PDF, published decision and audit row; the audit
table still refuses changes; the enrollee signs in and reads their letter; the sweep runs.

Once on PostgreSQL with a real Celery worker making the backup from its nightly task, and once
on the embedded backend (SQLite, files on disk) through the commands alone, as an operator of a
one-machine portal would. Marked ``drill``: CI's single `make test` runs each once.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction

from accounts.tests.factories import TEST_PASSWORD
from complaints.models import Letter
from complaints.tests.factories import file_case
from helpcenter.tests.backup_drill_support import DRILL_EMAIL, portal_state, seed_portal
from ops.backup import crypto, database
from ops.backup.storage import archives
from ops.models import BackupRun, Heartbeat
from ops.testing import PROJECT_DIR, Broker, start_worker, unique_queue, wait_until

pytestmark = pytest.mark.drill

ROW_KINDS = ("clocks", "events", "documents", "letters", "audit")


def _comparable(state: dict) -> dict:
    """The state with every row as a tuple of text, so states from two processes compare."""
    return json.loads(json.dumps(state, default=str))


def _as_sets(state: dict, *, keys_only: bool = False) -> dict:
    """Each kind of row as a set: whole rows, or (keys_only) just what names a row, for rows that
    may change after the backup (a letter pending then is issued now)."""
    if keys_only:
        return {
            "cases": set(state["cases"]),
            **{kind: {json.dumps(row[:2]) for row in state[kind]} for kind in ROW_KINDS},
            "files": set(state["files"]),
        }
    return {
        "cases": {json.dumps(case, sort_keys=True) for case in state["cases"].values()},
        **{kind: {json.dumps(row) for row in state[kind]} for kind in ROW_KINDS},
        "files": set(state["files"].items()),
    }


def _assert_between(before: dict, restored: dict, after: dict) -> None:
    """Everything there before the backup is back unchanged, and every row restored existed when
    the backup finished (nothing invented)."""
    before, restored, after = (_comparable(s) for s in (before, restored, after))
    whole_before, whole_restored = _as_sets(before), _as_sets(restored)
    keys_restored, keys_after = _as_sets(restored, keys_only=True), _as_sets(after, keys_only=True)
    for kind in whole_before:
        lost = whole_before[kind] - whole_restored[kind]
        assert not lost, f"{kind} lost or changed: {sorted(lost)[:3]}"
        invented = keys_restored[kind] - keys_after[kind]
        assert not invented, f"{kind} invented: {sorted(invented)[:3]}"


def _file_filings(stop: threading.Event, filed: list) -> None:
    try:
        while not stop.is_set():
            filed.append(file_case().number)
    finally:
        connection.close()


@pytest.mark.worker
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="This drill needs the suite on PostgreSQL; the embedded drill below runs on every backend.",
)
@pytest.mark.django_db(transaction=True)
def test_drill_on_postgresql_with_a_real_worker(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    backups = tmp_path / "backups"
    key = crypto.new_key()
    seed_portal()
    before = portal_state()
    assert len(before["cases"]) >= 10
    assert before["letters"]
    assert before["files"]

    broker = (
        Broker.redis(os.environ["REDIS_URL"], tmp_path) if os.environ.get("REDIS_URL") else Broker.embedded(tmp_path)
    )
    queue = unique_queue()
    env = {"BACKUP_DIR": str(backups), "BACKUP_ENCRYPTION_KEY": key}
    worker = start_worker(broker, queue=queue, **env)
    stop, filed = threading.Event(), []
    filings = threading.Thread(target=_file_filings, args=(stop, filed))
    try:
        filings.start()
        wait_until(lambda: len(filed) >= 2, timeout=60, what="filings to start arriving")
        broker.send("ops.backup_nightly", queue=queue, kwargs={})
        wait_until(
            lambda: BackupRun.objects.exclude(status=BackupRun.Status.RUNNING).exists(),
            timeout=180,
            what="the worker's nightly backup",
        )
        filed_during = len(filed)
        time.sleep(1)
    finally:
        stop.set()
        filings.join(timeout=60)
        worker.stop()
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.SUCCEEDED, run.detail + worker.log()
    assert run.trigger == BackupRun.Trigger.SCHEDULE
    assert filed_during >= 2, "filings kept arriving while the backup ran"
    after = portal_state()
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": backups}},
    }
    assert archives() == [run.archive_name]

    # Lose everything: every table and every file.
    database.target_wipe()
    shutil.rmtree(settings.MEDIA_ROOT)
    assert connection.introspection.table_names() == []

    restore = subprocess.run(
        [sys.executable, "manage.py", "restore", run.archive_name],
        cwd=PROJECT_DIR, env=broker.child_environment(**env), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr
    assert "Restored" in restore.stdout

    restored = portal_state()
    _assert_between(before, restored, after)
    # Consistent although filings arrived during the backup: every file a restored row names is back.
    assert set(restored["files"]) == set(after["files"]) & set(restored["files"])
    assert len(restored["cases"]) > len(before["cases"]), "the filings committed before the snapshot are back"
    assert restored["decisions"] == before["decisions"]
    assert BackupRun.objects.get().status == BackupRun.Status.SUCCEEDED

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'edited'")

    _enrollee_reads_a_letter(client)

    worker = start_worker(broker, queue=queue, **env)
    try:
        since = time.time()
        broker.send("complaints.clock_sweep", queue=queue, kwargs={})
        wait_until(
            lambda: Heartbeat.objects.filter(service=Heartbeat.Service.SWEEP, seen_at__gte=_moment(since)).exists(),
            timeout=120,
            what="the sweep to run on the restored portal",
        )
    finally:
        worker.stop()


def _moment(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def _enrollee_reads_a_letter(client) -> None:
    response = client.post("/account/signin/", {"username": DRILL_EMAIL, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    letter = (
        Letter.objects.filter(case__filed_by__email=DRILL_EMAIL, state=Letter.State.ISSUED, recipient="ENROLLEE")
        .order_by("id")
        .first()
    )
    assert letter is not None
    response = client.get(f"/my/{letter.case.number}/letters/{letter.id}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == letter.sha256
    with default_storage.open(letter.pdf.name, "rb") as handle:
        assert handle.read() == body


EMBEDDED_STATE = """
import json
from helpcenter.tests.backup_drill_support import portal_state, seed_portal
if SEED:
    seed_portal()
print("STATE" + json.dumps(portal_state(), default=str, sort_keys=True))
"""

EMBEDDED_AFTER = """
import hashlib
from django.test import Client
from complaints.models import Letter
from complaints.tasks import clock_sweep
from ops.models import Heartbeat
from helpcenter.tests.backup_drill_support import DRILL_EMAIL
from accounts.tests.factories import TEST_PASSWORD
client = Client(HTTP_HOST="localhost")
assert client.post("/account/signin/", {"username": DRILL_EMAIL, "password": TEST_PASSWORD}).status_code == 302
letters = Letter.objects.filter(case__filed_by__email=DRILL_EMAIL, state="ISSUED", recipient="ENROLLEE")
letter = letters.order_by("id").first()
response = client.get(f"/my/{letter.case.number}/letters/{letter.id}/")
assert response.status_code == 200, response.status_code
assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == letter.sha256
clock_sweep()
assert Heartbeat.objects.filter(service="SWEEP").exists()
print("SIGNED IN, LETTER READ, SWEEP RAN")
"""


def test_drill_on_the_embedded_backend(tmp_path):
    env = dict(os.environ)
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "BACKUP_ENCRYPTION_KEY", "AWS_STORAGE_BUCKET_NAME"):
        env.pop(name, None)
    key = crypto.new_key()
    database_file = tmp_path / "portal.sqlite3"
    env.update(
        DATABASE_URL=f"sqlite:///{database_file}",
        HELPCENTER_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_ENCRYPTION_KEY=key,
        CELERY_TASK_ALWAYS_EAGER="True",
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def state(seed: bool) -> dict:
        output = run("-c", "import django; django.setup()\nSEED = " + repr(seed) + EMBEDDED_STATE).stdout
        return json.loads(output.split("STATE", 1)[1])

    run("manage.py", "migrate", "--noinput", "--verbosity", "0")
    before = state(seed=True)
    assert before["letters"]
    assert before["files"]
    backup = run("manage.py", "backup")
    assert "(encrypted)" in backup.stdout
    (name,) = [p.name for p in (tmp_path / "backups").iterdir()]
    run("manage.py", "backup", "--verify", name)

    database_file.unlink()
    shutil.rmtree(tmp_path / "media")

    restore = run("manage.py", "restore", name)
    assert "Restored" in restore.stdout
    restored = state(seed=False)
    assert restored == before
    assert "SIGNED IN, LETTER READ, SWEEP RAN" in run("-c", "import django; django.setup()\n" + EMBEDDED_AFTER).stdout
