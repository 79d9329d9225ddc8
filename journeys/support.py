"""What the journeys share: a real Celery worker the live server sends its work to, the sign-ins
of the three kinds of people, staff moves on the case page, letters read back as PDFs, and a
record of every page visited (a screenshot and axe-core's verdict on each).

How the web side reaches a real worker
--------------------------------------
pytest-django's ``live_server`` serves the portal from a thread of the test process, and the test
process runs Celery tasks eagerly (``CELERY_TASK_ALWAYS_EAGER``, set for every unit test). A
journey must instead see the work done the way production does it: queued after the commit and
done by a separate worker process. ``real_worker`` therefore

1. starts a broker of the journey's own (``ops.testing.own_broker``, as the worker tests do): a
   private ``redis-server`` on a free port when the program is installed, otherwise the embedded
   folder broker in the test's temporary folder. Never the machine's shared Redis, whose default
   queue other people's workers may be reading;
2. switches this process's Celery app (``helpcenter.celery.app``, the one every task is bound to)
   to that broker and off eager mode, after closing any producer connection pool it had cached,
   and puts everything back afterwards (``celery_sends_to``);
3. starts ``celery worker`` (``ops.testing.start_worker``) on the same broker, on the test
   database, and on the test's MEDIA_ROOT, so a letter the worker stores is the file the live
   server sends to the browser; and waits until the worker says it is ready.

Switching the app in place keeps the live server exactly as the tests already use it (same
database connection settings, same ``transactional_db`` flush at the end, pages served from the
code under test) and changes only the one thing that differs from production: where ``apply_async``
sends. A live server in a subprocess would do the same with a second copy of Django to start,
configure and stop, and its own database connection to keep in step with pytest-django's. Tests
run one at a time in a process, so nothing else sends tasks while the app points at the
journey's broker; the switch is undone in ``finally`` even when the journey fails.
"""

import hashlib
import re
import shutil
import subprocess
from base64 import b32decode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD
from complaints.models import Case, Letter
from complaints.workflow import MOVES
from helpcenter.browser import ARTIFACTS_DIR, axe_violations, screenshot, violations_text
from helpcenter.celery import app as celery_app
from ops.testing import Broker, CeleryProcess, celery_sends_to, own_broker, start_worker, wait_until
from twofactor.testing import totp_code, totp_device_for

# Work done by the worker (a letter rendered, a notice sent) is waited for this long at most:
# generous for a 2-core CI machine with other suites running beside it.
WORKER_TIMEOUT = 120


# ------------------------------------------------------------------------------------------------
# Every page visited
# ------------------------------------------------------------------------------------------------
class Journey:
    """Numbers the pages of one journey in the order they are seen, photographs each under
    test-artifacts/<folder>/NN-<who>-<page>.png and fails on anything axe-core finds."""

    def __init__(self, folder: str):
        shutil.rmtree(ARTIFACTS_DIR / folder, ignore_errors=True)
        self.folder = folder
        self.count = 0

    def check(self, page, name: str) -> None:
        self.count += 1
        label = f"{self.count:02d}-{name}"
        screenshot(page, label, folder=self.folder)
        violations = axe_violations(page)
        if violations:
            raise AssertionError(f"axe found problems on {label} ({page.url}):\n{violations_text(violations)}")

    @property
    def screenshots(self) -> list[Path]:
        return sorted((ARTIFACTS_DIR / self.folder).glob("*.png"))


def follow(page, locator) -> None:
    """Click something that loads a new page, and wait until it has."""
    with page.expect_navigation():
        locator.click()


def press(page, button: str) -> None:
    follow(page, page.get_by_role("button", name=button, exact=True))


def exactly(text: str) -> re.Pattern:
    """A label as written (crispy adds a hidden "*" to required ones, which no one sees or hears)."""
    return re.compile(r"^\s*" + re.escape(text) + r"\*?\s*$")


def fill_date(page, name: str, day) -> None:
    """The form's month/day/year boxes."""
    page.locator(f"#id_{name}_0").fill(str(day.month))
    page.locator(f"#id_{name}_1").fill(str(day.day))
    page.locator(f"#id_{name}_2").fill(str(day.year))


def isolate(settings, tmp_path: Path) -> None:
    """Files and cache of the journey's own: uploads and letters in its temporary folder (the
    worker is given the same MEDIA_ROOT), and sign-in throttle counts in a memory cache that no
    other run shares."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "journey"}}
    from django.core.cache import cache

    cache.clear()


# ------------------------------------------------------------------------------------------------
# A real worker
# ------------------------------------------------------------------------------------------------
@dataclass
class RealWorker:
    broker: Broker
    process: CeleryProcess

    def log(self) -> str:
        return self.process.log()

    def wait(self, condition: Callable[[], bool], what: str, *, timeout: float = WORKER_TIMEOUT) -> None:
        """Wait for something only the worker does; fail with its log if it does not happen."""

        def done() -> bool:
            if self.process.process.poll() is not None:
                raise AssertionError(f"The worker stopped while waiting for {what}; its log:\n{self.log()}")
            return condition()

        try:
            wait_until(done, timeout=timeout, what=what)
        except AssertionError as error:
            raise AssertionError(f"{error}\nWorker log (end):\n{self.log()[-6000:]}") from None

    def send(self, task_name: str) -> None:
        """Send a task by name, as beat would."""
        celery_app.send_task(task_name, queue="celery")

    @property
    def mail_dir(self) -> Path:
        """Where the worker writes the e-mails it sends (Django's file backend)."""
        return self.broker.var_dir / "mail"

    def email_link(self, to: str, path: str) -> str:
        """The link to ``path`` in the latest e-mail the worker sent to ``to`` (account e-mails
        are written and sent by the worker, not by the page)."""
        pattern = re.compile(rf"{re.escape(settings.PORTAL_BASE_URL)}\S*{re.escape(path)}\S*")

        def links() -> list[str]:
            found = []
            for sent in sorted(self.mail_dir.glob("*.log"), key=lambda file: file.stat().st_mtime):
                for message in sent.read_text(encoding="utf-8").split("-" * 79):
                    if f"To: {to}" in message:
                        found += pattern.findall(message)
            return found

        self.wait(lambda: bool(links()), f"an e-mail to {to} with a link to {path}")
        return links()[-1]

    def handled(self, task_name: str) -> int:
        """How many times the worker finished the task (its log says so for each)."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[0-9a-f-]+\] succeeded", self.log()))


@contextmanager
def real_worker(tmp_path: Path) -> Iterator[RealWorker]:
    """A Celery worker process on a broker of the journey's own, with the live server sending to
    it. Use inside a test that has ``live_server`` and a transactional database."""
    with own_broker(tmp_path) as broker, celery_sends_to(broker):
        mail = broker.var_dir / "mail"
        # The worker writes the e-mails it sends to files the journey reads (four slashes: an
        # absolute path in django-environ's filemail:// form).
        process = start_worker(broker, queue="celery", name="-journey", EMAIL_URL=f"filemail:///{mail}")
        worker = RealWorker(broker=broker, process=process)
        try:
            worker.wait(lambda: " ready." in worker.log(), "the worker to start")
            yield worker
        finally:
            worker.process.stop()


# ------------------------------------------------------------------------------------------------
# Signing in
# ------------------------------------------------------------------------------------------------
def enrollee_sign_in(
    journey: Journey, page, email: str, *, prefix: str = "", button: str = "Sign in", who: str = "enrollee"
) -> None:
    page.goto(f"{prefix}/account/signin/")
    journey.check(page, f"{who}-sign-in")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    follow(page, page.locator("main form").get_by_role("button", name=button))


def code_from_key(key_text: str) -> str:
    """What an authenticator app shows now for the key printed on a setup page."""
    compact = key_text.replace(" ", "")
    totp = TOTP(b32decode(compact + "=" * (-len(compact) % 8)))
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def _submit_form_of(page, field) -> None:
    follow(page, page.locator("form").filter(has=field).locator("[type=submit]").first)


def _second_factor(journey: Journey, page, who: str, device) -> None:
    """Answer whatever second-factor step the portal shows: setting up the app (from the key on
    the page), a code from the app, the recovery codes page. No step at all is fine too."""
    for _ in range(3):
        code_field = page.locator("input[name=code], input[name=otp_token]")
        if page.locator("#setup-key").count():
            journey.check(page, f"{who}-set-up-app")
            page.locator("input[name=code]").fill(code_from_key(page.locator("#setup-key").inner_text()))
            _submit_form_of(page, page.locator("input[name=code]"))
        elif page.locator(".recovery-codes").count():
            journey.check(page, f"{who}-recovery-codes")
            follow(page, page.get_by_role("link", name=re.compile("continue", re.IGNORECASE)).first)
        elif code_field.count():
            journey.check(page, f"{who}-code")
            code_field.first.fill(totp_code(device))
            _submit_form_of(page, code_field.first)
        else:
            return


def staff_sign_in(journey: Journey, page, user, *, who: str) -> None:
    """Sign a staff member in to the admin, through a second factor if the admin asks for one.

    The staff member has an authenticator app already (as an established colleague would); if
    the admin asks to set one up instead, the code is computed from the key it shows."""
    device = totp_device_for(user)
    page.goto("/admin/")
    journey.check(page, f"{who}-sign-in")
    page.locator("input[name=username], input[name=email]").first.fill(user.email)
    password = page.locator("input[type=password]").first
    password.fill(TEST_PASSWORD)
    one_page_code = page.locator("input[name=otp_token]")
    if one_page_code.count():  # django-otp's admin asks for the code beside the password
        one_page_code.fill(totp_code(device))
    _submit_form_of(page, password)
    _second_factor(journey, page, who, device)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    journey.check(page, f"{who}-admin-home")


def plan_sign_in(journey: Journey, page, user, *, who: str = "plan") -> None:
    device = totp_device_for(user)
    page.goto("/plan/")
    journey.check(page, f"{who}-sign-in")
    page.get_by_label("E-mail address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    press(page, "Continue")
    _second_factor(journey, page, who, device)
    expect(page).to_have_url(re.compile(r"/plan/$"))


def reviewer_sign_in(journey: Journey, page, user, *, who: str) -> None:
    """Sign a review organization's person in at /review/, password then the app's code."""
    device = totp_device_for(user)
    page.goto("/review/")
    journey.check(page, f"{who}-sign-in")
    page.get_by_label("E-mail address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    press(page, "Continue")
    _second_factor(journey, page, who, device)
    expect(page).to_have_url(re.compile(r"/review/$"))
    journey.check(page, f"{who}-queue")


# ------------------------------------------------------------------------------------------------
# Staff at work
# ------------------------------------------------------------------------------------------------
def staff_open_case(journey: Journey, page, case: Case, *, who: str) -> None:
    """From the work queue to the case page, as staff would."""
    page.goto("/admin/complaints/case/")
    journey.check(page, f"{who}-queue")
    follow(page, page.locator("#result_list").get_by_role("link", name=case.number, exact=True))
    expect(page.locator(".case-summary")).to_contain_text(case.number)
    journey.check(page, f"{who}-case")


def staff_move(journey: Journey, page, move: str, *, who: str, fill: Callable | None = None) -> None:
    """Make one move from the case page: fill its form, press its button, see it done."""
    label = MOVES[move].label
    form = page.locator(f"#move-{move}")
    expect(form).to_be_visible()
    if fill is not None:
        fill(form)
    follow(page, form.get_by_role("button", name=label, exact=True))
    expect(page.locator(".messagelist")).to_contain_text(f"“{label}” done")
    journey.check(page, f"{who}-{move.replace('_', '-')}-done")


# ------------------------------------------------------------------------------------------------
# Letters
# ------------------------------------------------------------------------------------------------
def wait_for_letters(worker: RealWorker, case: Case, kind: str, *recipients: str) -> dict[str, Letter]:
    """Wait until the worker has issued this kind of letter to each recipient; by recipient."""

    def issued():
        return {
            letter.recipient: letter
            for letter in Letter.objects.filter(case=case, kind=kind, state=Letter.State.ISSUED)
        }

    worker.wait(lambda: set(issued()) == set(recipients), f"the {kind} letter(s) for {case.number} to be issued")
    return issued()


def download_pdf(page, link) -> bytes:
    """Fetch a link as the signed-in person (the browser's cookies) and check it is a PDF."""
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200, (response.status, response.url)
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    return body


def assert_is_stored_letter(body: bytes, letter: Letter) -> None:
    """The bytes the person received are the letter the worker stored, checksum and all."""
    assert hashlib.sha256(body).hexdigest() == letter.sha256


def pdf_text(body: bytes) -> str:
    """The letter's words, read back with poppler's pdftotext (installed by make setup)."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True)
    return result.stdout.decode()
