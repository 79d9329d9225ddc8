"""Template versions, refusals, input bounds and the time limit."""

import shutil
import signal
import threading
from dataclasses import replace
from datetime import datetime

import pytest

from letters import rendering
from letters.kinds import LetterKind, Recipient, letter_variants
from letters.rendering import (
    LetterRenderError,
    render_letter,
    render_letter_html,
    render_letter_pdf,
    template_version,
)
from letters.tests.support import flat, largest_allowed_context, make_context, pdf_pages, slowest_allowed_context

K, R = LetterKind, Recipient


# --- Versions ----------------------------------------------------------------------------------


def test_a_letter_has_one_version_until_its_files_change():
    versions = {variant: template_version(*variant) for variant in letter_variants()}
    assert all(len(version) == 12 for version in versions.values())
    assert versions == {variant: template_version(*variant) for variant in letter_variants()}
    # Each letter has its own template, so each has its own version.
    assert len(set(versions.values())) == len(versions)


def test_the_stored_version_is_the_one_that_made_the_pdf():
    context = make_context(K.IMR_DECISION, R.PLAN, "en")
    assert render_letter(K.IMR_DECISION, context).template_version == template_version(K.IMR_DECISION, R.PLAN, "en")


@pytest.fixture
def letter_files_copy(tmp_path, monkeypatch):
    """A private copy of the templates and static files that the engine reads instead."""
    templates, static = tmp_path / "templates", tmp_path / "static"
    shutil.copytree(rendering.TEMPLATE_ROOT, templates)
    shutil.copytree(rendering.STATIC_ROOT, static)
    monkeypatch.setattr(rendering, "TEMPLATE_ROOT", templates)
    monkeypatch.setattr(rendering, "STATIC_ROOT", static)
    return templates, static


def test_editing_a_letters_template_changes_its_version_and_its_text(letter_files_copy, tmp_path):
    templates, _ = letter_files_copy
    variant = (K.CLOSURE, R.ENROLLEE, "es")
    before = template_version(*variant)
    assert before == rendering.template_version(*variant)  # the copy is byte-for-byte the same

    path = templates / "letters/enrollee/closure.es.html"
    path.write_text(path.read_text().replace("Cerramos su caso", "Su caso está cerrado"))

    assert template_version(*variant) != before
    assert template_version(K.CLOSURE, R.ENROLLEE, "en") == rendering.template_version(K.CLOSURE, R.ENROLLEE, "en")
    text = flat("\n".join(pdf_pages(render_letter_pdf(variant[0], make_context(*variant)), tmp_path)))
    assert "Su caso está cerrado" in text


@pytest.mark.parametrize(
    ("path", "affected", "unaffected"),
    [
        ("templates/letters/base.es.html", (K.CLOSURE, R.ENROLLEE, "es"), (K.CLOSURE, R.ENROLLEE, "en")),
        ("templates/letters/_facts.en.html", (K.IMR_DECISION, R.PLAN, "en"), (K.IMR_DECISION, R.ENROLLEE, "es")),
        ("templates/letters/_language_help.html", (K.CLOSURE, R.ENROLLEE, "es"), None),
        ("static/letters.css", (K.RESPONSE_REQUEST, R.PLAN, "en"), None),
        ("static/letterhead-mark.svg", (K.IMR_ELIGIBILITY, R.ENROLLEE, "en"), None),
    ],
)
def test_editing_a_shared_file_changes_the_version_of_the_letters_made_from_it(
    letter_files_copy, tmp_path, path, affected, unaffected
):
    before = {variant: template_version(*variant) for variant in letter_variants()}
    with (tmp_path / path).open("a") as file:
        file.write("\n")
    assert template_version(*affected) != before[affected]
    if unaffected:
        assert template_version(*unaffected) == before[unaffected]


def test_a_template_that_names_a_file_outside_the_static_folder_is_refused(letter_files_copy):
    templates, _ = letter_files_copy
    base = templates / "letters/base.en.html"
    base.write_text(base.read_text().replace('href="letters.css"', 'href="../../rendering.py"'))
    with pytest.raises(LetterRenderError, match="may not use"):
        template_version(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")


def test_a_file_named_in_a_templates_own_style_is_part_of_the_snapshot(letter_files_copy):
    templates, static = letter_files_copy
    base = templates / "letters/base.en.html"
    base.write_text(base.read_text().replace("</style>", "p.street { background: url(extra.svg) }\n</style>"))
    with pytest.raises(LetterRenderError, match="may not use"):
        template_version(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")  # extra.svg does not exist yet
    (static / "extra.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    before = template_version(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")
    (static / "extra.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1"/>')
    assert template_version(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en") != before
    assert render_letter_pdf(K.ACKNOWLEDGEMENT, make_context(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")).startswith(b"%PDF")


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "recipient", "language"),
    [
        (K.ACKNOWLEDGEMENT, R.PLAN, "en"),
        (K.RESPONSE_REQUEST, R.ENROLLEE, "en"),
        (K.CLOSURE, R.PLAN, "en"),
        (K.IMR_DECISION, R.PLAN, "es"),
        (K.IMR_DECISION, R.ENROLLEE, "fr"),
        ("NOT_A_KIND", R.ENROLLEE, "en"),
        (K.IMR_DECISION, "NOBODY", "en"),
    ],
)
def test_a_letter_that_does_not_exist_is_refused(kind, recipient, language):
    with pytest.raises(LetterRenderError):
        template_version(kind, recipient, language)
    with pytest.raises(LetterRenderError):
        render_letter_pdf(kind, make_context(K.ACKNOWLEDGEMENT, recipient, language))


@pytest.mark.parametrize(
    ("kind", "recipient", "changes", "message"),
    [
        (K.IMR_DECISION, R.ENROLLEE, {"outcome": ""}, "needs outcome OVERTURNED or UPHELD"),
        (K.IMR_DECISION, R.PLAN, {"outcome": "IN_FAVOUR"}, "needs outcome"),
        (K.COMPLAINT_DECISION, R.ENROLLEE, {"reasons": "  "}, "needs the reasons"),
        (K.COMPLAINT_DECISION, R.PLAN, {"implementation_due_date": None}, "implementation_due_date"),
        (K.RESPONSE_REQUEST, R.PLAN, {"response_due_at": None}, "response_due_at"),
        (K.RESPONSE_REQUEST, R.PLAN, {"response_due_at": datetime(2026, 5, 7, 17)}, "timezone-aware"),  # noqa: DTZ001
        (K.COMPLAINT_CONVERSION, R.ENROLLEE, {"conversion_reason": "BECAUSE"}, "conversion_reason"),
        (K.CLOSURE, R.ENROLLEE, {"closure_reason": ""}, "closure_reason"),
        (K.CLOSURE, R.ENROLLEE, {"closure_reason": "OTHER", "reasons": ""}, "needs the reasons"),
        (K.ACKNOWLEDGEMENT, R.ENROLLEE, {"case_number": ""}, "case_number is empty"),
        (K.ACKNOWLEDGEMENT, R.ENROLLEE, {"letter_date": datetime(2026, 5, 4, 9)}, "letter_date"),  # noqa: DTZ001
        (K.ACKNOWLEDGEMENT, R.ENROLLEE, {"track": "OTHER"}, "track"),
        (K.ACKNOWLEDGEMENT, R.ENROLLEE, {"reasons": "x" * 20_001}, "reasons is longer than 20000"),
        (K.ACKNOWLEDGEMENT, R.ENROLLEE, {"patient_name": None}, "patient_name must be text"),
        (K.IMR_DECISION, R.ENROLLEE, {"reasons": "a\n" * 300}, "reasons has more than 300 lines"),
        (K.CLOSURE, R.ENROLLEE, {"referral_to": "a\n" * 20}, "referral_to has more than 20 lines"),
        (K.IMR_DECISION, R.ENROLLEE, {"reasons": "see " + "x" * 301}, "reasons has a word longer than 300"),
        (K.IMR_DECISION, R.ENROLLEE, {"treatment_in_dispute": "x" * 301}, "treatment_in_dispute has a word"),
    ],
)
def test_a_context_the_letter_cannot_use_is_refused_before_rendering(kind, recipient, changes, message):
    context = make_context(kind, recipient, "en", **changes)
    with pytest.raises(LetterRenderError, match=message):
        render_letter_pdf(kind, context)
    with pytest.raises(LetterRenderError, match=message):
        render_letter_html(kind, context)


@pytest.mark.parametrize(
    ("name", "lines", "message"),
    [
        ("", ("1 Main St", "Fresno, CA 93721"), "no name"),
        ("Maria Lopez", (), "1 to 4 lines"),
        ("Maria Lopez", ("a", "b", "c", "d", "e"), "1 to 4 lines"),
        ("Maria Lopez", ("1 Main St, " + "x" * 40,), "at most 46 characters"),
        ("Maria\nLopez", ("1 Main St",), "single lines"),
    ],
)
def test_an_address_that_would_not_fit_the_window_is_refused(name, lines, message):
    context = make_context(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")
    context = replace(context, address=replace(context.address, name=name, lines=lines))
    with pytest.raises(LetterRenderError, match=message):
        render_letter_pdf(K.ACKNOWLEDGEMENT, context)


# --- Bounds and time limit ---------------------------------------------------------------------


def test_the_largest_allowed_letter_renders_under_the_time_limit(tmp_path, settings):
    # The render runs under its shipped time limit (an alarm stops it past that), so this fails if
    # the largest letter the bounds allow could not be issued. How far within the limit it stays is
    # a figure for `make bench` (letters), not for a timed test.
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = rendering.DEFAULT_TIME_LIMIT_SECONDS
    pdf = render_letter_pdf(K.IMR_DECISION, largest_allowed_context())
    assert 4 <= len(pdf_pages(pdf, tmp_path)) <= 12


def test_the_slowest_input_the_limits_allow_still_renders_under_the_time_limit(settings):
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = rendering.DEFAULT_TIME_LIMIT_SECONDS
    pdf = render_letter_pdf(K.IMR_DECISION, slowest_allowed_context())
    assert pdf.startswith(b"%PDF")


def test_a_render_past_the_time_limit_is_stopped_and_the_alarm_is_put_back(settings):
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = 0.005
    handler_before = signal.getsignal(signal.SIGALRM)
    context = make_context(K.IMR_DECISION, R.ENROLLEE, "en", reasons="Findings. " * 1_500)

    with pytest.raises(LetterRenderError, match=r"longer than 0\.005 s"):
        render_letter_pdf(K.IMR_DECISION, context)

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler_before
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = 30
    assert render_letter_pdf(K.IMR_DECISION, context).startswith(b"%PDF")


def test_outside_the_main_thread_no_alarm_is_set_and_the_caller_must_limit_time(settings):
    # Documented behaviour: signals reach only the main thread, so a thread relies on the
    # caller's own hard limit (Celery's time_limit).
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = 0.005
    context = make_context(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en")
    results = []
    thread = threading.Thread(target=lambda: results.append(render_letter_pdf(K.ACKNOWLEDGEMENT, context)))
    thread.start()
    thread.join(timeout=60)
    assert len(results) == 1
    assert results[0].startswith(b"%PDF")


def test_someone_elses_running_timer_is_left_alone(settings):
    settings.LETTERS_RENDER_TIME_LIMIT_SECONDS = 0.005
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 50)
    try:
        pdf = render_letter_pdf(K.ACKNOWLEDGEMENT, make_context(K.ACKNOWLEDGEMENT, R.ENROLLEE, "en"))
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert pdf.startswith(b"%PDF")
    assert 0 < remaining <= 50
    assert not fired
