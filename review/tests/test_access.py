"""The access matrix of the review pages: every review URL, GET and (where it takes one) POST,
asked by every kind of person, on a case where one of them is the right person.

The rules: the assigned, attested reviewer alone opens the case file, its documents and the
determination; the assigned reviewer who has not attested sees only the attestation; the
coordinator of the case's organization alone assigns. A reviewer of another organization, one of
the same organization assigned elsewhere, plans, enrollees and Help Center staff get 404 (or
the sign-in page when not signed in): nothing shown, nothing changed.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from complaints.models import CaseEvent, Clock, Document
from helpcenter.tests import counts
from packets.models import Packet
from packets.services import packet_build, packet_request
from review.models import Assignment, Determination
from review.tests.factories import FINDINGS
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Probe:
    route: str
    kwargs: object  # (world) -> dict
    allowed: frozenset
    post: dict | None = None
    serves_get: bool = True


def _case(world):
    return {"number": world.case_a.number}


def _doc(name):
    return lambda world: {"number": world.case_a.number, "document_id": world.documents[name].pk}


def _packet(name):
    """A built packet of case ``name`` (a, a2 or b), asked for under case_a's number."""

    def kwargs(world):
        case = {"a": world.case_a, "a2": world.case_a2, "b": world.case_b}[name]
        if name not in world.packets:
            world.packets[name] = packet_build(packet_id=packet_request(case=case, requested_by=None).pk)
        return {"number": world.case_a.number, "packet_id": world.packets[name].pk}

    return kwargs


REVIEWER, PENDING, COORDINATOR = frozenset({"reviewer"}), frozenset({"not attested"}), frozenset({"coordinator A"})
NOBODY = frozenset()

PROBES = [
    Probe("review-case", _case, REVIEWER),
    Probe("review-document", _doc("enrollee a"), REVIEWER),
    Probe("review-document", _doc("plan a"), REVIEWER),
    # A document of another case, asked for under this case's number: nobody.
    Probe("review-document", _doc("enrollee a2"), NOBODY),
    Probe("review-document", _doc("enrollee b"), NOBODY),
    Probe("review-packet", _packet("a"), REVIEWER),
    # A packet of another case (of the same organization, of another), under this case's number.
    Probe("review-packet", _packet("a2"), NOBODY),
    Probe("review-packet", _packet("b"), NOBODY),
    Probe("review-determination", _case, REVIEWER, post={**FINDINGS, "action": "save"}),
    Probe("review-attest", _case, PENDING, post={"confirm": "on"}),
    Probe("review-decline", _case, PENDING, post={"reason": "I know the treating oncologist."}, serves_get=False),
    Probe("review-assign", _case, COORDINATOR, post={"reviewer": "0"}),
]
PERSONS = [
    "anonymous",
    "reviewer",
    "reviewer without the second factor",
    "not attested",
    "same organization",
    "other organization",
    "coordinator A",
    "coordinator B",
    "plan user",
    "enrollee",
    "staff",
]
PATIENT_NAMES = ("Rosa", "Delgado")


def _clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for person, user in world.people.items():
        clients[person] = verified_client(user)
    half = Client()
    half.force_login(world.people["reviewer"])
    clients["reviewer without the second factor"] = half
    return clients


def _snapshot():
    return (
        CaseEvent.objects.count(),
        list(Assignment.objects.order_by("id").values_list("id", "attested_at", "declined_at")),
        list(Determination.objects.order_by("id").values_list("id", "updated_at", "submitted_at")),
        list(Clock.objects.order_by("id").values_list("id", "due_at", "met_at")),
        Document.objects.count(),
        Packet.objects.count(),
    )


def _ask(client, method, url, data):
    with transaction.atomic():
        before = _snapshot()
        response = client.get(url) if method == "GET" else client.post(url, data)
        changed = _snapshot() != before
        transaction.set_rollback(True)
    return response, changed


def test_every_review_page_that_names_a_case_is_in_this_matrix():
    from helpcenter.tests.test_access_matrix import scoped_routes

    cases, _drafts = scoped_routes()
    assert {route for route in cases if route.startswith("review-")} == {probe.route for probe in PROBES}


def test_nobody_reaches_a_review_page_that_is_not_theirs(world):
    clients = _clients(world)
    combinations, leaks, served = 0, [], 0
    for probe in PROBES:
        url = reverse(probe.route, kwargs=probe.kwargs(world))
        for method in ("GET", "POST") if probe.post else ("GET",):
            allowed = probe.allowed if (method == "POST" or probe.serves_get) else NOBODY
            for person in PERSONS:
                response, changed = _ask(clients[person], method, url, probe.post)
                combinations += 1
                label = f"{method} {url} as {person}"
                assert response.status_code < 500, label
                if person in allowed:
                    if method == "GET":
                        assert response.status_code == 200, label
                        served += 1
                    continue
                if person == "anonymous" or person == "reviewer without the second factor":
                    assert response.status_code == 302, label
                    assert "/review/login/" in response["Location"], label
                elif response.status_code != 404 and not (method == "GET" and response.status_code == 405):
                    # 405: a POST-only address asked with GET, before anything is looked up.
                    leaks.append(f"{label}: {response.status_code}")
                body = b"" if response.streaming else response.content
                if any(name.encode() in body for name in PATIENT_NAMES):
                    leaks.append(f"{label}: the patient's name is on the page")
                if changed:
                    leaks.append(f"{label}: the database changed")
    counts.report(f"review access matrix: {combinations} combinations, {len(leaks)} leaks, {served} allowed served")
    assert leaks == [], "\n".join(leaks)
    assert served == sum(1 for probe in PROBES if probe.allowed and probe.serves_get)


def test_the_queue_is_for_reviewers_only(world):
    clients = _clients(world)
    for person in ("reviewer", "not attested", "coordinator A", "other organization"):
        assert clients[person].get(reverse("review-queue")).status_code == 200, person
    for person in ("plan user", "enrollee", "staff"):
        assert clients[person].get(reverse("review-queue")).status_code == 404, person
    assert clients["anonymous"].get(reverse("review-queue")).status_code == 302


def test_each_case_page_and_download_is_in_the_audit_log(world):
    client = verified_client(world.people["reviewer"])
    client.get(reverse("review-case", kwargs={"number": world.case_a.number}))
    document = world.documents["plan a"]
    response = client.get(
        reverse("review-document", kwargs={"number": world.case_a.number, "document_id": document.pk})
    )
    assert b"".join(response.streaming_content) == document.file.open("rb").read()
    packet_id = _packet("a")(world)["packet_id"]
    packet = client.get(reverse("review-packet", kwargs={"number": world.case_a.number, "packet_id": packet_id}))
    assert b"".join(packet.streaming_content).startswith(b"%PDF")
    rows = AuditEvent.objects.filter(actor=world.people["reviewer"], case_number=world.case_a.number)
    assert set(rows.values_list("route", flat=True)) == {"review-case", "review-document", "review-packet"}
    assert rows.get(route="review-document").object_id == str(document.pk)
    assert rows.get(route="review-packet").object_id == str(packet_id)
    assert rows.get(route="review-packet").action == "DOWNLOAD"
    # A refused ask is in the log too, as denied.
    verified_client(world.people["other organization"]).get(
        reverse("review-case", kwargs={"number": world.case_a.number})
    )
    denied = AuditEvent.objects.get(actor=world.people["other organization"], route="review-case")
    assert denied.outcome == "DENIED"
