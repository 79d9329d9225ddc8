"""Building a case packet for a case with 20 PDFs of 10 pages each (about 0.9 MB each, like
scanned records: every page carries a grey image of about 90 KB), as the worker does it.

The time is ``packet_build`` from the PENDING row to the stored PDF (reading the case, copying
every document out of storage, the index by WeasyPrint, joining by pypdf, hashing and storing),
the median of a few builds. The memory is measured on one more build under ``tracemalloc``:
the peak of Python's own allocations during the build (pypdf's objects and every byte string),
set against the documents' total size; the process's peak resident size before and after that
build is shown too (it includes Python, Django and WeasyPrint themselves).
"""

import resource
import shutil
import tempfile
import time
import tracemalloc
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from bench.core import Result, benchmark, median

DOCUMENTS = 20
PAGES = 10
IMAGE_BYTES = 90_000
BUILDS = 3
TARGET_SECONDS = 30.0
TARGET_MEMORY_SHARE = 1.5  # peak Python memory at most 1.5 times the documents' own bytes


def _case_with_documents():
    from bench.offline import tasks_queued_not_run
    from complaints.models import Document, Status
    from complaints.services.documents import document_add
    from complaints.tests.drive import case_at
    from packets.tests.samples import document_pdf

    with tasks_queued_not_run(), override_settings(UPLOAD_MAX_CASE_BYTES=100 * 1024 * 1024):
        case = case_at(Status.IN_IMR_REVIEW)
        total = 0
        for number in range(1, DOCUMENTS + 1):
            data = document_pdf(f"Record {number}", PAGES, image_bytes=IMAGE_BYTES)
            total += len(data)
            document_add(
                case=case, name=f"record-{number:02d}.pdf", data=data, kind=Document.Kind.MEDICAL_RECORDS,
                source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
                now=timezone.now() + timedelta(seconds=number),
            )  # fmt: skip
    return case, total


def _one_build(case):
    from bench.offline import tasks_queued_not_run
    from packets.models import Packet
    from packets.services import packet_build, packet_request

    Packet.objects.filter(case=case).delete()
    with tasks_queued_not_run():
        packet = packet_request(case=case, requested_by=None)
    started = time.perf_counter()
    built = packet_build(packet_id=packet.pk)
    elapsed = time.perf_counter() - started
    assert built.state == Packet.State.READY, built.error  # noqa: S101 (a failed build is not a fast one)
    assert built.page_count > DOCUMENTS * PAGES  # noqa: S101
    return built, elapsed


@benchmark
def packets_build() -> list[Result]:
    from packets.models import Packet

    media = tempfile.mkdtemp(prefix="bench-packets-")
    case = None
    try:
        with override_settings(MEDIA_ROOT=media):
            case, total = _case_with_documents()
            _one_build(case)  # warms fonts, templates and the database's buffers
            seconds = [_one_build(case)[1] for _ in range(BUILDS)]
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            built, traced_seconds = _one_build(case)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            pages, size = built.page_count, built.size_bytes
    finally:
        if case is not None:
            Packet.objects.filter(case=case).delete()
        shutil.rmtree(media, ignore_errors=True)
    mb = 1024 * 1024
    took = median(seconds)
    return [
        Result(
            name=f"packets: build, {DOCUMENTS} PDFs of {PAGES} pages",
            value=f"{took:.2f} s (median of {BUILDS})",
            baseline=f"{pages} pages, {size / mb:.1f} MB out; slowest {max(seconds):.2f} s",
            target=f"< {TARGET_SECONDS:.0f} s",
            met=took < TARGET_SECONDS,
        ),
        Result(
            name="packets: build, peak memory",
            value=f"{peak / mb:.1f} MB Python peak ({peak / total:.2f}x the documents)",
            baseline=f"documents {total / mb:.1f} MB; process peak RSS "
            f"{rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MB",
            target=f"<= {TARGET_MEMORY_SHARE}x the documents",
            met=peak <= TARGET_MEMORY_SHARE * total,
            note=f"one build under tracemalloc ({traced_seconds:.1f} s with tracing on)",
        ),
    ]
