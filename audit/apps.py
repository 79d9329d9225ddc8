from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        # Sign-ins, failures, lockouts and sign-outs are recorded from the signals Django and
        # django-axes send, whichever page the person used.
        from audit import sessions, signins  # noqa: F401
