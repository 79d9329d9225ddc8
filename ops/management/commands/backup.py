"""manage.py backup: one archive of the database and every stored file (docs/backups.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import crypto, services, storage
from ops.backup.errors import ArchiveError
from ops.backup.schedule import backup_run
from ops.models import BackupRun

from ._progress import Bars, read_key


class Command(BaseCommand):
    help = (
        "Back up the database and every stored file into one archive in the backup storage "
        "(BACKUP_DIR or BACKUP_S3_BUCKET), encrypted when BACKUP_ENCRYPTION_KEY is set. "
        "--verify ARCHIVE checks an archive without restoring it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--verify", metavar="ARCHIVE", help="read ARCHIVE (a file or an archive name) and check every checksum"
        )
        parser.add_argument(
            "--list", dest="list_archives", action="store_true", help="list the archives in the backup storage"
        )
        parser.add_argument("--new-key", action="store_true", help="print a new random encryption key and exit")
        parser.add_argument(
            "--key-file", help="read the encryption key from this file instead of BACKUP_ENCRYPTION_KEY"
        )

    def handle(self, *args, verify=None, list_archives=False, new_key=False, key_file=None, **options):
        if new_key:
            self.stdout.write(crypto.new_key())
            return
        if list_archives:
            for name in storage.archives():
                self.stdout.write(f"{name}\t{storage.archive_size(name):,} bytes")
            return
        bars = Bars()
        try:
            key = read_key(key_file)
            if verify:
                result = services.archive_verify(archive_path=verify, key=key, progress=bars(0, "Checking"))
                bars.close()
                manifest = result.manifest
                self.stdout.write(
                    f"OK: {verify} is intact. Made {manifest['created_at']} by portal {manifest['portal_version']} "
                    f"({manifest['database_vendor']}): {result.rows:,} rows in {len(manifest['row_counts'])} tables, "
                    f"{result.files:,} files ({result.file_bytes:,} bytes); every checksum matches."
                )
                if result.pending_migrations:
                    self.stdout.write(
                        f"It is older than this code: restore will apply {len(result.pending_migrations)} migrations."
                    )
                if manifest.get("missing_files"):
                    self.stdout.write(
                        f"Note: {len(manifest['missing_files'])} files were already missing when it was made."
                    )
                return
            run = backup_run(trigger=BackupRun.Trigger.COMMAND, key=key, progress=bars)
        except ArchiveError as error:
            bars.close()
            raise CommandError(str(error)) from None
        except Exception as error:
            bars.close()
            raise CommandError(f"The backup failed: {type(error).__name__}: {error}") from None
        bars.close()
        if run is None:
            raise CommandError("Another backup is running (the lease is held); try again when it has finished.")
        result = run.result
        where = storage.describe(storage.backup_storage())
        self.stdout.write(
            f"Backed up to {where}/{result.name}: {result.size:,} bytes, "
            f"{result.rows:,} rows in {result.tables} tables, "
            f"{result.files:,} files, in {result.seconds:.1f} s"
            + (" (encrypted)" if key else " (not encrypted: set BACKUP_ENCRYPTION_KEY to encrypt)")
            + f". Keeping the newest {settings.BACKUP_KEEP}."
        )
        for name, reason in result.missing_files.items():
            self.stderr.write(f"WARNING: {name}: {reason}")
