"""Virus-scan stored documents now: every document still waiting for its scan, and with --unscanned
also those stored before scanning was turned on (they cannot be opened until scanned clean).

    python manage.py scan_documents [--unscanned]

Needs CLAMD_ADDRESS. Prints one line per document and a total; exits 1 if clamd could not be
reached (the documents then stay waiting, and beat's scan sweep tries again).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints.models import Document
from complaints.scanning import ScannerUnavailable, document_scan


class Command(BaseCommand):
    help = "Virus-scan documents waiting for their scan (and, with --unscanned, those never scanned)."

    def add_arguments(self, parser):
        parser.add_argument("--unscanned", action="store_true", help="Also scan documents stored before scanning.")

    def handle(self, *args, unscanned: bool = False, **options):
        if not settings.CLAMD_ADDRESS:
            raise CommandError("CLAMD_ADDRESS is not set: there is no scanner to ask.")
        if unscanned:
            with transaction.atomic():
                Document.objects.filter(scan_state=Document.ScanState.NOT_SCANNED).update(
                    scan_state=Document.ScanState.PENDING
                )
        waiting = Document.objects.filter(scan_state=Document.ScanState.PENDING).order_by("uploaded_at", "id")
        counts = {Document.ScanState.CLEAN: 0, Document.ScanState.INFECTED: 0}
        for document_id in waiting.values_list("id", flat=True).iterator():
            try:
                state = document_scan(document_id=document_id)
            except ScannerUnavailable as error:
                raise CommandError(f"Document {document_id}: {error}. The rest wait for the next try.") from error
            if state in counts:
                counts[state] += 1
                self.stdout.write(f"document {document_id}: {state}")
        self.stdout.write(f"{counts['CLEAN']} clean, {counts['INFECTED']} with harmful content found.")
