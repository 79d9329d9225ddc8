"""The legal clocks of a case and their extensions (the rules that time them are in
``complaints.clocks``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.clocks import ClockName
from complaints.models.case import Case


class Clock(models.Model):
    """One legal clock of one case. The database is the source of truth; workers only act on it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    name = models.CharField(max_length=30, choices=ClockName.choices)
    urgent = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the case ended before the clock was met: it no longer runs."
    )
    extension_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="clock_one_per_case_and_name"),
            models.CheckConstraint(condition=Q(due_at__gt=models.F("started_at")), name="clock_due_after_start"),
            models.CheckConstraint(
                condition=Q(met_at__isnull=True) | Q(stopped_at__isnull=True), name="clock_met_or_stopped_not_both"
            ),
        ]
        indexes = [
            # The sweep reads only running clocks, by due time.
            models.Index(
                fields=["due_at"],
                name="clock_running_due",
                condition=Q(met_at__isnull=True, stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} for {self.case.number}, due {self.due_at:%Y-%m-%d %H:%M %Z}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.stopped_at is None

    @property
    def met_on_time(self) -> bool | None:
        return None if self.met_at is None else self.met_at <= self.due_at


class ClockExtension(models.Model):
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    extended_at = models.DateTimeField()
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["extended_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=models.F("previous_due_at")), name="extension_moves_due_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.clock} extended to {self.new_due_at:%Y-%m-%d %H:%M}"
