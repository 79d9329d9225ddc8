"""The clock sweep: what beat runs every minute so that no clock and no piece of work is missed.

The database holds every clock and every pending piece of work; the sweep only reads it and acts
through small idempotent handlers (each safe to run twice, each tested on its own):

1. cases still FILED a minute after receipt are acknowledged (receipt work lost to an outage);
2. letters still PENDING a minute after they were requested are rendered;
3. running clocks due soon or overdue (read through the running-clock index) get their notices:
   a reminder to the plan before its response is due, a late notice when it is not in, a
   reminder to the IMR organization before its determination is due (its addresses come from
   the review app, through ``complaints.seams``), and a notice to supervisors for every overdue
   clock;
4. notices still unsent a minute after they were made are delivered;
5. account e-mails (sign-up links, password resets) whose task was lost, or whose wait after a
   mail-server failure is over, are queued again; finished ones older than 30 days are removed
   (``accounts.emails``).

Each notice has a unique key (which clock, which due time), so nothing is sent twice, and a clock
that is extended after it was overdue is reported again if it runs out again.

The due clocks are handled a thousand at a time, each thousand in a fixed number of queries: the
supervisors' and the plans' addresses are read once, which notices exist already is one read, and
the new notices are one insert, delivered after commit in one task. So a sweep costs the same
whatever the number of cases, and little more for a thousand due clocks than for one.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from accounts.emails import account_emails_due_queue, account_emails_prune
from complaints.clocks import HISTORICAL_CLOCKS, ClockName
from complaints.models import Case, Clock, Letter, Notice, Status
from complaints.seams import SEAMS
from complaints.services.notices import (
    NoticeDraft,
    notices_create,
    plan_addresses_by_plan,
    staff_notice_text,
    supervisor_addresses,
)
from ops.leases import leases_expired_delete

# How long before the plan's response is due it is reminded (by urgency of the case).
PLAN_REMINDER_BEFORE = {False: timedelta(hours=24), True: timedelta(hours=6)}
# How long before its determination is due the IMR organization is reminded.
REVIEW_REMINDER_BEFORE = {False: timedelta(hours=24), True: timedelta(hours=12)}
LOOKAHEAD = max(*PLAN_REMINDER_BEFORE.values(), *REVIEW_REMINDER_BEFORE.values())
BATCH = 1000


@dataclass
class SweepReport:
    acknowledged: list[int] = field(default_factory=list)
    letters_queued: list[int] = field(default_factory=list)
    clocks_read: int = 0
    notices_created: list[str] = field(default_factory=list)
    notices_delivered: list[int] = field(default_factory=list)
    account_emails_queued: list[int] = field(default_factory=list)
    account_emails_pruned: int = 0


def sweep_run(*, now: datetime) -> SweepReport:
    report = SweepReport()
    grace = timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    for case_id in Case.objects.filter(status=Status.FILED, received_at__lte=now - grace).values_list("id", flat=True)[
        :BATCH
    ]:
        if acknowledge_handle(case_id=case_id):
            report.acknowledged.append(case_id)
    for letter_id in Letter.objects.filter(state=Letter.State.PENDING, requested_at__lte=now - grace).values_list(
        "id", flat=True
    )[:BATCH]:
        letter_render_queue(letter_id=letter_id)
        report.letters_queued.append(letter_id)
    clocks = due_clocks(now=now)
    report.clocks_read = len(clocks)
    for start in range(0, len(clocks), BATCH):
        report.notices_created += [
            notice.key for notice in clock_notices_create(clocks=clocks[start : start + BATCH], now=now)
        ]
    unsent = list(
        Notice.objects.filter(sent_at__isnull=True, created_at__lte=now - grace)
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:BATCH]
    )
    if unsent:
        notices_deliver_queue(notice_ids=unsent)
        report.notices_delivered += unsent
    report.account_emails_queued = account_emails_due_queue(now=now)
    report.account_emails_pruned = account_emails_prune(now=now)
    leases_expired_delete(older_than=timedelta(days=1))
    return report


def due_clocks(*, now: datetime) -> list[Clock]:
    """Running clocks due before ``now`` plus the look-ahead; only these rows are read."""
    return list(
        Clock.objects.filter(met_at__isnull=True, stopped_at__isnull=True, due_at__lte=now + LOOKAHEAD)
        .exclude(name__in=HISTORICAL_CLOCKS)
        .select_related("case", "case__health_plan")
        # Only what the notices need: a thousand full case rows cost more to load than to find.
        .only("id", "name", "urgent", "due_at", "case__id", "case__number", "case__health_plan__notice_email")
        .order_by("due_at", "id")[: BATCH * 10]
    )


def clock_notices_create(*, clocks: list[Clock], now: datetime) -> list[Notice]:
    """Create the notices these clocks need now (one transaction); returns those made. Safe to
    call again: a notice that exists is not made again."""
    plans = {clock.case.health_plan_id: clock.case.health_plan for clock in clocks if clock.case.health_plan_id}
    plan_recipients = plan_addresses_by_plan(plans.values())
    supervisors = supervisor_addresses()
    # Clocks owned by someone other than the case's parties (the IMR organization): one read per
    # kind of clock for the whole batch.
    owners: dict[str, dict[int, list[str]]] = {}
    for name, finder in SEAMS.clock_recipients.items():
        case_ids = [clock.case_id for clock in clocks if clock.name == name]
        owners[name] = finder(case_ids) if case_ids else {}
    drafts = []
    for clock in clocks:
        recipients = plan_recipients.get(clock.case.health_plan_id, [])
        drafts += clock_notice_drafts(
            clock=clock,
            now=now,
            plan_recipients=recipients,
            supervisors=supervisors,
            owner_recipients=owners.get(clock.name, {}).get(clock.case_id, []),
        )
    return notices_create(drafts=drafts, now=now)


def clock_notice_drafts(
    *,
    clock: Clock,
    now: datetime,
    plan_recipients: list[str],
    supervisors: list[str],
    owner_recipients: list[str] = (),
) -> list[NoticeDraft]:
    """The notices one clock calls for at ``now``: the plan's reminder before its response is
    due, the plan's late notice after, the IMR organization's reminder before its determination
    is due, and the supervisors' notice for any overdue clock."""
    case = clock.case
    due_key = f"{clock.due_at:%Y%m%d%H%M}"
    drafts = []
    reviewing = clock.name == ClockName.IMRO_DETERMINATION and owner_recipients
    if reviewing and now < clock.due_at <= now + REVIEW_REMINDER_BEFORE[clock.urgent]:
        drafts.append(_draft(
            case, Notice.Kind.REVIEW_REMINDER, f"clock:{clock.id}:{due_key}:reminder", list(owner_recipients),
            "the independent review determination is due soon", clock.due_at, "/review/",
        ))  # fmt: skip
    if clock.name == ClockName.PLAN_RESPONSE:
        if now < clock.due_at <= now + PLAN_REMINDER_BEFORE[clock.urgent]:
            drafts.append(_draft(
                case, Notice.Kind.PLAN_REMINDER, f"clock:{clock.id}:{due_key}:reminder", plan_recipients,
                "the plan's written response is due soon", clock.due_at, "/plan/",
            ))  # fmt: skip
        if clock.due_at < now:
            drafts.append(_draft(
                case, Notice.Kind.PLAN_LATE, f"clock:{clock.id}:{due_key}:late", plan_recipients,
                "the plan's written response is late", clock.due_at, "/plan/",
            ))  # fmt: skip
    if clock.due_at < now:
        drafts.append(_draft(
            case, Notice.Kind.CLOCK_OVERDUE, f"clock:{clock.id}:{due_key}:overdue", supervisors,
            f"the {clock.get_name_display().lower()} clock is overdue", clock.due_at,
            f"/admin/complaints/case/{case.id}/change/",
        ))  # fmt: skip
    return drafts


def _draft(case, kind, key, recipients, headline, due_at, path) -> NoticeDraft:
    subject, body = staff_notice_text(case, headline, due_at, path)
    return NoticeDraft(case=case, kind=kind, key=key, recipients=recipients, subject=subject, body=body)


def acknowledge_handle(*, case_id: int) -> bool:
    """Acknowledge a case whose receipt work was lost; True if this call did it."""
    from complaints.tasks import case_acknowledge

    before = Case.objects.filter(pk=case_id, status=Status.FILED).exists()
    case_acknowledge(case_id)
    return before and not Case.objects.filter(pk=case_id, status=Status.FILED).exists()


def letter_render_queue(*, letter_id: int) -> None:
    from complaints.tasks import letter_render
    from ops.queue import enqueue_now

    enqueue_now(letter_render, letter_id)


def notices_deliver_queue(*, notice_ids: list[int]) -> None:
    from complaints.tasks import notices_deliver_task
    from ops.queue import enqueue_now

    enqueue_now(notices_deliver_task, notice_ids)
