class ArchiveError(Exception):
    """An archive cannot be written, read, verified or restored. The message names what is wrong
    in words an operator can act on."""


class TargetNotEmpty(ArchiveError):
    """A restore was asked to write into a database or a storage that already holds data."""
