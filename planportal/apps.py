from django.apps import AppConfig


class PlanPortalConfig(AppConfig):
    name = "planportal"
    verbose_name = "Health plan portal"
