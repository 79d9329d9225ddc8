"""The independent reviewer's queue and the coordinator's view with a million cases.

A physician reviewer and their organization's coordinator (second factor passed) open ``/review/``
through the Django test client. The pages are measured first with 1,000 open cases in the
database, a quarter of them in IMR review and sent to one of three organizations (the baseline),
then again after 999,000 more cases make it a million, in the same run. Every case in review has
its referral, its organization's clock and (nine in ten) an attested assignment; the measured
reviewer has 30 assignments in each book. Target: p95 under 150 ms, and the same number of
queries at both sizes.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import ReviewerUserFactory, StaffFactory
from bench import casedata
from bench.core import Result, benchmark, median, percentile, timed
from complaints.clocks import ClockName
from complaints.models import Case, Clock, Status
from review.models import Assignment, Referral, Reviewer, ReviewOrganization

SMALL = 1_000
TOTAL = 1_000_000
REQUESTS = 30
TARGET_SECONDS = 0.150
MEASURED_ASSIGNMENTS = 30
PAGE = "/review/"


@dataclass
class Page:
    samples: list[float]
    queries: int
    rows: int


def _client(user) -> Client:
    from twofactor.testing import sign_in_verified

    client = Client(HTTP_HOST="localhost")
    sign_in_verified(client, user)
    return client


def _measure(client: Client, marker: bytes) -> Page:
    rows = []

    def visit():
        response = client.get(PAGE)
        assert response.status_code == 200, response.status_code  # noqa: S101 (an error page is not fast)
        rows.append(response.content.count(marker))

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        timed(visit, repeat=1)
    return Page(timed(visit, repeat=REQUESTS), len(queries), rows[0])


def _refer(book: casedata.Book, *, orgs, measured: Reviewer, others: list[Reviewer], sender, now, seed) -> int:
    """Referrals, organization clocks and assignments for the book's cases in IMR review."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    cases = list(
        Case.objects.filter(id__range=(book.first_case_id, book.last_case_id), status=Status.IN_IMR_REVIEW)
        .order_by("id")
        .values_list("id", "urgent")
    )
    referral_ids = casedata.reserve_ids(Referral, len(cases))
    referrals, clocks, assignments = [], [], []
    given = 0
    for (case_id, urgent), referral_id in zip(cases, referral_ids, strict=True):
        org = orgs[rng.randrange(len(orgs))]
        sent_at = now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23))
        referrals.append({"id": referral_id, "case_id": case_id, "organization_id": org.id, "specialty_needed": "",
                          "reviewers_needed": 1, "sent_at": sent_at, "sent_by_id": sender.id})  # fmt: skip
        clocks.append({"case_id": case_id, "name": ClockName.IMRO_DETERMINATION, "urgent": urgent,
                       "started_at": sent_at, "due_at": sent_at + timedelta(days=3 if urgent else 30)})  # fmt: skip
        if rng.random() < 0.1:
            continue  # waiting for the coordinator
        if org.id == measured.organization_id and given < MEASURED_ASSIGNMENTS:
            person, given = measured, given + 1
        else:
            person = others[rng.randrange(len(others))]
            if person.organization_id != org.id:
                continue
        assignments.append({"referral_id": referral_id, "reviewer_id": person.id, "assigned_at": sent_at,
                            "assigned_by_id": person.user_id, "attested_at": sent_at,
                            "attestation_text": Assignment.ATTESTATION})  # fmt: skip
    with transaction.atomic():
        for model, rows in ((Referral, referrals), (Clock, clocks), (Assignment, assignments)):
            for start in range(0, len(rows), casedata.BATCH):
                casedata.write(model, rows[start : start + casedata.BATCH])
    casedata.analyze("review_referral", "review_assignment", "complaints_clock")
    return len(referrals)


def _remove(*books: casedata.Book) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for book in books:
            bounds = [book.first_case_id, book.last_case_id]
            cursor.execute(
                "DELETE FROM review_assignment WHERE referral_id IN "
                "(SELECT id FROM review_referral WHERE case_id BETWEEN %s AND %s)",
                bounds,
            )
            cursor.execute("DELETE FROM review_referral WHERE case_id BETWEEN %s AND %s", bounds)
    casedata.remove(*books)


def _person(org, *, email, coordinator=False) -> Reviewer:
    user = ReviewerUserFactory(email=email)
    return Reviewer.objects.create(
        user=user, organization=org, specialty="" if coordinator else "Internal medicine",
        reviews_cases=not coordinator, is_coordinator=coordinator,
    )  # fmt: skip


@benchmark
def review_queue() -> list[Result]:
    now = timezone.now()
    orgs = [
        ReviewOrganization.objects.create(
            name=f"Bench Review {n}", contact_name="Bench", contact_email=f"bench{n}@iro.example.test"
        )
        for n in range(3)
    ]
    measured = _person(orgs[0], email="bench-reviewer@iro.example.test")
    boss = _person(orgs[0], email="bench-coordinator@iro.example.test", coordinator=True)
    others = [_person(orgs[n % 3], email=f"bench-reviewer-{n}@iro.example.test") for n in range(60)]
    sender = StaffFactory(email="bench-sender@dmhc.example.test")
    reviewer_client, coordinator_client = _client(measured.user), _client(boss.user)
    books = [casedata.build(total=SMALL, open_share=1.0, due=10, now=now, seed=3)]
    try:
        referred = _refer(books[0], orgs=orgs, measured=measured, others=others, sender=sender, now=now, seed=3)
        small = {
            "reviewer": _measure(reviewer_client, b'href="/review/cases/'),
            "coordinator": _measure(coordinator_client, b"Assign a reviewer to "),
        }
        books.append(casedata.build(total=TOTAL - SMALL, open_share=0.10, due=990, now=now, seed=4))
        referred += _refer(books[1], orgs=orgs, measured=measured, others=others, sender=sender, now=now, seed=4)
        big = {
            "reviewer": _measure(reviewer_client, b'href="/review/cases/'),
            "coordinator": _measure(coordinator_client, b"Assign a reviewer to "),
        }
        rows = [
            Result(
                name="review: build",
                value=f"{sum(book.cases for book in books):,} cases, {referred:,} sent to 3 organizations",
                note=f"{connection.vendor}; {REQUESTS} requests per page after one warm-up; the reviewer has "
                f"{MEASURED_ASSIGNMENTS} then {2 * MEASURED_ASSIGNMENTS} cases; the coordinator's lists show "
                "at most 50 rows each (the reviewer's, 100)",
            )
        ]
        labels = {"reviewer": "a reviewer's queue", "coordinator": "a coordinator's unassigned and late cases"}
        for key, label in labels.items():
            page, baseline = big[key], small[key]
            p95 = percentile(page.samples, 0.95)
            notes = [f"{page.rows} rows shown (against {baseline.rows})"]
            if p95 >= TARGET_SECONDS:
                notes.append(f"slower than the target (median {median(page.samples) * 1000:.0f} ms)")
            rows.append(
                Result(
                    name=f"review: {label}",
                    value=f"p95 {p95 * 1000:.0f} ms, {page.queries} queries",
                    baseline=f"p95 {percentile(baseline.samples, 0.95) * 1000:.0f} ms, {baseline.queries} queries "
                    f"at {SMALL:,} cases",
                    target=f"p95 < {TARGET_SECONDS * 1000:.0f} ms, same queries",
                    met=p95 < TARGET_SECONDS and page.queries == baseline.queries,
                    note="; ".join(notes),
                )
            )
        return rows
    finally:
        _remove(*books)
