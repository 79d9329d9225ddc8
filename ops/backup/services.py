"""Back up, verify and restore the whole portal: the database and every stored file.

``backup_create`` writes one archive (ops.backup.archive) from one consistent snapshot of the
database (ops.backup.database) and the files that snapshot refers to, plus any other file in
the storage. ``archive_verify`` reads an archive to its end and checks every checksum against the
manifest without writing anything. ``archive_restore`` verifies first, then writes into an
empty database and empty storage, checks the row counts, and migrates forward; if anything
fails after writing began, it empties the target again.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from ops.backup import archive, crypto, database, storage
from ops.backup.errors import ArchiveError, RestoredNotMigrated

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


def configured_key() -> bytes | None:
    return crypto.parse_key(settings.BACKUP_ENCRYPTION_KEY) if settings.BACKUP_ENCRYPTION_KEY else None


def archive_name_for(moment: datetime, *, encrypted: bool) -> str:
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"helpcenter-{stamp}.tar" + (".enc" if encrypted else "")


@dataclass
class BackupResult:
    name: str
    size: int
    files: int
    file_bytes: int
    tables: int
    rows: int
    seconds: float
    missing_files: dict[str, str] = field(default_factory=dict)


def backup_create(
    *, name: str | None = None, key: bytes | None = None, progress: Callable[[int], Progress] | None = None
) -> BackupResult:
    """Write one archive of the database and every stored file to the backup storage.

    ``key`` seals the archive (None: plain). ``progress(total_bytes)`` may return a callback that
    is told each number of bytes copied. Raises ArchiveError when the archive cannot be made;
    nothing is left in the backup storage then.
    """
    started = time.monotonic()
    created_at = timezone.now()
    name = name or archive_name_for(created_at, encrypted=key is not None)
    with storage.temp_folder() as folder:
        with database.snapshot(Path(folder)) as snap:
            dump_size = snap.dump_path.stat().st_size
            references = set(snap.file_references)
        # Files the snapshot refers to must be in the archive; any other stored file (uploaded
        # after the snapshot, or left over) comes too, so nothing in the storage is lost.
        sizes, missing = {}, {}
        for file_name in sorted(references | set(storage.walk(default_storage))):
            try:
                sizes[file_name] = default_storage.size(file_name)
            except Exception as error:  # a storage raises its own "not found" (OSError, ClientError)
                if file_name in references:
                    missing[file_name] = f"named by the database but not in the storage ({type(error).__name__})"
        header = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "portal_version": storage.portal_version(),
            "created_at": created_at.isoformat(),
            "archive": name,
            "database_vendor": database.vendor(),
            "encrypted": key is not None,
        }
        tick = progress(dump_size + sum(sizes.values())) if progress else None
        member = archive.DATABASE_PREFIX + snap.dump_path.name
        files_manifest = {}
        with storage.destination(name) as raw:
            writer = archive.ArchiveWriter(raw, key=key, progress=tick)
            writer.add_json(archive.HEADER, header)
            with snap.dump_path.open("rb") as dump:
                dump_sha = writer.add_stream(member, dump, dump_size)
            for file_name, size in sizes.items():
                try:
                    stream = default_storage.open(file_name, "rb")
                except Exception as error:
                    if file_name in references:
                        missing[file_name] = f"could not be read ({type(error).__name__})"
                    continue
                with stream:
                    sha = writer.add_stream(archive.FILES_PREFIX + file_name, stream, size)
                files_manifest[file_name] = {"size": size, "sha256": sha}
            manifest = {
                **header,
                "database": {
                    "member": member,
                    "size": dump_size,
                    "sha256": dump_sha,
                    "tool": snap.tool,
                    "server_version": snap.server_version,
                },
                "migrations": snap.migrations,
                "row_counts": snap.row_counts,
                "files": files_manifest,
                "missing_files": missing,
            }
            data = writer.add_json(archive.MANIFEST, manifest)
            writer.add_bytes(archive.MANIFEST_DIGEST, hashlib.sha256(data).hexdigest().encode())
            writer.close()
    for file_name, reason in missing.items():
        logger.error("Backup %s: %s %s", name, file_name, reason)
    return BackupResult(
        name=name,
        size=storage.archive_size(name),
        files=len(files_manifest),
        file_bytes=sum(entry["size"] for entry in files_manifest.values()),
        tables=len(snap.row_counts),
        rows=sum(snap.row_counts.values()),
        seconds=time.monotonic() - started,
        missing_files=missing,
    )


# --- Reading -------------------------------------------------------------------------------------


def _walk(raw, *, key, on_database=None, on_file=None, progress: Progress | None = None) -> dict:
    """Read a whole archive and check it against its manifest. Returns the manifest."""
    header = manifest = manifest_bytes = digest = None
    database_seen = None
    files_seen: dict[str, tuple[str, int]] = {}
    for member in archive.members(raw, key=key):
        if header is None:
            if member.name != archive.HEADER:
                raise ArchiveError(f"The archive does not start with {archive.HEADER}: it is not a portal backup.")
            header, _ = archive.parse_json(member, limit=1024 * 1024)
            archive.check_header(header)
        elif manifest_bytes is not None and member.name != archive.MANIFEST_DIGEST:
            raise ArchiveError(f"The archive has {member.name} after its manifest: it was altered.")
        elif member.name.startswith(archive.DATABASE_PREFIX):
            if database_seen is not None:
                raise ArchiveError("The archive holds two databases: it was altered.")
            database_seen = (member.name, *(on_database or _read)(member, progress))
        elif member.name.startswith(archive.FILES_PREFIX):
            name = member.name[len(archive.FILES_PREFIX) :]
            parts = PurePosixPath(name).parts
            if not name or name.startswith("/") or "\\" in name or ".." in parts:
                raise ArchiveError(f"The archive names a file outside the storage ({name!r}): it was altered.")
            if name in files_seen:
                raise ArchiveError(f"The archive holds the file {name} twice: it was altered.")
            files_seen[name] = (on_file or _read_file)(name, member, progress)
        elif member.name == archive.MANIFEST:
            manifest, manifest_bytes = archive.parse_json(member)
        elif member.name == archive.MANIFEST_DIGEST:
            digest = member.stream.read(200).decode(errors="replace").strip()
        else:
            raise ArchiveError(f"The archive holds {member.name!r}, which a portal backup never has.")
    if header is None:
        raise ArchiveError("The archive holds nothing.")
    if manifest_bytes is None:
        raise ArchiveError(f"The archive is truncated: it ends before its manifest ({len(files_seen):,} files read).")
    if digest is None:
        raise ArchiveError("The archive is truncated: it ends before the manifest's checksum.")
    if hashlib.sha256(manifest_bytes).hexdigest() != digest:
        raise ArchiveError("The manifest was edited: its SHA-256 does not match manifest.sha256.")
    _check_manifest(header, manifest, database_seen, files_seen)
    return manifest


def _read(member, progress):
    return archive.read_member(member, progress=progress)


def _read_file(name, member, progress):
    return archive.read_member(member, progress=progress)


def _check_manifest(header: dict, manifest: dict, database_seen, files_seen: dict) -> None:
    for key, value in header.items():
        if manifest.get(key) != value:
            raise ArchiveError(f"The manifest does not match the archive's header ({key}): it was edited.")
    expected_db = manifest.get("database") or {}
    if database_seen is None:
        raise ArchiveError("The archive holds no database.")
    member, sha, size = database_seen
    if expected_db.get("member") != member:
        raise ArchiveError(
            f"The manifest names {expected_db.get('member')} as the database, but the archive has {member}."
        )
    if (expected_db.get("sha256"), expected_db.get("size")) != (sha, size):
        raise ArchiveError(f"The database dump {member} was altered: its SHA-256 or size differs from the manifest.")
    expected_files = manifest.get("files")
    if not isinstance(expected_files, dict) or not isinstance(manifest.get("row_counts"), dict):
        raise ArchiveError("The manifest lacks its file list or row counts: it was edited or damaged.")
    absent = sorted(set(expected_files) - set(files_seen))
    if absent:
        raise ArchiveError(
            f"{len(absent):,} files listed in the manifest are missing from the archive, e.g. {absent[0]}."
        )
    unlisted = sorted(set(files_seen) - set(expected_files))
    if unlisted:
        raise ArchiveError(f"The archive holds {len(unlisted):,} files the manifest does not list, e.g. {unlisted[0]}.")
    for name, (sha, size) in files_seen.items():
        entry = expected_files[name]
        if (entry.get("sha256"), entry.get("size")) != (sha, size):
            raise ArchiveError(f"The file {name} was altered: its SHA-256 or size differs from the manifest.")


def _migration_state(manifest: dict) -> list[str]:
    """Migrations this code has that the archive lacks. Refuses an archive with migrations this
    code does not know (it comes from a newer portal)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    replaced = {f"{app}.{name}" for migration in loader.disk_migrations.values() for app, name in migration.replaces}
    in_archive = set(manifest.get("migrations") or [])
    unknown = sorted(in_archive - known - replaced)
    if unknown:
        raise ArchiveError(
            f"The archive comes from a newer version of the portal: its database has {len(unknown)} migrations this "
            f"code does not know (e.g. {unknown[0]}, portal version {manifest.get('portal_version')}). Restore it with "
            "that version or a later one."
        )
    return sorted(known - in_archive - {m for m in known if _replaced_all_applied(loader, m, in_archive)})


def _replaced_all_applied(loader, label: str, applied: set[str]) -> bool:
    app, name = label.split(".", 1)
    replaces = loader.disk_migrations[(app, name)].replaces
    return bool(replaces) and all(f"{a}.{n}" in applied for a, n in replaces)


@dataclass
class VerifyResult:
    manifest: dict
    files: int
    file_bytes: int
    rows: int
    pending_migrations: list[str]


def archive_verify(*, archive_path: str, key: bytes | None, progress: Progress | None = None) -> VerifyResult:
    """Read ``archive_path`` (a file, or a name in the backup storage) to its end and check it:
    header, every checksum, the manifest's own checksum, the dump readable by its tool, and that
    this code can restore it. Writes nothing. Raises ArchiveError naming what is wrong."""
    with storage.temp_folder() as folder:
        dump_path = Path(folder) / "database"

        def keep_dump(member, progress):
            with dump_path.open("wb") as sink:
                return archive.read_member(member, sink=sink, progress=progress)

        with storage.source(archive_path) as raw:
            manifest = _walk(raw, key=key, on_database=keep_dump, progress=progress)
        if manifest["database_vendor"] == "postgresql":
            database.pg_check_dump(dump_path)
        else:
            database.sqlite_check_file(dump_path)
    pending = _migration_state(manifest)
    return VerifyResult(
        manifest=manifest,
        files=len(manifest["files"]),
        file_bytes=sum(entry["size"] for entry in manifest["files"].values()),
        rows=sum(manifest["row_counts"].values()),
        pending_migrations=pending,
    )


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    rows: int
    migrated: list[str]
    seconds: float


def archive_restore(
    *, archive_path: str, key: bytes | None, progress: Callable[[str, int], Progress] | None = None
) -> RestoreResult:
    """Restore ``archive_path`` into the configured database and default storage, which must both
    be empty. Verifies the whole archive first (nothing written if it is bad), then writes the
    files and the database, checks every table's row count, and migrates forward. On a failure
    after writing began, the database and storage are emptied again. Raises TargetNotEmpty or
    ArchiveError; RestoredNotMigrated when only the forward migration failed (the data stays)."""
    started = time.monotonic()
    database.target_check_empty()
    storage.files_check_empty()
    verified = archive_verify(
        archive_path=archive_path, key=key, progress=progress("Checking", 0) if progress else None
    )
    manifest = verified.manifest
    # Checked again just before writing: another restore may have started meanwhile.
    database.target_check_empty()
    storage.files_check_empty()
    written: list[str] = []
    database_written = False
    expected = manifest["files"]
    try:
        with storage.temp_folder() as folder:
            dump_path = Path(folder) / "database"

            def write_dump(member, progress):
                with dump_path.open("wb") as sink:
                    sha, size = archive.read_member(member, sink=sink, progress=progress)
                if sha != manifest["database"]["sha256"]:
                    raise ArchiveError("The database dump changed since it was checked: the archive is being altered.")
                return sha, size

            def write_file(name, member, progress):
                buffer, sha, size = archive.spool(member, progress=progress)
                with buffer:
                    if sha != expected.get(name, {}).get("sha256"):
                        raise ArchiveError(
                            f"The file {name} changed since it was checked: the archive is being altered."
                        )
                    saved = default_storage.save(name, File(buffer, name=name))
                written.append(saved)
                if saved != name:
                    raise ArchiveError(f"The storage saved {name} as {saved}: it was not empty.")
                return sha, size

            tick = progress("Restoring", 0) if progress else None
            with storage.source(archive_path) as raw:
                _walk(raw, key=key, on_database=write_dump, on_file=write_file, progress=tick)
            database_written = True
            database.restore_dump(dump_path, manifest["database_vendor"])
        counts = database.row_counts()
        differ = sorted(t for t, n in manifest["row_counts"].items() if counts.get(t) != n)
        if differ:
            raise ArchiveError(
                f"After loading, {len(differ)} tables do not have the manifest's row counts (e.g. {differ[0]}: "
                f"{counts.get(differ[0])} rows, manifest {manifest['row_counts'][differ[0]]})."
            )
    except BaseException:
        _undo(written, database_written)
        raise
    connections["default"].close()
    migrated = verified.pending_migrations
    if migrated:
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except Exception as error:
            raise RestoredNotMigrated(
                f"Every table and file was restored and checked, but migrating the database forward failed "
                f"({type(error).__name__}: {error}). Nothing was removed: fix the cause and run manage.py migrate; "
                "do not restore again."
            ) from error
    _after_restore(manifest)
    return RestoreResult(
        manifest=manifest, files=len(written), rows=verified.rows, migrated=migrated, seconds=time.monotonic() - started
    )


def _undo(written: list[str], database_written: bool) -> None:
    for name in written:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s while undoing a failed restore", name)
    if database_written:
        database.target_wipe()


def _after_restore(manifest: dict) -> None:
    from ops.models import BackupRun, Lease

    # Leases are locks of processes that no longer exist; the archive's own run was still
    # running at the snapshot, and it is the run that produced this very archive.
    Lease.objects.all().delete()
    BackupRun.objects.filter(archive_name=manifest["archive"], status=BackupRun.Status.RUNNING).update(
        status=BackupRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        detail="Completed (this portal was restored from it).",
    )
