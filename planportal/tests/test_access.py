"""No plan page ever shows or accepts another plan's case, and only verified plan users get in.

Every plan address (the queue, the case page, each download, each action) is tried by a user of
plan X against cases of plan Y: each answers 404, shows nothing of plan Y, and changes nothing.
"""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.models import Case, CaseEvent, Clock, Document, Letter, Notice, PlanResponse, Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case, patient_data
from complaints.tests.samples import PDF
from planportal.tests.conftest import enrollee_documents, issue_letters
from twofactor.testing import sign_in_verified, totp_device_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_y_cases(other_plan):
    """Plan Y's cases: one waiting for its response, one overturned decision to carry out."""
    waiting = drive(
        file_case(health_plan_id=other_plan.id, patient=patient_data(last_name="Ybarra")),
        PATHS[Status.RESPONSE_REQUESTED],
    )
    shared, _private = enrollee_documents(waiting)
    overturned = drive(
        file_case(health_plan_id=other_plan.id, patient=patient_data(last_name="Yamamoto")),
        PATHS[Status.DECISION_ISSUED],
    )
    issue_letters(waiting)
    issue_letters(overturned)
    letter = Letter.objects.filter(case=waiting, recipient="PLAN", state=Letter.State.ISSUED).get()
    return {"waiting": waiting, "overturned": overturned, "document": shared, "letter": letter}


def plan_requests(cases) -> list[tuple[str, str, dict]]:
    """Every plan page and action, aimed at these cases: (method, path, form data)."""
    waiting, overturned = cases["waiting"].number, cases["overturned"].number
    return [
        ("get", f"/plan/cases/{waiting}/", {}),
        ("get", f"/plan/cases/{overturned}/", {}),
        ("get", f"/plan/cases/{waiting}/documents/{cases['document'].id}/", {}),
        ("get", f"/plan/cases/{waiting}/letters/{cases['letter'].id}/", {}),
        ("post", f"/plan/cases/{waiting}/respond/", {"statement": "Our response.", "files": [_pdf("response.pdf")]}),
        ("post", f"/plan/cases/{waiting}/reversed/", {"reason": "We approved it.", "confirm": "on"}),
        (
            "post",
            f"/plan/cases/{overturned}/carried-out/",
            {"carried_out_date": timezone.localdate().isoformat(), "proofs": [_pdf("proof.pdf")]},
        ),
    ]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _send(client, method: str, path: str, data: dict):
    if method == "get":
        return client.get(path)
    # A fresh upload object per request: a file read by one request is empty for the next.
    fresh = {key: [_pdf(f.name) for f in value] if isinstance(value, list) else value for key, value in data.items()}
    return client.post(path, fresh)


def snapshot() -> dict:
    """What a request must not change."""
    return {
        "responses": PlanResponse.objects.count(),
        "documents": Document.objects.count(),
        "events": CaseEvent.objects.count(),
        "letters": Letter.objects.count(),
        "notices": Notice.objects.count(),
        "statuses": list(Case.objects.order_by("id").values_list("number", "status")),
        "clocks": list(Clock.objects.order_by("id").values_list("id", "due_at", "met_at", "stopped_at")),
    }


def test_a_plan_x_user_gets_404_on_every_plan_y_address_and_nothing_changes(plan_client, plan_y_cases):
    before = snapshot()
    for method, path, data in plan_requests(plan_y_cases):
        response = _send(plan_client, method, path, data)
        assert response.status_code == 404, (method, path, response.status_code)
        body = response.content.decode(errors="replace")
        for secret in ("Ybarra", "Yamamoto", "Plan Y Health", "denial-letter.pdf"):
            assert secret not in body, (path, secret)
    assert snapshot() == before


def test_plan_y_cases_never_appear_in_plan_x_s_queue_or_lists(plan_client, plan_y_cases, waiting_case):
    page = plan_client.get("/plan/").text
    assert waiting_case.number in page  # the page does list plan X's own case
    for case in (plan_y_cases["waiting"], plan_y_cases["overturned"]):
        assert case.number not in page
    assert "Ybarra" not in page
    assert "Yamamoto" not in page


def test_the_same_addresses_work_for_plan_y_s_own_user(client, other_plan, plan_y_cases):
    """The control: the matrix above fails for the right reason, not because the URLs are wrong."""
    sign_in_verified(client, PlanUserFactory(health_plan=other_plan))
    codes = [_send(client, method, path, data).status_code for method, path, data in plan_requests(plan_y_cases)]
    assert codes == [200, 200, 200, 200, 302, 302, 302]
    for case in (plan_y_cases["waiting"], plan_y_cases["overturned"]):
        case.refresh_from_db()
    # The response went in, then the reversal closed the case; the decision was carried out.
    assert PlanResponse.objects.filter(case=plan_y_cases["waiting"]).count() == 1
    assert plan_y_cases["waiting"].status == Status.PLAN_REVERSED
    assert plan_y_cases["overturned"].status == Status.CARRIED_OUT


def test_anyone_not_signed_in_is_sent_to_the_plan_sign_in(client, plan_y_cases):
    before = snapshot()
    for method, path, data in [("get", "/plan/", {}), *plan_requests(plan_y_cases)]:
        response = _send(client, method, path, data)
        assert response.status_code == 302, path
        assert response["Location"] == f"/plan/login/?next={quote(path, safe='/')}"
    assert snapshot() == before


@pytest.mark.parametrize(
    "person",
    [
        pytest.param(lambda case: case.filed_by, id="the-member-who-filed"),
        pytest.param(lambda case: EnrolleeFactory(), id="another-enrollee"),
        pytest.param(lambda case: StaffFactory(groups=[StaffGroup.SUPERVISOR]), id="supervisor"),
        pytest.param(lambda case: StaffFactory(is_superuser=True, groups=[]), id="superuser"),
    ],
)
def test_enrollees_and_staff_get_404_on_every_plan_page(client, plan_y_cases, person):
    client.force_login(person(plan_y_cases["waiting"]))
    before = snapshot()
    for method, path, data in [("get", "/plan/", {}), *plan_requests(plan_y_cases)]:
        assert _send(client, method, path, data).status_code == 404, path
    assert snapshot() == before


def test_a_plan_user_without_the_second_factor_this_session_is_sent_to_give_it(client, other_plan, plan_y_cases):
    user = PlanUserFactory(health_plan=other_plan)
    totp_device_for(user)
    client.force_login(user)  # password only: no second factor in this session
    before = snapshot()
    for method, path, data in [("get", "/plan/", {}), *plan_requests(plan_y_cases)]:
        response = _send(client, method, path, data)
        assert response.status_code == 302, path
        assert response["Location"] == f"/plan/login/code/?next={quote(path, safe='')}"
    assert snapshot() == before


def test_a_plan_user_who_never_set_up_the_app_is_sent_to_set_it_up(client, plan_user):
    client.force_login(plan_user)
    response = client.get("/plan/")
    assert response.status_code == 302
    assert response["Location"].startswith("/plan/login/setup/")


def test_a_deactivated_plan_user_is_signed_out_at_once(plan_client, plan_user, waiting_case):
    plan_user.is_active = False
    plan_user.save(update_fields=["is_active"])
    response = plan_client.get(f"/plan/cases/{waiting_case.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/plan/login/")


def test_cases_not_yet_sent_to_the_plan_stay_out_of_its_sight(plan_client, plan):
    """Before the Help Center asks the plan for its response, the case is intake's alone."""
    at_intake = drive(file_case(health_plan_id=plan.id), PATHS[Status.ACKNOWLEDGED])
    assert plan_client.get(f"/plan/cases/{at_intake.number}/").status_code == 404
    assert at_intake.number not in plan_client.get("/plan/").text


def test_the_enrollee_s_private_documents_and_letters_to_the_enrollee_are_404(plan_client, waiting_case):
    issue_letters(waiting_case)
    private = waiting_case.documents.get(shared_with_plan=False)
    to_enrollee = Letter.objects.get(case=waiting_case, recipient="ENROLLEE")
    to_plan = Letter.objects.get(case=waiting_case, recipient="PLAN")
    base = f"/plan/cases/{waiting_case.number}"
    assert plan_client.get(f"{base}/documents/{private.id}/").status_code == 404
    assert plan_client.get(f"{base}/letters/{to_enrollee.id}/").status_code == 404
    assert plan_client.get(f"{base}/letters/{to_plan.id}/").status_code == 200
