"""A corpus of hostile files, made in code, sent through every way a file enters the portal: the
online form's documents step, My cases, the plan's written response and its proof of carrying
out, and the staff admin's "add a document". None of them may be stored; a good PDF sent the same
way must be (so that a path that stores nothing at all cannot pass).

The run prints its count, e.g. "upload corpus: 16 hostile files x 5 upload paths = 80 attempts,
0 stored; 5 good files stored"."""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.models import Document, PlanResponse, Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG, WINDOWS_PROGRAM, docx
from filing.models import DraftDocument
from filing.tests.answers import fill_draft, step_url
from helpcenter.tests import counts
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

LIMIT = 256 * 1024  # the per-file limit during this test (a setting), so "too big" stays quick


def _docx_with(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lying_docx() -> bytes:
    """A zip bomb whose directory says each part is tiny: the real sizes are 64 MB of zeros."""
    honest = _docx_with({"word/document.xml": b"\0" * (64 * 1024 * 1024)})
    lie = struct.pack("<L", 100)
    # Rewrite the uncompressed size in the local header (offset 22) and central directory (24).
    data = bytearray(honest)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack("<H", data[start + (26 if signature == b"PK\x03\x04" else 28) :][:2])[0]
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + name_length] == b"word/document.xml":
                data[start + offset : start + offset + 4] = lie
            start += 4
    return bytes(data)


def _pdf_with_object_stream(inner: bytes) -> bytes:
    packed = zlib.compress(inner)
    return (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


HOSTILE: dict[str, tuple[str, bytes]] = {
    "zip bomb .docx (64 MB of zeros)": ("records.docx", _docx_with({"word/document.xml": b"\0" * (64 * 1024 * 1024)})),
    "zip bomb .docx under the total but 1000:1": ("notes.docx", _docx_with({"word/document.xml": b"\0" * 4_000_000})),
    "zip bomb .docx that understates its sizes": ("letter.docx", _lying_docx()),
    ".docx with 5000 parts": ("many.docx", _docx_with({f"word/media/p{i}.xml": b"<p/>" for i in range(5000)})),
    ".docx with macros": ("letter.docx", docx(with_macros=True)),
    "a Windows program renamed .pdf": ("denial.pdf", WINDOWS_PROGRAM),
    "PDF with JavaScript": ("denial.pdf", PDF_WITH_JAVASCRIPT),
    "PDF/HTML polyglot with /JS": (
        "denial.pdf",
        PDF.replace(
            b"%%EOF", b"<html><script>alert(1)</script></html>\n/AA << /O << /S /JavaScript /JS (x) >> >>\n%%EOF"
        ),
    ),
    "PDF with #-escaped /JavaScript": (
        "bill.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    ),
    "PDF with JavaScript in a compressed object stream": (
        "bill.pdf",
        _pdf_with_object_stream(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>"),
    ),
    "PDF with a launch action": (
        "bill.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >>"),
    ),
    "encrypted PDF": (
        "bill.pdf",
        PDF.replace(b"trailer << /Root 1 0 R >>", b"trailer << /Root 1 0 R /Encrypt 9 0 R >>"),
    ),
    "empty file": ("empty.pdf", b""),
    "file over the size limit": ("big.pdf", PDF + b"%" + b"x" * LIMIT),
    "HTML pretending to be PNG": ("photo.png", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
    "SVG with a script": (
        "scan.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script><rect/></svg>',
    ),
}
GOOD = ("denial-letter.pdf", PDF)


@dataclass
class UploadPath:
    name: str
    send: Callable[[str, bytes], object]
    stored: Callable[[], int]


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def paths(settings, tmp_path) -> list[UploadPath]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_FILE_BYTES = LIMIT
    settings.UPLOAD_MAX_FILES_PER_CASE = 100
    plan = HealthPlanFactory()

    enrollee_client = Client()
    waiting = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    enrollee_client.force_login(waiting.filed_by)
    draft = fill_draft(enrollee_client, plan, upto="problem")

    plan_client = verified_client(PlanUserFactory(health_plan=plan))
    decided = drive(file_case(health_plan_id=plan.id), PATHS[Status.DECISION_ISSUED])
    staff_client = verified_client(StaffFactory(groups=[StaffGroup.INTAKE]))

    def case_documents(case) -> Callable[[], int]:
        return lambda: Document.objects.filter(case=case).count()

    return [
        UploadPath(
            "online form, documents step",
            lambda name, data: enrollee_client.post(
                step_url(draft, "documents"), {"action": "upload", "kind": "OTHER", "files": [_file(name, data)]}
            ),
            lambda: DraftDocument.objects.filter(draft=draft).count(),
        ),
        UploadPath(
            "My cases, add documents",
            lambda name, data: enrollee_client.post(
                f"/my/{waiting.number}/documents/", {"kind": "BILL", "files": [_file(name, data)]}
            ),
            case_documents(waiting),
        ),
        UploadPath(
            "plan portal, written response",
            lambda name, data: plan_client.post(
                f"/plan/cases/{waiting.number}/respond/",
                {"statement": "Our response and the member's records.", "files": [_file(name, data)]},
            ),
            lambda: PlanResponse.objects.filter(case=waiting).count() + case_documents(waiting)(),
        ),
        UploadPath(
            "plan portal, proof of carrying out",
            lambda name, data: plan_client.post(
                f"/plan/cases/{decided.number}/carried-out/",
                {"carried_out_date": timezone.localdate().isoformat(), "proofs": [_file(name, data)]},
            ),
            case_documents(decided),
        ),
        UploadPath(
            "staff admin, add a document",
            lambda name, data: staff_client.post(
                f"/admin/complaints/case/{waiting.pk}/documents/add/",
                {"document-file": _file(name, data), "document-kind": "OTHER", "document-shared_with_plan": "on"},
            ),
            case_documents(waiting),
        ),
    ]


def test_no_hostile_file_is_stored_through_any_upload_path(paths):
    attempts = stored = 0
    leaks = []
    for path in paths:
        for label, (name, data) in HOSTILE.items():
            before = path.stored()
            response = path.send(name, data)
            attempts += 1
            assert response.status_code < 500, (path.name, label)
            if path.stored() != before:
                stored += 1
                leaks.append(f"{path.name}: {label}")
    good = []
    for path in paths:
        before = path.stored()
        path.send(*GOOD)
        if path.stored() > before:
            good.append(path.name)
    counts.report(
        f"upload corpus: {len(HOSTILE)} hostile files x {len(paths)} upload paths = {attempts} attempts, "
        f"{stored} stored; {len(good)} good files stored"
    )
    assert leaks == []
    assert good == [path.name for path in paths], "a good PDF must be stored through every path"


def test_each_refusal_says_why_in_words(paths):
    my_cases = next(path for path in paths if path.name == "My cases, add documents")
    expected = {
        "zip bomb .docx (64 MB of zeros)": "expands to far more than its size",
        ".docx with macros": "contains macros",
        "a Windows program renamed .pdf": "We accept PDF, JPEG, PNG, TIFF, HEIC and Word",
        "PDF with #-escaped /JavaScript": "contains active content",
        "PDF with JavaScript in a compressed object stream": "contains active content",
        "encrypted PDF": "We could not check this PDF",
        "empty file": "This file is empty",
        "file over the size limit": "is larger than",
        "SVG with a script": "We accept PDF, JPEG, PNG, TIFF, HEIC and Word",
    }
    for label, words in expected.items():
        name, data = HOSTILE[label]
        assert words in my_cases.send(name, data).content.decode(), label


def test_real_documents_are_not_refused(paths):
    """The checks must not turn away ordinary files: a real-size Word file, a PNG, a PDF whose
    object stream holds ordinary objects."""
    text = " ".join(f"Paragraph {i} of the member's letter about the denied surgery." for i in range(20000))
    ordinary = [
        ("letter.docx", _docx_with({"word/document.xml": f"<w:document>{text}</w:document>".encode()})),
        ("photo.png", PNG),
        ("records.pdf", _pdf_with_object_stream(b"4 0 << /Type /Annot /Subtype /Text /Contents (Seen) >>")),
    ]
    my_cases = next(path for path in paths if path.name == "My cases, add documents")
    before = my_cases.stored()
    for name, data in ordinary:
        my_cases.send(name, data)
    assert my_cases.stored() == before + len(ordinary)
