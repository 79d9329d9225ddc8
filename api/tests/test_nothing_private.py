"""Only published, de-identified decisions leave through the API.

A portal case is filed with a patient, a member ID, a plan, a document and free text, decided and
published; a second case is decided but not yet published. Then every endpoint (every page of the
list, each decision, the statistics, the filter values, the CSV, the schema) is read, and none of
the first case's private facts nor anything of the second case appears; the decision's fields
are exactly the published ones.
"""

import json

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from api.serializers import PUBLIC_DECISION_FIELDS
from complaints.models import Document, Status
from complaints.services.documents import document_add
from complaints.tests.drive import IMR_PATH, drive
from complaints.tests.factories import file_case, patient_data
from complaints.tests.samples import PDF
from imr.models import FindingsReview, PortalPublication, PublishedDecision
from imr.publication import findings_approve, findings_reviews_open
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def decided_case(**patient):
    case = drive(
        file_case(
            patient=patient_data(**patient),
            member_id="ZQ77310",
            treatment_in_dispute="Xylofibrate infusions",
            what_happened="Quillon Hospital refused the Xylofibrate infusions.",
        ),
        IMR_PATH[:7],
    )
    assert case.status == Status.DECISION_ISSUED
    return case


def read_everything(api) -> str:
    """Every answer of every endpoint, as one text."""
    answers = []
    url, query = "/api/v1/decisions/", {"page_size": 2}
    while url:
        body = api.get(url, query).json()
        answers.append(json.dumps(body))
        for decision in body["results"]:
            assert tuple(decision) == PUBLIC_DECISION_FIELDS
            detail = api.get(f"/api/v1/decisions/{decision['reference_id']}/").json()
            assert tuple(detail) == PUBLIC_DECISION_FIELDS
            answers.append(json.dumps(detail))
        url, query = body["next"], None
    for path in ("/api/v1/statistics/", "/api/v1/filters/"):
        answers.append(json.dumps(api.get(path).json()))
    answers.append(b"".join(api.get("/api/v1/decisions.csv").streaming_content).decode())
    answers.append(api.get("/api/v1/schema/").text)
    return "\n".join(answers)


def test_no_case_patient_or_document_fact_and_no_unpublished_decision_leaves(api):
    PublishedDecisionFactory(reference_id="MN16-4242")
    tallies_rebuild()
    published = decided_case(first_name="Ondine", last_name="Vasquez-Trell", email="ondine.vt@example.test")
    document_add(
        case=published, name="ondine-denial-letter.pdf", data=PDF, kind=Document.Kind.DENIAL_LETTER,
        source=Document.Source.ENROLLEE, actor=published.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    assert findings_reviews_open() == 1
    review = FindingsReview.objects.get(case=published)
    publication = findings_approve(
        review_id=review.pk, text=review.proposed, approved_by=StaffFactory(groups=[StaffGroup.SUPERVISOR])
    )
    # Decided and its findings waiting for a supervisor: not published.
    unpublished = decided_case(first_name="Peregrine", last_name="Oxley", birth_date=published.patient.birth_date)
    assert findings_reviews_open() == 1

    text = read_everything(api)

    assert publication.reference_id in text  # the published decision itself is there
    assert PublishedDecision.objects.count() == 2
    assert not PortalPublication.objects.filter(case=unpublished).exists()
    patient = published.patient
    private = [
        published.number,
        unpublished.number,
        patient.first_name,
        patient.last_name,
        patient.email,
        patient.phone,
        patient.street,
        patient.birth_date.isoformat(),
        unpublished.patient.last_name,
        "ZQ77310",
        "Xylofibrate",
        "Quillon",
        "ondine-denial-letter",
        published.health_plan.name,
        "Dr. Ahmed",
        "Sacramento Orthopedics",
        published.decided_at.date().isoformat(),
        "changed_at",
        "received_at",
    ]
    leaked = [value for value in private if value and value.lower() in text.lower()]
    assert leaked == []
    # The unpublished decision is not counted either.
    assert api.get("/api/v1/statistics/").json()["overall"]["decisions"] == 2


def test_the_schema_describes_only_public_fields(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    decision = schema["components"]["schemas"]["Decision"]["properties"]
    assert tuple(decision) == PUBLIC_DECISION_FIELDS
    words = json.dumps(schema).lower()
    for name in ("patient", "member_id", "case_number", "document", "plan_name", "birth", "email"):
        assert name not in words, name
