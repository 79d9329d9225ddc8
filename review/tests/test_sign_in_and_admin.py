"""Reviewers sign in like plan users (password, then the app's code) and only at /review/; staff
keep organizations and reviewers in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from review.models import Reviewer
from review.tests.factories import OrganizationFactory, reviewer
from twofactor.testing import sign_in_verified, totp_code, totp_device_for

pytestmark = pytest.mark.django_db


def test_a_reviewer_signs_in_with_password_then_code_and_lands_on_the_queue():
    person = reviewer(OrganizationFactory(), email="doc@iro.example.test")
    device = totp_device_for(person.user)
    client = Client()
    assert client.get("/review/")["Location"].startswith("/review/login/")
    step = client.post("/review/login/", {"email": "doc@iro.example.test", "password": TEST_PASSWORD})
    assert step["Location"].startswith("/review/login/code/")
    assert client.get("/review/").status_code == 302  # the password alone opens nothing
    done = client.post(step["Location"], {"code": totp_code(device)})
    assert done["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


def test_first_sign_in_sets_up_the_app():
    reviewer(OrganizationFactory(), email="new@iro.example.test")
    step = Client().post("/review/login/", {"email": "new@iro.example.test", "password": TEST_PASSWORD})
    assert step["Location"].startswith("/review/login/setup/")


@pytest.mark.parametrize("make", [EnrolleeFactory, PlanUserFactory, lambda **kw: StaffFactory(**kw)])
def test_nobody_else_signs_in_at_review(make):
    make(email="other@example.test")
    refused = Client().post("/review/login/", {"email": "other@example.test", "password": TEST_PASSWORD})
    assert refused.status_code == 400
    assert "not right" in refused.text


def test_a_reviewer_account_without_its_reviewer_row_gets_nothing():
    from accounts.tests.factories import ReviewerUserFactory

    orphan = ReviewerUserFactory(email="orphan@iro.example.test")
    refused = Client().post("/review/login/", {"email": orphan.email, "password": TEST_PASSWORD})
    assert refused.status_code == 400
    client = Client()
    sign_in_verified(client, orphan)
    assert client.get("/review/").status_code == 404


def test_reviewers_do_not_sign_in_as_enrollees():
    reviewer(OrganizationFactory(), email="doc2@iro.example.test")
    response = Client().post("/account/signin/", {"username": "doc2@iro.example.test", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "This sign-in is for enrollees" in response.text


def test_a_reviewer_row_needs_a_reviewer_account_and_a_specialty():
    org = OrganizationFactory()
    with pytest.raises(ValidationError) as wrong_kind:
        Reviewer(user=EnrolleeFactory(), organization=org, specialty="Oncology").full_clean()
    assert "user" in wrong_kind.value.message_dict
    from accounts.tests.factories import ReviewerUserFactory

    with pytest.raises(ValidationError) as no_specialty:
        Reviewer(user=ReviewerUserFactory(), organization=org, specialty=" ").full_clean()
    assert "specialty" in no_specialty.value.message_dict


def test_supervisors_keep_organizations_and_reviewers_in_the_admin():
    supervisor, intake = StaffFactory(groups=[StaffGroup.SUPERVISOR]), StaffFactory(groups=[StaffGroup.INTAKE])
    boss = Client()
    sign_in_verified(boss, supervisor)
    org = OrganizationFactory(name="Admin Review")
    reviewer(org, full_name="Dr. Listed")
    for url in (
        "/admin/review/revieworganization/",
        "/admin/review/revieworganization/add/",
        f"/admin/review/revieworganization/{org.pk}/change/",
        "/admin/review/reviewer/",
        "/admin/review/assignment/",
    ):
        assert boss.get(url).status_code == 200, url
    assert "Dr. Listed" in boss.get("/admin/review/reviewer/").text
    clerk = Client()
    sign_in_verified(clerk, intake)
    assert clerk.get("/admin/review/revieworganization/").status_code == 403


def test_staff_send_the_file_from_the_admin_to_an_organization_once_and_never_to_a_closed_one():
    from complaints.models import Status
    from complaints.tests.admin.support import errors_next_to, move_url
    from complaints.tests.drive import case_at
    from review.models import Referral
    from review.services import ORGANIZATION_CLOSED

    staff = Client()
    sign_in_verified(staff, StaffFactory(groups=[StaffGroup.CLINICAL]))
    open_org, closing_org = OrganizationFactory(name="Open Review"), OrganizationFactory(name="Closing Review")
    case = case_at(Status.TRIAGED_IMR, denial_reason="EXPERIMENTAL")
    url = move_url(case, "send_to_imr")
    # The page was loaded while "Closing Review" took cases; it stopped before the post.
    closing_org.is_active = False
    closing_org.save()
    refused = staff.post(url, {"send_to_imr-organization": str(closing_org.pk)})
    assert refused.status_code == 400
    assert errors_next_to(refused, "send_to_imr-organization") == ORGANIZATION_CLOSED
    case.refresh_from_db()
    assert case.status == Status.TRIAGED_IMR
    assert not Referral.objects.exists()

    post = {"send_to_imr-organization": str(open_org.pk), "send_to_imr-specialty_needed": "Medical oncology"}
    assert staff.post(url, post).status_code == 302
    second = staff.post(url, post, follow=True)  # a second click: refused, nothing sent twice
    assert "“Send the file to the IMR organization” was not done" in second.content.decode()
    referral = Referral.objects.get()
    assert (referral.case_id, referral.organization, referral.specialty_needed) == (
        case.pk,
        open_org,
        "Medical oncology",
    )
    assert referral.reviewers_needed == 2  # an experimental treatment: two opinions
    case.refresh_from_db()
    assert case.status == Status.IN_IMR_REVIEW
    assert case.clocks.filter(name="IMRO_DETERMINATION", stopped_at__isnull=True).count() == 1
