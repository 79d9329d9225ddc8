"""The access matrix: every URL that names a case (or an unsent application), each with GET and,
where the page takes it, POST, asked by every kind of person, and nobody gets what is not theirs.

The URLs come from Django's URL resolver, so a new page that names a case cannot be left out: the
test fails if one has no entry in MATRIX (and, if it reads or changes the case, no audit rule).

The people: nobody signed in, the enrollee who filed, another enrollee, an authorized assistant
who filed for a patient, a user of the case's plan, a user of another plan, staff in no group,
staff with the permission (a supervisor), a supervisor whose session has not passed the
second factor, and an independent reviewer (and coordinator) of a review organization with no
assignment on these cases. The review pages' own matrix, with reviewers assigned, attested or
not, of one organization or another, is review/tests/test_access.py. Each case-scoped URL is
tried on two cases: one filed by the patient, and one filed by the assistant (so each of the two
is both the owner of one case and a stranger to the other).

A leak is: a success (2xx, or a redirect anywhere but a sign-in page, followed to its end) for
someone who must not get through; any page shown to them with the patient's name on it; or any
change in the database. Every request runs in a savepoint that is rolled back, so each one meets
the same cases. The run prints e.g. "access matrix: 1734 combinations, 0 leaks".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory, PlanUserFactory, StaffFactory
from audit.rules import RULES, SIGN_IN_ROUTES
from complaints.models import Case, CaseEvent, Clock, Document, FilerRelationship, Letter, PlanResponse, Status
from complaints.services.documents import document_add
from complaints.services.filing import RepresentativeData
from complaints.services.letter_issue import letter_issue
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case, patient_data
from complaints.tests.samples import PDF
from filing.models import DraftDocument, FilingDraft
from filing.tests.answers import fill_draft
from helpcenter.tests import counts
from packets.services import packet_request
from review.tests.factories import OrganizationFactory, reviewer
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

PERSONS = [
    "anonymous",
    "enrollee",
    "other enrollee",
    "assistant",
    "plan user",
    "other plan user",
    "staff without the permission",
    "staff with the permission",
    "staff without the second factor",
    "reviewer",
]
# What each person is to a case: its owner (the account that filed it), its plan, or staff.
ROLE_OF = {"plan user": "plan", "staff with the permission": "staff"}


@dataclass
class Target:
    """A case (or a draft) the matrix asks about, and the objects on it."""

    owner: str
    case: Case | None = None
    draft: FilingDraft | None = None
    objects: dict = field(default_factory=dict)
    names: tuple[str, str] = ("", "")

    def role(self, person: str) -> str:
        return "owner" if person == self.owner else ROLE_OF.get(person, "")


@dataclass(frozen=True)
class Probe:
    """One way to ask a URL: the arguments it gets, who must get through, and what a POST sends."""

    kwargs: Callable[[Target, Target], dict]
    allowed: frozenset = frozenset()
    post: Callable[[Target], dict] | None = None
    allowed_post: frozenset | None = None
    serves_get: bool = True


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("record.pdf", PDF, content_type="application/pdf")


def _case(target, other):
    return {"number": target.case.number}


def _case_id(target, other):
    return {"case_id": target.case.pk}


def _object(name, kwarg, *, of_other=False, base=_case, attribute="pk"):
    def kwargs(target, other):
        source = other if of_other else target
        return {**base(target, other), kwarg: getattr(source.objects[name], attribute)}

    return kwargs


OWNER, PLAN, STAFF, NOBODY = frozenset({"owner"}), frozenset({"plan"}), frozenset({"staff"}), frozenset()
TOMORROW = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

MATRIX: dict[str, list[Probe]] = {
    # My cases (filing/views/my.py): only the account that filed the case.
    "my-case": [Probe(_case, OWNER)],
    "my-case-letter": [
        Probe(_object("enrollee letter", "letter_id"), OWNER),
        Probe(_object("plan letter", "letter_id"), NOBODY),
        Probe(_object("enrollee letter", "letter_id", of_other=True), NOBODY),
    ],
    "my-case-document": [
        Probe(_object("shared document", "document_id"), OWNER),
        Probe(_object("private document", "document_id"), OWNER),
        Probe(_object("plan document", "document_id"), NOBODY),
        Probe(_object("shared document", "document_id", of_other=True), NOBODY),
    ],
    "my-case-add-documents": [
        Probe(_case, OWNER, post=lambda t: {"kind": "BILL", "files": [_pdf()]}, serves_get=False)
    ],
    "my-case-withdraw": [
        Probe(_case, OWNER, post=lambda t: {"reason": "I no longer need help.", "confirm": "on"}),
    ],
    # The plan portal (planportal/views.py): only users of the case's plan.
    "plan-case": [Probe(_case, PLAN)],
    "plan-respond": [
        Probe(_case, PLAN, post=lambda t: {"statement": "The plan's answer.", "files": [_pdf()]}, serves_get=False)
    ],
    "plan-reversed": [
        Probe(_case, PLAN, post=lambda t: {"reason": "Approved.", "confirm": "on"}, serves_get=False),
    ],
    "plan-carried-out": [
        Probe(
            _case,
            PLAN,
            post=lambda t: {"carried_out_date": timezone.localdate().isoformat(), "proofs": [_pdf()]},
            serves_get=False,
        ),
    ],
    "plan-document": [
        Probe(_object("shared document", "document_id"), PLAN),
        Probe(_object("plan document", "document_id"), PLAN),
        Probe(_object("private document", "document_id"), NOBODY),
        Probe(_object("shared document", "document_id", of_other=True), NOBODY),
    ],
    "plan-letter": [
        Probe(_object("plan letter", "letter_id"), PLAN),
        Probe(_object("enrollee letter", "letter_id"), NOBODY),
        Probe(_object("plan letter", "letter_id", of_other=True), NOBODY),
    ],
    # The staff admin (complaints/admin/): staff with the permission, never anyone else.
    "admin:complaints_case_change": [
        Probe(lambda t, o: {"object_id": t.case.pk}, STAFF, post=lambda t: {"status": "CLOSED"}, allowed_post=NOBODY)
    ],
    "admin:complaints_case_history": [Probe(lambda t, o: {"object_id": t.case.pk}, STAFF)],
    "admin:complaints_case_delete": [
        Probe(lambda t, o: {"object_id": t.case.pk}, NOBODY, post=lambda t: {"post": "yes"}),
    ],
    "admin/complaints/case/<path:object_id>/": [Probe(lambda t, o: {"object_id": t.case.pk}, STAFF)],
    "admin:view_on_site": [
        Probe(
            lambda t, o: {"content_type_id": ContentType.objects.get_for_model(Case).pk, "object_id": t.case.pk},
            NOBODY,
        )
    ],
    "admin:complaints_case_move": [
        Probe(lambda t, o: {**_case_id(t, o), "move_name": "receive_plan_response"}, STAFF, post=lambda t: {}),
    ],
    "admin:complaints_case_preview": [
        Probe(
            lambda t, o: {**_case_id(t, o), "move_name": "issue_imr_decision"},
            STAFF,
            post=lambda t: {"recipient": "ENROLLEE"},
            serves_get=False,
        ),
    ],
    "admin:complaints_case_extend": [
        Probe(
            _object("plan clock", "clock_id", base=_case_id),
            STAFF,
            post=lambda t: {
                f"extend-{t.objects['plan clock'].pk}-new_due_at": TOMORROW,
                f"extend-{t.objects['plan clock'].pk}-reason": "The plan asked for more time.",
            },
        ),
        Probe(_object("plan clock", "clock_id", of_other=True, base=_case_id), NOBODY),
    ],
    "admin:complaints_case_document": [
        Probe(_object("shared document", "document_id", base=_case_id), STAFF),
        Probe(_object("private document", "document_id", base=_case_id), STAFF),
        Probe(_object("shared document", "document_id", of_other=True, base=_case_id), NOBODY),
    ],
    "admin:complaints_case_letter": [
        Probe(_object("enrollee letter", "letter_id", base=_case_id), STAFF),
        Probe(_object("plan letter", "letter_id", of_other=True, base=_case_id), NOBODY),
    ],
    "admin:complaints_case_late_filing": [
        Probe(_case_id, STAFF, post=lambda t: {"accepted": "yes", "reason": "The member was in hospital."}),
    ],
    # The review organizations' pages (review/views.py): none of these cases was sent to review,
    # so nobody here reaches them (review/tests/test_access.py has the reviewers who do).
    "review-case": [Probe(_case, NOBODY)],
    "review-attest": [Probe(_case, NOBODY, post=lambda t: {"confirm": "on"})],
    "review-decline": [Probe(_case, NOBODY, post=lambda t: {"reason": "A conflict."}, serves_get=False)],
    "review-document": [Probe(_object("shared document", "document_id"), NOBODY)],
    "review-packet": [Probe(_object("packet", "packet_id"), NOBODY)],
    "review-determination": [Probe(_case, NOBODY, post=lambda t: {"action": "save", "question": "Q"})],
    "review-assign": [Probe(_case, NOBODY, post=lambda t: {"reviewer": "1"})],
    "admin:complaints_case_upload": [
        Probe(
            _case_id,
            STAFF,
            post=lambda t: {"document-file": _pdf(), "document-kind": "OTHER", "document-shared_with_plan": "on"},
            serves_get=False,
        ),
    ],
}


def _draft(target, other):
    return {"draft_id": target.draft.public_id}


DRAFT_MATRIX: dict[str, list[Probe]] = {
    # Unsent applications (filing/views/apply.py): only the account that is filling them in.
    "file-resume": [Probe(_draft, OWNER)],
    "file-step": [
        Probe(lambda t, o: {**_draft(t, o), "step": "who"}, OWNER, post=lambda t: {"relationship": "PATIENT"}),
        Probe(lambda t, o: {**_draft(t, o), "step": "problem"}, OWNER, post=lambda t: {"category": "BILL"}),
    ],
    "file-documents": [
        Probe(_draft, OWNER, post=lambda t: {"action": "upload", "kind": "OTHER", "files": [_pdf()]}),
    ],
    "file-document-remove": [
        Probe(
            _object("draft document", "document_id", base=_draft, attribute="public_id"),
            OWNER,
            post=lambda t: {},
            serves_get=False,
        ),
        Probe(
            _object("draft document", "document_id", of_other=True, base=_draft, attribute="public_id"),
            NOBODY,
            post=lambda t: {},
        ),
    ],
    "file-review": [Probe(_draft, OWNER)],
    "file-sign": [
        Probe(_draft, OWNER, post=lambda t: {"records_authorized": "on", "declaration": "on", "signed_name": "X"}),
    ],
    "file-done": [Probe(_draft, OWNER)],
    "file-delete": [Probe(_draft, OWNER, post=lambda t: {})],
}

# Admin routes of other models that take an object id are not about cases.
CASE_KWARGS = {"number", "case_id"}


def _routes(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            route = prefix + str(pattern.pattern)
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def scoped_routes() -> tuple[set[str], set[str]]:
    """(case-scoped, draft-scoped) URL keys, read from the URL resolver."""
    cases, drafts = set(), set()
    for route, key in _routes(get_resolver().url_patterns):
        route = route.removeprefix("en/")
        if any(f":{kwarg}>" in route for kwarg in CASE_KWARGS) or route.startswith("admin/complaints/case/<path"):
            cases.add(key)
        elif route.startswith("admin/r/"):
            cases.add(key)  # "view on site" takes any object, a case included
        elif ":draft_id>" in route:
            drafts.add(key)
    return cases, drafts


def test_every_case_and_draft_url_has_a_matrix_entry_and_an_audit_rule():
    cases, drafts = scoped_routes()
    assert cases - set(MATRIX) == set(), "case-scoped URLs missing from MATRIX"
    assert drafts - set(DRAFT_MATRIX) == set(), "draft-scoped URLs missing from DRAFT_MATRIX"
    assert set(MATRIX) - cases == set(), "entries for URLs that are gone"
    assert set(DRAFT_MATRIX) - drafts == set(), "entries for URLs that are gone"
    redirects_only = {"admin/complaints/case/<path:object_id>/", "admin:view_on_site"}
    assert (cases | drafts) - redirects_only - set(RULES) == set(), "pages that touch a case but write no audit row"


# ---- the world ---------------------------------------------------------------------------------
def _issue_letters(case):
    for letter in Letter.objects.filter(case=case, state=Letter.State.PENDING).order_by("id"):
        letter_issue(letter_id=letter.id)


def _case_target(owner_person: str, account, plan, plan_user, *, first: str, last: str, assistant: bool) -> Target:
    extra = {}
    if assistant:
        extra = {
            "filer_relationship": FilerRelationship.AUTHORIZED_ASSISTANT,
            "representative": RepresentativeData(
                relationship=FilerRelationship.AUTHORIZED_ASSISTANT,
                full_name=account.full_name,
                phone="916-555-0111",
                patient_signed_name=f"{first} {last}",
                patient_signed_date=timezone.localdate(),
                assistant_signed_name=account.full_name,
                assistant_signed_date=timezone.localdate(),
            ),
        }
    case = file_case(
        enrollee=account,
        health_plan_id=plan.id,
        patient=patient_data(first_name=first, last_name=last),
        signed_name=f"{first} {last}",
        **extra,
    )
    case = drive(case, PATHS[Status.RESPONSE_REQUESTED])
    _issue_letters(case)

    def add(name, **options):
        return document_add(case=case, name=name, data=PDF, kind=Document.Kind.OTHER, **options)

    enrollee = {"source": Document.Source.ENROLLEE, "actor": account, "actor_role": "ENROLLEE"}
    objects = {
        "shared document": add("shared.pdf", **enrollee),
        "private document": add("private.pdf", shared_with_plan=False, **enrollee),
        "plan document": add("plan.pdf", source=Document.Source.PLAN, actor=plan_user, actor_role="PLAN"),
        "enrollee letter": case.letters.get(recipient="ENROLLEE", state=Letter.State.ISSUED),
        "plan letter": case.letters.get(recipient="PLAN", state=Letter.State.ISSUED),
        "plan clock": case.clocks.get(name="PLAN_RESPONSE"),
        # Asked for, not built (its build would run after a commit these tests never make).
        "packet": packet_request(case=case, requested_by=None),
    }
    return Target(owner=owner_person, case=case, objects=objects, names=(first, last))


def _draft_target(owner_person: str, account, plan) -> Target:
    client = Client()
    client.force_login(account)
    draft = fill_draft(client, plan, upto="problem")
    document = DraftDocument.objects.create(
        draft=draft,
        kind="OTHER",
        file=SimpleUploadedFile("draft.pdf", PDF),
        original_name="draft.pdf",
        size_bytes=len(PDF),
        content_type="application/pdf",
        uploaded_at=timezone.now(),
    )
    draft.refresh_from_db()
    patient = draft.answers["patient"]
    return Target(
        owner=owner_person,
        draft=draft,
        objects={"draft document": document},
        names=(patient["first_name"], patient["last_name"]),
    )


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    plan, other_plan = HealthPlanFactory(name="Matrix Plan"), HealthPlanFactory(name="Other Plan")
    accounts = {
        "enrollee": EnrolleeFactory(full_name="Quilla Zanzibar"),
        "other enrollee": EnrolleeFactory(),
        "assistant": EnrolleeFactory(full_name="Perpetua Assistant"),
        "plan user": PlanUserFactory(health_plan=plan),
        "other plan user": PlanUserFactory(health_plan=other_plan),
        "staff without the permission": StaffFactory(groups=[]),
        "staff with the permission": StaffFactory(groups=[StaffGroup.SUPERVISOR]),
        "staff without the second factor": StaffFactory(groups=[StaffGroup.SUPERVISOR]),
        "reviewer": reviewer(OrganizationFactory(), coordinator=True).user,
    }
    # Plan users and staff pass the second factor, except the one who signed in with a password only.
    with_second_factor = {
        "plan user",
        "other plan user",
        "staff without the permission",
        "staff with the permission",
        "reviewer",
    }
    clients = {"anonymous": Client()}
    for person, account in accounts.items():
        if person in with_second_factor:
            clients[person] = verified_client(account)
        else:
            clients[person] = Client()
            clients[person].force_login(account)
    patient_case = _case_target(
        "enrollee", accounts["enrollee"], plan, accounts["plan user"], first="Quilla", last="Zanzibar", assistant=False
    )
    assisted_case = _case_target(
        "assistant", accounts["assistant"], plan, accounts["plan user"], first="Orwin", last="Plumtree", assistant=True
    )
    drafts = [
        _draft_target("enrollee", accounts["enrollee"], plan),
        _draft_target("assistant", accounts["assistant"], plan),
    ]
    return clients, [patient_case, assisted_case], drafts


# ---- asking ------------------------------------------------------------------------------------
def _snapshot() -> tuple:
    """Everything a request could change about cases and drafts (the audit log aside)."""
    return (
        list(Case.objects.order_by("id").values_list("id", "status", "track", "outcome", "late_filing_accepted")),
        CaseEvent.objects.count(),
        Document.objects.count(),
        PlanResponse.objects.count(),
        Letter.objects.count(),
        list(Clock.objects.order_by("id").values_list("id", "due_at", "met_at", "stopped_at")),
        list(FilingDraft.objects.order_by("id").values_list("id", "answers", "updated_at", "submitted_case")),
        DraftDocument.objects.count(),
    )


def _to_sign_in(response) -> bool:
    location = response.get("Location", "")
    if not location:
        return False
    try:
        return resolve(urlsplit(location).path).view_name in SIGN_IN_ROUTES
    except Exception:  # an address outside the URL map is not a sign-in page
        return False


def _url(key: str, kwargs: dict) -> str:
    if "<" not in key:
        return reverse(key, kwargs=kwargs)
    url = "/" + key
    for name, value in kwargs.items():
        url = url.replace(f"<path:{name}>", str(value)).replace(f"<int:{name}>", str(value))
    return url


def _ask(client, method: str, url: str, data: dict | None):
    """One request in a savepoint that is rolled back. Returns the response (redirects other than
    to a sign-in page followed to their end) and whether the database changed."""
    with transaction.atomic():
        before = _snapshot()
        send = client.get if method == "GET" else client.post
        response = send(url, data or {})
        if 300 <= response.status_code < 400 and not _to_sign_in(response):
            response = client.get(response["Location"], follow=True)
        changed = _snapshot() != before
        transaction.set_rollback(True)
    return response, changed


def _run(matrix, targets, clients) -> tuple[int, list[str], int]:
    combinations, leaks, allowed_seen = 0, [], 0
    for key, probes in matrix.items():
        for probe in probes:
            for target, other in ((targets[0], targets[1]), (targets[1], targets[0])):
                url = _url(key, probe.kwargs(target, other))
                for method in ("GET", "POST") if probe.post else ("GET",):
                    allowed = probe.allowed if method == "GET" else (probe.allowed_post or probe.allowed)
                    if method == "GET" and not probe.serves_get:
                        allowed = NOBODY
                    for person in PERSONS:
                        data = probe.post(target) if method == "POST" else None
                        response, changed = _ask(clients[person], method, url, data)
                        combinations += 1
                        label = f"{method} {url} as {person} (owner: {target.owner})"
                        assert response.status_code < 500, label
                        if target.role(person) in allowed:
                            if method == "GET":
                                assert response.status_code < 400, f"refused to the one allowed: {label}"
                                allowed_seen += 1
                            continue
                        body = response.content.decode(errors="replace") if not response.streaming else ""
                        if 200 <= response.status_code < 300:
                            leaks.append(f"{label}: {response.status_code}")
                        if any(name in body for name in (*targets[0].names, *targets[1].names) if name):
                            leaks.append(f"{label}: the patient's name is on the page")
                        if changed:
                            leaks.append(f"{label}: the database changed")
    return combinations, leaks, allowed_seen


def test_nobody_reaches_a_case_or_an_application_that_is_not_theirs(world):
    clients, cases, drafts = world
    case_combinations, case_leaks, case_allowed = _run(MATRIX, cases, clients)
    draft_combinations, draft_leaks, draft_allowed = _run(DRAFT_MATRIX, drafts, clients)
    combinations = case_combinations + draft_combinations
    leaks = case_leaks + draft_leaks
    counts.report(
        f"access matrix: {combinations} combinations, {len(leaks)} leaks "
        f"({len(MATRIX)} case URLs and {len(DRAFT_MATRIX)} application URLs, {len(PERSONS)} kinds of person, "
        f"{case_allowed + draft_allowed} allowed requests served)"
    )
    assert leaks == [], "\n".join(leaks)
    # The matrix reached real content for the people allowed (it cannot pass by refusing all).
    assert case_allowed >= 2 * sum(1 for probes in MATRIX.values() for p in probes if p.allowed and p.serves_get)
    assert draft_allowed > 0
