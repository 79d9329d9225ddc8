"""Shared helpers for the letter tests: a typical context, and reading a PDF back as people would."""

import re
import subprocess
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from letters.context import Address, LetterContext
from letters.kinds import LetterKind

MM_PER_POINT = 25.4 / 72

OUTCOME_FOR_KIND = {LetterKind.IMR_DECISION: "OVERTURNED", LetterKind.COMPLAINT_DECISION: "IN_FAVOUR"}


def make_context(kind, recipient, language, **changes) -> LetterContext:
    """A complete, ordinary context for any kind; ``changes`` override single fields."""
    kind = LetterKind(kind)
    context = LetterContext(
        case_number="HC-2026-000123",
        letter_date=date(2026, 5, 4),
        recipient=recipient,
        language=language,
        address=Address("Maria Lopez", ("1234 Elm Street, Apt 5", "Sacramento, CA 95814-2725")),
        patient_name="Maria Lopez",
        plan_name="Golden State Health Plan",
        member_id="GSH-99-1234",
        received_date=date(2026, 4, 1),
        treatment_in_dispute="MRI of the lower back",
        track="IMR" if kind in {LetterKind.IMR_ELIGIBILITY, LetterKind.IMR_DECISION} else "",
        response_due_at=datetime(2026, 5, 8, 6, 59, 59, tzinfo=UTC),  # 11:59:59 p.m. on May 7 in California
        decision_due_date=date(2026, 5, 30),
        outcome=OUTCOME_FOR_KIND.get(kind, ""),
        reasons="The records show that the MRI is needed to plan treatment.",
        implementation_due_date=date(2026, 5, 11),
        conversion_reason="IMR_NOT_QUALIFIED",
        closure_reason="WITHDRAWN",
        staff_name="Alex Kim",
    )
    return replace(context, **changes)


def pdf_pages(pdf: bytes, tmp_path: Path, *, layout: bool = True) -> list[str]:
    """The text of each page, as ``pdftotext -layout`` reads it back."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped phrases can be found."""
    return " ".join(text.split())


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())}


def pdf_catalog_language(pdf: bytes) -> str | None:
    """The /Lang entry of the PDF catalog (WeasyPrint puts it in a compressed object stream)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 500_000]))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Type /Catalog[^>]*?/Lang \(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode()
    return None


def word_boxes(pdf: bytes, tmp_path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) in millimetres from the paper's top-left corner."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (word, *(float(number) * MM_PER_POINT for number in numbers)) for *numbers, word in re.findall(pattern, output)
    ]


def largest_allowed_context() -> LetterContext:
    """An IMR decision as long as the context's bounds allow: 20,000 characters of findings."""
    reasons = ("A long finding, written out in full by the reviewer. " * 18 + "\n\n") * 20
    return make_context(
        LetterKind.IMR_DECISION, "ENROLLEE", "en", reasons=reasons[:20_000], treatment_in_dispute="t " * 500
    )


def slowest_allowed_context() -> LetterContext:
    """Findings of words of the longest allowed length: the costliest text to lay out we know of."""
    return make_context(LetterKind.IMR_DECISION, "ENROLLEE", "en", reasons=" ".join(["y" * 300] * 66))
