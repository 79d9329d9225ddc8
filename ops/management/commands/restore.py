"""manage.py restore ARCHIVE: bring a portal back into an empty database and empty storage."""

from django.core.management.base import BaseCommand, CommandError

from ops.backup import services
from ops.backup.errors import ArchiveError, RestoredNotMigrated

from ._progress import Bars, read_key


class Command(BaseCommand):
    help = (
        "Restore ARCHIVE (a file, or an archive name in the backup storage) into the configured database "
        "and file storage, which must both be empty. The whole archive is checked before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--key-file", help="read the encryption key from this file instead of BACKUP_ENCRYPTION_KEY"
        )

    def handle(self, *args, archive, key_file=None, **options):
        bars = Bars()
        try:
            result = services.archive_restore(
                archive_path=archive, key=read_key(key_file), progress=lambda label, total: bars(total, label)
            )
        except ArchiveError as error:
            bars.close()
            raise CommandError(f"{error} Nothing was restored.") from None
        except RestoredNotMigrated as error:
            bars.close()
            raise CommandError(str(error)) from None
        except Exception as error:
            bars.close()
            raise CommandError(
                f"The restore failed: {type(error).__name__}: {error}. Anything it had written was removed again."
            ) from None
        bars.close()
        manifest = result.manifest
        self.stdout.write(
            f"Restored {archive} (made {manifest['created_at']}): "
            f"{result.rows:,} rows in {len(manifest['row_counts'])} "
            f"tables and {result.files:,} files, in {result.seconds:.1f} s."
        )
        if result.migrated:
            self.stdout.write(f"Applied {len(result.migrated)} newer migrations: {', '.join(result.migrated)}.")
        if manifest.get("missing_files"):
            self.stderr.write(
                f"WARNING: {len(manifest['missing_files'])} files were already missing when the archive was made: "
                + ", ".join(list(manifest["missing_files"])[:5])
            )
