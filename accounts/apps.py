from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_staff_permissions(sender, **kwargs):
    from accounts.permissions import staff_group_permissions_sync

    staff_group_permissions_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and health plans"

    def ready(self):
        # Every app's permissions exist only once the last app with models has had its
        # post_migrate (apps without models get none), so the groups get theirs then.
        last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_sync_staff_permissions, sender=last_app, dispatch_uid="accounts.sync_staff_permissions")
