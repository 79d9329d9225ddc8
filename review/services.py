"""Writes of the review organization's side of an IMR.

Each service is keyword-only, runs in one transaction, checks who acts, validates rows before
saving, and writes the case's timeline. The case's status moves only through
``complaints.services.moves.case_move``: sending the file (``send_to_imr``, whose extra inputs
``referral_hook`` supplies) and the determination (``record_determination``).

The rule for more than one reviewer (docs/reviewers.md): every assigned reviewer submits a
determination; the case's outcome is the majority's, and an even split favours the enrollee
(the service is provided), as HSC 1374.33 provides.
"""

from datetime import datetime

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import CaseError, MoveRefused, NotPermitted
from complaints.models import Case, CaseEvent, DenialReason, Outcome, Status
from complaints.seams import MoveHook
from complaints.services.moves import case_move
from complaints.services.timeline import event_record
from complaints.workflow import MoveInput
from review.models import Assignment, Determination, Referral, Reviewer, ReviewOrganization
from review.selectors import reviewer_profile

# A finding shorter than this says nothing a reader could check (issue 17: 20 characters is refused).
MIN_FINDING_CHARS = 60
FINDING_FIELDS = ("question", "reasons", "evidence")
DETERMINATION_FIELDS = ("outcome", "part_granted", "reviewer_specialty", "board_certification", *FINDING_FIELDS)


def reviewers_needed_for(case: Case) -> int:
    """Two opinions for an experimental/investigational denial, one otherwise (docs/reviewers.md)."""
    return 2 if case.denial_reason == DenialReason.EXPERIMENTAL else 1


def _review_event(*, case: Case, summary: str, actor, now: datetime, data: dict, role: str = "REVIEWER", reason=""):
    """One line on the case's timeline about its independent review."""
    event_record(
        case=case,
        kind=CaseEvent.Kind.REVIEW,
        summary=summary,
        occurred_at=now,
        actor=actor,
        actor_role=role,
        reason=reason,
        data=data,
    )


# ------------------------------------------------------------------------------------------------
# Sending the file: the extra inputs of the move send_to_imr (registered in review.seams).
# ------------------------------------------------------------------------------------------------
PAPER = "paper"
# A choice that stopped taking cases between the page and the post (or was never one).
ORGANIZATION_CLOSED = "This organization does not take cases now: choose another."


def _referral_fields(case) -> dict[str, forms.Field]:
    organizations = ReviewOrganization.objects.filter(is_active=True).order_by("name")
    return {
        "organization": forms.ChoiceField(
            label="Independent review organization",
            choices=[
                ("", "Choose where the file goes"),
                *[(str(org.pk), org.name) for org in organizations],
                (PAPER, "Outside the portal (on paper): staff will record the determination"),
            ],
            error_messages={"invalid_choice": ORGANIZATION_CLOSED},
        ),
        "specialty_needed": forms.CharField(
            label="Reviewer's specialty needed (optional)",
            max_length=100,
            required=False,
            help_text="For the organization's coordinator, e.g. Oncology.",
        ),
    }


def _organization_of(extra: dict) -> ReviewOrganization | None:
    """The organization chosen, or None for a file sent outside the portal (no choice given)."""
    chosen = extra.get("organization")
    if chosen in (None, "", PAPER):
        return None
    if isinstance(chosen, ReviewOrganization):
        chosen = chosen.pk
    try:
        return ReviewOrganization.objects.filter(pk=int(chosen), is_active=True).first()
    except (TypeError, ValueError):
        return None


def _referral_check(case, extra: dict) -> dict[str, str]:
    chosen = extra.get("organization")
    if chosen not in (None, "", PAPER) and _organization_of(extra) is None:
        return {"organization": ORGANIZATION_CLOSED}
    return {}


def _referral_apply(case, extra: dict, actor, now: datetime) -> None:
    organization = _organization_of(extra)
    if organization is None:
        # Sent outside the portal: the move's own timeline event says so; staff record the
        # determination from the paper the organization returns.
        return
    referral = Referral(
        case=case,
        organization=organization,
        specialty_needed=(extra.get("specialty_needed") or "").strip(),
        reviewers_needed=reviewers_needed_for(case),
        sent_at=now,
        sent_by=actor,
    )
    referral.full_clean()
    referral.save()
    needed = f"; specialty needed: {referral.specialty_needed}" if referral.specialty_needed else ""
    _review_event(
        case=case,
        summary=f"File sent to {organization.name}, {referral.reviewers_needed} reviewer(s){needed}",
        actor=actor,
        now=now,
        data={"organization": organization.pk, "reviewers_needed": referral.reviewers_needed},
        role="STAFF",
    )


referral_hook = MoveHook(fields=_referral_fields, check=_referral_check, apply=_referral_apply)


# ------------------------------------------------------------------------------------------------
# The coordinator assigns
# ------------------------------------------------------------------------------------------------
def assignment_make(*, referral: Referral, reviewer: Reviewer, actor, now: datetime | None = None) -> Assignment:
    """Assign ``reviewer`` to the referral's case, as the organization's coordinator ``actor``.

    Raises NotPermitted when ``actor`` is not that organization's coordinator, and CaseError
    (field ``reviewer``) when the reviewer is of another organization, inactive, already asked on
    this case, or the case has all the reviewers it needs, or is no longer in IMR review.
    """
    now = now or timezone.now()
    profile = reviewer_profile(actor)
    if profile is None or not profile.is_coordinator or profile.organization_id != referral.organization_id:
        raise NotPermitted(_("Only the organization's coordinator assigns its cases."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=referral.case_id)
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if case.status != Status.IN_IMR_REVIEW:
            raise CaseError(_("The case is no longer in independent review; nothing was assigned."))
        if reviewer.organization_id != referral.organization_id or not reviewer.reviews_cases:
            raise CaseError(
                _("Choose a reviewer of your organization."),
                field_errors={"reviewer": _("Choose a reviewer of your organization.")},
            )
        if not reviewer.user.is_active:
            raise CaseError(
                _("This reviewer's account is not active."),
                field_errors={"reviewer": _("This reviewer's account is not active.")},
            )
        if Assignment.objects.filter(referral=referral, reviewer=reviewer).exists():
            message = _("This reviewer was already asked on this case.")
            raise CaseError(message, field_errors={"reviewer": message})
        live = Assignment.objects.filter(referral=referral, declined_at__isnull=True).count()
        if live >= referral.reviewers_needed:
            raise CaseError(_("The case already has the reviewers it needs."))
        assignment = Assignment(referral=referral, reviewer=reviewer, assigned_at=now, assigned_by=actor)
        assignment.full_clean()
        assignment.save()
        _review_event(
            case=case,
            summary=f"Assigned to a reviewer of {referral.organization.name} ({reviewer.specialty})",
            actor=actor,
            now=now,
            data={"assignment": assignment.pk, "reviewer": reviewer.pk},
        )
    return assignment


# ------------------------------------------------------------------------------------------------
# The reviewer attests, or declines
# ------------------------------------------------------------------------------------------------
def _own_open_assignment(assignment: Assignment, actor, *, in_review: bool = True) -> tuple[Assignment, Case]:
    """Lock the case and the assignment; the assignment must be the actor's and still open."""
    case = Case.objects.select_for_update().get(pk=assignment.referral.case_id)
    assignment = (
        Assignment.objects.select_for_update().select_related("reviewer__user", "referral").get(pk=assignment.pk)
    )
    if assignment.reviewer.user_id != getattr(actor, "pk", None) or not actor.is_active:
        raise NotPermitted(_("This case is not assigned to you."))
    if assignment.declined_at is not None:
        raise CaseError(_("You declined this case."))
    if in_review:
        _require_in_review(case)
    return assignment, case


def _require_in_review(case: Case) -> None:
    if case.status != Status.IN_IMR_REVIEW:
        raise CaseError(_("The case is no longer in independent review."))


def attestation_sign(*, assignment: Assignment, actor, confirmed: bool, now: datetime | None = None) -> Assignment:
    """Record that the reviewer ``actor`` has no conflict of interest on the case (the statement
    in ``Assignment.ATTESTATION``). Raises CaseError when not confirmed, already attested, declined,
    or the case left review; NotPermitted when the assignment is not theirs."""
    now = now or timezone.now()
    if not confirmed:
        message = _("Tick the box to confirm the statement, or decline the case.")
        raise CaseError(message, field_errors={"confirm": message})
    with transaction.atomic():
        assignment, case = _own_open_assignment(assignment, actor)
        if assignment.attested_at is not None:
            raise CaseError(_("You have already signed the attestation for this case."))
        assignment.attested_at = now
        assignment.attestation_text = Assignment.ATTESTATION
        assignment.full_clean()
        assignment.save(update_fields=["attested_at", "attestation_text"])
        _review_event(
            case=case,
            summary="Reviewer attested to no conflict of interest",
            actor=actor,
            now=now,
            data={"assignment": assignment.pk},
            reason=Assignment.ATTESTATION,
        )
    return assignment


def attestation_decline(*, assignment: Assignment, actor, reason: str, now: datetime | None = None) -> Assignment:
    """Record that the reviewer declines the case (a conflict, or no capacity): the case goes back
    to the coordinator, who assigns someone else. Raises CaseError for an empty reason or an
    assignment already attested; NotPermitted when it is not theirs."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why you decline, for the coordinator.")
        raise CaseError(message, field_errors={"reason": message})
    with transaction.atomic():
        assignment, case = _own_open_assignment(assignment, actor)
        if assignment.attested_at is not None:
            raise CaseError(_("You have signed the attestation; ask your coordinator to reassign the case."))
        assignment.declined_at = now
        assignment.decline_reason = reason
        assignment.full_clean()
        assignment.save(update_fields=["declined_at", "decline_reason"])
        _review_event(
            case=case,
            summary="Reviewer declined the case; back to the coordinator to reassign",
            actor=actor,
            now=now,
            data={"assignment": assignment.pk},
            reason=reason,
        )
    return assignment


# ------------------------------------------------------------------------------------------------
# The determination: a draft, then submitted once
# ------------------------------------------------------------------------------------------------
def _clean_values(values: dict) -> dict:
    return {name: (values.get(name) or "").strip() for name in DETERMINATION_FIELDS}


def _writable(assignment: Assignment, actor) -> tuple[Assignment, Case, Determination]:
    assignment, case = _own_open_assignment(assignment, actor, in_review=False)
    if assignment.attested_at is None:
        raise NotPermitted(_("Sign the conflict-of-interest attestation first."))
    determination = Determination.objects.select_for_update().filter(assignment=assignment).first()
    if determination is not None and determination.submitted_at is not None:
        raise CaseError(_("Your determination was submitted; it cannot be changed."))
    _require_in_review(case)
    return assignment, case, determination or Determination(assignment=assignment)


def determination_save_draft(
    *, assignment: Assignment, actor, values: dict, now: datetime | None = None
) -> Determination:
    """Keep what the reviewer typed so far (any field may still be empty). Raises CaseError when
    the determination was submitted or the case left review."""
    now = now or timezone.now()
    with transaction.atomic():
        _assignment, _case, determination = _writable(assignment, actor)
        for name, value in _clean_values(values).items():
            setattr(determination, name, value)
        determination.updated_at = now
        determination.full_clean()
        determination.save()
    return determination


def determination_problems(values: dict) -> dict[str, str]:
    """Field errors of a determination about to be submitted (empty: complete)."""
    values = _clean_values(values)
    problems = {}
    if values["outcome"] not in Determination.Outcome.values:
        problems["outcome"] = _("Choose overturned, overturned in part, or upheld.")
    if values["outcome"] == Determination.Outcome.OVERTURNED_IN_PART and not values["part_granted"]:
        problems["part_granted"] = _("Say which part of the request the plan must provide.")
    for name in ("reviewer_specialty", "board_certification"):
        if not values[name]:
            problems[name] = _("This is needed in the determination.")
    for name in FINDING_FIELDS:
        if len(values[name]) < MIN_FINDING_CHARS:
            problems[name] = _("Write at least %(count)d characters: the enrollee and the plan read this.") % {
                "count": MIN_FINDING_CHARS
            }
    return problems


def case_outcome(determinations: list[Determination]) -> str:
    """The case's outcome from its reviewers' determinations: the majority's, and an even split
    in the enrollee's favour (HSC 1374.33)."""
    favour = sum(1 for d in determinations if d.favours_enrollee)
    return Outcome.OVERTURNED if favour * 2 >= len(determinations) else Outcome.UPHELD


def findings_text(determinations: list[Determination]) -> str:
    """The findings as the decision letters and the case read them (``case.outcome_reasons``)."""
    blocks = []
    several = len(determinations) > 1
    for number, d in enumerate(determinations, start=1):
        title = f"Reviewer {number}" if several else "The reviewer"
        lines = [
            f"{title}: {d.reviewer_specialty}; {d.board_certification}.",
            f"Determination: {d.get_outcome_display()}.",
        ]
        if d.outcome == Determination.Outcome.OVERTURNED_IN_PART:
            lines.append(f"Part the plan must provide: {d.part_granted}")
        lines += [f"Question reviewed: {d.question}", f"Reasons: {d.reasons}", f"Evidence and literature: {d.evidence}"]
        blocks.append("\n".join(lines))
    if several:
        blocks.append(
            "The case is decided by the majority of the reviewers; an even split is decided in favour of "
            "providing the service (HSC 1374.33)."
        )
    return "\n\n".join(blocks)


def determination_submit(*, assignment: Assignment, actor, values: dict, now: datetime | None = None) -> Determination:
    """Submit the reviewer's determination, once. When every reviewer the case needs has
    submitted, the case moves (``record_determination``) with the majority's outcome and all the
    findings, which meets the IMR organization's clock.

    Raises CaseError with field errors for an incomplete or too-short determination; CaseError or
    MoveRefused for a second submission or a case withdrawn, reversed or otherwise out of review;
    NotPermitted for an assignment that is not the actor's or not attested. Nothing is written
    when it raises.
    """
    now = now or timezone.now()
    problems = determination_problems(values)
    if problems:
        raise CaseError(_("The determination is not complete."), field_errors=problems)
    with transaction.atomic():
        assignment, case, determination = _writable(assignment, actor)
        for name, value in _clean_values(values).items():
            setattr(determination, name, value)
        determination.updated_at = now
        determination.submitted_at = now
        determination.full_clean()
        determination.save()
        _review_event(
            case=case,
            summary=f"Reviewer submitted a determination ({determination.get_outcome_display().split(':')[0].lower()})",
            actor=actor,
            now=now,
            data={"assignment": assignment.pk, "outcome": determination.outcome},
        )
        referral = assignment.referral
        submitted = list(
            Determination.objects.filter(
                assignment__referral=referral, assignment__declined_at__isnull=True, submitted_at__isnull=False
            ).order_by("submitted_at", "id")
        )
        if len(submitted) >= referral.reviewers_needed:
            case_move(
                case=case,
                move="record_determination",
                actor=actor,
                data=MoveInput(outcome=case_outcome(submitted), reason=findings_text(submitted)),
                now=now,
            )
    return determination


__all__ = [
    "MoveRefused",
    "assignment_make",
    "attestation_decline",
    "attestation_sign",
    "determination_save_draft",
    "determination_submit",
    "referral_hook",
]
