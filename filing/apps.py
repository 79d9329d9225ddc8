from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "filing"
    verbose_name = "Online filing and My cases"
