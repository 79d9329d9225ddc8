from django.db import models


class Heartbeat(models.Model):
    """The last moment a background process (a worker, beat, a sweep) said it was alive.

    One row per service and host, so that several worker hosts each keep their own.
    """

    class Service(models.TextChoices):
        WORKER = "WORKER", "Celery worker"
        BEAT = "BEAT", "Celery beat"
        SWEEP = "SWEEP", "Clock sweep"
        PROBE = "PROBE", "Task probe"

    service = models.CharField(max_length=20, choices=Service.choices)
    host = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "host"], name="heartbeat_one_row_per_service_host")]
        ordering = ["service", "host"]

    def __str__(self) -> str:
        return f"{self.service} on {self.host} at {self.seen_at:%Y-%m-%d %H:%M:%S %Z}"


class Lease(models.Model):
    """A named lock that expires: at most one holder at a time, across every host.

    Used so that a second beat (or a sweep that outlives its minute) cannot double the work.
    """

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class BackupRun(models.Model):
    """One backup: started by the nightly schedule or by `manage.py backup`, and how it ended."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "SCHEDULE", "Nightly schedule"
        COMMAND = "COMMAND", "manage.py backup"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    host = models.CharField(max_length=255)
    archive_name = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    files = models.PositiveIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="RUNNING", finished_at__isnull=True)
                | (~models.Q(status="RUNNING") & models.Q(finished_at__isnull=False)),
                name="backuprun_finished_unless_running",
            )
        ]
        indexes = [models.Index(fields=["status", "-finished_at"], name="backuprun_status_finished")]

    def __str__(self) -> str:
        return (
            f"Backup {self.archive_name or self.pk} ({self.get_status_display()}) at {self.started_at:%Y-%m-%d %H:%M}"
        )


class BackupNotice(models.Model):
    """An e-mail to supervisors that a backup failed or is overdue. The key makes each one unique
    (one per failed run, one per overdue stretch); unsent ones are retried by the backup watch."""

    key = models.CharField(max_length=100, unique=True)
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.key})"
