"""A progress bar for the backup commands, on a terminal only (never in logs or cron mail)."""

import sys

from tqdm import tqdm


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
    from django.conf import settings

    from ops.backup import crypto

    if key_file:
        with open(key_file) as handle:
            return crypto.parse_key(handle.read())
    return crypto.parse_key(settings.BACKUP_ENCRYPTION_KEY) if settings.BACKUP_ENCRYPTION_KEY else None
