"""The archive format: one tar stream, optionally sealed (ops.backup.crypto).

Members, in this order:

    header.json       format, format version, portal version, time, database kind, encrypted?
    database/...      postgresql.dump (pg_dump custom format) or sqlite3.db (a copy of the file)
    files/<name>      every stored file, under its storage name
    manifest.json     everything in the header, migration state, row counts per table, the dump's
                      and each file's size and SHA-256, and files the database named but the
                      storage did not have
    manifest.sha256   the SHA-256 of manifest.json, so an edited manifest is noticed

The header comes first so an archive from a newer portal is refused before anything is read;
the manifest comes last because the checksums are known only once everything is written. A tar
stream needs no seeking, so the archive can be written to and read from a pipe or a bucket with
constant memory.
"""

import hashlib
import io
import json
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ops.backup import crypto
from ops.backup.errors import ArchiveError

FORMAT = "helpcenter-backup"
FORMAT_VERSION = 1
HEADER = "header.json"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
DATABASE_PREFIX = "database/"
FILES_PREFIX = "files/"
COPY_CHUNK = 1024 * 1024
# A file read back from the archive stays in memory up to this size, then spills to disk.
SPOOL_BYTES = 8 * 1024 * 1024


class _Hashing:
    """Reads from ``raw`` and hashes what passes through."""

    def __init__(self, raw, progress=None):
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        if self._progress is not None:
            self._progress(len(data))
        return data


class ArchiveWriter:
    def __init__(self, raw, *, key: bytes | None, progress=None):
        self._sealer = crypto.EncryptingWriter(raw, key) if key else None
        self._tar = tarfile.open(fileobj=self._sealer or raw, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115  closed by close()
        self._progress = progress

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        self._tar.addfile(info, io.BytesIO(data))

    def add_json(self, name: str, value: dict) -> bytes:
        data = json.dumps(value, indent=1, sort_keys=True).encode()
        self.add_bytes(name, data)
        return data

    def add_stream(self, name: str, stream, size: int) -> str:
        """Copy exactly ``size`` bytes of ``stream`` into the archive; return their SHA-256."""
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(time.time())
        hashing = _Hashing(stream, self._progress)
        try:
            self._tar.addfile(info, hashing)
        except (tarfile.ReadError, OSError) as error:
            raise ArchiveError(f"{name} changed size while it was copied (expected {size:,} bytes): {error}") from None
        if hashing.size != size:
            raise ArchiveError(f"{name} grew while it was copied (expected {size:,} bytes).")
        return hashing.sha256.hexdigest()

    def close(self) -> None:
        self._tar.close()
        if self._sealer is not None:
            self._sealer.close()


class _Prefixed:
    """A reader that gives back bytes already read from the start of ``raw``, then the rest."""

    def __init__(self, head: bytes, raw):
        self._head = head
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._raw.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            if len(data) < size:
                data += self._raw.read(size - len(data))
            return data
        return self._raw.read(size)


@dataclass
class Member:
    name: str
    size: int
    stream: object


def open_stream(raw, *, key: bytes | None):
    """The archive's plain tar stream, decrypted when it is sealed. Refuses a sealed archive
    without a key with a message saying so."""
    head = raw.read(len(crypto.MAGIC))
    if head == crypto.MAGIC:
        if key is None:
            raise ArchiveError(
                "The archive is encrypted and no key is set: set BACKUP_ENCRYPTION_KEY (or pass --key-file) "
                "to the key it was made with."
            )
        rest = raw.read(crypto.HEADER_BYTES - len(head))
        return crypto.DecryptingReader(raw, key, header=head + rest)
    if not head:
        raise ArchiveError("The archive is empty (0 bytes).")
    return _Prefixed(head, raw)


def members(raw, *, key: bytes | None) -> Iterator[Member]:
    """Each member of the archive in order. Damage and truncation become ArchiveError."""
    stream = open_stream(raw, key=key)
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115  a stream over raw, which the caller closes
        for info in tar:
            if not info.isfile():
                raise ArchiveError(
                    f"The archive holds {info.name!r}, which is not a regular file: not a portal backup."
                )
            yield Member(info.name, info.size, tar.extractfile(info))
    except tarfile.ReadError as error:
        raise ArchiveError(f"The archive is damaged or truncated: the tar stream cannot be read ({error}).") from None
    except EOFError:
        raise ArchiveError("The archive is truncated: it ends in the middle of a member.") from None


def read_member(member: Member, *, sink=None, progress=None) -> tuple[str, int]:
    """Read a member to its end (into ``sink`` if given); return its SHA-256 and size."""
    hashing = _Hashing(member.stream, progress)
    try:
        while chunk := hashing.read(COPY_CHUNK):
            if sink is not None:
                sink.write(chunk)
    except tarfile.ReadError as error:
        raise ArchiveError(f"The archive is truncated inside {member.name} ({error}).") from None
    if hashing.size != member.size:
        raise ArchiveError(f"The archive is truncated inside {member.name}: {hashing.size:,} of {member.size:,} bytes.")
    return hashing.sha256.hexdigest(), hashing.size


def spool(member: Member, *, progress=None) -> tuple[tempfile.SpooledTemporaryFile, str, int]:
    """A member copied to a temporary file (memory up to SPOOL_BYTES, then disk), rewound."""
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  returned; the caller closes it
    sha, size = read_member(member, sink=buffer, progress=progress)
    buffer.seek(0)
    return buffer, sha, size


def parse_json(member: Member, *, limit: int = 512 * 1024 * 1024) -> tuple[dict, bytes]:
    if member.size > limit:
        raise ArchiveError(f"{member.name} is implausibly large ({member.size:,} bytes).")
    buffer = io.BytesIO()
    read_member(member, sink=buffer)
    data = buffer.getvalue()
    try:
        value = json.loads(data)
    except ValueError as error:
        raise ArchiveError(f"{member.name} is not valid JSON ({error}): the archive was edited or damaged.") from None
    if not isinstance(value, dict):
        raise ArchiveError(f"{member.name} is not a JSON object: the archive was edited or damaged.")
    return value, data


def check_header(header: dict) -> None:
    if header.get("format") != FORMAT:
        raise ArchiveError("This is not a Help Center portal backup archive (its header names another format).")
    version = header.get("format_version")
    if not isinstance(version, int):
        raise ArchiveError("The archive's header has no format version: the archive was edited or damaged.")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"The archive was written by a newer portal (archive format {version}; this portal reads up to "
            f"{FORMAT_VERSION}, portal version {header.get('portal_version', 'unknown')}): restore it with that "
            "version of the portal or a later one."
        )
