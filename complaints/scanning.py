"""Virus scanning of stored documents with ClamAV's clamd, when ``CLAMD_ADDRESS`` is set.

A document added while scanning is on is stored with ``scan_state`` PENDING and cannot be opened
by anyone (``complaints.selectors.documents_openable_by``). A worker sends its bytes to clamd
with the INSTREAM command and records the verdict: CLEAN (the file opens from then on) or
INFECTED (it never opens; staff see the scanner's finding on the document). If clamd cannot be
reached the document stays PENDING and the task tries again; beat's scan sweep also picks up
every document still PENDING, so a lost task loses nothing.

The INSTREAM protocol (clamd(8)): send ``zINSTREAM\\0``, then the data in chunks, each preceded by
its length as a 4-byte big-endian number, then a zero length. clamd answers one line ending in
``\\0``: ``stream: OK``, ``stream: <signature> FOUND``, or ``... ERROR``.
"""

import logging
import socket
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.models import Document

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
REPLY_MAX_BYTES = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached, or could not scan the file (it said ERROR)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    finding: str = ""


def scanning_enabled() -> bool:
    return bool(settings.CLAMD_ADDRESS)


def initial_scan_state() -> str:
    """The scan state of a document being added now."""
    return Document.ScanState.PENDING if scanning_enabled() else Document.ScanState.NOT_SCANNED


def openable_scan_states() -> list[str]:
    """Which documents may be opened: with scanning on, only those scanned clean; with it off,
    all but those a scan found harmful."""
    if scanning_enabled():
        return [Document.ScanState.CLEAN]
    return [Document.ScanState.NOT_SCANNED, Document.ScanState.PENDING, Document.ScanState.CLEAN]


def clamd_scan(data: bytes, *, address: str, timeout: float) -> Verdict:
    """Ask clamd at ``address`` (host:port, or a socket path) whether ``data`` is harmful."""
    try:
        with _connect(address, timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK_BYTES):
                chunk = data[start : start + CHUNK_BYTES]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = _read_reply(connection)
    except OSError as error:
        raise ScannerUnavailable(f"clamd at {address} could not be reached: {error}") from error
    text = reply.decode("utf-8", "replace").strip("\0").strip()
    if text.endswith(" OK") or text == "OK":
        return Verdict(clean=True)
    if text.endswith(" FOUND"):
        finding = text.removesuffix(" FOUND")
        finding = finding.split(":", 1)[1].strip() if ":" in finding else finding
        return Verdict(clean=False, finding=finding or "unnamed")
    raise ScannerUnavailable(f"clamd could not scan the file: {text[:200]}")


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith(("/", "unix:")):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        connection.connect(address.removeprefix("unix:"))
        return connection
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _read_reply(connection: socket.socket) -> bytes:
    reply = b""
    while b"\0" not in reply and len(reply) < REPLY_MAX_BYTES:
        part = connection.recv(REPLY_MAX_BYTES)
        if not part:
            break
        reply += part
    return reply


def document_scan(*, document_id: int, now: datetime | None = None) -> str | None:
    """Scan one PENDING document and record the verdict. Returns the new scan state, or None if
    the document is not waiting for a scan (a second run does nothing). Raises
    ScannerUnavailable if clamd cannot give a verdict; the document then stays PENDING."""
    document = Document.objects.filter(pk=document_id, scan_state=Document.ScanState.PENDING).first()
    if document is None:
        return None
    with document.file.open("rb") as stored:
        data = stored.read()
    verdict = clamd_scan(data, address=settings.CLAMD_ADDRESS, timeout=settings.CLAMD_TIMEOUT_SECONDS)
    with transaction.atomic():
        locked = (
            Document.objects.select_for_update()
            .filter(pk=document_id, scan_state=Document.ScanState.PENDING)
            .select_related("case")
            .first()
        )
        if locked is None:
            return None
        locked.scan_state = Document.ScanState.CLEAN if verdict.clean else Document.ScanState.INFECTED
        locked.scanned_at = now or timezone.now()
        locked.scan_result = verdict.finding[:200]
        locked.full_clean()
        locked.save(update_fields=["scan_state", "scanned_at", "scan_result"])
    if not verdict.clean:
        # Ids and the scanner's finding only: no name of the file or the person.
        logger.warning("Virus scan: document %s of case %s: %s", locked.pk, locked.case.number, verdict.finding)
    return locked.scan_state


def documents_scan_pending(*, now: datetime, grace: timedelta) -> list[int]:
    """Queue a scan for every document still PENDING ``grace`` after it was added (its own task was
    lost). Returns their ids."""
    from complaints.tasks import document_scan_task
    from ops.queue import enqueue_now

    ids = list(
        Document.objects.filter(scan_state=Document.ScanState.PENDING, uploaded_at__lte=now - grace)
        .order_by("uploaded_at")
        .values_list("id", flat=True)[:1000]
    )
    for document_id in ids:
        enqueue_now(document_scan_task, document_id)
    return ids
