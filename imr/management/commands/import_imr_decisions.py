"""import_imr_decisions FILE: load DMHC's published IMR decisions (either shape) into the portal."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imr.importer import NotADecisionsFile
from imr.services import SHIPPED_DECISIONS_FILE, ImportProgress, decisions_import_file


class Command(BaseCommand):
    help = (
        "Import DMHC's IMR decisions CSV (the 2016-era ';'-separated file or a newer release with "
        "IMRType, DaysToReview, DaysToAdopt and Findings). Safe to run again: rows are matched by "
        "reference ID and only real changes are written. Bad rows are skipped with a reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default=str(SHIPPED_DECISIONS_FILE), help="The CSV file (default: the shipped copy)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")
        parser.add_argument(
            "--show-skipped", type=int, default=50, metavar="N", help="List at most N skipped rows (default 50)."
        )

    def handle(self, *args, file, no_progress, show_skipped, verbosity, **options):
        bar = None

        def progress(step: ImportProgress) -> None:
            nonlocal bar
            if bar is None:
                # The raw stream under Django's wrapper: tqdm redraws one line with carriage returns.
                stream = getattr(self.stderr, "_out", sys.stderr)
                bar = tqdm(total=step.rows_total, unit=" rows", file=stream, desc="Importing")
            bar.total = step.rows_total
            bar.update(step.rows_done - bar.n)

        show_progress = not no_progress and verbosity > 0
        try:
            summary = decisions_import_file(path=file, progress=progress if show_progress else None)
        except NotADecisionsFile as error:
            raise CommandError(str(error)) from error
        finally:
            if bar is not None:
                bar.close()
        for line in summary.lines(most_reasons=show_skipped):
            self.stdout.write(line)
