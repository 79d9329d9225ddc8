import factory
from django.contrib.auth.models import Group

from accounts.models import HealthPlan, StaffGroup, User

TEST_PASSWORD = "a-long-test-password-2026"


class HealthPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthPlan
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Test Health Plan {n}")
    notice_email = factory.Sequence(lambda n: f"notices{n}@plan.example.test")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    kind = User.Kind.ENROLLEE
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EnrolleeFactory(UserFactory):
    kind = User.Kind.ENROLLEE


class PlanUserFactory(UserFactory):
    kind = User.Kind.PLAN
    health_plan = factory.SubFactory(HealthPlanFactory)


class StaffFactory(UserFactory):
    kind = User.Kind.STAFF
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            names = extracted if extracted is not None else [StaffGroup.INTAKE]
            # get_or_create: a transactional test's flush empties the groups the migration made.
            obj.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in names))


class ReviewerUserFactory(UserFactory):
    """An independent review organization's account (its reviewer row is in review.tests.factories)."""

    kind = User.Kind.REVIEWER
