"""Writes of the packets app: asking for a case packet, and building it.

- ``packet_request``: find or make the packet of a case's current contents; a new one is built by
  a worker after commit.
- ``packet_offer``: what a page that offers the packet shows: ``packet_request``, except that a
  build of the same contents that failed lately is shown as failed instead of started again.
- ``packet_build``: the worker's step; makes the PDF of a PENDING packet, or marks it FAILED
  with the reason. Running it twice changes nothing the second time.
- ``packets_pending_requeue``: the sweep's step; queues again every packet still PENDING after
  the grace period (a task lost to a broker outage, a worker killed mid-build).
"""

import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from complaints.clocks import LOCAL_TZ
from complaints.models import Case
from complaints.selectors import documents_in_review_file
from ops.queue import enqueue_now, enqueue_on_commit
from packets.build import PacketBuildError, packet_pdf_build
from packets.contents import packet_contents
from packets.models import Packet

logger = logging.getLogger(__name__)

LIVE = [Packet.State.PENDING, Packet.State.READY]
# Failures that are not the documents' fault (storage, database) are tried again this often.
MAX_ATTEMPTS = 5
# A page view does not start again, at once, a build of the same contents that just failed (a
# damaged document fails every time); after this long it tries again, for failures of the moment.
FAILED_SHOWN_FOR = timedelta(hours=1)
SWEEP_BATCH = 200


def _live_packet(case: Case, fingerprint: str) -> Packet | None:
    return Packet.objects.filter(case=case, fingerprint=fingerprint, state__in=LIVE).order_by("-requested_at").first()


# By name, through the one enqueue seam: this module never imports the task module above it. A
# name (not a signature) lets the seam load the tasks modules first, so a web process that has not
# imported packets.tasks still finds the task (and runs it eagerly where tasks run eagerly).
BUILD_TASK = "packets.build"


def packet_request(*, case: Case, requested_by) -> Packet:
    """The packet of ``case`` as it stands now: a PENDING or READY packet of the same contents
    (documents, plan responses, application) is returned as it is; otherwise a new PENDING
    packet is made and its build queued after commit. Safe to call at once from two requests:
    one packet is made. The caller must already have checked that ``requested_by`` may see the
    case."""
    return _request(case, packet_contents(case).fingerprint(), requested_by)


def _request(case: Case, fingerprint: str, requested_by) -> Packet:
    existing = _live_packet(case, fingerprint)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            packet = Packet(case=case, fingerprint=fingerprint, requested_at=timezone.now(), requested_by=requested_by)
            packet.full_clean(validate_constraints=False)  # the database's unique constraint decides races
            packet.save()
            enqueue_on_commit(BUILD_TASK, packet.pk)
    except IntegrityError:
        return _live_packet(case, fingerprint)
    return packet


def packet_offer(*, case: Case, requested_by, now: datetime) -> Packet:
    """The packet a page offers for ``case`` now: the PENDING or READY packet of its current
    contents; else a FAILED build of the same contents asked for within FAILED_SHOWN_FOR (so the
    reader is told why, and a reload does not start a build that fails the same way); else a new
    request (``packet_request``). Same precondition as ``packet_request``."""
    fingerprint = packet_contents(case).fingerprint()
    live = _live_packet(case, fingerprint)
    if live is not None:
        return live
    failed = (
        Packet.objects.filter(
            case=case, fingerprint=fingerprint, state=Packet.State.FAILED, requested_at__gt=now - FAILED_SHOWN_FOR
        )
        .order_by("-requested_at", "-id")
        .first()
    )
    if failed is not None:
        return failed
    return _request(case, fingerprint, requested_by)


def packet_build(*, packet_id: int) -> Packet | None:
    """Build the PENDING packet ``packet_id``; a packet already READY or FAILED is left alone.

    A document that cannot be read marks the packet FAILED with a sentence naming it (no
    exception). Any other failure is counted and raised, for the task to try again, until
    MAX_ATTEMPTS, after which the packet is FAILED too.
    """
    try:
        return _build(packet_id)
    except PacketBuildError as refusal:
        return _fail(packet_id, refusal.message)
    except Exception as error:
        Packet.objects.filter(pk=packet_id).update(attempts=F("attempts") + 1)
        attempts = Packet.objects.filter(pk=packet_id).values_list("attempts", flat=True).first() or 0
        if attempts >= MAX_ATTEMPTS:
            logger.exception("Packet %s failed %s times; giving up.", packet_id, attempts)
            return _fail(packet_id, f"The packet could not be built after {attempts} tries ({type(error).__name__}).")
        raise


def _build(packet_id: int) -> Packet | None:
    with transaction.atomic():
        # The lock makes a duplicated task wait, then find the packet built and stop.
        packet = Packet.objects.select_for_update().filter(pk=packet_id).first()
        if packet is None or packet.state != Packet.State.PENDING:
            return packet
        case = Case.objects.get(pk=packet.case_id)
        contents = packet_contents(case)
        files = {document.pk: document.file for document in documents_in_review_file(case=case)}
        now = timezone.now()
        with tempfile.TemporaryDirectory(prefix="packet-") as workdir:
            built = packet_pdf_build(
                contents=contents, files=files, workdir=Path(workdir), prepared=now.astimezone(LOCAL_TZ).date()
            )
            with built.path.open("rb") as pdf:
                packet.file.save(f"{case.number}-packet.pdf", File(pdf), save=False)
        fingerprint = contents.fingerprint()
        if fingerprint != packet.fingerprint and _live_packet(case, fingerprint) is None:
            # Something arrived between the request and the build: the packet holds it, and says so.
            packet.fingerprint = fingerprint
        packet.state = Packet.State.READY
        packet.built_at = now
        packet.sha256 = built.sha256
        packet.size_bytes = built.size_bytes
        packet.page_count = built.page_count
        packet.contents = built.records
        packet.attempts += 1
        packet.error = ""
        packet.full_clean()
        packet.save(
            update_fields=[
                "state", "built_at", "file", "sha256", "size_bytes", "page_count", "contents", "attempts", "error",
                "fingerprint",
            ]
        )  # fmt: skip
    logger.info("Packet %s of %s built: %s pages", packet.pk, case.number, packet.page_count)
    return packet


def _fail(packet_id: int, message: str) -> Packet | None:
    with transaction.atomic():
        packet = Packet.objects.select_for_update().filter(pk=packet_id).first()
        if packet is None or packet.state != Packet.State.PENDING:
            return packet
        packet.state = Packet.State.FAILED
        packet.error = message
        packet.attempts += 1
        packet.full_clean()
        packet.save(update_fields=["state", "error", "attempts"])
    logger.warning("Packet %s not built: %s", packet_id, message)
    return packet


def packets_pending_requeue(*, now: datetime, grace: timedelta) -> list[int]:
    """Queue the build of every packet still PENDING ``grace`` after it was asked for."""
    ids = list(
        Packet.objects.filter(state=Packet.State.PENDING, requested_at__lte=now - grace)
        .order_by("requested_at", "id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for packet_id in ids:
        enqueue_now(BUILD_TASK, packet_id)
    return ids
