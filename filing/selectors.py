"""Reads of drafts that know who is asking: another person's draft is "not found" (404)."""

from django.db.models import QuerySet

from filing.models import FilingDraft


def drafts_unsent_for_user(user) -> QuerySet[FilingDraft]:
    if not user.is_authenticated:
        return FilingDraft.objects.none()
    return FilingDraft.objects.filter(owner=user, submitted_case__isnull=True).order_by("-updated_at", "id")


def draft_get_for_user(*, user, public_id) -> FilingDraft:
    """The draft if ``user`` owns it; raises FilingDraft.DoesNotExist otherwise."""
    return FilingDraft.objects.select_related("submitted_case").get(public_id=public_id, owner=user)
