"""Every place the portal keeps data, and whether a backup holds it.

The database is dumped whole (every table, every row, triggers and sequences included), so a new
model is covered the day its migration runs. Files are covered when they live in the default
storage, which the backup walks through the storage API. Everything else is listed here with the
reason it is left out; helpcenter/tests/test_backup_coverage.py fails when a storage, a file
field on another storage, or a folder setting appears that is in neither list.
"""

# Storages (settings.STORAGES) whose every file goes into the archive.
BACKED_UP_STORAGES = {
    "default": "uploads, issued letters and drafts' files, walked through the storage API (local folder or bucket)",
}

# Storages left out on purpose.
NOT_BACKED_UP_STORAGES = {
    "staticfiles": "built from the code by collectstatic",
    "backups": "the archives themselves: copy them off-site (docs/backups.md)",
}

# Folder and file settings of helpcenter/settings.py.
PATH_SETTINGS = {
    "BASE_DIR": "the code: from version control",
    "VAR_DIR": "the embedded run's working folder; what in it matters is listed by its own setting",
    "MEDIA_ROOT": "the default storage's folder: backed up",
    "STATIC_ROOT": "collectstatic's output, rebuilt from the code",
    "STATICFILES_DIRS": "part of the code",
    "LOCALE_PATHS": "part of the code (compiled by make setup)",
    "CELERY_BEAT_SCHEDULE_FILENAME": "beat's own bookkeeping, rebuilt when beat starts",
    "EMBEDDED_BROKER_DIRS": "queued tasks: the database is the source of truth and the sweep redoes lost work",
    "BACKUP_DIR": "the archives themselves",
    "BACKUP_TEMP_DIR": "scratch space while an archive is written or read",
    "DATABASES": "dumped whole: pg_dump, or SQLite's online backup of the embedded file",
    "EMAIL_FILE_PATH": "the development e-mail backend's folder; e-mails only point at what the database holds",
    "CACHES": "a cache (sign-in throttles, computed pages): rebuilt as the portal runs",
}
