"""What this app hands to complaints at start-up (see ``complaints.seams``)."""

from collections.abc import Iterable

from complaints.clocks import ClockName
from complaints.seams import clock_recipients_register, move_hook_register, reviewer_case_ids_register


def organization_addresses(case_ids: Iterable[int]) -> dict[int, list[str]]:
    """Where the IMR organization's reminders go, per case, in one query: the organization's
    contact address, then its coordinators', then the live reviewers' on the case."""
    from review.models import Assignment, Referral, Reviewer

    referrals = list(
        Referral.objects.filter(case_id__in=list(case_ids)).values_list(
            "case_id", "organization_id", "organization__contact_email"
        )
    )
    org_ids = {org_id for _, org_id, _ in referrals}
    coordinators: dict[int, list[str]] = {}
    for org_id, email in (
        Reviewer.objects.filter(organization_id__in=org_ids, is_coordinator=True, user__is_active=True)
        .order_by("user__email")
        .values_list("organization_id", "user__email")
    ):
        coordinators.setdefault(org_id, []).append(email)
    reviewers: dict[int, list[str]] = {}
    for case_id, email in (
        Assignment.objects.filter(referral__case_id__in=[c for c, _, _ in referrals], declined_at__isnull=True)
        .order_by("reviewer__user__email")
        .values_list("referral__case_id", "reviewer__user__email")
    ):
        reviewers.setdefault(case_id, []).append(email)
    result = {}
    for case_id, org_id, contact in referrals:
        addresses = []
        for email in [contact, *coordinators.get(org_id, []), *reviewers.get(case_id, [])]:
            if email and email not in addresses:
                addresses.append(email)
        result[case_id] = addresses
    return result


def register() -> None:
    from review.selectors import attested_case_ids
    from review.services import referral_hook

    reviewer_case_ids_register(attested_case_ids)
    clock_recipients_register(ClockName.IMRO_DETERMINATION, organization_addresses)
    move_hook_register("send_to_imr", referral_hook)
