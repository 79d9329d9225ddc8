"""Every letter, rendered and read back with pdftotext as a person would read the paper."""

import pytest

from letters.kinds import LetterKind, Recipient, letter_variants
from letters.rendering import render_letter_pdf
from letters.tests.support import flat, make_context, pdf_pages

K, R = LetterKind, Recipient

HEADINGS = {
    (K.ACKNOWLEDGEMENT, R.ENROLLEE, "en"): "We received your request for help",
    (K.ACKNOWLEDGEMENT, R.ENROLLEE, "es"): "Recibimos su solicitud de ayuda",
    (K.RESPONSE_REQUEST, R.PLAN, "en"): "Request for written response",
    (K.IMR_ELIGIBILITY, R.ENROLLEE, "en"): "Your case qualifies for Independent Medical Review",
    (K.IMR_ELIGIBILITY, R.ENROLLEE, "es"): "Su caso califica para una Revisión Médica Independiente",
    (K.IMR_ELIGIBILITY, R.PLAN, "en"): "Notice: case accepted for Independent Medical Review",
    (K.COMPLAINT_CONVERSION, R.ENROLLEE, "en"): "Your case will be reviewed as a Consumer Complaint",
    (K.COMPLAINT_CONVERSION, R.ENROLLEE, "es"): "Su caso se revisará como una Queja del Consumidor",
    (K.COMPLAINT_CONVERSION, R.PLAN, "en"): "Notice: case to be reviewed as a Consumer Complaint",
    (K.IMR_DECISION, R.ENROLLEE, "en"): "Independent Medical Review decision",
    (K.IMR_DECISION, R.ENROLLEE, "es"): "Decisión de la Revisión Médica Independiente",
    (K.IMR_DECISION, R.PLAN, "en"): "Independent Medical Review decision",
    (K.COMPLAINT_DECISION, R.ENROLLEE, "en"): "Consumer Complaint decision",
    (K.COMPLAINT_DECISION, R.ENROLLEE, "es"): "Decisión sobre su Queja del Consumidor",
    (K.COMPLAINT_DECISION, R.PLAN, "en"): "Consumer Complaint decision",
    (K.CLOSURE, R.ENROLLEE, "en"): "We have closed your case",
    (K.CLOSURE, R.ENROLLEE, "es"): "Cerramos su caso",
}
SHOWS_REASONS = {K.COMPLAINT_CONVERSION, K.IMR_DECISION, K.COMPLAINT_DECISION, K.CLOSURE}
LONG_REASONS = (
    "\n\n".join(
        f"Finding {number}: the reviewer read the treating doctor's notes, the imaging reports and the plan's "
        "criteria, and explains here, at length, how each one bears on the request." * 3
        for number in range(1, 16)
    )
    + "\n\nEND OF FINDINGS"
)

FREE_HELP_LINES = [
    "Free help in your language: call 1-888-466-2219",
    "Ayuda gratis en su idioma: llame al 1-888-466-2219",
    "免費中文協助",
    "Trợ giúp miễn phí bằng tiếng Việt",
    "Libreng tulong sa wikang Tagalog",
    "무료 한국어 도움이",
]


def test_the_table_of_headings_covers_every_letter_there_is():
    assert set(HEADINGS) == set(letter_variants())


@pytest.mark.parametrize(("kind", "recipient", "language"), letter_variants())
def test_every_page_carries_the_case_number_page_count_phone_and_tdd(kind, recipient, language, tmp_path):
    pdf = render_letter_pdf(kind, make_context(kind, recipient, language, reasons=LONG_REASONS))
    pages = pdf_pages(pdf, tmp_path)
    total = len(pages)

    assert total >= (3 if kind in SHOWS_REASONS else 2)
    for number, page in enumerate(pages, start=1):
        text = flat(page)
        assert "HC-2026-000123" in text, f"case number missing on page {number}"
        numbering = f"Page {number} of {total}" if language == "en" else f"Página {number} de {total}"
        assert numbering in text
        assert "1-888-466-2219" in text
        assert "TDD 1-877-688-9891" in text
    if kind in SHOWS_REASONS:
        assert "END OF FINDINGS" in flat("\n".join(pages))


@pytest.mark.parametrize(("kind", "recipient", "language"), letter_variants())
def test_every_letter_has_letterhead_date_address_heading_and_free_help(kind, recipient, language, tmp_path):
    pdf = render_letter_pdf(kind, make_context(kind, recipient, language))
    pages = pdf_pages(pdf, tmp_path)
    first, whole = flat(pages[0]), flat("\n".join(pages))

    assert "Department of Managed Health Care" in first
    assert "980 Ninth Street, Suite 500" in first
    assert "Sacramento, CA 95814-2725" in first
    assert "Fax 916-255-5241" in first
    assert ("May 4, 2026" if language == "en" else "4 de mayo de 2026") in first
    assert "1234 Elm Street, Apt 5" in first
    assert HEADINGS[(kind, recipient, language)] in first
    for line in FREE_HELP_LINES:
        assert line in whole
    if language == "es":
        assert "Estimado(a) Maria Lopez:" in whole
        assert "Número de caso" in whole
        assert "Dear " not in whole
    else:
        assert "Dear Maria Lopez:" in whole
        assert "Estimado" not in whole


def test_a_long_letter_keeps_every_word_of_the_findings(tmp_path):
    pdf = render_letter_pdf(K.IMR_DECISION, make_context(K.IMR_DECISION, R.ENROLLEE, "en", reasons=LONG_REASONS))
    whole = flat("\n".join(pdf_pages(pdf, tmp_path)))
    for number in range(1, 16):
        assert f"Finding {number}:" in whole
    assert "END OF FINDINGS" in whole
