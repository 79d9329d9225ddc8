"""A plan user in a real browser: sets up the authenticator app on first sign-in (the code computed
here from the key the page shows), answers a case with uploads after one refused file, and sees
the case leave the queue; then confirms an overturned decision was carried out. axe-core checks
every page on the way."""

import re
from base64 import b32decode

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD, HealthPlanFactory, PlanUserFactory
from complaints.clocks import ClockName
from complaints.models import Document, PlanResponse, Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from complaints.tests.samples import PDF, PNG, WINDOWS_PROGRAM
from helpcenter.browser import assert_accessible
from twofactor.testing import totp_code, totp_device_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLDER = "plan-portal"


def code_from_key(key_text: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key printed on the setup page."""
    key = b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = timezone.now().timestamp() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def plan_files(tmp_path):
    paths = {}
    for name, data in {
        "response.pdf": PDF,
        "records.png": PNG,
        "records.exe.pdf": WINDOWS_PROGRAM,
        "authorization.pdf": PDF,
    }.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def sign_in_with_password(page, email: str) -> None:
    page.goto("/plan/")
    assert page.url.endswith("/plan/login/?next=/plan/")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_a_plan_user_sets_up_the_app_answers_a_case_and_it_leaves_the_queue(page, plan_files):
    plan = HealthPlanFactory(name="Golden Poppy Health Plan")
    user = PlanUserFactory(health_plan=plan, email="appeals@goldenpoppy.example.test", full_name="Lee Appeals")
    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.RESPONSE_REQUESTED])

    sign_in_with_password(page, user.email)
    page.wait_for_url(re.compile(r"/plan/login/setup/"))
    assert page.locator("svg[role=img] title").text_content().startswith("QR code")
    assert_accessible(page, "setup", folder=FOLDER)
    key = page.locator("#setup-key").inner_text()
    page.get_by_label("Code", exact=True).fill(code_from_key(key))
    page.get_by_role("button", name="Finish setup").click()

    page.wait_for_url(re.compile(r"/plan/login/recovery-codes/"))
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page, "recovery-codes", folder=FOLDER)
    page.get_by_role("link", name="I have saved my codes: continue").click()

    page.wait_for_url(re.compile(r"/plan/$"))
    queue = page.locator("table.plan-queue")
    assert case.number in queue.inner_text()
    assert "Send the written response and records" in queue.inner_text()
    assert_accessible(page, "queue", folder=FOLDER)

    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_url(re.compile(rf"/plan/cases/{case.number}/(#[a-z-]*)?$"))
    assert "Knee replacement surgery" in page.content()
    assert_accessible(page, "case", folder=FOLDER)

    # One refused file: the error sits by the field, and the page names both files to choose again.
    statement = "The criteria for the surgery were not met."
    page.get_by_label("The plan's written response", exact=True).fill(statement)
    page.get_by_label("Records and documents", exact=True).set_input_files(
        [plan_files["response.pdf"], plan_files["records.exe.pdf"]]
    )
    page.get_by_role("button", name="Send the response").click()
    error = page.locator("#id_files_error")
    assert "records.exe.pdf" in error.inner_text()
    rechoose = page.locator("#files-rechoose").inner_text()
    assert "response.pdf" in rechoose
    assert "records.exe.pdf" in rechoose
    assert (
        page.get_by_label("The plan's written response", exact=True).input_value()
        == "The criteria for the surgery were not met."
    )
    assert PlanResponse.objects.count() == 0
    assert_accessible(page, "case-with-errors", folder=FOLDER)

    page.get_by_label("Records and documents", exact=True).set_input_files(
        [plan_files["response.pdf"], plan_files["records.png"]]
    )
    page.get_by_role("button", name="Send the response").click()
    page.wait_for_url(re.compile(rf"/plan/cases/{case.number}/(#[a-z-]*)?$"))
    assert "with 2 documents" in page.locator(".plan-messages, .notices").first.inner_text()
    assert "(on time)" in page.content()
    assert page.get_by_role("button", name="Send the response").count() == 0

    page.get_by_role("link", name="Back to your cases").click()
    assert "Nothing is waiting for your plan right now." in page.content()
    assert page.locator("table.plan-queue").count() == 0

    case.refresh_from_db()
    assert case.status == Status.RESPONSE_RECEIVED
    assert case.clocks.get(name=ClockName.PLAN_RESPONSE).met_on_time
    assert sorted(
        Document.objects.filter(case=case, source=Document.Source.PLAN).values_list("original_name", flat=True)
    ) == ["records.png", "response.pdf"]
    assert case.events.filter(move="receive_plan_response", actor=user).exists()


def test_a_plan_user_signs_in_with_a_code_and_confirms_a_decision_was_carried_out(page, plan_files):
    plan = HealthPlanFactory(name="Redwood Coast Health")
    user = PlanUserFactory(health_plan=plan, email="imr@redwood.example.test", full_name="Sam Imr")
    device = totp_device_for(user)
    case = drive(file_case(health_plan_id=plan.id), PATHS[Status.DECISION_ISSUED])
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()

    sign_in_with_password(page, user.email)
    page.wait_for_url(re.compile(r"/plan/login/code/"))
    assert_accessible(page, "code", folder=FOLDER)
    page.get_by_label("Code", exact=True).fill(totp_code(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/plan/$"))
    assert "Carry out the decision and confirm it" in page.locator("table.plan-queue").inner_text()

    page.get_by_role("link", name=case.number).first.click()
    today = timezone.localdate()
    page.get_by_label("Date the plan carried out the decision", exact=True).fill(today.isoformat())
    page.get_by_label("Proof", exact=True).set_input_files(plan_files["authorization.pdf"])
    page.get_by_role("button", name="Confirm it was carried out").click()
    page.wait_for_url(re.compile(rf"/plan/cases/{case.number}/(#[a-z-]*)?$"))
    assert "recorded as carried out" in page.content()
    assert_accessible(page, "carried-out", folder=FOLDER)

    case.refresh_from_db()
    assert case.status == Status.CARRIED_OUT
    assert case.carried_out_date == today
    assert case.clocks.get(name=ClockName.IMR_IMPLEMENTATION).met_at is not None
    assert case.documents.filter(kind=Document.Kind.PROOF_OF_IMPLEMENTATION).count() == 1

    page.get_by_role("button", name="Sign out").first.click()
    page.goto("/plan/")
    assert "/plan/login/" in page.url
