"""Backup and restore of a large portal: time and peak memory of `manage.py backup`,
`backup --verify` and `restore`, each run as its own process as an operator runs them.

Built with the bench's fast writer (bench.casedata, COPY on PostgreSQL): CASES cases (their
patients and clocks) and DOCUMENTS documents of DOCUMENT_KB each (random bytes, so nothing
compresses) in a scratch media folder. The archive is encrypted (a key is set), as production's
should be. The restore goes into a new empty database and an empty media folder.

Baseline: the same three commands first run on a small portal (BASELINE_CASES cases,
BASELINE_DOCUMENTS documents) in the same run. Target: constant memory, i.e. the peak resident
memory at full size stays within BASELINE + MEMORY_SLACK_MIB of the small portal's. Times have no
target; docs/backups.md quotes them. Sizes can be lowered with BENCH_BACKUP_CASES and
BENCH_BACKUP_DOCUMENTS (the table says what was measured).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg2
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench import casedata
from bench.core import Result, benchmark
from complaints.models import Case, Document
from ops.backup import crypto
from ops.testing import PROJECT_DIR, test_database_url

CASES = int(os.environ.get("BENCH_BACKUP_CASES", 100_000))
DOCUMENTS = int(os.environ.get("BENCH_BACKUP_DOCUMENTS", 20_000))
DOCUMENT_KB = int(os.environ.get("BENCH_BACKUP_DOCUMENT_KB", 64))
BASELINE_CASES, BASELINE_DOCUMENTS = 1_000, 200
MEMORY_SLACK_MIB = 64


@dataclass
class Run:
    seconds: float
    peak_mib: float
    output: str


def _command(*args: str, env: dict) -> Run:
    """Run manage.py as a child process; its wall time and peak resident memory (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        command = [sys.executable, "manage.py", *args]
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=err)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed: {err.read().decode()[-2000:]}")
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode())


def _documents(book: casedata.Book, count: int, media: Path) -> int:
    """``count`` documents spread over the built cases, each a file of DOCUMENT_KB random bytes."""
    case_ids = list(range(book.first_case_id, book.last_case_id + 1))
    now = timezone.now()
    rows, total = [], 0
    for i in range(count):
        case_id = case_ids[(i * 7919) % len(case_ids)]
        data = os.urandom(DOCUMENT_KB * 1024)
        name = f"documents/bench/{case_id}/{uuid.uuid4().hex}.pdf"
        path = media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        rows.append({
            "case_id": case_id, "kind": Document.Kind.DENIAL_LETTER, "source": Document.Source.ENROLLEE,
            "uploaded_at": now - timedelta(days=1), "file": name, "original_name": "denial.pdf",
            "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "content_type": "application/pdf",
        })  # fmt: skip
        if len(rows) == casedata.BATCH:
            with transaction.atomic():
                casedata.write(Document, rows)
            rows = []
    if rows:
        with transaction.atomic():
            casedata.write(Document, rows)
    return total


def _empty_database() -> tuple[str, callable]:
    if connection.vendor == "postgresql":
        name = f"bench_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        params = connection.get_connection_params()
        params["dbname"] = "postgres"

        def admin(sql):
            conn = psycopg2.connect(**params)
            conn.autocommit = True
            try:
                conn.cursor().execute(sql)
            finally:
                conn.close()

        admin(f'CREATE DATABASE "{name}"')
        return test_database_url().rsplit("/", 1)[0] + f"/{name}", lambda: admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    path = Path(tempfile.mkdtemp(dir=settings.VAR_DIR)) / "restored.sqlite3"
    return f"sqlite:///{path}", lambda: shutil.rmtree(path.parent, ignore_errors=True)


def _round_trip(folder: Path, media: Path) -> dict[str, Run]:
    key = crypto.new_key()
    env = dict(os.environ)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.update(DATABASE_URL=test_database_url(), MEDIA_ROOT=str(media), BACKUP_DIR=str(folder / "backups"),
               BACKUP_ENCRYPTION_KEY=key, BACKUP_TEMP_DIR=str(folder))  # fmt: skip
    runs = {"backup": _command("backup", env=env)}
    (archive,) = (folder / "backups").iterdir()
    runs["verify"] = _command("backup", "--verify", str(archive), env=env)
    target_url, drop = _empty_database()
    try:
        restored_media = folder / "restored-media"
        runs["restore"] = _command(
            "restore", str(archive), env={**env, "DATABASE_URL": target_url, "MEDIA_ROOT": str(restored_media)}
        )
        files = sum(1 for p in restored_media.rglob("*") if p.is_file())
        runs["restore"].output += f" [{files} files back]"
    finally:
        drop()
    runs["size"] = archive.stat().st_size
    archive.unlink()
    return runs


@benchmark
def backup_and_restore() -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-", dir=settings.VAR_DIR))
    media = folder / "media"
    now = timezone.now()
    try:
        small = casedata.build(total=BASELINE_CASES, open_share=0.3, due=0, now=now)
        _documents(small, BASELINE_DOCUMENTS, media)
        baseline = _round_trip(folder / "small", media)
        started = time.perf_counter()
        big = casedata.build(total=CASES - BASELINE_CASES, open_share=0.3, due=0, now=now, seed=7)
        file_bytes = _documents(big, DOCUMENTS - BASELINE_DOCUMENTS, media) + BASELINE_DOCUMENTS * DOCUMENT_KB * 1024
        build_seconds = time.perf_counter() - started
        cases = Case.objects.count()
        documents = Document.objects.count()
        full = _round_trip(folder / "full", media)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    size = f"{cases:,} cases, {documents:,} documents ({file_bytes / 2**30:.2f} GiB of files)"
    small_size = f"{BASELINE_CASES:,} cases, {BASELINE_DOCUMENTS} documents"
    note = (
        f"{connection.vendor}; archive {full['size'] / 2**30:.2f} GiB, encrypted; every command run as its own "
        "process; peak = the process's maximum resident memory"
    )
    rows = [Result("backup: build", size, f"in {build_seconds:.0f} s", "", None, note=note)]
    for step, label in (
        ("backup", "manage.py backup"),
        ("verify", "backup --verify"),
        ("restore", "manage.py restore"),
    ):
        run, base = full[step], baseline[step]
        rows.append(
            Result(f"backup: {label}, time", f"{run.seconds:.1f} s", f"{base.seconds:.1f} s at {small_size}", "-")
        )
        met = run.peak_mib <= base.peak_mib + MEMORY_SLACK_MIB
        rows.append(Result(
            f"backup: {label}, peak memory", f"{run.peak_mib:.0f} MiB", f"{base.peak_mib:.0f} MiB at {small_size}",
            f"<= baseline + {MEMORY_SLACK_MIB} MiB (constant)", met,
        ))  # fmt: skip
    return rows
