class ArchiveError(Exception):
    """An archive cannot be written, read, verified or restored. The message names what is wrong
    in words an operator can act on."""


class TargetNotEmpty(ArchiveError):
    """A restore was asked to write into a database or a storage that already holds data."""


class RestoredNotMigrated(Exception):
    """A restore wrote everything and checked it, but migrating it forward to this code failed:
    the data is in place (restoring again would be refused), only ``migrate`` is left to do."""
