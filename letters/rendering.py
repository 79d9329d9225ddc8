"""Turn a letter kind and a LetterContext into HTML, and that HTML into a tagged PDF.

Each render first reads every file the letter is made from (its template, the templates it extends
or includes, and the static files those name) into a snapshot. The snapshot's hash is the
``template_version``; the Django template is compiled from the snapshot and WeasyPrint is served
the snapshot's static files, so the version stored with a PDF names exactly what made it, even if a
file changes on disk during the render.

Renders are bounded: inputs have maximum sizes (``letters.context.MAX_LENGTHS``) and, in a
process's main thread, a SIGALRM timer stops a render that runs past
``settings.LETTERS_RENDER_TIME_LIMIT_SECONDS``. The Celery task that calls this must also set its
own hard ``time_limit``; see docs/letters.md.
"""

import hashlib
import re
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from django.conf import settings
from django.template import Context, Engine, Template
from weasyprint.urls import FatalURLFetchingError

from letters.context import LetterContext, context_problems, format_date, format_datetime
from letters.fetcher import STATIC_ROOT as LETTERS_STATIC_ROOT
from letters.fetcher import StaticOnlyFetcher, resolve_static
from letters.kinds import ENROLLEE_WINS, LETTER_RECIPIENTS, LetterKind, Recipient, languages_for, template_name

# Read at call time (tests point them at a copy to show that an edit changes the version).
TEMPLATE_ROOT = (Path(__file__).resolve().parent / "templates").resolve()
STATIC_ROOT = LETTERS_STATIC_ROOT
DEFAULT_TIME_LIMIT_SECONDS = 30.0
# Longer address lines are printed smaller so they still fit the envelope window (letters.css).
WINDOW_LINE_AT_FULL_SIZE = 38

# PDF/UA-1: tagged structure (headings, paragraphs, lists, tables), document language and title
# from <html lang> and <title>. Both the engine and the benchmark's baseline use these options.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "uncompressed_pdf": False}

_TEMPLATE_REFERENCE = re.compile(r"{%\s*(?:extends|include)\s+[\"']([^\"']+)[\"']")
_STATIC_REFERENCE = re.compile(r"""(?:href|src)\s*=\s*["']([^"'{}:]+)["']""")
_CSS_REFERENCE = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']""")


class LetterRenderError(Exception):
    """The letter cannot be made: a wrong combination, a bad context, a failed or slow render."""


class _RenderTimeout(BaseException):
    """Raised by the alarm; a BaseException so WeasyPrint's own ``except Exception`` cannot eat it."""


@dataclass(frozen=True)
class _Snapshot:
    templates: dict[str, str]  # template name -> source
    static_root: Path
    static: dict[Path, bytes]  # resolved path -> bytes
    version: str

    @property
    def base_url(self) -> str:
        return self.static_root.as_uri() + "/"


def _template_path(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise LetterRenderError(f"no letter template {name}")
    return path


def _take_snapshot(name: str) -> _Snapshot:
    template_root, static_root = TEMPLATE_ROOT.resolve(), STATIC_ROOT.resolve()
    base_url = static_root.as_uri() + "/"
    templates: dict[str, str] = {}
    static: dict[Path, bytes] = {}
    pending_templates, pending_static = [name], []
    while pending_templates:
        current = pending_templates.pop()
        if current in templates:
            continue
        source = _template_path(template_root, current).read_text(encoding="utf-8")
        templates[current] = source
        pending_templates += _TEMPLATE_REFERENCE.findall(source)
        pending_static += [base_url + reference for reference in _STATIC_REFERENCE.findall(source)]
        pending_static += [base_url + (url or imported) for url, imported in _CSS_REFERENCE.findall(source)]
    while pending_static:
        url = pending_static.pop()
        try:
            path = resolve_static(url, static_root)
        except ValueError as error:
            raise LetterRenderError(f"a letter file names something it may not use: {error}") from error
        if path in static:
            continue
        static[path] = path.read_bytes()
        if path.suffix == ".css":
            css = static[path].decode("utf-8")
            pending_static += [path.parent.as_uri() + "/" + (a or b) for a, b in _CSS_REFERENCE.findall(css)]
    digest = hashlib.sha256()
    entries = [(f"templates/{n}", s.encode()) for n, s in templates.items()]
    entries += [(f"static/{p.relative_to(static_root)}", b) for p, b in static.items()]
    for label, content in sorted(entries):
        digest.update(label.encode() + b"\0" + hashlib.sha256(content).digest())
    return _Snapshot(templates, static_root, static, digest.hexdigest()[:12])


def _checked_template_name(kind, recipient, language) -> str:
    try:
        kind, recipient = LetterKind(kind), Recipient(recipient)
    except ValueError as error:
        raise LetterRenderError(str(error)) from error
    if recipient not in LETTER_RECIPIENTS[kind] or language not in languages_for(recipient):
        raise LetterRenderError(f"there is no {kind.value} letter to {recipient.value} in {language!r}")
    return template_name(kind, recipient, language)


def template_version(kind: LetterKind | str, recipient: Recipient | str, language: str) -> str:
    """A 12-hex-digit hash of every file this letter is made from (templates, CSS, images)."""
    return _take_snapshot(_checked_template_name(kind, recipient, language)).version


_COMPILED: dict[tuple[str, str], Template] = {}


def _compiled(name: str, snapshot: _Snapshot) -> Template:
    # Keyed by version: a changed file gives a new version and so a fresh compile. Only the
    # letters' own templates are visible (no project-wide overrides, no context processors).
    key = (name, snapshot.version)
    template = _COMPILED.get(key)
    if template is None:
        if len(_COMPILED) > 200:
            _COMPILED.clear()
        engine = Engine(loaders=[("django.template.loaders.locmem.Loader", snapshot.templates)], autoescape=True)
        template = _COMPILED[key] = engine.get_template(name)
    return template


def _template_context(kind: LetterKind, context: LetterContext) -> dict:
    language = context.language
    address = context.address

    def optional_date(value):
        return format_date(value, language) if value else ""

    return {
        "c": context,
        "kind": kind.value,
        "contact": settings.HELP_CENTER_CONTACT,
        "letter_date": format_date(context.letter_date, language),
        "letter_date_iso": context.letter_date.isoformat(),
        "received_date": format_date(context.received_date, language),
        "decision_due_date": optional_date(context.decision_due_date),
        "implementation_due_date": optional_date(context.implementation_due_date),
        "response_due": format_datetime(context.response_due_at, language) if context.response_due_at else "",
        "enrollee_wins": context.outcome in ENROLLEE_WINS,
        "reviewed_documents": [
            {"name": item.name, "source": item.source, "date": format_date(item.dated, language)}
            for item in context.reviewed_documents
        ],
        "window_compact": any(len(line) > WINDOW_LINE_AT_FULL_SIZE for line in (address.name, *address.lines)),
    }


def _prepare(kind, context: LetterContext) -> tuple[_Snapshot, str]:
    name = _checked_template_name(kind, getattr(context, "recipient", None), getattr(context, "language", None))
    problems = context_problems(kind, context)
    if problems:
        raise LetterRenderError("; ".join(problems))
    snapshot = _take_snapshot(name)
    template = _compiled(name, snapshot)
    return snapshot, template.render(Context(_template_context(LetterKind(kind), context), autoescape=True))


def render_letter_html(kind: LetterKind | str, context: LetterContext) -> str:
    """The letter as an HTML document (its stylesheet is linked relative to the letters' static folder)."""
    return _prepare(kind, context)[1]


def time_limit_seconds() -> float:
    return float(getattr(settings, "LETTERS_RENDER_TIME_LIMIT_SECONDS", DEFAULT_TIME_LIMIT_SECONDS))


@contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` when that is possible, and say whether it was armed.

    Signals reach only the main thread, and one process has one real-time timer: when called from
    another thread, or while someone else's timer runs, this does nothing and the caller's hard
    limit (Celery's ``time_limit``) is the only one.
    """
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield False
        return

    def on_alarm(signum, frame):
        raise _RenderTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class RenderedLetter:
    """A PDF together with the version of the files that made it and its SHA-256 checksum."""

    pdf: bytes
    template_version: str
    sha256: str


def render_letter(kind: LetterKind | str, context: LetterContext) -> RenderedLetter:
    """Render the letter and say exactly which file version made it (use this to store a letter).

    Raises LetterRenderError for a kind, recipient and language that have no letter, for a context
    the kind cannot use (``context_problems``), for a file the letter may not read, when rendering
    fails, and when it runs past the time limit.
    """
    limit = time_limit_seconds()
    try:
        with _time_limit(limit):
            snapshot, html = _prepare(kind, context)
            fetcher = StaticOnlyFetcher(snapshot.static_root, files=snapshot.static)
            document = weasyprint.HTML(string=html, base_url=snapshot.base_url, url_fetcher=fetcher)
            pdf = document.write_pdf(**PDF_OPTIONS)
    except _RenderTimeout as timeout:
        raise LetterRenderError(f"rendering took longer than {limit:g} s and was stopped") from timeout
    except FatalURLFetchingError as refused:
        raise LetterRenderError(f"the letter tried to read a file it may not: {refused.__cause__}") from refused
    except LetterRenderError:
        raise
    except Exception as error:
        raise LetterRenderError(f"rendering failed: {type(error).__name__}: {error}") from error
    return RenderedLetter(pdf=pdf, template_version=snapshot.version, sha256=hashlib.sha256(pdf).hexdigest())


def render_letter_pdf(kind: LetterKind | str, context: LetterContext) -> bytes:
    """The letter as tagged PDF/UA bytes; LetterRenderError if it cannot be made correctly and in time."""
    return render_letter(kind, context).pdf


def render_html_pdf(html: str, *, static_root: Path | None = None) -> bytes:
    """Any other document of the portal's own (not a letter, e.g. a case packet's index) as
    tagged PDF, with the letters' safeguards: only files under ``static_root`` (the letters'
    static folder by default) may be read, and the same time limit applies.

    ``html`` must come from a template with autoescaping on. Raises LetterRenderError.
    """
    root = (static_root or STATIC_ROOT).resolve()
    limit = time_limit_seconds()
    try:
        with _time_limit(limit):
            fetcher = StaticOnlyFetcher(root)
            return weasyprint.HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf(
                **PDF_OPTIONS
            )
    except _RenderTimeout as timeout:
        raise LetterRenderError(f"rendering took longer than {limit:g} s and was stopped") from timeout
    except FatalURLFetchingError as refused:
        raise LetterRenderError(f"the document tried to read a file it may not: {refused.__cause__}") from refused
    except Exception as error:
        raise LetterRenderError(f"rendering failed: {type(error).__name__}: {error}") from error
