from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import HealthPlan, User
from complaints.models import Case, Status
from helpcenter.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_REVIEW_ORGANIZATION
from imr.models import PublishedDecision

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_prints_every_login():
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = (User.objects.count(), HealthPlan.objects.count(), Case.objects.count())
    call_command("seed_demo", "--port", "8123", stdout=second)
    assert (User.objects.count(), HealthPlan.objects.count(), Case.objects.count()) == counts
    assert "Demo data loaded." in first.getvalue()
    assert "already loaded" in second.getvalue()
    assert "http://127.0.0.1:8123/admin/" in second.getvalue()
    for login in DEMO_LOGINS:
        assert login.email in second.getvalue()
        assert User.objects.get(email=login.email).check_password(DEMO_PASSWORD)


def test_the_demo_has_cases_at_several_stages_and_two_plans_with_users():
    call_command("seed_demo", stdout=StringIO())
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.FILED, Status.RESPONSE_REQUESTED, Status.IN_COMPLAINT_REVIEW, Status.DECISION_ISSUED} <= statuses
    assert Status.REFERRED in statuses
    plans_with_users = HealthPlan.objects.filter(users__kind=User.Kind.PLAN).distinct().count()
    assert plans_with_users == 2
    assert HealthPlan.objects.filter(regulated_by_dmhc=False).exists()
    assert PublishedDecision.objects.count() == 19228
    # A case waits at the demo review organization for its coordinator to assign it.
    waiting = Case.objects.get(status=Status.IN_IMR_REVIEW)
    assert waiting.imr_referral.organization.name == DEMO_REVIEW_ORGANIZATION
    assert not waiting.imr_referral.assignments.exists()


def test_the_demo_coordinator_and_reviewer_sign_in_to_the_review_portal(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_codes", stdout=out)
    codes = {parts[-1]: parts[0] for parts in (line.split() for line in out.getvalue().splitlines()[1:])}
    for login in DEMO_LOGINS[7:]:
        client.logout()
        password_step = client.post("/review/login/", {"email": login.email, "password": DEMO_PASSWORD})
        assert password_step["Location"].startswith("/review/login/code/"), login.email
        assert client.post(password_step["Location"], {"code": codes[login.email]}).status_code == 302
        queue = client.get("/review/")
        assert queue.status_code == 200, login.email
    assert "Assign a reviewer to" not in queue.content.decode()  # the last one is a reviewer


def test_demo_staff_and_plan_users_sign_in_with_the_printed_code(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_codes", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()[1:]]
    codes = {parts[-1]: parts[0] for parts in lines}
    assert set(codes) == {login.email for login in DEMO_LOGINS if "maria" not in login.email}
    supervisor = DEMO_LOGINS[0].email
    password_step = client.post("/admin/login/", {"email": supervisor, "password": DEMO_PASSWORD})
    assert password_step["Location"].startswith("/admin/login/code/")
    code_step = client.post(password_step["Location"], {"code": codes[supervisor]})
    assert code_step.status_code == 302
    assert client.get("/admin/complaints/case/").status_code == 200


def test_demo_codes_refuse_outside_the_demo(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local demo only"):
        call_command("demo_codes", stdout=StringIO())
