"""``row_clean`` keeps ``full_clean``'s rules: the check constraints it evaluates in Python agree
with Django's query for every model of the project, and what it does not re-read is still refused."""

import datetime as dt
import os

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import CheckConstraint, F, Q
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from complaints.clocks import ClockName
from complaints.models import Case, CaseEvent, Clock
from complaints.row_checks import check_evaluable, check_holds, row_clean
from complaints.services.case_clocks import clock_start
from complaints.tests.factories import file_case

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "audit", "complaints", "filing", "imr", "letters", "ops", "planportal", "twofactor"}
CHECKS = [
    (model, constraint)
    for model in apps.get_models()
    if model._meta.app_label in PROJECT_APPS
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]
EVALUABLE = [(model, constraint) for model, constraint in CHECKS if check_evaluable(model, constraint)]
EXAMPLES = min(100, int(os.environ.get("FUZZ_EXAMPLES", "100")))
MOMENTS = [dt.datetime(2026, 3, 8, 9, 30, tzinfo=dt.UTC) + dt.timedelta(hours=hours) for hours in (-1, 0, 1)]
DAYS = [dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 3, 9)]


def _literals(node) -> list:
    if isinstance(node, Q):
        return [value for child in node.children for value in _literals(child)]
    _, value = node
    if isinstance(value, F):
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _values(field: models.Field, literals: list) -> st.SearchStrategy:
    if isinstance(field, models.BooleanField):
        base = st.booleans()
    elif isinstance(field, models.DateTimeField):
        base = st.sampled_from(MOMENTS)
    elif isinstance(field, models.DateField):
        base = st.sampled_from(DAYS)
    elif isinstance(field, models.ForeignKey):
        base = st.sampled_from([1, 2])
    elif isinstance(field, models.IntegerField):
        base = st.sampled_from([-1, 0, 1, 2])
    else:
        choices = [value for value, _ in field.choices or []]
        base = st.sampled_from(sorted({"", "x", *choices, *(value for value in literals if isinstance(value, str))}))
    return st.one_of(st.none(), base) if field.null else base


@st.composite
def rows(draw, model, constraint):
    literals = _literals(constraint.condition)
    values = {
        field.attname: draw(_values(field, literals))
        for field in model._meta.local_concrete_fields
        if not field.primary_key
    }
    return model(**values)


def test_the_filing_rows_checks_are_all_evaluated_in_python():
    # The point of row_clean: none of these costs a query any more.
    names = {constraint.name for _, constraint in EVALUABLE}
    for model in (Case, Clock, apps.get_model("complaints", "Document"), apps.get_model("filing", "FilingDraft")):
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                assert constraint.name in names, constraint.name


@pytest.mark.parametrize(("model", "constraint"), EVALUABLE, ids=[c.name for _, c in EVALUABLE])
def test_python_agrees_with_djangos_query_for_every_check_constraint(model, constraint):
    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(row=rows(model, constraint))
    def agrees(row):
        try:
            constraint.validate(model, row)
            by_query = True
        except ValidationError:
            by_query = False
        assert check_holds(model, constraint, row) == by_query

    agrees()


def test_row_clean_reports_what_full_clean_reports():
    case = Case(number="HC-2026-999999", channel="ONLINE", received_at=MOMENTS[0], signed_name="", category="")
    with pytest.raises(ValidationError) as by_django:
        case.full_clean()
    with pytest.raises(ValidationError) as by_row_clean:
        row_clean(case)
    assert by_row_clean.value.message_dict == by_django.value.message_dict
    assert "__all__" in by_row_clean.value.message_dict  # the check constraints are among them


def test_a_foreign_key_not_held_as_a_saved_row_is_still_looked_up():
    case = file_case()
    missing = CaseEvent(case_id=case.id + 1000, kind="FILED", summary="x", occurred_at=MOMENTS[0], actor_role="SYSTEM")
    with pytest.raises(ValidationError) as error:
        row_clean(missing, saved=["case", "actor"])
    assert "case" in error.value.message_dict
    held = CaseEvent(case=case, kind="FILED", summary="x", occurred_at=MOMENTS[0], actor_role="SYSTEM")
    row_clean(held, saved=["case", "actor"])


def test_the_database_still_refuses_what_row_clean_leaves_to_it():
    # row_clean(validate_unique=False) relies on these: the case number and one clock per name.
    case = file_case()
    other = file_case()
    assert other.number != case.number
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=other.pk).update(number=case.number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Clock.objects.create(
            case=case, name=ClockName.ACKNOWLEDGEMENT, started_at=MOMENTS[0], due_at=MOMENTS[2], urgent=False
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Clock.objects.bulk_create(
            [
                Clock(
                    case=case, name=ClockName.COMPLAINT_DECISION, started_at=MOMENTS[2], due_at=MOMENTS[0], urgent=False
                )
            ]
        )


def test_starting_a_running_clock_again_changes_nothing():
    case = file_case()
    before = list(case.clocks.order_by("id").values_list("id", "due_at"))
    events = case.events.count()
    clock = clock_start(case=case, name=ClockName.ACKNOWLEDGEMENT, now=MOMENTS[2])
    assert clock.id == before[0][0]
    assert list(case.clocks.order_by("id").values_list("id", "due_at")) == before
    assert case.events.count() == events


def test_the_database_enforces_the_foreign_keys_row_clean_trusts():
    case = file_case()
    with transaction.atomic():
        CaseEvent.objects.bulk_create(
            [CaseEvent(case_id=case.id + 1000, kind="FILED", summary="x", occurred_at=MOMENTS[0], actor_role="SYSTEM")]
        )
        with pytest.raises(IntegrityError):
            connection.check_constraints()  # PostgreSQL checks foreign keys at commit
        transaction.set_rollback(True)
