from django.apps import AppConfig


class ImrConfig(AppConfig):
    name = "imr"
    verbose_name = "Independent Medical Review"
