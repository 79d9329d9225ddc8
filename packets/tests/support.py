"""A case with a realistic file for packet tests, built through the real services."""

import subprocess
from datetime import timedelta
from io import BytesIO

from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import PlanUserFactory
from complaints.models import Case, Document, Status
from complaints.services.documents import document_add
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import case_at
from complaints.tests.samples import PNG
from packets.tests.samples import document_pdf

STATEMENT = "The plan's medical director found the surgery not medically necessary under our guideline 12."


def add_document(case: Case, name: str, data: bytes, *, source=Document.Source.ENROLLEE, minutes: int = 0) -> Document:
    return document_add(
        case=case,
        name=name,
        data=data,
        kind=Document.Kind.MEDICAL_RECORDS,
        source=source,
        actor=case.filed_by,
        actor_role="ENROLLEE",
        now=timezone.now() + timedelta(minutes=minutes),
    )


def case_with_file() -> Case:
    """An IMR case with the plan's response (a statement and a 3-page PDF), two PDFs of the
    enrollee (2 and 1 pages) and one image of the enrollee."""
    case = case_at(Status.RESPONSE_REQUESTED)
    add_document(case, "denial-letter.pdf", document_pdf("Denial letter", 2), minutes=1)
    add_document(case, "knee-photo.png", PNG, minutes=2)
    add_document(case, "surgeon-note.pdf", document_pdf("Surgeon note", 1), minutes=3)
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    plan_response_submit(
        case=case,
        statement=STATEMENT,
        files=[("utilization-review.pdf", document_pdf("Utilization review", 3))],
        actor=plan_user,
        now=timezone.now() + timedelta(minutes=4),
    )
    return case


def pdf_reader(packet) -> PdfReader:
    with packet.file.open("rb") as stored:
        return PdfReader(BytesIO(stored.read()))


def pdftotext_pages(packet) -> list[str]:
    """The text of every page, as poppler's pdftotext reads it."""
    with packet.file.open("rb") as stored:
        data = stored.read()
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return text.split("\f")[: len(PdfReader(BytesIO(data)).pages)]


def outline_entries(reader: PdfReader) -> list[tuple[str, int, int]]:
    """(title, 1-based page, depth) of every bookmark, in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((item.title, reader.get_destination_page_number(item) + 1, depth))

    walk(reader.outline, 0)
    return entries
