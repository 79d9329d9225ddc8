"""A letter can read only the letters' own static files, whatever a person typed into a case."""

import dataclasses

import pytest
import weasyprint
from weasyprint.urls import FatalURLFetchingError

from letters import rendering
from letters.fetcher import STATIC_ROOT, FetchRefused, StaticOnlyFetcher, resolve_static
from letters.kinds import LetterKind, Recipient
from letters.rendering import render_letter_html, render_letter_pdf
from letters.tests.support import flat, make_context, pdf_pages

HOSTILE = '<img src="file:///etc/passwd">'
HOSTILE_CSS = "<style>@import url(http://127.0.0.1:9/x.css);</style><link rel=stylesheet href=/etc/passwd>"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (STATIC_ROOT / ".." / ".." / "rendering.py").as_uri(),
        STATIC_ROOT.as_uri() + "/%2e%2e/%2e%2e/rendering.py",
        "http://127.0.0.1:9/letters.css",
        "https://example.org/letters.css",
        "data:text/css,body{color:red}",
        "ftp://example.org/x",
        "file://otherhost" + str(STATIC_ROOT / "letters.css"),
        STATIC_ROOT.as_uri() + "/no-such-file.css",
        STATIC_ROOT.as_uri(),
    ],
)
def test_anything_but_a_file_in_the_letters_static_folder_is_refused(url):
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher().fetch(url)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p { color: black }")
    (root / "escape.css").symlink_to("/etc/passwd")
    fetcher = StaticOnlyFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p { color: black }"
    with pytest.raises(FetchRefused):
        fetcher.fetch((root / "escape.css").as_uri())


def test_the_letters_stylesheet_is_served():
    response = StaticOnlyFetcher().fetch(STATIC_ROOT.as_uri() + "/letters.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert resolve_static(STATIC_ROOT.as_uri() + "/letters.css") == STATIC_ROOT / "letters.css"


def test_with_a_snapshot_only_the_snapshotted_files_are_served():
    css = STATIC_ROOT / "letters.css"
    fetcher = StaticOnlyFetcher(files={css: b"p {}"})
    assert fetcher.fetch(css.as_uri()).read() == b"p {}"
    with pytest.raises(FetchRefused):
        fetcher.fetch((STATIC_ROOT / "letterhead-mark.svg").as_uri())


def test_weasyprint_stops_rather_than_render_a_refused_file():
    with pytest.raises(FatalURLFetchingError):
        weasyprint.HTML(string=HOSTILE, url_fetcher=StaticOnlyFetcher()).write_pdf()


def test_markup_typed_into_a_case_is_printed_as_text_and_fetches_nothing(tmp_path, monkeypatch):
    asked: list[str] = []

    class Recording(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(rendering, "StaticOnlyFetcher", Recording)
    context = make_context(
        LetterKind.IMR_DECISION,
        Recipient.ENROLLEE,
        "en",
        reasons=HOSTILE + "\n\n" + HOSTILE_CSS,
        treatment_in_dispute=HOSTILE,
        patient_name=HOSTILE,
        referral_to=HOSTILE,
        address=dataclasses.replace(make_context("CLOSURE", "ENROLLEE", "en").address, name=HOSTILE),
    )

    html = render_letter_html(LetterKind.IMR_DECISION, context)
    assert HOSTILE not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html

    text = flat("\n".join(pdf_pages(render_letter_pdf(LetterKind.IMR_DECISION, context), tmp_path)))
    assert HOSTILE in text
    assert "@import url(http://127.0.0.1:9/x.css);" in text
    assert "root:x:" not in text
    assert asked, "the stylesheet should have been fetched through the recording fetcher"
    assert all(url.startswith(STATIC_ROOT.as_uri() + "/") for url in asked)
    assert not any("passwd" in url or "127.0.0.1" in url for url in asked)
