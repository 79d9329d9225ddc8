"""Letters per second in one worker process: the letter engine against WeasyPrint alone.

Both sides make the same PDF from the same HTML with the same options (PDF/UA, tagged). The
engine also checks the context, reads and hashes the letter's files, renders the template and
serves static files through its own fetcher; the target is that all of that costs less than a
fifth of the time.

A third row times what a worker process does for each letter: ``letter_issue``, the service the
``complaints.letter_render`` task calls (lock the pending row, read the case, build the context,
render, store the PDF with its checksum, write the timeline event and the "a letter is waiting"
notice), for IMR decision letters of real cases, alternating with WeasyPrint alone on each
letter's own HTML.
"""

import logging
import shutil
import tempfile
import time
from datetime import UTC, date, datetime

from django.test import override_settings
from django.utils import timezone

from bench.core import Result, benchmark, median, percentile

RENDERS = 30
TARGET_SHARE = 0.8


def _typical_decision_context(language: str):
    from letters.context import Address, LetterContext

    findings = (
        "The reviewers read the treating doctor's notes, the imaging reports and the plan's criteria. "
        "The patient has had back pain for eight months and physical therapy did not help. "
        "An MRI is the usual next step before deciding on further treatment.\n\n"
    ) * 4
    return LetterContext(
        case_number="HC-2026-004711",
        letter_date=date(2026, 6, 1),
        recipient="ENROLLEE",
        language=language,
        address=Address("Maria Lopez", ("1234 Elm Street, Apt 5", "Sacramento, CA 95814-2725")),
        patient_name="Maria Lopez",
        plan_name="Golden State Health Plan",
        member_id="GSH-99-1234",
        received_date=date(2026, 4, 20),
        treatment_in_dispute="MRI of the lower back",
        track="IMR",
        response_due_at=datetime(2026, 4, 24, 6, 59, 59, tzinfo=UTC),
        outcome="OVERTURNED",
        reasons=findings,
        implementation_due_date=date(2026, 6, 8),
        staff_name="Alex Kim",
    )


def _alternating(first, second, *, repeat: int) -> tuple[list[float], list[float]]:
    """Time both functions turn about, so drift in the machine's speed hits both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, bucket in ((first, samples[0]), (second, samples[1])):
            start = time.perf_counter()
            function()
            bucket.append(time.perf_counter() - start)
    return samples


@benchmark
def letter_rendering() -> list[Result]:
    import weasyprint

    from letters.rendering import PDF_OPTIONS, STATIC_ROOT, render_letter_html, render_letter_pdf

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    rows = []
    for language in ("en", "es"):
        context = _typical_decision_context(language)
        html = render_letter_html("IMR_DECISION", context)
        base_url = STATIC_ROOT.resolve().as_uri() + "/"

        def ours(context=context):
            return render_letter_pdf("IMR_DECISION", context)

        def alone(html=html, base_url=base_url):
            return weasyprint.HTML(string=html, base_url=base_url).write_pdf(**PDF_OPTIONS)

        _alternating(ours, alone, repeat=3)  # warm caches (fonts, compiled template) on both sides
        ours_samples, alone_samples = _alternating(ours, alone, repeat=RENDERS)
        rows.append(_row(f"letters: IMR decision PDFs/s, 1 process ({language})", ours_samples, alone_samples))
    rows.append(_letters_issued())
    rows.extend(_letters_at_their_bounds())
    return rows


def _letters_at_their_bounds() -> list[Result]:
    """The largest letter the context's bounds allow, and the costliest text to lay out, against the
    render's time limit: each must stay well inside it, or a real letter could be cut off."""
    from letters.rendering import DEFAULT_TIME_LIMIT_SECONDS, render_letter_pdf
    from letters.tests.support import largest_allowed_context, slowest_allowed_context

    rows = []
    for name, context, share in (
        ("largest allowed letter (20,000 characters of findings)", largest_allowed_context(), 10),
        ("slowest allowed text (300-character words)", slowest_allowed_context(), 3),
    ):
        render_letter_pdf("IMR_DECISION", context)  # warm
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            render_letter_pdf("IMR_DECISION", context)
            samples.append(time.perf_counter() - started)
        slowest, limit = max(samples), DEFAULT_TIME_LIMIT_SECONDS / share
        rows.append(
            Result(
                name=f"letters: {name}",
                value=f"{slowest:.2f} s",
                baseline=f"time limit {DEFAULT_TIME_LIMIT_SECONDS:.0f} s",
                target=f"< {limit:.0f} s (1/{share} of the limit)",
                met=slowest < limit,
                note="the slowest of 3 renders after one warm-up",
            )
        )
    return rows


def _row(name: str, ours_samples: list[float], alone_samples: list[float]) -> Result:
    ours_rate, alone_rate = 1 / median(ours_samples), 1 / median(alone_samples)
    share = ours_rate / alone_rate
    return Result(
        name=name,
        value=f"{ours_rate:.1f}/s ({share:.0%})",
        baseline=f"{alone_rate:.1f}/s WeasyPrint alone",
        target=f">= {TARGET_SHARE:.0%} of WeasyPrint alone",
        met=share >= TARGET_SHARE,
        note=(
            f"{len(ours_samples)} letters each, alternating; median {median(ours_samples) * 1000:.0f} ms vs "
            f"{median(alone_samples) * 1000:.0f} ms, p95 {percentile(ours_samples, 0.95) * 1000:.0f} ms vs "
            f"{percentile(alone_samples, 0.95) * 1000:.0f} ms"
        ),
    )


def _letters_issued() -> Result:
    """Issue pending IMR decision letters of real cases through letter_issue, turn about with
    WeasyPrint alone on the same letter's HTML."""
    import weasyprint

    from bench.offline import tasks_queued_not_run
    from complaints.clocks import LOCAL_TZ
    from complaints.models import Case, Letter, Status
    from complaints.services.letter_issue import letter_context, letter_issue
    from complaints.tests.drive import case_at
    from letters.rendering import PDF_OPTIONS, STATIC_ROOT, render_letter_html

    base_url = STATIC_ROOT.resolve().as_uri() + "/"
    media = tempfile.mkdtemp(prefix="bench-letters-")
    cases = []
    try:
        with override_settings(MEDIA_ROOT=media), tasks_queued_not_run():
            cases = [case_at(Status.DECISION_ISSUED) for _ in range(RENDERS + 3)]
            letters = list(
                Letter.objects.filter(case__in=cases, kind="IMR_DECISION", recipient="ENROLLEE", state="PENDING")
                .select_related("case")
                .order_by("id")
            )
            issued, alone = [], []
            for letter in letters:
                case = Case.objects.select_related("health_plan", "patient").get(pk=letter.case_id)
                today = timezone.now().astimezone(LOCAL_TZ).date()
                html = render_letter_html(letter.kind, letter_context(letter=letter, case=case, today=today))
                started = time.perf_counter()
                done = letter_issue(letter_id=letter.id)
                issued.append(time.perf_counter() - started)
                assert done.state == Letter.State.ISSUED, done.state  # noqa: S101 (a failed letter is not a fast one)
                started = time.perf_counter()
                weasyprint.HTML(string=html, base_url=base_url).write_pdf(**PDF_OPTIONS)
                alone.append(time.perf_counter() - started)
        # The first three warm the fonts, templates and the database's buffers on both sides.
        return _row("letters: IMR decision letters issued/s by letter_issue, 1 process", issued[3:], alone[3:])
    finally:
        for case in cases:
            Letter.objects.filter(case=case).delete()
            case.delete()
        shutil.rmtree(media, ignore_errors=True)
