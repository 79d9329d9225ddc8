"""Where archives go and where the portal's files live, through Django's storage API only, so the
same code serves a local folder and an S3 bucket (django-storages)."""

import os
import re
import shutil

# git runs with an argument list, never through a shell.
import subprocess  # nosec B404
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages

from ops.backup.errors import ArchiveError, TargetNotEmpty

ARCHIVE_NAME = re.compile(r"^helpcenter-\d{8}T\d{6}Z\.tar(\.enc)?$")


def backup_storage() -> Storage:
    return storages["backups"]


def describe(storage: Storage) -> str:
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        return f"s3://{bucket}/{getattr(storage, 'location', '')}".rstrip("/")
    return str(getattr(storage, "location", storage))


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage`` under ``folder``, depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from walk(storage, f"{folder}/{sub}" if folder else sub)


def files_check_empty(storage: Storage | None = None) -> None:
    storage = storage or default_storage
    first = next(walk(storage), None)
    if first is not None:
        raise TargetNotEmpty(
            f"Refused: the file storage {describe(storage)} already holds files (for example {first}). "
            "A restore only writes into empty storage: empty it, or point MEDIA_ROOT or the bucket setting "
            "at an empty one."
        )


def _local_path(storage: Storage, name: str) -> Path | None:
    """The archive's path when the backup storage is a local folder, else None (a bucket)."""
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(name))
    return None


@contextmanager
def destination(name: str):
    """A file to write the archive ``name`` into. It appears in the backup storage whole, or not
    at all: a local folder gets a ``.partial`` file renamed at the end; a bucket gets an upload
    from a local temporary file once the archive is complete."""
    storage = backup_storage()
    local = _local_path(storage, name)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(local.name + ".partial")
        try:
            with partial.open("wb") as raw:
                yield raw
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, local)
        finally:
            partial.unlink(missing_ok=True)
        return
    with tempfile.TemporaryFile(dir=settings.BACKUP_TEMP_DIR or None) as raw:
        yield raw
        raw.seek(0)
        saved = storage.save(name, File(raw, name=name))
        if saved != name:
            storage.delete(saved)
            raise ArchiveError(f"The backup storage already has an archive named {name}.")


@contextmanager
def source(archive: str):
    """Open an archive: a local path, or a name in the backup storage."""
    path = Path(archive)
    if path.is_file():
        with path.open("rb") as raw:
            yield raw
        return
    storage = backup_storage()
    if os.path.basename(archive) == archive and storage.exists(archive):
        with storage.open(archive, "rb") as raw:
            yield raw
        return
    raise ArchiveError(
        f"No archive {archive!r}: it is not a file here, nor an archive in the backup storage "
        f"{describe(storage)} (`manage.py backup --list` lists them)."
    )


def archives() -> list[str]:
    """The archives in the backup storage, oldest first (their names sort by time)."""
    storage = backup_storage()
    try:
        _, files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted(name for name in files if ARCHIVE_NAME.match(name))


def archive_size(name: str) -> int:
    return backup_storage().size(name)


def archives_prune(*, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` archives; return the names deleted."""
    names = archives()
    doomed = names[:-keep] if keep > 0 else []
    for name in doomed:
        backup_storage().delete(name)
    return doomed


def temp_folder():
    if settings.BACKUP_TEMP_DIR:
        Path(settings.BACKUP_TEMP_DIR).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="helpcenter-backup-", dir=settings.BACKUP_TEMP_DIR or None)


def portal_version() -> str:
    if settings.PORTAL_VERSION:
        return settings.PORTAL_VERSION
    git = shutil.which("git")
    if git:
        result = subprocess.run(  # noqa: S603  # nosec B603
            [git, "describe", "--always", "--dirty"], cwd=settings.BASE_DIR, capture_output=True, text=True
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return "unknown"
