"""Supervisors create plan users for a plan, and staff, in the admin; the role rules are shown next
to their fields; nobody makes themselves a superuser."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import StaffGroup, User
from accounts.tests.factories import TEST_PASSWORD, HealthPlanFactory, PlanUserFactory, StaffFactory

from .conftest import signed_in
from .support import page_text

pytestmark = pytest.mark.django_db

ADD_USER = "/admin/accounts/user/add/"


def new_user(**changes) -> dict:
    data = {
        "email": "pat@plan.example.test",
        "full_name": "Pat Planner",
        "preferred_language": "en",
        "kind": User.Kind.PLAN,
        "usable_password": "true",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def test_a_plans_page_lists_its_users_and_adds_one_with_the_plan_chosen(supervisor):
    plan = HealthPlanFactory(name="Sharp Health Plan")
    PlanUserFactory(health_plan=plan, email="existing@sharp.example.test")
    client = signed_in(supervisor)
    page = client.get(f"/admin/accounts/healthplan/{plan.pk}/change/")
    assert "existing@sharp.example.test" in page_text(page)
    link = f"{ADD_USER}?kind=PLAN&amp;health_plan={plan.pk}"
    assert link in page.content.decode()
    form = client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert (form.initial["kind"], str(form.initial["health_plan"])) == ("PLAN", str(plan.pk))

    response = client.post(ADD_USER, new_user(health_plan=str(plan.pk)))
    assert response.status_code == 302
    created = User.objects.get(email="pat@plan.example.test")
    assert (created.kind, created.health_plan, created.is_staff) == ("PLAN", plan, False)
    assert created.check_password(TEST_PASSWORD)
    listing = page_text(client.get("/admin/accounts/healthplan/"))
    assert "Sharp Health Plan" in listing


def test_a_plan_user_without_a_plan_is_refused_next_to_the_field(supervisor):
    response = signed_in(supervisor).post(ADD_USER, new_user())
    assert response.status_code == 200
    assert form_errors(response)["health_plan"] == ["A plan user must belong to a health plan: choose it."]
    assert 'class="form-row errors field-health_plan"' in response.content.decode()
    assert not User.objects.filter(email="pat@plan.example.test").exists()


def test_only_plan_users_belong_to_a_plan_and_only_staff_hold_groups(supervisor):
    plan = HealthPlanFactory()
    intake = Group.objects.get(name=StaffGroup.INTAKE)
    client = signed_in(supervisor)
    enrollee_with_plan = client.post(ADD_USER, new_user(kind=User.Kind.ENROLLEE, health_plan=str(plan.pk)))
    assert "Only plan users belong to a health plan" in form_errors(enrollee_with_plan)["health_plan"][0]
    plan_user_in_group = client.post(ADD_USER, new_user(health_plan=str(plan.pk), groups=[str(intake.pk)]))
    assert form_errors(plan_user_in_group)["groups"] == ["Staff groups are for Help Center staff only."]
    assert not User.objects.filter(email="pat@plan.example.test").exists()


def test_a_new_staff_member_gets_their_group_and_the_admin(supervisor):
    intake = Group.objects.get(name=StaffGroup.INTAKE)
    client = signed_in(supervisor)
    response = client.post(
        ADD_USER, new_user(email="ivan@dmhc.example.test", kind=User.Kind.STAFF, groups=[str(intake.pk)])
    )
    assert response.status_code == 302
    staff = User.objects.get(email="ivan@dmhc.example.test")
    assert staff.is_staff
    assert list(staff.groups.values_list("name", flat=True)) == [StaffGroup.INTAKE]
    assert signed_in(staff).get("/admin/complaints/case/").status_code == 200


def test_an_account_can_be_made_without_a_password(supervisor):
    plan = HealthPlanFactory()
    response = signed_in(supervisor).post(
        ADD_USER, new_user(health_plan=str(plan.pk), usable_password="false", password1="", password2="")
    )
    assert response.status_code == 302
    assert not User.objects.get(email="pat@plan.example.test").has_usable_password()


def test_a_plan_user_cannot_be_given_the_admin(supervisor):
    plan_user = PlanUserFactory()
    client = signed_in(supervisor)
    page = client.get(f"/admin/accounts/user/{plan_user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "health_plan": str(plan_user.health_plan_id),
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(f"/admin/accounts/user/{plan_user.pk}/change/", data)
    assert response.status_code == 200
    assert form_errors(response)["is_staff"] == ["Only Help Center staff may sign in to the staff admin."]
    plan_user.refresh_from_db()
    assert not plan_user.is_staff


def test_a_supervisor_cannot_make_or_take_over_a_superuser(supervisor):
    root = StaffFactory(groups=[], is_superuser=True)
    colleague = StaffFactory(groups=[StaffGroup.INTAKE])
    client = signed_in(supervisor)
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 403
    page = client.get(f"/admin/accounts/user/{colleague.pk}/change/")
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert 'name="is_superuser"' not in page.content.decode()
    assert client.post(f"/admin/accounts/user/{supervisor.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=supervisor.pk).exists()


def test_intake_sees_plans_but_not_people(intake):
    plan = HealthPlanFactory(name="Valley Health Plan")
    client = signed_in(intake)
    listing = client.get("/admin/accounts/healthplan/")
    assert "Valley Health Plan" in page_text(listing)
    assert "Add a plan user" not in page_text(listing)
    page = client.get(f"/admin/accounts/healthplan/{plan.pk}/change/")
    assert "Add a plan user for this plan" not in page_text(page)
    assert client.get(ADD_USER).status_code == 403
