from django.apps import AppConfig


class PacketsConfig(AppConfig):
    name = "packets"
    verbose_name = "Case packets for reviewers"

    def ready(self):
        # Hand complaints the packet's list of documents for the decision letters, without
        # complaints importing us.
        from packets import seams

        seams.register()
