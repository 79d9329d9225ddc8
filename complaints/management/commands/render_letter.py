"""Render a letter for a case to a PDF file, for previewing. Nothing is issued or stored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.models import Case, Letter
from complaints.services.letter_issue import letter_context
from letters.kinds import LetterKind, Recipient
from letters.rendering import LetterRenderError, render_letter_pdf


class Command(BaseCommand):
    help = "Render KIND for CASE_NUMBER to --out FILE.pdf without issuing it (a preview)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"One of: {', '.join(k.lower() for k in LetterKind.values)}")
        parser.add_argument("case_number", help="e.g. HC-2026-000123")
        parser.add_argument("--lang", default="", help="en or es (default: the recipient's language)")
        parser.add_argument("--recipient", default="enrollee", choices=["enrollee", "plan"])
        parser.add_argument("--out", required=True, help="Where to write the PDF")

    def handle(self, *args, kind, case_number, lang, recipient, out, **options):
        try:
            kind = LetterKind(kind.upper())
        except ValueError as error:
            raise CommandError(f"Unknown letter kind {kind!r}.", returncode=2) from error
        case = Case.objects.select_related("health_plan", "patient").filter(number=case_number.strip().upper()).first()
        if case is None:
            raise CommandError(f"No case {case_number!r}.", returncode=2)
        recipient = Recipient(recipient.upper())
        language = lang or (case.patient.letter_language if recipient == Recipient.ENROLLEE else "en")
        preview = Letter(case=case, kind=kind, recipient=recipient, language=language)
        context = letter_context(letter=preview, case=case, today=timezone.localdate())
        try:
            pdf = render_letter_pdf(kind, context)
        except LetterRenderError as error:
            raise CommandError(f"This letter cannot be made for {case.number} now: {error}", returncode=2) from error
        Path(out).write_bytes(pdf)
        self.stdout.write(f"Wrote {len(pdf):,} bytes to {out} ({kind.label}, {recipient.label}, {language}).")
