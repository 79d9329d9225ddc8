"""Backup and restore of the whole portal: the database and every stored file (docs/backups.md).

archive     the archive format (a tar stream: header, database, files, manifest)
crypto      encryption at rest, streamed in chunks (AES-256-GCM)
database    a consistent snapshot and its dump; loading a dump into an empty database
storage     where archives go and where files live, through Django's storage API
services    backup_create, archive_verify, archive_restore
schedule    the nightly run under a lease, retention, its state, notices to supervisors
coverage    every place the portal keeps data, and whether a backup holds it
"""
