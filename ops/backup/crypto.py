"""Encryption at rest for backup archives, streamed in chunks so memory stays constant.

The archive is cut into 1 MiB chunks, each sealed with AES-256-GCM (the ``cryptography``
package). This is the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015, as in
Tink's streaming AEAD and age): each chunk's nonce is its position plus a flag that marks the
last chunk, so chunks cannot be reordered, dropped or cut off without the reader noticing.

A fresh random salt per archive derives the archive's own key from the operator's key (HKDF), so
no two archives share a key and nonces never repeat. The header also carries a short key check
value, so a wrong key is told apart from a damaged archive.

Layout: MAGIC (8) | salt (16) | key check (16) | chunk 0 | chunk 1 | ... | last chunk, where every
chunk but the last holds exactly CHUNK_BYTES of plaintext (CHUNK_BYTES + 16 sealed).
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ops.backup.errors import ArchiveError

MAGIC = b"HCBKAES1"
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 16 + 16


def new_key() -> str:
    """A new random key, as the text to put in BACKUP_ENCRYPTION_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ArchiveError(
            "The backup encryption key is not valid: it must be 32 random bytes in URL-safe base64 "
            "(make one with `manage.py backup --new-key`)."
        )
    return key


def _derive(key: bytes, salt: bytes) -> tuple[AESGCM, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=salt, info=b"helpcenter backup v1").derive(key)
    return AESGCM(material[:32]), material[32:]


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written to it reaches ``raw`` sealed."""

    def __init__(self, raw, key: bytes):
        self._raw = raw
        salt = os.urandom(16)
        self._aead, check = _derive(key, salt)
        self._header = MAGIC + salt + check
        raw.write(self._header)
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk must be sealed as the last one on close().
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        self._raw.write(self._aead.encrypt(_nonce(self._counter, last), chunk, self._header))
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def flush(self) -> None:
        pass


class DecryptingReader:
    """A read-only file object over a sealed stream. Raises ArchiveError on a wrong key, a
    damaged chunk or a stream that ends early."""

    def __init__(self, raw, key: bytes, *, header: bytes | None = None):
        self._raw = raw
        header = header if header is not None else raw.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise ArchiveError("The archive is not an encrypted backup archive, or it is cut short in its header.")
        self._header = header
        self._aead, check = _derive(key, header[len(MAGIC) : len(MAGIC) + 16])
        if check != header[len(MAGIC) + 16 :]:
            raise ArchiveError("Wrong key: the archive was encrypted with a different BACKUP_ENCRYPTION_KEY.")
        self._counter = 0
        self._plain = bytearray()
        self._next = self._raw_read(CHUNK_BYTES + TAG_BYTES)
        self._done = False

    def _raw_read(self, size: int) -> bytes:
        parts, wanted = [], size
        while wanted:
            part = self._raw.read(wanted)
            if not part:
                break
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def _open_next(self) -> None:
        sealed = self._next
        self._next = self._raw_read(CHUNK_BYTES + TAG_BYTES)
        last = not self._next
        try:
            self._plain += self._aead.decrypt(_nonce(self._counter, last), sealed, self._header)
        except InvalidTag:
            where = f"chunk {self._counter} (bytes from {self._counter * CHUNK_BYTES:,})"
            if last:
                raise ArchiveError(
                    f"The encrypted archive is damaged or truncated: {where} does not open as the last one."
                ) from None
            raise ArchiveError(f"The encrypted archive is damaged: {where} was altered.") from None
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._open_next()
        if size < 0:
            size = len(self._plain)
        data = bytes(self._plain[:size])
        del self._plain[:size]
        return data

    def close(self) -> None:
        pass
