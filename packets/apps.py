from django.apps import AppConfig


class PacketsConfig(AppConfig):
    name = "packets"
    verbose_name = "Case packets for reviewers"
