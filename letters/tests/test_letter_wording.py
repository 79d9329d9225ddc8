"""What each letter tells its reader: outcomes, what the plan must do and by when, rights, reasons."""

from datetime import UTC, datetime

import pytest

from letters.kinds import ClosureReason, ConversionReason, LetterKind, Recipient
from letters.rendering import render_letter_pdf
from letters.tests.support import flat, make_context, pdf_pages

K, R = LetterKind, Recipient
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"  # the letters use typographic apostrophes

DECISIONS = {
    (K.IMR_DECISION, R.ENROLLEE, "en", "OVERTURNED"): [
        f"Decision: your health plan{APOSTROPHE}s decision is overturned.",
        "within 5 working days after it receives this decision",
        "1374.34",
        "by May 11, 2026",
    ],
    (K.IMR_DECISION, R.ENROLLEE, "en", "UPHELD"): [f"Decision: your health plan{APOSTROPHE}s decision is upheld."],
    (K.IMR_DECISION, R.ENROLLEE, "es", "OVERTURNED"): [
        "Decisión: se revoca la decisión de su plan de salud.",
        "dentro de los 5 días hábiles después de recibir esta decisión",
        "a más tardar el 11 de mayo de 2026",
    ],
    (K.IMR_DECISION, R.ENROLLEE, "es", "UPHELD"): ["Decisión: se confirma la decisión de su plan de salud."],
    (K.IMR_DECISION, R.PLAN, "en", "OVERTURNED"): [
        "Decision: your decision is overturned.",
        "You must authorize the treatment or service within 5 working days",
        "by May 11, 2026",
        "confirm in the plan portal",
    ],
    (K.IMR_DECISION, R.PLAN, "en", "UPHELD"): ["Decision: your decision is upheld.", "Nothing more is needed"],
    (K.COMPLAINT_DECISION, R.ENROLLEE, "en", "IN_FAVOUR"): [
        "Decision: we decided in your favour.",
        "by May 11, 2026",
    ],
    (K.COMPLAINT_DECISION, R.ENROLLEE, "en", "NOT_IN_FAVOUR"): ["Decision: we did not decide in your favour."],
    (K.COMPLAINT_DECISION, R.ENROLLEE, "es", "IN_FAVOUR"): [
        "Decisión: decidimos a su favor.",
        "a más tardar el 11 de mayo de 2026",
    ],
    (K.COMPLAINT_DECISION, R.ENROLLEE, "es", "NOT_IN_FAVOUR"): ["Decisión: no decidimos a su favor."],
    (K.COMPLAINT_DECISION, R.PLAN, "en", "IN_FAVOUR"): [
        f"Decision: in the enrollee{APOSTROPHE}s favour.",
        "Carry out this decision by May 11, 2026",
    ],
    (K.COMPLAINT_DECISION, R.PLAN, "en", "NOT_IN_FAVOUR"): [
        f"Decision: not in the enrollee{APOSTROPHE}s favour.",
        "Nothing more is needed",
    ],
}
RIGHTS = {
    (R.ENROLLEE, "en"): ["there is no appeal of it", "You may still take legal action", "not your attorney"],
    (R.ENROLLEE, "es"): ["no se puede apelar", "todavía puede tomar acción legal", "no es su abogado"],
    (R.PLAN, "en"): ["There is no appeal of this decision."],
}


def read(kind, recipient, language, tmp_path, **changes) -> str:
    pdf = render_letter_pdf(kind, make_context(kind, recipient, language, **changes))
    return flat("\n".join(pdf_pages(pdf, tmp_path)))


@pytest.mark.parametrize(("kind", "recipient", "language", "outcome"), list(DECISIONS))
def test_a_decision_letter_states_the_outcome_the_reasons_the_next_step_and_the_rights(
    kind, recipient, language, outcome, tmp_path
):
    text = read(kind, recipient, language, tmp_path, outcome=outcome, reasons="Reviewer 1 found the scan necessary.")

    for phrase in DECISIONS[(kind, recipient, language, outcome)]:
        assert phrase in text
    for phrase in RIGHTS[(recipient, language)]:
        assert phrase in text
    assert "Reviewer 1 found the scan necessary." in text
    # The other outcome's verdict must not appear.
    other = next(o for (k, r, lang, o) in DECISIONS if (k, r, lang) == (kind, recipient, language) and o != outcome)
    assert DECISIONS[(kind, recipient, language, other)][0] not in text


CLOSURES = {
    ("en", ClosureReason.WITHDRAWN): "You asked us to stop work on your case, so we have closed it.",
    ("en", ClosureReason.PLAN_NOT_REGULATED): "Managed Health Care does not regulate your health plan",
    ("en", ClosureReason.GRIEVANCE_NOT_COMPLETED): "or if 30 days pass and your plan has not decided",
    ("en", ClosureReason.PLAN_REVERSED): "Your health plan changed its decision, so your case is resolved",
    ("en", ClosureReason.OTHER): "We have closed your case. The reasons are below.",
    ("es", ClosureReason.WITHDRAWN): "Usted nos pidió dejar de trabajar en su caso, así que lo cerramos.",
    ("es", ClosureReason.PLAN_NOT_REGULATED): "el Departamento de Atención Médica Administrada no regula su plan",
    ("es", ClosureReason.GRIEVANCE_NOT_COMPLETED): "o si pasan 30 días y su plan no ha decidido",
    ("es", ClosureReason.PLAN_REVERSED): "Su plan de salud cambió su decisión, así que su caso se resolvió a su favor.",
    ("es", ClosureReason.OTHER): "Cerramos su caso. Las razones están abajo.",
}


@pytest.mark.parametrize(("language", "reason"), list(CLOSURES))
def test_a_closure_letter_explains_its_reason_and_who_else_can_help(language, reason, tmp_path):
    text = read(
        K.CLOSURE,
        R.ENROLLEE,
        language,
        tmp_path,
        closure_reason=reason,
        referral_to="California Department of Insurance",
        reasons="Noted by intake staff.",
    )
    assert CLOSURES[(language, reason)] in text
    assert "California Department of Insurance" in text
    assert "Noted by intake staff." in text
    for (other_language, other_reason), sentence in CLOSURES.items():
        if other_language == language and other_reason != reason:
            assert sentence not in text


CONVERSIONS = {
    (R.ENROLLEE, "en", ConversionReason.IMR_NOT_QUALIFIED): "1374.31(b)",
    (R.ENROLLEE, "en", ConversionReason.COVERAGE_DISPUTE): "Questions about coverage are not decided by an Independent",
    (R.ENROLLEE, "en", ConversionReason.COMPLAINT_ISSUE): "such as a problem with a bill",
    (R.ENROLLEE, "es", ConversionReason.IMR_NOT_QUALIFIED): "sección 1374.31(b)",
    (R.ENROLLEE, "es", ConversionReason.COVERAGE_DISPUTE): "Las preguntas sobre cobertura no se deciden",
    (R.ENROLLEE, "es", ConversionReason.COMPLAINT_ISSUE): "un problema con una factura",
    (R.PLAN, "en", ConversionReason.IMR_NOT_QUALIFIED): "section 1374.31(b) requires",
    (R.PLAN, "en", ConversionReason.COVERAGE_DISPUTE): "The dispute is about coverage, not medical necessity.",
    (R.PLAN, "en", ConversionReason.COMPLAINT_ISSUE): "review as a Consumer Complaint.",
}


@pytest.mark.parametrize(("recipient", "language", "reason"), list(CONVERSIONS))
def test_a_conversion_letter_says_why_and_that_the_case_goes_on(recipient, language, reason, tmp_path):
    text = read(K.COMPLAINT_CONVERSION, recipient, language, tmp_path, conversion_reason=reason, track="COMPLAINT")
    assert CONVERSIONS[(recipient, language, reason)] in text
    if recipient == R.ENROLLEE:
        assert ("Your case is not closed" if language == "en" else "Su caso no está cerrado") in text
    assert ("May 30, 2026" if language == "en" else "30 de mayo de 2026") in text


def test_the_plan_is_told_when_its_response_is_due_in_california_time(tmp_path):
    text = read(K.RESPONSE_REQUEST, R.PLAN, "en", tmp_path)
    assert "Your response is due by May 7, 2026, 11:59 p.m. Pacific time." in text
    assert "3 business days" in text
    assert "URGENT" not in text


def test_an_urgent_case_says_so_and_gives_the_24_hour_rule(tmp_path):
    due = datetime(2026, 5, 5, 17, 30, tzinfo=UTC)  # 10:30 a.m. in California (daylight time)
    text = read(K.RESPONSE_REQUEST, R.PLAN, "en", tmp_path, urgent=True, response_due_at=due)
    assert "URGENT" in text
    assert "May 5, 2026, 10:30 a.m. Pacific time" in text
    assert "due 24 hours after you were notified" in text


def test_an_urgent_acknowledgement_in_spanish_tells_the_enrollee_to_call(tmp_path):
    text = read(K.ACKNOWLEDGEMENT, R.ENROLLEE, "es", tmp_path, urgent=True)
    assert "URGENTE" in text
    assert "Si necesita ayuda de inmediato, llámenos al 1-888-466-2219." in text


def test_the_signer_is_named_or_the_letter_is_signed_by_the_help_center(tmp_path):
    assert "Alex Kim" in read(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en", tmp_path)
    assert "Help Center staff" in read(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en", tmp_path, staff_name="")
    assert "Personal del Centro de Ayuda" in read(K.ACKNOWLEDGEMENT, R.ENROLLEE, "es", tmp_path, staff_name="")


RECEIVED = {
    (R.ENROLLEE, "en"): (
        "What the reviewers received",
        ["You", "Your health plan", "The Help Center"],
        ["May 1, 2026", "May 2, 2026"],
        "No other documents were on file.",
    ),
    (R.ENROLLEE, "es"): (
        "Lo que recibieron los revisores",
        ["Usted", "Su plan de salud", "El Centro de Ayuda"],
        ["1 de mayo de 2026", "2 de mayo de 2026"],
        "No había otros documentos en el archivo.",
    ),
    (R.PLAN, "en"): (
        "What the reviewers received",
        ["The enrollee", "Your plan", "The Help Center"],
        ["May 1, 2026", "May 2, 2026"],
        "No other documents were on file.",
    ),
}


@pytest.mark.parametrize(("recipient", "language"), list(RECEIVED))
def test_a_decision_letter_lists_what_the_reviewers_received_in_the_readers_language(recipient, language, tmp_path):
    from datetime import date

    from letters.context import ReviewedDocument

    heading, senders, dates, none_on_file = RECEIVED[(recipient, language)]
    documents = (
        ReviewedDocument(name="oncologist-letter.pdf", source="ENROLLEE", dated=date(2026, 5, 1)),
        ReviewedDocument(name="plan-criteria.pdf", source="PLAN", dated=date(2026, 5, 2)),
        ReviewedDocument(name="phone-notes.pdf", source="STAFF", dated=date(2026, 5, 2)),
    )
    text = read(K.IMR_DECISION, recipient, language, tmp_path, reviewed_documents=documents)
    assert heading in text
    # One row per document: its name, who sent it, the day it arrived.
    rows = zip(
        ("oncologist-letter.pdf", "plan-criteria.pdf", "phone-notes.pdf"), senders, (*dates, dates[1]), strict=True
    )
    for row in rows:
        assert " ".join(row) in text
    assert none_on_file not in text

    empty = read(K.IMR_DECISION, recipient, language, tmp_path, reviewed_documents=())
    assert heading in empty
    assert none_on_file in empty
