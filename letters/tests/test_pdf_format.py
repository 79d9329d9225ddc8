"""The PDF as a file and as paper: accessible metadata, the window envelope, clear page margins."""

import subprocess

import pytest

from letters.context import Address
from letters.kinds import LetterKind, Recipient, letter_variants
from letters.rendering import render_letter, render_letter_html, render_letter_pdf
from letters.tests.support import make_context, pdf_catalog_language, pdf_info, pdf_pages, word_boxes

K, R = LetterKind, Recipient

# Where a #10 window shows the paper when the letter, folded in thirds, rests on the envelope's
# bottom, and whichever way it slides sideways (see letters.css): millimetres from the top-left.
WINDOW_TOP, WINDOW_BOTTOM, WINDOW_LEFT, WINDOW_RIGHT = 51.9, 80.4, 22.2, 111.1
PAGE_HEIGHT = 279.4
TOP_MARGIN, BOTTOM_MARGIN = 22.0, 24.0


@pytest.mark.parametrize(("kind", "recipient", "language"), letter_variants())
def test_the_pdf_is_tagged_titled_and_in_the_letters_language(kind, recipient, language, tmp_path):
    context = make_context(kind, recipient, language)
    pdf = render_letter_pdf(kind, context)
    info = pdf_info(pdf, tmp_path)

    assert info["Tagged"] == "yes"
    heading, _, case_number = info["Title"].partition(" \N{EN DASH} ")
    assert case_number == "HC-2026-000123"
    assert heading in pdf_pages(pdf, tmp_path)[0]
    assert info["Author"] == "Help Center, Department of Managed Health Care"
    assert info["Page size"].startswith("612 x 792 pts")
    assert pdf_catalog_language(pdf) == language
    assert f'<html lang="{language}">' in render_letter_html(kind, context)


def test_the_pdf_declares_pdf_ua_and_has_a_heading_structure(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(render_letter_pdf(K.IMR_DECISION, make_context(K.IMR_DECISION, R.ENROLLEE, "es")))
    metadata = subprocess.run(["pdfinfo", "-meta", str(path)], check=True, capture_output=True, text=True).stdout
    structure = subprocess.run(["pdfinfo", "-struct", str(path)], check=True, capture_output=True, text=True).stdout
    assert 'pdfuaid:part="1"' in metadata
    assert "H1" in structure
    assert "H2" in structure
    assert "Table" in structure


def test_the_same_context_gives_the_same_bytes_and_checksum():
    context = make_context(K.COMPLAINT_DECISION, R.PLAN, "en")
    first, second = render_letter(K.COMPLAINT_DECISION, context), render_letter(K.COMPLAINT_DECISION, context)
    assert first == second
    assert first.pdf.startswith(b"%PDF-1.7")
    assert len(first.sha256) == 64


@pytest.mark.parametrize(
    "address",
    [
        Address("Maria Lopez", ("1234 Elm Street, Apt 5", "Sacramento, CA 95814-2725")),
        # The longest lines allowed, in capitals, and the most lines: printed smaller, still inside.
        Address(
            "WESTERN MANAGED HEALTH PLAN GRIEVANCE DEPT 1",
            (
                "ATTN: GRIEVANCES AND APPEALS COORDINATOR 12",
                "12345 NORTH VERY LONG BOULEVARD NAME STE 1234",
                "BUILDING C, THIRD FLOOR, MAIL STOP 4400-B",
                "RANCHO SANTA MARGARITA, CA 92688-1234",
            ),
        ),
    ],
)
def test_the_address_shows_through_the_envelope_window_and_nothing_else_does(address, tmp_path):
    pdf = render_letter_pdf(K.ACKNOWLEDGEMENT, make_context(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en", address=address))
    words = word_boxes(pdf, tmp_path, page=1)
    address_words = {word for line in (address.name, *address.lines) for word in line.split()}

    in_window = [
        (word, left, top, right, bottom)
        for word, left, top, right, bottom in words
        if right > WINDOW_LEFT and left < WINDOW_RIGHT and bottom > WINDOW_TOP and top < WINDOW_BOTTOM
    ]
    assert {box[0] for box in in_window} == address_words
    for word, left, top, right, bottom in in_window:
        # 1 mm of clear window on every side, at least.
        assert left >= WINDOW_LEFT + 1, word
        assert right <= WINDOW_RIGHT - 1, word
        assert top >= WINDOW_TOP + 1, word
        assert bottom <= WINDOW_BOTTOM - 1, word


@pytest.mark.parametrize("kind", [K.IMR_DECISION, K.ACKNOWLEDGEMENT])
def test_nothing_in_the_body_runs_into_the_page_header_or_footer(kind, tmp_path):
    long = "The reviewers explain their findings in detail. " * 150
    pdf = render_letter_pdf(kind, make_context(kind, R.ENROLLEE, "es", reasons=long))
    pages = pdf_pages(pdf, tmp_path)
    for number in range(1, len(pages) + 1):
        for word, _left, top, _right, bottom in word_boxes(pdf, tmp_path, page=number):
            in_header = bottom <= TOP_MARGIN
            in_footer = top >= PAGE_HEIGHT - BOTTOM_MARGIN
            in_body = top >= TOP_MARGIN and bottom <= PAGE_HEIGHT - BOTTOM_MARGIN
            assert in_header or in_footer or in_body, f"{word!r} on page {number} crosses a page margin"
