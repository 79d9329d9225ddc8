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
