"""The virus-scanner hook: with CLAMD_ADDRESS set, a new document cannot be opened by anyone until
a worker's INSTREAM scan found it clean, and one found harmful never opens.

ClamAV cannot run here, so a small fake clamd (a real TCP or Unix-socket server speaking the
INSTREAM protocol, started by the test) stands in for it: it answers FOUND when the bytes hold the
EICAR test string, OK otherwise, and keeps what it received."""

import socket
import socketserver
import struct
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import PlanUserFactory, StaffFactory
from complaints.models import Document, Status
from complaints.scanning import ScannerUnavailable, clamd_scan, document_scan, documents_scan_pending
from complaints.services.documents import document_add
from complaints.tests import pdfs
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# The test signature in the page's own content (a comment there), which the stored copy keeps.
PDF_WITH_EICAR = pdfs.edited(PDF, lambda pdf: pdf.pages[0].obj.Contents.write(b"%" + EICAR + b"\nBT ET\n"))


class _Clamd(socketserver.BaseRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            (length,) = struct.unpack("!L", self._exactly(4))
            if length == 0:
                break
            data += self._exactly(length)
        self.server.received.append(data)
        if self.server.broken:
            self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        elif EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            part = self.request.recv(count - len(data))
            if not part:
                raise ConnectionError("the client hung up")
            data += part
        return data


class _TCPClamd(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixClamd(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def _serve(server):
    server.received = []
    server.broken = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def clamd():
    server = _serve(_TCPClamd(("127.0.0.1", 0), _Clamd))
    server.address = f"127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def scanning(settings, clamd, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_ADDRESS = clamd.address
    return clamd


@pytest.fixture
def case():
    return drive(file_case(), PATHS[Status.RESPONSE_REQUESTED])


def _add(case, data=PDF, name="denial.pdf") -> Document:
    return document_add(
        case=case, name=name, data=data, kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip


def _downloads(case, document) -> dict[str, int]:
    """What each person allowed to see the document gets when they open it."""
    enrollee = Client()
    enrollee.force_login(case.filed_by)
    plan = verified_client(PlanUserFactory(health_plan=case.health_plan))
    staff = verified_client(StaffFactory(groups=[StaffGroup.SUPERVISOR]))
    return {
        "enrollee": enrollee.get(f"/my/{case.number}/documents/{document.pk}/").status_code,
        "plan": plan.get(f"/plan/cases/{case.number}/documents/{document.pk}/").status_code,
        "staff": staff.get(f"/admin/complaints/case/{case.pk}/documents/{document.pk}/").status_code,
    }


def test_the_instream_protocol_against_a_clamd_on_a_port(clamd):
    big = PDF + b"%" + b"x" * 300_000  # several 64 KB chunks
    assert clamd_scan(big, address=clamd.address, timeout=5).clean
    assert clamd.received == [big]  # every chunk arrived, in order
    found = clamd_scan(PDF_WITH_EICAR, address=clamd.address, timeout=5)
    assert (found.clean, found.finding) == (False, "Eicar-Test-Signature")


def test_the_instream_protocol_against_a_clamd_on_a_unix_socket(tmp_path):
    path = str(tmp_path / "clamd.sock")
    server = _serve(_UnixClamd(path, _Clamd))
    try:
        assert clamd_scan(PDF, address=path, timeout=5).clean
        assert not clamd_scan(PDF_WITH_EICAR, address=f"unix:{path}", timeout=5).clean
    finally:
        server.shutdown()
        server.server_close()


def test_a_clamd_error_or_no_clamd_is_no_verdict(clamd):
    clamd.broken = True
    with pytest.raises(ScannerUnavailable, match="could not scan"):
        clamd_scan(PDF, address=clamd.address, timeout=5)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    with pytest.raises(ScannerUnavailable, match="could not be reached"):
        clamd_scan(PDF, address=f"127.0.0.1:{closed_port}", timeout=2)


def test_without_a_scanner_a_document_opens_at_once(case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    document = _add(case)
    assert document.scan_state == Document.ScanState.NOT_SCANNED
    assert _downloads(case, document) == {"enrollee": 200, "plan": 200, "staff": 200}


def test_a_new_document_opens_for_nobody_until_the_scan_found_it_clean(
    case, scanning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        document = _add(case)
    assert document.scan_state == Document.ScanState.PENDING
    assert _downloads(case, document) == {"enrollee": 404, "plan": 404, "staff": 404}
    for callback in queued:  # the worker runs the scan task (eagerly in tests)
        callback()
    document.refresh_from_db()
    assert document.scan_state == Document.ScanState.CLEAN
    assert document.scanned_at is not None
    assert scanning.received == [PDF]
    assert _downloads(case, document) == {"enrollee": 200, "plan": 200, "staff": 200}


def test_a_document_with_harmful_content_never_opens_and_staff_see_why(
    case, scanning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = _add(case, data=PDF_WITH_EICAR, name="bill.pdf")
    document.refresh_from_db()
    assert (document.scan_state, document.scan_result) == (Document.ScanState.INFECTED, "Eicar-Test-Signature")
    assert _downloads(case, document) == {"enrollee": 404, "plan": 404, "staff": 404}
    page = verified_client(StaffFactory(groups=[StaffGroup.INTAKE])).get(f"/admin/complaints/case/{case.pk}/change/")
    assert "The virus scan found Eicar-Test-Signature: it cannot be opened." in page.text
    # A second run of the task changes nothing.
    assert document_scan(document_id=document.pk) is None


def test_with_the_scanner_down_the_document_waits_and_the_sweep_scans_it_later(
    case, scanning, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document = _add(case)
    settings.CLAMD_ADDRESS = "127.0.0.1:9"  # nothing listens there
    with pytest.raises(ScannerUnavailable):
        document_scan(document_id=document.pk)
    document.refresh_from_db()
    assert document.scan_state == Document.ScanState.PENDING
    assert _downloads(case, document)["staff"] == 404
    settings.CLAMD_ADDRESS = scanning.address
    later = timezone.now() + timedelta(minutes=5)
    assert documents_scan_pending(now=later, grace=timedelta(seconds=60)) == [document.pk]
    document.refresh_from_db()
    assert document.scan_state == Document.ScanState.CLEAN
    assert _downloads(case, document)["staff"] == 200


def test_documents_stored_before_scanning_was_on_are_scanned_by_the_command(case, settings, clamd, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_ADDRESS = ""
    older = _add(case)
    settings.CLAMD_ADDRESS = clamd.address
    assert _downloads(case, older)["staff"] == 404  # scanning is on now: unscanned files stay closed
    output = StringIO()
    call_command("scan_documents", "--unscanned", stdout=output)
    older.refresh_from_db()
    assert older.scan_state == Document.ScanState.CLEAN
    assert "1 clean, 0 with harmful content found." in output.getvalue()
    assert _downloads(case, older)["staff"] == 200
