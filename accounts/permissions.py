"""Which staff group may see and do what in the admin: one table, applied after every migrate.

Workflow moves are allowed by the workflow table; this table only covers admin model access.
"""

from django.contrib.auth.models import Group, Permission

from accounts.models import StaffGroup

GROUP_PERMISSIONS: dict[str, list[str]] = {
    StaffGroup.INTAKE: [
        "accounts.view_healthplan",
    ],
    StaffGroup.CLINICAL: [
        "accounts.view_healthplan",
    ],
    StaffGroup.LEGAL: [
        "accounts.view_healthplan",
    ],
    StaffGroup.SUPERVISOR: [
        "accounts.view_healthplan",
        "accounts.add_healthplan",
        "accounts.change_healthplan",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "ops.view_heartbeat",
    ],
}


def staff_group_permissions_sync() -> None:
    """Make each staff group hold exactly the permissions the table gives it."""
    for group_name, labels in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = [_permission(label) for label in labels]
        group.permissions.set(permissions)


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
