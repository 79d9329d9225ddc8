"""Shared by the backup commands: a progress bar on a terminal only (never in logs or cron mail),
and the encryption key, which must not live beside the archives."""

import sys
from pathlib import Path

from django.conf import settings
from tqdm import tqdm

from ops.backup import crypto
from ops.backup.errors import ArchiveError


class Bars:
    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self._bars = []

    def __call__(self, total: int, label: str = "Backing up"):
        if not self.enabled:
            return None
        bar = tqdm(total=total or None, unit="B", unit_scale=True, unit_divisor=1024, desc=label, file=sys.stderr)
        self._bars.append(bar)
        return bar.update

    def close(self) -> None:
        for bar in self._bars:
            bar.close()


def read_key(key_file: str | None) -> bytes | None:
    """The key from ``key_file``, else BACKUP_ENCRYPTION_KEY, else None (no encryption)."""
    if key_file:
        if Path(key_file).resolve().is_relative_to(Path(settings.BACKUP_DIR).resolve()):
            raise ArchiveError(
                f"Refused: the key file {key_file} is inside the backup folder {settings.BACKUP_DIR}. "
                "A key kept beside the archives protects nothing: keep it in your secrets store."
            )
        with open(key_file) as handle:
            return crypto.parse_key(handle.read())
    return crypto.parse_key(settings.BACKUP_ENCRYPTION_KEY) if settings.BACKUP_ENCRYPTION_KEY else None
