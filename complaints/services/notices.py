"""E-mail notices about a case. They never carry health information: only that something is
waiting or due, the case number, and where to sign in.

A notice is created inside the transaction of what caused it, with a unique key, so the same
notice cannot be made twice; it is delivered after commit, and the sweep delivers any that a
lost task left unsent. Notices are made in batches (``notices_create``): the sweep makes a
thousand in a handful of queries, and a single notice goes through the same door.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import HealthPlan, StaffGroup
from complaints.models import Case, CaseEvent, Notice
from complaints.services.timeline import event_record
from ops.queue import enqueue_on_commit


def enrollee_addresses(case: Case) -> tuple[list[str], str]:
    """Where the enrollee's notices go, and in which language."""
    patient = getattr(case, "patient", None)
    language = patient.letter_language if patient is not None else "en"
    if case.filed_by_id and case.filed_by.is_active:
        return [case.filed_by.email], language
    if patient is not None and patient.contact_by_email and patient.email:
        return [patient.email], language
    return [], language


def plan_addresses(case: Case) -> list[str]:
    if case.health_plan is None:
        return []
    return plan_addresses_by_plan([case.health_plan])[case.health_plan.id]


def plan_addresses_by_plan(plans: Iterable[HealthPlan]) -> dict[int, list[str]]:
    """Where each plan's notices go, for many plans in one query: the plan's notice address
    first, then its active users' addresses in order, each once."""
    plans = list(plans)
    users = (
        get_user_model()
        .objects.filter(health_plan__in=plans, is_active=True)
        .order_by("health_plan_id", "email")
        .values_list("health_plan_id", "email")
    )
    user_emails = defaultdict(list)
    for plan_id, email in users:
        user_emails[plan_id].append(email)
    addresses = {}
    for plan in plans:
        first = [plan.notice_email] if plan.notice_email else []
        addresses[plan.id] = first + [email for email in user_emails[plan.id] if email not in first]
    return addresses


def supervisor_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=StaffGroup.SUPERVISOR)
    return list(users.order_by("email").values_list("email", flat=True).distinct())


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to make unless one with its key exists."""

    case: Case
    kind: str
    key: str
    recipients: list[str]
    subject: str
    body: str


def notice_create(
    *, case: Case, kind: str, key: str, recipients: list[str], subject: str, body: str, now: datetime
) -> Notice | None:
    """Create the notice unless one with ``key`` exists (then None); deliver it after commit."""
    draft = NoticeDraft(case=case, kind=kind, key=key, recipients=recipients, subject=subject, body=body)
    created = notices_create(drafts=[draft], now=now)
    return created[0] if created else None


def notices_create(*, drafts: list[NoticeDraft], now: datetime) -> list[Notice]:
    """Create, in one transaction, each notice whose key is new and that has recipients, and
    queue their delivery after commit. Returns the notices made. Safe to call again: a key that
    exists, or that another process inserts at the same moment, is left alone (the database's
    unique key decides), so no notice is ever made or sent twice."""
    wanted = {draft.key: draft for draft in drafts if draft.recipients}
    if not wanted:
        return []
    with transaction.atomic():
        existing = set(Notice.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
        new = [
            Notice(
                case=draft.case,
                kind=draft.kind,
                key=draft.key,
                recipients=draft.recipients,
                subject=draft.subject,
                body=draft.body,
                created_at=now,
            )
            for key, draft in wanted.items()
            if key not in existing
        ]
        if not new:
            return []
        # ON CONFLICT DO NOTHING: a key another process took since the read above stays theirs.
        Notice.objects.bulk_create(new, ignore_conflicts=True)
        # With conflicts ignored the database returns no keys: read back which rows are ours.
        ids = dict(
            Notice.objects.filter(key__in=[notice.key for notice in new], created_at=now).values_list("key", "id")
        )
        created = [notice for notice in new if notice.key in ids]
        for notice in created:
            notice.id = ids[notice.key]
            notice._state.adding = False
        if created:
            from complaints.tasks import notices_deliver_task

            enqueue_on_commit(notices_deliver_task, [notice.id for notice in created])
    return created


def notice_deliver(*, notice_id: int) -> Notice:
    """Send the notice's e-mail once. A sent notice is left alone; a failure counts an attempt and
    raises, so the task retries and the sweep tries again later."""
    try:
        with transaction.atomic():
            notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
            if notice.sent_at is not None:
                return notice
            send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, notice.recipients, fail_silently=False)
            notice.sent_at = timezone.now()
            notice.attempts += 1
            notice.save(update_fields=["sent_at", "attempts"])
            event_record(
                case=notice.case,
                kind=CaseEvent.Kind.NOTICE_SENT,
                summary=f"E-mail sent: {notice.get_kind_display()}",
                occurred_at=notice.sent_at,
                data={"notice_id": notice.id, "recipients": len(notice.recipients)},
            )
    except Exception:
        Notice.objects.filter(pk=notice_id, sent_at__isnull=True).update(attempts=F("attempts") + 1)
        raise
    return notice


def _sign_in_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def letter_waiting_notice(*, letter, now: datetime) -> Notice | None:
    """Tell the letter's recipient that it is waiting in the portal."""
    case = letter.case
    if letter.recipient == "PLAN":
        recipients, language, path = plan_addresses(case), "en", "/plan/"
    else:
        recipients, language = enrollee_addresses(case)
        path = "/es/my/" if language == "es" else "/my/"
    with translation.override(language):
        subject = _("Help Center case %(number)s: a letter is waiting for you") % {"number": case.number}
        body = _(
            "A new letter about Help Center case %(number)s is ready.\n\n"
            "To read it, sign in at %(url)s\n\n"
            "For your privacy, this e-mail does not include the letter. Questions? "
            "Call the Help Center at %(phone)s (TDD %(tdd)s)."
        ) % {
            "number": case.number,
            "url": _sign_in_url(path),
            "phone": settings.HELP_CENTER_CONTACT["phone"],
            "tdd": settings.HELP_CENTER_CONTACT["tdd"],
        }
    return notice_create(
        case=case,
        kind=Notice.Kind.LETTER_WAITING,
        key=f"letter:{letter.id}",
        recipients=recipients,
        subject=subject,
        body=body,
        now=now,
    )


def staff_notice_text(case: Case, headline: str, due_at: datetime, path: str) -> tuple[str, str]:
    """Subject and body for plan and staff notices (English; no health information)."""
    local_due = timezone.localtime(due_at)
    subject = f"Help Center case {case.number}: {headline}"
    body = (
        f"{headline} for Help Center case {case.number}.\n"
        f"Due: {local_due:%A %B %-d, %Y at %-I:%M %p %Z}.\n\n"
        f"Sign in to see the case: {_sign_in_url(path)}\n"
    )
    return subject, body
