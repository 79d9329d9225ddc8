from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Independent review organizations"

    def ready(self):
        # Hand complaints what it needs to know about reviewers, without complaints importing us.
        from review import seams

        seams.register()
