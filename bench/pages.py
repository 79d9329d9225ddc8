"""Public page weight: the home page and each step of the online form, with everything the
browser must fetch to show them (HTML, CSS, JavaScript, fonts), in English and Spanish.

Pages are fetched through the Django test client as a signed-in enrollee with a draft whose every
step is answered (so the review page lists every answer), with 150 health plans in the plan
step's list, as in DMHC's real list. The stylesheets, scripts and fonts a page names (and the
fonts and stylesheets those stylesheets name) are read from the static files and added once each.
Sizes are as sent without compression; the gzip size is shown beside them. Target: under 100 KB each.
"""

import gzip
import re
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory
from bench.core import Result, benchmark
from filing.models import FilingDraft
from filing.tests.answers import fill_draft, step_url

LIMIT_BYTES = 100 * 1024
STEPS = ["who", "patient", "representative", "plan", "grievance", "problem", "documents", "review", "sign"]
STYLESHEET = re.compile(r"<link\b[^>]*\brel=[\"']?stylesheet[^>]*>", re.I)
FONT_LINK = re.compile(r"<link\b[^>]*\bas=[\"']?font[^>]*>", re.I)
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)
HREF = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.I)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)|@import\s+[\"']([^\"']+)[\"']", re.I)
FONT_TYPES = (".woff2", ".woff", ".ttf", ".otf", ".eot")


def _static_bytes(url: str) -> bytes:
    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        raise ValueError(f"{url} is not one of the site's static files")
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if found is None:
        raise FileNotFoundError(url)
    with open(found, "rb") as file:
        return file.read()


def _assets(html: str) -> dict[str, dict[str, bytes]]:
    """The page's CSS, JavaScript and fonts: {kind: {url: bytes}}, each file once."""
    found: dict[str, dict[str, bytes]] = {"CSS": {}, "JS": {}, "fonts": {}}
    css = [HREF.search(tag).group(1) for tag in STYLESHEET.findall(html)]
    preloaded = [HREF.search(tag).group(1) for tag in FONT_LINK.findall(html)]
    found["fonts"].update({url: _static_bytes(url) for url in preloaded})
    found["JS"].update({url: _static_bytes(url) for url in SCRIPT.findall(html)})
    while css:
        url = css.pop()
        if url in found["CSS"]:
            continue
        found["CSS"][url] = body = _static_bytes(url)
        for match in CSS_URL.finditer(body.decode("utf-8", "replace")):
            target = urljoin(url, match.group(1) or match.group(2))
            if target.startswith("data:"):
                continue
            if match.group(2) or target.endswith(".css"):
                css.append(target)
            elif urlsplit(target).path.lower().endswith(FONT_TYPES):
                found["fonts"][target] = _static_bytes(target)
    return found


def _weigh(client: Client, path: str) -> tuple[int, dict[str, int], int]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)  # noqa: S101 (an error page weighs nothing)
    html = response.content
    assets = _assets(html.decode())
    parts = {"HTML": len(html), **{kind: sum(map(len, files.values())) for kind, files in assets.items()}}
    zipped = len(gzip.compress(html)) + sum(len(gzip.compress(b)) for files in assets.values() for b in files.values())
    return sum(parts.values()), parts, zipped


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


@benchmark
def page_weight() -> list[Result]:
    plans = HealthPlanFactory.create_batch(150)
    enrollee = EnrolleeFactory(email="bench-pages@example.test")
    client = Client(HTTP_HOST="localhost")
    client.force_login(enrollee)
    try:
        # The patient files for herself; an assistant's draft shows the representative step.
        own = fill_draft(client, plans[0])
        assisted = fill_draft(client, plans[0], relationship="AUTHORIZED_ASSISTANT")
        pages = [("home", "/")] + [
            (f"form step: {step}", step_url(assisted if step == "representative" else own, step)) for step in STEPS
        ]
        rows = []
        for label, path in pages:
            english, parts, zipped = _weigh(client, path)
            spanish, _, spanish_zipped = _weigh(client, "/es" + path)
            heaviest = max(english, spanish)
            rows.append(
                Result(
                    name=f"pages: {label}",
                    value=f"{_kb(english)} (es {_kb(spanish)})",
                    baseline=" + ".join(f"{kind} {size / 1024:.1f}" for kind, size in parts.items())
                    + f" KB; gzip {_kb(zipped)} (es {_kb(spanish_zipped)})",
                    target=f"< {LIMIT_BYTES // 1024} KB",
                    met=heaviest < LIMIT_BYTES,
                    note="" if heaviest < LIMIT_BYTES else f"{_kb(heaviest)}: over the {LIMIT_BYTES // 1024} KB target",
                )
            )
        return rows
    finally:
        FilingDraft.objects.filter(owner=enrollee).delete()
        # The enrollee's account stays: the audit log keeps who acted, and refuses to forget it.
        # It goes with the scratch database at the end of the run.
        for plan in plans:
            plan.delete()
