"""Which staff group may see and do what in the admin: one table, applied after every migrate.

Workflow moves are allowed by the workflow table (``complaints.workflow``, through the roles each
group gives); this table covers the admin's pages and models:

| group      | cases (queue and case page) | enter a phone/mail/fax case | dashboard | plans        | users        |
|------------|-----------------------------|-----------------------------|-----------|--------------|--------------|
| intake     | view                        | yes                         | no        | view         | no           |
| clinical   | view                        | no                          | no        | view         | no           |
| legal      | view                        | no                          | no        | view         | no           |
| supervisor | view                        | yes                         | yes       | view, change | view, change |

Supervisors also keep the independent review organizations and their people (review app): add,
view and change organizations and reviewer rows; view referrals, assignments and determinations.

Plan users and enrollees never enter the admin: ``is_staff`` is only for Help Center staff (a
database constraint on accounts.User).
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from accounts.models import StaffGroup

# Pages that are not a model's own list or form get a permission of their own, created here.
DASHBOARD_PERMISSION = "complaints.view_case_dashboard"
PAGE_PERMISSIONS: dict[str, tuple[str, str]] = {
    DASHBOARD_PERMISSION: ("case", "Can open the supervisors' dashboard"),
}

_EVERY_STAFF_MEMBER = [
    "accounts.view_healthplan",
    "complaints.view_case",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    StaffGroup.INTAKE: [
        *_EVERY_STAFF_MEMBER,
        "complaints.add_case",
    ],
    StaffGroup.CLINICAL: [
        *_EVERY_STAFF_MEMBER,
    ],
    StaffGroup.LEGAL: [
        *_EVERY_STAFF_MEMBER,
    ],
    StaffGroup.SUPERVISOR: [
        *_EVERY_STAFF_MEMBER,
        "complaints.add_case",
        DASHBOARD_PERMISSION,
        "accounts.add_healthplan",
        "accounts.change_healthplan",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "ops.view_heartbeat",
        "imr.view_publisheddecision",
        # Findings of portal IMRs: compared with the de-identified text and approved for publication.
        "imr.view_findingsreview",
        "imr.change_findingsreview",
        # The audit log (search and CSV export), and releasing a sign-in lockout early.
        "audit.view_auditevent",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Independent review organizations and their people (review/admin.py).
        "review.view_revieworganization",
        "review.add_revieworganization",
        "review.change_revieworganization",
        "review.view_reviewer",
        "review.add_reviewer",
        "review.change_reviewer",
        "review.view_referral",
        "review.view_assignment",
        "review.view_determination",
    ],
}


def staff_group_permissions_sync() -> None:
    """Make each staff group hold exactly the permissions the table gives it."""
    for label, (model, name) in PAGE_PERMISSIONS.items():
        app_label, codename = label.split(".", 1)
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        Permission.objects.update_or_create(content_type=content_type, codename=codename, defaults={"name": name})
    for group_name, labels in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = [_permission(label) for label in labels]
        group.permissions.set(permissions)


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
