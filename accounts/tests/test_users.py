import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import HealthPlan, StaffGroup, User
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory, PlanUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_people_sign_in_with_their_email_address():
    EnrolleeFactory(email="ana@example.test")
    assert authenticate(email="ana@example.test", password=TEST_PASSWORD) is not None
    assert authenticate(email="ana@example.test", password="wrong password") is None


def test_an_email_address_belongs_to_one_account_whatever_its_case():
    EnrolleeFactory(email="ana@example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANA@example.test", full_name="Another Ana")


def test_a_plan_user_must_belong_to_a_plan():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="p@example.test", full_name="P", kind=User.Kind.PLAN)


def test_an_enrollee_cannot_belong_to_a_plan():
    plan = HealthPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="e@example.test", full_name="E", kind=User.Kind.ENROLLEE, health_plan=plan)


def test_only_help_center_staff_can_be_admin_users():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="e@example.test", full_name="E", kind=User.Kind.ENROLLEE, is_staff=True)


def test_create_user_requires_an_email_and_checks_fields():
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", "x")
    with pytest.raises(ValidationError):
        User.objects.create_user("not-an-email", TEST_PASSWORD, full_name="X")


def test_roles_are_told_apart():
    assert EnrolleeFactory().is_enrollee
    plan_user = PlanUserFactory()
    assert plan_user.is_plan_user
    assert plan_user.health_plan is not None
    assert StaffFactory().is_help_center_staff


def test_the_four_staff_groups_exist_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"intake", "clinical", "legal", "supervisor"} <= names
    supervisor = Group.objects.get(name=StaffGroup.SUPERVISOR)
    assert supervisor.permissions.filter(codename="change_healthplan").exists()
    assert not Group.objects.get(name=StaffGroup.INTAKE).permissions.filter(codename="change_user").exists()


def test_a_plan_not_regulated_by_dmhc_must_name_its_regulator():
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthPlan.objects.create(name="Unregulated", regulated_by_dmhc=False)
    plan = HealthPlan.objects.create(
        name="Employer plan", regulated_by_dmhc=False, regulator_name="U.S. Department of Labor"
    )
    assert str(plan) == "Employer plan"
