"""Hypothesis throws generated submissions at every step of the online form (who, patient,
representative, plan, grievance, problem, documents, sign) and at the plan portal's upload form
(the written response with its files), through the Django test client, signed in as the person
who uses the form. Each form gets FUZZ_EXAMPLES submissions (10,000 unless the environment says
otherwise).

A submission starts from a valid answer and changes it: fields left out, replaced by hostile text
(control characters, text-direction overrides, markup, SQL, very long or unusual Unicode, numbers
out of range), sent twice, or joined by fields that do not exist; files of every kind, broken
and hostile ones included. The test fails on any server error (5xx) and on any partial row: a
case without its patient, a document or attached file whose stored file is missing or of another
size, a plan response without its timeline event or with another case's documents, an answer that
is not stored as a step's dictionary.

Speed: one signed-in client per form, made once; no set-up per submission. Submissions that
change a case or store files run in a transaction that is rolled back, so each one meets the same
case. The test client's record of every rendered template (which copies each template context) is
switched off: the pages are still rendered. The forms are shared between FUZZ_PROCESSES worker
processes (2 by default, one per core), forked once the clients and cases are committed; each
opens its own database connection. Each form prints its count.
"""

import multiprocessing
import os
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.db.models import Max
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory, PlanUserFactory
from complaints.models import Case, CaseEvent, Document, PlanResponse, Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG, WINDOWS_PROGRAM, docx
from filing.models import DraftDocument, FilingDraft
from filing.tests import answers
from filing.tests.answers import fill_draft, start_draft, step_url
from helpcenter.tests import counts
from twofactor.testing import verified_client

# The worker processes need the clients and cases committed, so the test is transactional.
pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
PROCESSES = int(os.environ.get("FUZZ_PROCESSES", str(min(2, os.cpu_count() or 1))))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)

NASTY = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "\x07bell",
    "\u202egnp.exe",  # right-to-left override
    "\u200b",
    "Zoë Ångström-Nuñez",
    "李小龙",
    "😀" * 40,
    "A" * 10_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "%00%0d%0a",
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "13",
    "2-30-2020",
    "PATIENT",
    "other",
    "yes",
    "no",
    "on",
]
# Characters that a browser can send (no lone surrogates, which cannot be encoded at all).
TEXT = st.text(max_size=40)
VALUE = st.one_of(TEXT, st.sampled_from(NASTY), st.lists(st.sampled_from(NASTY), min_size=2, max_size=3))

FILES = [
    ("denial.pdf", PDF),
    ("photo.png", PNG),
    ("letter.docx", docx()),
    ("macro.docx", docx(with_macros=True)),
    ("script.pdf", PDF_WITH_JAVASCRIPT),
    ("program.pdf", WINDOWS_PROGRAM),
    ("empty.pdf", b""),
    ("page.png", b"<html><script>alert(1)</script></html>"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 60),
    ("half.pdf", PDF[:20]),
]


def _file_name(text: str) -> str:
    # What a browser sends: a name without folders (Django refuses to make a file of "/" or "..").
    return text.replace("/", "_").replace("\\", "_").strip(". ") or "x"


FILE = st.one_of(
    st.sampled_from(FILES),
    st.tuples(TEXT.map(_file_name), st.binary(max_size=600)),
    st.tuples(st.just("magic.pdf"), st.binary(max_size=300).map(lambda tail: b"%PDF-1.7\n" + tail)),
)


def mutated(valid: dict, fields: list[str]) -> st.SearchStrategy[dict]:
    """A valid answer, changed: some fields replaced, some dropped, some added."""
    return st.builds(
        _apply,
        st.just(valid),
        st.dictionaries(st.sampled_from(fields), VALUE, max_size=len(fields)),
        st.sets(st.sampled_from(fields), max_size=3),
        st.dictionaries(TEXT.filter(bool), VALUE, max_size=2),
    )


def _apply(valid, replaced, dropped, extra):
    data = {**valid, **replaced, **extra}
    for name in dropped:
        data.pop(name, None)
    return data


def _uploads(files) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name[:200] or "file", content) for name, content in files]


# ---- partial rows --------------------------------------------------------------------------------
def partial_rows(*, documents_after: int = 0, drafts_after: int = 0) -> list[str]:
    problems = [
        f"case {number} has no patient"
        for number in Case.objects.filter(patient__isnull=True).values_list("number", flat=True)
    ]
    for document in Document.objects.filter(id__gt=documents_after).only("id", "file", "size_bytes"):
        if (
            not default_storage.exists(document.file.name)
            or default_storage.size(document.file.name) != document.size_bytes
        ):
            problems.append(f"document {document.id} has no stored file of its size")
    for document in DraftDocument.objects.filter(id__gt=drafts_after).only("id", "file", "size_bytes"):
        if (
            not default_storage.exists(document.file.name)
            or default_storage.size(document.file.name) != document.size_bytes
        ):
            problems.append(f"attached file {document.id} has no stored file of its size")
    for response in PlanResponse.objects.all():
        if not CaseEvent.objects.filter(case_id=response.case_id, kind=CaseEvent.Kind.PLAN_RESPONSE).exists():
            problems.append(f"plan response {response.id} has no timeline event")
        if response.documents.exclude(case_id=response.case_id).exists():
            problems.append(f"plan response {response.id} holds another case's documents")
    for draft in FilingDraft.objects.all():
        if not isinstance(draft.answers, dict) or any(not isinstance(v, dict) for v in draft.answers.values()):
            problems.append(f"draft {draft.id} has answers that are not a step's dictionary")
    return problems


# ---- the forms -----------------------------------------------------------------------------------
@dataclass
class Target:
    name: str
    client: Client
    url: str
    strategy: st.SearchStrategy
    rolled_back: bool  # the submission is undone afterwards (it files a case or stores files)


def _targets() -> list[Target]:
    plan = HealthPlanFactory(name="Fuzz Health Plan")
    targets = []
    steps = {
        "who": (None, answers.who()),
        "patient": ("who", answers.patient()),
        "plan": ("patient", answers.plan(plan)),
        "grievance": ("plan", answers.grievance()),
        "problem": ("grievance", answers.problem()),
    }
    for step, (before, valid) in steps.items():
        client = _enrollee_client()
        draft = fill_draft(client, plan, upto=before) if before else start_draft(client)
        # Answers stay stored between submissions (as when a person tries again): the step can
        # always be sent again, so nothing needs undoing.
        targets.append(
            Target(f"online form, {step} step", client, step_url(draft, step), mutated(valid, list(valid)), False)
        )
    client = _enrollee_client()
    draft = fill_draft(client, plan, relationship="AUTHORIZED_ASSISTANT", upto="patient")
    valid = answers.representative()
    targets.append(
        Target(
            "online form, representative step",
            client,
            step_url(draft, "representative"),
            mutated(valid, list(valid)),
            False,
        )
    )
    client = _enrollee_client()
    draft = fill_draft(client, plan, upto="problem")
    documents = st.builds(
        lambda base, files: {**base, "files": _uploads(files)},
        mutated({"action": "upload", "kind": "DENIAL_LETTER"}, ["action", "kind"]),
        st.lists(FILE, max_size=3),
    )
    targets.append(Target("online form, documents step", client, step_url(draft, "documents"), documents, True))
    client = _enrollee_client()
    draft = fill_draft(client, plan)
    valid = answers.sign()
    # A valid signature files the case; rolling back undoes it so that the next one signs again.
    targets.append(Target("online form, sign step", client, step_url(draft, "sign"), mutated(valid, list(valid)), True))

    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])
    response = st.builds(
        lambda base, files: {**base, "files": _uploads(files)},
        mutated({"statement": "The plan denied the surgery: not medically necessary."}, ["statement"]),
        st.lists(FILE, max_size=3),
    )
    plan_client = verified_client(PlanUserFactory(health_plan=plan))
    targets.append(
        Target("plan portal, written response", plan_client, f"/plan/cases/{case.number}/respond/", response, True)
    )
    return targets


def _enrollee_client() -> Client:
    client = Client()
    client.force_login(EnrolleeFactory())
    return client


# The forms of this run, set before the worker processes are forked (they read it by index).
_TARGETS: list[Target] = []


def _fuzz_one(index: int) -> dict:
    """Run one form's submissions (in a worker process). Returns its counts, or the failure."""
    target = _TARGETS[index]
    statuses: Counter = Counter()
    marks = {
        "documents_after": Document.objects.aggregate(top=Max("id"))["top"] or 0,
        "drafts_after": DraftDocument.objects.aggregate(top=Max("id"))["top"] or 0,
    }
    started = time.monotonic()

    @FUZZ
    @given(target.strategy)
    def submit(data):
        with transaction.atomic() if target.rolled_back else nullcontext():
            response = target.client.post(target.url, data)
            statuses[response.status_code // 100 * 100] += 1
            assert response.status_code < 500, f"server error {response.status_code} for {data!r}"
            if target.rolled_back:
                problems = partial_rows(**marks)
                assert problems == [], f"{problems} after {data!r}"
                transaction.set_rollback(True)

    try:
        submit()
        error = ""
    except BaseException:  # reported to the parent, which fails the test
        error = traceback.format_exc()
    finally:
        connections.close_all()
    return {
        "name": target.name,
        "statuses": dict(statuses),
        "seconds": time.monotonic() - started,
        "error": error,
    }


def test_fuzz_every_public_form_step_and_the_plan_upload_form(settings, monkeypatch, tmp_path):
    # Pages are rendered as always; only the test client's copy of every template context is skipped.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    settings.MEDIA_ROOT = tmp_path / "media"
    _TARGETS[:] = _targets()
    marks = {
        "documents_after": Document.objects.aggregate(top=Max("id"))["top"] or 0,
        "drafts_after": DraftDocument.objects.aggregate(top=Max("id"))["top"] or 0,
    }
    started = time.monotonic()
    indexes = list(range(len(_TARGETS)))
    if PROCESSES > 1:
        connections.close_all()  # each worker opens its own connection
        with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_fuzz_one, sorted(indexes, reverse=True)))
    else:
        results = [_fuzz_one(index) for index in indexes]
    errors = []
    for result in sorted(results, key=lambda r: r["name"]):
        statuses = Counter(result["statuses"])
        total = sum(statuses.values())
        counts.report(
            f"fuzz {result['name']}: {total} submissions ({statuses[200]} shown again, {statuses[300]} redirected, "
            f"{statuses[400]} refused), {statuses[500]} server errors, {result['seconds']:.0f} s"
        )
        if result["error"]:
            errors.append(f"{result['name']}:\n{result['error']}")
        elif total < EXAMPLES:
            errors.append(f"{result['name']}: only {total} submissions")
    problems = partial_rows(**marks)
    counts.report(
        f"fuzz: {len(results)} forms x {EXAMPLES} submissions, {len(errors)} failing, {len(problems)} partial rows, "
        f"{time.monotonic() - started:.0f} s on {PROCESSES} processes"
    )
    assert errors == [], "\n\n".join(errors)
    assert problems == []
