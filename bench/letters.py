"""Letters per second in one worker process: the letter engine against WeasyPrint alone.

Both sides make the same PDF from the same HTML with the same options (PDF/UA, tagged). The
engine also checks the context, reads and hashes the letter's files, renders the template and
serves static files through its own fetcher; the target is that all of that costs less than a
fifth of the time.
"""

import logging
from datetime import UTC, date, datetime

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
    import time

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
        ours_rate, alone_rate = 1 / median(ours_samples), 1 / median(alone_samples)
        share = ours_rate / alone_rate
        rows.append(
            Result(
                name=f"letters: IMR decision PDFs/s, 1 process ({language})",
                value=f"{ours_rate:.1f}/s ({share:.0%})",
                baseline=f"{alone_rate:.1f}/s WeasyPrint alone",
                target=f">= {TARGET_SHARE:.0%} of WeasyPrint alone",
                met=share >= TARGET_SHARE,
                note=(
                    f"{RENDERS} renders each, alternating; median {median(ours_samples) * 1000:.0f} ms vs "
                    f"{median(alone_samples) * 1000:.0f} ms, p95 {percentile(ours_samples, 0.95) * 1000:.0f} ms vs "
                    f"{percentile(alone_samples, 0.95) * 1000:.0f} ms"
                ),
            )
        )
    return rows
