"""The catalogue of letters, and how dates and due times are printed."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from letters import rendering
from letters.context import PACIFIC, context_problems, format_date, format_datetime
from letters.kinds import LETTER_RECIPIENTS, LetterKind, Recipient, languages_for, letter_variants, template_name
from letters.tests.support import make_context

K, R = LetterKind, Recipient


def test_who_receives_which_letter():
    expected = {
        K.ACKNOWLEDGEMENT: {R.ENROLLEE},
        K.RESPONSE_REQUEST: {R.PLAN},
        K.IMR_ELIGIBILITY: {R.ENROLLEE, R.PLAN},
        K.COMPLAINT_CONVERSION: {R.ENROLLEE, R.PLAN},
        K.IMR_DECISION: {R.ENROLLEE, R.PLAN},
        K.COMPLAINT_DECISION: {R.ENROLLEE, R.PLAN},
        K.CLOSURE: {R.ENROLLEE},
    }
    assert expected == LETTER_RECIPIENTS
    assert languages_for(R.ENROLLEE) == ("en", "es")
    assert languages_for("PLAN") == ("en",)
    assert len(letter_variants()) == 17


def test_there_is_exactly_one_template_per_letter_and_no_stray_ones():
    root = rendering.TEMPLATE_ROOT
    kind_templates = {
        str(path.relative_to(root)) for folder in ("enrollee", "plan") for path in (root / "letters" / folder).glob("*")
    }
    assert kind_templates == {template_name(*variant) for variant in letter_variants()}
    assert template_name(K.IMR_DECISION, R.ENROLLEE, "es") == "letters/enrollee/imr_decision.es.html"


def test_every_letter_template_extends_the_base_of_its_own_language():
    for kind, recipient, language in letter_variants():
        source = (rendering.TEMPLATE_ROOT / template_name(kind, recipient, language)).read_text()
        assert source.startswith(f'{{% extends "letters/base.{language}.html" %}}')
        assert "|safe" not in source
        assert "autoescape off" not in source


def test_letter_names_are_translated_for_spanish_pages():
    from django.utils import translation

    with translation.override("es"):
        assert str(K.IMR_DECISION.label) == "Decisión de IMR"
        assert str(K.CLOSURE.label) == "Cierre o remisión"


def test_a_typical_context_for_every_letter_has_no_problems():
    for kind, recipient, language in letter_variants():
        assert context_problems(kind, make_context(kind, recipient, language)) == []


def test_dates_are_written_out_in_each_language():
    assert format_date(date(2026, 5, 4), "en") == "May 4, 2026"
    assert format_date(date(2026, 5, 4), "es") == "4 de mayo de 2026"
    assert format_date(date(2027, 12, 31), "es") == "31 de diciembre de 2027"


def test_due_times_are_printed_in_california_time_across_daylight_saving():
    winter = datetime(2026, 1, 16, 7, 59, 59, tzinfo=UTC)  # PST, UTC-8
    summer = datetime(2026, 7, 16, 6, 59, 59, tzinfo=UTC)  # PDT, UTC-7
    assert format_datetime(winter, "en") == "January 15, 2026, 11:59 p.m. Pacific time"
    assert format_datetime(summer, "en") == "July 15, 2026, 11:59 p.m. Pacific time"
    assert format_datetime(summer, "es") == "15 de julio de 2026, 11:59 p. m., hora del Pacífico"
    assert format_datetime(datetime(2026, 3, 2, 20, 5, tzinfo=UTC), "en") == "March 2, 2026, 12:05 p.m. Pacific time"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)))  # noqa: DTZ001
def test_a_printed_due_time_names_the_california_day_and_minute(moment):
    local = moment.astimezone(PACIFIC)
    printed = format_datetime(moment, "en")
    assert printed.startswith(format_date(local.date(), "en") + ", ")
    hour, minute = printed.split(", ")[2].split(" ")[0].split(":")
    assert int(minute) == local.minute
    assert int(hour) % 12 == local.hour % 12
    assert ("a.m." in printed) == (local.hour < 12)


def test_a_due_time_given_in_another_zone_is_the_same_moment():
    eastern = datetime(2026, 5, 7, 22, 59, 59, tzinfo=ZoneInfo("America/New_York"))
    assert format_datetime(eastern, "en") == "May 7, 2026, 7:59 p.m. Pacific time"


def test_the_reviewed_documents_of_a_decision_letter_are_checked():
    from datetime import date as _date

    from letters.context import ReviewedDocument, context_problems
    from letters.tests.support import make_context

    good = ReviewedDocument(name="denial-letter.pdf", source="ENROLLEE", dated=_date(2026, 5, 1))
    context = make_context("IMR_DECISION", "ENROLLEE", "en", reviewed_documents=(good,))
    assert context_problems("IMR_DECISION", context) == []
    for bad, problem in (
        ((ReviewedDocument(name="", source="PLAN", dated=_date(2026, 5, 1)),), "needs a name"),
        ((ReviewedDocument(name="x.pdf", source="NEIGHBOUR", dated=_date(2026, 5, 1)),), "source must be one of"),
        ((ReviewedDocument(name="x.pdf", source="PLAN", dated="2026-05-01"),), "date must be a date"),
        ((ReviewedDocument(name="a\nb.pdf", source="PLAN", dated=_date(2026, 5, 1)),), "must be one line"),
        ((good,) * 201, "more than 200 documents"),
        ([good], "must be a tuple of ReviewedDocument"),
    ):
        problems = context_problems(
            "IMR_DECISION", make_context("IMR_DECISION", "ENROLLEE", "en", reviewed_documents=bad)
        )
        assert any(problem in text for text in problems), (problem, problems)
