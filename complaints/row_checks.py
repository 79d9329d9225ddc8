"""``row_clean``: ``Model.full_clean()`` with the same rules and the same errors, in fewer queries.

Django checks each ``CheckConstraint`` of a row with its own query (three, in a transaction: a
savepoint, the check, its release), and each foreign key with another. Filing a case cleans a
dozen rows, so that was most of its queries. Here:

- A check constraint whose condition uses only the row's own fields with ``exact``, ``in``,
  ``isnull`` and the comparisons ``gt``/``gte``/``lt``/``lte`` (of numbers, dates and times),
  combined with ``&``, ``|`` and ``~``, is evaluated in Python, with SQL's rule for unknowns (a
  comparison with NULL is unknown, and an unknown condition passes, as Django's own check
  passes it). Any other condition is checked by Django's query, as before. The database's
  constraint is unchanged and still has the last word.
- A foreign key named in ``saved`` is not looked up again when the row holds the related object
  itself, saved (it has a primary key): the caller read or wrote it in the same transaction. The
  database's foreign key still refuses a missing row (at commit, rolling back everything).
- ``validate_unique=False`` skips the unique checks, for a caller that has just made the value
  unique itself (the case number from its locked sequence, a clock after reading the case's
  clocks); the database's unique constraints still refuse a duplicate.

``complaints/tests/test_row_checks.py`` holds the Python evaluation to Django's query for every
check constraint of the project's models.
"""

import datetime
import decimal
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

_COMPARABLE = (int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)
_COMPARE = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


class _Unsupported(Exception):
    """The condition uses something evaluated only by the database's query."""


def row_clean(
    instance: models.Model,
    *,
    exclude: Iterable[str] | None = None,
    saved: Iterable[str] = (),
    validate_unique: bool = True,
) -> None:
    """Validate ``instance`` as ``full_clean(exclude=exclude, validate_unique=validate_unique)``
    does, raising the same ValidationError; see the module docstring for what is not re-read."""
    exclude = set(exclude or ())
    not_looked_up = {name for name in saved if name not in exclude and _holds_saved(instance, name)}
    errors: dict = {}
    try:
        instance.clean_fields(exclude=exclude | not_looked_up)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    if validate_unique:
        try:
            instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        _validate_constraints(instance, exclude=exclude, validate_unique=validate_unique)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _holds_saved(instance: models.Model, name: str) -> bool:
    field = instance._meta.get_field(name)
    if not field.many_to_one and not field.one_to_one:
        raise ValueError(f"{name} is not a foreign key of {type(instance).__name__}")
    if not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return related is not None and related.pk is not None and related.pk == getattr(instance, field.attname)


def _validate_constraints(instance: models.Model, *, exclude: set[str], validate_unique: bool) -> None:
    """Model.validate_constraints, with check constraints evaluated here where they can be."""
    errors: dict = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, UniqueConstraint) and not validate_unique:
                continue
            try:
                if isinstance(constraint, CheckConstraint) and check_evaluable(model_class, constraint):
                    _check_in_python(model_class, constraint, instance, exclude)
                else:
                    constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def check_evaluable(model_class: type[models.Model], constraint: CheckConstraint) -> bool:
    """Whether ``constraint`` is evaluated in Python (else by Django's query)."""
    try:
        _fields_of(model_class, constraint.condition)
    except _Unsupported:
        return False
    return True


def check_holds(model_class: type[models.Model], constraint: CheckConstraint, instance: models.Model) -> bool:
    """True unless the row's values make the condition false (unknown passes, as in Django)."""
    return _truth(model_class, constraint.condition, instance) is not False


def _check_in_python(model_class, constraint: CheckConstraint, instance, exclude: set[str]) -> None:
    # Django skips a check that names an excluded field (its query raises FieldError).
    if _fields_of(model_class, constraint.condition) & exclude:
        return
    try:
        holds = check_holds(model_class, constraint, instance)
    except _Unsupported:  # values this module does not compare (e.g. a naive time): ask the database
        constraint.validate(model_class, instance, exclude=exclude)
        return
    if not holds:
        raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


def _field(model_class, name: str) -> models.Field:
    try:
        field = model_class._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None
    if not getattr(field, "concrete", False) or field.many_to_many or getattr(field, "generated", False):
        raise _Unsupported
    return field


def _split(model_class, key: str) -> tuple[models.Field, str]:
    name, _, lookup = key.partition("__")
    lookup = lookup or "exact"
    if lookup not in {"exact", "in", "isnull", *_COMPARE}:
        raise _Unsupported
    return _field(model_class, name), lookup


def _fields_of(model_class, node) -> set[str]:
    """The field names the condition reads; raises _Unsupported for anything not evaluated here."""
    if isinstance(node, Q):
        if node.connector not in (Q.AND, Q.OR):
            raise _Unsupported
        names: set[str] = set()
        for child in node.children:
            names |= _fields_of(model_class, child)
        return names
    if not isinstance(node, tuple) or len(node) != 2:
        raise _Unsupported
    key, value = node
    field, lookup = _split(model_class, key)
    names = {field.name}
    if isinstance(value, F):
        if lookup not in _COMPARE and lookup != "exact":
            raise _Unsupported
        names.add(_field(model_class, value.name).name)
    elif (
        hasattr(value, "resolve_expression")
        or (lookup == "in" and not isinstance(value, list | tuple | set | frozenset))
        or (lookup == "isnull" and not isinstance(value, bool))
    ):
        raise _Unsupported
    return names


def _value(model_class, instance, name: str):
    return getattr(instance, _field(model_class, name).attname)


def _truth(model_class, node, instance) -> bool | None:
    """SQL's three-valued truth of the condition for this row: True, False or None (unknown)."""
    if isinstance(node, Q):
        values = [_truth(model_class, child, instance) for child in node.children]
        if node.connector == Q.AND:
            result = False if False in values else (None if None in values else True)
        else:
            result = True if True in values else (None if None in values else False)
        if node.negated:
            result = None if result is None else not result
        return result
    key, expected = node
    field, lookup = _split(model_class, key)
    actual = getattr(instance, field.attname)
    if lookup == "isnull":
        return (actual is None) == expected
    if lookup == "exact" and expected is None:  # Django turns field=None into IS NULL
        return actual is None
    if isinstance(expected, F):
        expected = _value(model_class, instance, expected.name)
    if actual is None or expected is None:
        return None
    if lookup == "in":
        present = [item for item in expected if item is not None]  # Django leaves NULL out of IN
        if not present:
            raise _Unsupported
        return actual in present
    if lookup == "exact":
        return actual == expected
    if not isinstance(actual, _COMPARABLE) or not isinstance(expected, _COMPARABLE):
        raise _Unsupported
    try:
        return _COMPARE[lookup](actual, expected)
    except TypeError:  # e.g. a naive and an aware time
        raise _Unsupported from None
