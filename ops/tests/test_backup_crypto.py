"""The streamed encryption: chunks round-trip, and reordering, cutting or altering them is noticed."""

import io
import os

import pytest

from ops.backup import crypto
from ops.backup.errors import ArchiveError


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK_BYTES", 1000)


def seal(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, key)
    for start in range(0, len(data), 333):
        writer.write(data[start : start + 333])
    writer.close()
    return out.getvalue()


def unseal(sealed: bytes, key: bytes) -> bytes:
    reader = crypto.DecryptingReader(io.BytesIO(sealed), key)
    parts = []
    while part := reader.read(700):
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 3500, 4000])
def test_what_is_sealed_opens_unchanged(size):
    key, data = os.urandom(32), os.urandom(size)
    sealed = seal(data, key)
    assert size < 50 or data[:50] not in sealed
    assert unseal(sealed, key) == data


def test_cutting_the_stream_at_a_chunk_boundary_is_noticed():
    key = os.urandom(32)
    sealed = seal(os.urandom(3500), key)
    cut = crypto.HEADER_BYTES + 2 * (1000 + crypto.TAG_BYTES)
    with pytest.raises(ArchiveError, match="damaged or truncated"):
        unseal(sealed[:cut], key)


def test_swapping_two_chunks_is_noticed():
    key = os.urandom(32)
    sealed = seal(os.urandom(3500), key)
    size, head = 1000 + crypto.TAG_BYTES, crypto.HEADER_BYTES
    first, second = sealed[head : head + size], sealed[head + size : head + 2 * size]
    swapped = sealed[:head] + second + first + sealed[head + 2 * size :]
    with pytest.raises(ArchiveError, match="chunk 0"):
        unseal(swapped, key)


def test_a_wrong_key_is_told_apart_from_damage():
    sealed = seal(b"hello", os.urandom(32))
    with pytest.raises(ArchiveError, match="Wrong key"):
        unseal(sealed, os.urandom(32))


def test_a_key_that_is_not_32_bytes_is_refused_with_advice():
    with pytest.raises(ArchiveError, match="backup --new-key"):
        crypto.parse_key("too-short")
