"""The case list as the staff work queue: what is due first, filters for every clock, and pages
that never count the whole table.

Reads only. The next clock of a case is its running clock (not met, not stopped) due first,
stored on the case by the clock services (``Case.next_due_at``, indexed for open cases); the
filing window and the plan grievance are left out: they ran before the Help Center had the case
and are shown on the case page as history.

Times of day ("due today", "this week") are counted in California time (America/Los_Angeles),
whatever the server's time zone.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import StaffGroup, User
from complaints.clocks import HISTORICAL_CLOCKS, LOCAL_TZ, ClockName
from complaints.models import TERMINAL_STATUSES, Case, Clock, Patient, Status

QUEUE_CLOCKS = [name for name in ClockName if name not in HISTORICAL_CLOCKS]


def running_clocks() -> QuerySet[Clock]:
    """Clocks that still run and that the Help Center or the plan must meet."""
    return Clock.objects.filter(met_at__isnull=True, stopped_at__isnull=True).exclude(name__in=HISTORICAL_CLOCKS)


class DueFirst(F):
    """Order by the next due time, cases without a running clock last, in either direction."""

    def asc(self, **kwargs):
        return super().asc(nulls_last=True)

    def desc(self, **kwargs):
        return super().desc(nulls_last=True)


QUEUE_ORDERING = [DueFirst("next_due_at").asc(), "received_at"]


# ------------------------------------------------------------------------------------------------
# Time windows, in California time
# ------------------------------------------------------------------------------------------------
def end_of_local_day(moment: datetime, days_later: int = 0) -> datetime:
    day = moment.astimezone(LOCAL_TZ).date() + timedelta(days=days_later)
    return datetime.combine(day, time.max, tzinfo=LOCAL_TZ)


def end_of_local_week(moment: datetime) -> datetime:
    """The end of Sunday of the current week (weeks run Monday to Sunday)."""
    return end_of_local_day(moment, days_later=6 - moment.astimezone(LOCAL_TZ).weekday())


def due_window(which: str, now: datetime) -> Q:
    """Running clocks that are overdue, due later today, or due later this week."""
    if which == DueFilter.OVERDUE:
        return Q(due_at__lt=now)
    if which == DueFilter.TODAY:
        return Q(due_at__gte=now, due_at__lte=end_of_local_day(now))
    if which == DueFilter.WEEK:
        return Q(due_at__gte=now, due_at__lte=end_of_local_week(now))
    raise ValueError(which)


# ------------------------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------------------------
class QueueStatusFilter(admin.SimpleListFilter):
    """Open cases unless asked otherwise: the queue is the work still to do."""

    title = "status"
    parameter_name = "status"
    OPEN = "OPEN"
    ALL = "ALL"

    def lookups(self, request, model_admin):
        return [
            (self.OPEN, "Open cases (the queue)"),
            *[(status.value, status.label) for status in Status],
            (self.ALL, "All cases"),
        ]

    def chosen(self) -> str:
        return self.value() or self.OPEN

    def queryset(self, request, queryset):
        chosen = self.chosen()
        if chosen == self.ALL:
            return queryset
        if chosen == self.OPEN:
            return queryset.exclude(status__in=TERMINAL_STATUSES)
        if chosen in Status.values:
            return queryset.filter(status=chosen)
        return queryset.none()

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.chosen() == value,
                "query_string": changelist.get_query_string(
                    {} if value == self.OPEN else {self.parameter_name: value}, remove=[self.parameter_name]
                ),
                "display": label,
            }


class AssigneeFilter(admin.SimpleListFilter):
    title = "assigned person"
    parameter_name = "assignee"
    ME = "ME"
    NOBODY = "NOBODY"

    def lookups(self, request, model_admin):
        reviewers = (
            User.objects.filter(
                kind=User.Kind.STAFF,
                is_staff=True,
                is_active=True,
                groups__name__in=[StaffGroup.CLINICAL, StaffGroup.LEGAL],
            )
            .distinct()
            .order_by("full_name", "email")
        )
        return [
            (self.ME, "Me"),
            (self.NOBODY, "Nobody"),
            *[(str(user.pk), user.full_name or user.email) for user in reviewers],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.ME:
            return queryset.filter(assigned_to=request.user)
        if value == self.NOBODY:
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value) if value.isdigit() else queryset.none()


class ClockNameFilter(admin.SimpleListFilter):
    """Cases with this clock running. Combined with "due", the due window applies to this clock."""

    title = "running clock"
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [(name.value, name.label) for name in QUEUE_CLOCKS]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in ClockName.values:
            return queryset.none()
        return queryset.filter(Exists(running_clocks().filter(case=OuterRef("pk"), name=value)))


class DueFilter(admin.SimpleListFilter):
    title = "clock due"
    parameter_name = "due"
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"

    def lookups(self, request, model_admin):
        return [
            (self.OVERDUE, "Overdue"),
            (self.TODAY, "Due today"),
            (self.WEEK, "Due this week (by Sunday)"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in (self.OVERDUE, self.TODAY, self.WEEK):
            return queryset.none()
        now = timezone.now()
        clock_name = request.GET.get(ClockNameFilter.parameter_name)
        if value == self.OVERDUE and not clock_name:
            # A case has an overdue clock exactly when its earliest running clock, stored on the
            # case as next_due_at, has passed: read through the queue's index, not the clocks.
            return queryset.filter(next_due_at__lt=now)
        clocks = running_clocks().filter(due_window(value, now), case=OuterRef("pk"))
        if clock_name:
            clocks = clocks.filter(name=clock_name)
        return queryset.filter(Exists(clocks))


# ------------------------------------------------------------------------------------------------
# Search
# ------------------------------------------------------------------------------------------------
def search_q(term: str) -> Q:
    """Cases one search word finds: a case number exactly; an e-mail address exactly; otherwise a
    member ID exactly or the start of the patient's first or last name (any case).

    The patient's fields are searched in a subquery, so the case table is never joined to every
    patient just to test a name. The member ID and the two names are one ``IN (... UNION ...)``,
    one part per index (``case_member_id_upper``, ``patient_last_name_upper``,
    ``patient_first_name_upper``): PostgreSQL cannot combine an index on the cases with a
    subquery in an OR, and would test every case; and a name OR the other name reads the
    patients' rows, where each name alone is answered from its index (a common surname is
    thousands of patients)."""
    if term.upper().startswith("HC-"):
        return Q(number=term.upper())
    if "@" in term:
        return Q(pk__in=Patient.objects.filter(email__iexact=term).values("case_id"))
    patients = Patient.objects.order_by()  # no ORDER BY inside a UNION (Patient's Meta has one)
    matches = (
        Case.objects.filter(member_id__iexact=term)
        .order_by()
        .values("pk")
        .union(
            patients.filter(last_name__istartswith=term).values("case_id"),
            patients.filter(first_name__istartswith=term).values("case_id"),
        )
    )
    return Q(pk__in=matches)


# ------------------------------------------------------------------------------------------------
# Pages without counting the table
# ------------------------------------------------------------------------------------------------
class QueuePaginator(Paginator):
    """Counts rows only as far as a few pages past the page asked for.

    A page of the queue then costs the same whatever the size of the table: ``count`` is exact
    when the list ends within reach, and otherwise stops at the limit with ``more`` set, so the
    page says "more than N" rather than a wrong total.
    """

    PAGES_AHEAD = 4

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_number=1, rows=None):
        """``rows``: where to read the page's rows by key, when the list itself is filtered or
        searched (the admin's queryset before its filters): the keys already say which cases."""
        super().__init__(object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)
        self.count_limit = (max(page_number, 1) + self.PAGES_AHEAD) * per_page
        self.rows = object_list if rows is None else rows
        self._pages = {}

    @cached_property
    def _rows_seen(self) -> int:
        # Without ordering and with only the key selected, the count reads at most limit + 1 rows.
        return self.object_list.order_by().values("pk")[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._rows_seen, self.count_limit)

    @property
    def more(self) -> bool:
        return self._rows_seen > self.count_limit

    def page(self, number):
        """The page's rows in two steps: first the keys of the page, ordered by the next due time
        (cases alone, no joins), then those rows with their plan, patient and clock. Joining the
        related rows only for the page keeps a long queue from joining every case's patient; and
        reading them from ``rows`` keeps a search from running a third time for 50 keys."""
        number = self.validate_number(number)
        if number in self._pages:
            return self._pages[number]
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {case.pk: case for case in self.rows.order_by().filter(pk__in=keys)}
        self._pages[number] = self._get_page([rows[key] for key in keys if key in rows], number, self)
        return self._pages[number]


def page_number(request) -> int:
    try:
        return max(int(request.GET.get("p", 1)), 1)
    except ValueError:
        return 1


class QueueChangeList(ChangeList):
    """The admin's list, always reading its rows through ``QueuePaginator.page`` (also when the
    queue fits on one page), so a page costs the same queries whatever the length of the list."""

    def get_results(self, request):
        super().get_results(request)
        if self.show_all and self.can_show_all:
            return
        try:
            self.result_list = self.paginator.page(self.page_num).object_list
        except InvalidPage as error:
            raise IncorrectLookupParameters from error
