"""The moves and clock extensions staff make from the case page.

One form per move, built from the workflow table: it asks for exactly what the move ``needs``
(and ``needs_if_enrollee_wins``), offers the move's own outcomes, and hands a ``MoveInput`` to
``case_move``, the one door. The table decides; these views only turn its answers into form
errors, messages and redirects. A second submit of the same move is refused by the table (the
case has moved on) and shown as a message.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup, User
from complaints.clocks import LOCAL_TZ
from complaints.errors import CaseError, MoveRefused, NotPermitted
from complaints.models import Case, Clock, Outcome, ReviewUnit
from complaints.seams import move_hook
from complaints.services.case_clocks import clock_extend
from complaints.services.late_filing import late_filing_decide
from complaints.services.moves import case_move
from complaints.workflow import MOVES, Move, MoveInput, actor_roles, moves_available

# What the reason box is called for each move: the same field holds triage reasons, IMR findings,
# decision reasons and closure reasons.
REASON_LABELS = {
    "refer_not_regulated": "Reason for closing (it goes into the closure letter)",
    "close_grievance_first": "Reason (it goes into the closure letter)",
    "triage_imr": "Reason for the triage decision",
    "triage_complaint": "Reason for the triage decision",
    "convert_to_complaint": "Why the request does not qualify for IMR",
    "record_determination": "Findings of the IMR organization (they go into the decision letters)",
    "decide_complaint": "Reasons for the decision (they go into the decision letters)",
    "withdraw": "Reason for the withdrawal",
    "plan_reversed": "What the plan reversed, and how we know",
    "close": "Closure note",
}
# Inputs a move records although the table does not require them.
OPTIONAL_INPUTS = {"close": ("reason",)}


def reviewers() -> QuerySet[User]:
    """Active staff who can be assigned a complaint: members of the clinical or legal unit."""
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_staff=True,
            is_active=True,
            groups__name__in=[StaffGroup.CLINICAL, StaffGroup.LEGAL],
        )
        .distinct()
        .prefetch_related("groups")
        .order_by("full_name", "email")
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        units = sorted(group.name.capitalize() for group in user.groups.all() if group.name in _UNIT_GROUPS.values())
        return f"{user.full_name or user.email} ({', '.join(units)})"


_UNIT_GROUPS = {ReviewUnit.CLINICAL: StaffGroup.CLINICAL, ReviewUnit.LEGAL: StaffGroup.LEGAL}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoveForm(forms.Form):
    """The inputs of one move of the workflow table, for one case."""

    def __init__(self, *args, move: Move, case: Case, **kwargs):
        kwargs.setdefault("prefix", move.name)
        super().__init__(*args, **kwargs)
        self.move = move
        self.case = case
        for name in [*move.needs, *move.needs_if_enrollee_wins, *OPTIONAL_INPUTS.get(move.name, ())]:
            self.fields[name] = self._field(name, required=name in move.needs)
            if name == "review_unit":
                self.fields["assignee"] = ReviewerChoiceField(
                    queryset=reviewers(),
                    required=False,
                    label="Assign to (optional)",
                    help_text="A member of the unit chosen above.",
                )
        hook = move_hook(move.name)
        added = hook.fields(case) if hook else {}
        self.hook_fields = list(added)
        self.fields.update(added)

    def _field(self, name: str, *, required: bool) -> forms.Field:
        if name == "reason":
            return forms.CharField(
                label=REASON_LABELS.get(self.move.name, "Reason"),
                widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                required=required,
                max_length=20_000,
            )
        if name == "outcome":
            choices = [(outcome.value, outcome.label) for outcome in Outcome if outcome in self.move.outcomes]
            return forms.ChoiceField(label="Outcome", choices=choices, widget=forms.RadioSelect, required=required)
        if name == "review_unit":
            return forms.ChoiceField(
                label="Review unit", choices=ReviewUnit.choices, widget=forms.RadioSelect, required=required
            )
        if name == "referral_to":
            plan = self.case.health_plan
            return forms.CharField(
                label="Refer the enrollee to",
                max_length=200,
                required=required,
                initial=plan.regulator_name if plan is not None else "",
                help_text="The regulator or office the enrollee should contact instead.",
            )
        if name == "carried_out_date":
            return forms.DateField(label="Date the plan carried out the decision", widget=_DATE, required=required)
        if name == "carry_out_by":
            return forms.DateField(
                label="The plan must carry it out by",
                widget=_DATE,
                required=required,
                help_text="Needed when the decision is in the enrollee's favour.",
            )
        raise ValueError(f"The admin has no form field for the move input {name!r}.")

    def clean(self):
        cleaned = super().clean()
        assignee, unit = cleaned.get("assignee"), cleaned.get("review_unit")
        checks_unit = unit in _UNIT_GROUPS and assignee is not None
        if checks_unit and not assignee.groups.filter(name=_UNIT_GROUPS[unit]).exists():
            self.add_error("assignee", f"{assignee.full_name or assignee.email} is not in the {unit.lower()} unit.")
        return cleaned

    def move_input(self) -> MoveInput:
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.hook_fields
        }
        extra = {name: self.cleaned_data.get(name) for name in self.hook_fields}
        return MoveInput(**values, extra=extra)

    def add_domain_errors(self, error: CaseError) -> None:
        """Put the service's field errors next to their fields, the rest above the form."""
        placed = False
        for name, message in error.field_errors.items():
            if name in self.fields:
                self.add_error(name, message)
                placed = True
            else:
                self.add_error(None, message)
        if not placed:
            self.add_error(None, error.message)


def case_url(case: Case) -> str:
    return reverse("admin:complaints_case_change", args=[case.pk])


def move_view(request, case: Case, move_name: str, model_admin):
    """GET: the move's form on its own page. POST: make the move through ``case_move``."""
    move = MOVES.get(move_name)
    if move is None:
        raise Http404("No such move.")
    if request.method == "POST":
        form = MoveForm(request.POST, move=move, case=case)
        if form.is_valid():
            try:
                moved = case_move(case=case, move=move.name, actor=request.user, data=form.move_input())
            except NotPermitted as error:
                raise PermissionDenied(error.message) from error
            except MoveRefused as error:
                if not error.field_errors:
                    # Typically a second submit: the case has already moved on.
                    messages.error(request, f"“{move.label}” was not done: {error.message}")
                    return redirect(case_url(case))
                form.add_domain_errors(error)
            else:
                messages.success(
                    request, f"“{move.label}” done. The case is now: {moved.get_status_display().lower()}."
                )
                return redirect(case_url(moved))
    else:
        if move not in moves_available(case, actor_roles(request.user, case), timezone.now()):
            messages.warning(request, f"“{move.label}” is not open to you on this case now.")
            return redirect(case_url(case))
        form = MoveForm(move=move, case=case)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "case": case,
        "form": form,
        "move": move,
        "title": f"{case.number}: {move.label}",
    }
    return TemplateResponse(
        request, "admin/complaints/case/move_form.html", context, status=400 if form.errors else 200
    )


# ------------------------------------------------------------------------------------------------
# Clock extensions
# ------------------------------------------------------------------------------------------------
class ExtendForm(forms.Form):
    new_due_at = forms.DateTimeField(
        label="New due time (California time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label="Reason for the extension", widget=forms.Textarea(attrs={"rows": 2, "cols": 50}), max_length=5_000
    )

    def __init__(self, *args, clock: Clock, **kwargs):
        kwargs.setdefault("prefix", f"extend-{clock.pk}")
        kwargs.setdefault("initial", {"new_due_at": clock.due_at.astimezone(LOCAL_TZ)})
        super().__init__(*args, **kwargs)
        self.clock = clock


def extend_view(request, case: Case, clock_id: int, model_admin):
    clock = case.clocks.filter(pk=clock_id).first()
    if clock is None:
        raise Http404("No such clock on this case.")
    # Times typed by staff are California times, whatever the server's zone.
    with timezone.override(LOCAL_TZ):
        form = ExtendForm(request.POST or None, clock=clock)
        if request.method == "POST" and form.is_valid():
            try:
                clock_extend(
                    clock=clock,
                    new_due_at=form.cleaned_data["new_due_at"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except CaseError as error:
                for name, message in error.field_errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not error.field_errors:
                    form.add_error(None, error.message)
            else:
                messages.success(request, f"{clock.get_name_display()} clock extended. The reason is in the timeline.")
                return redirect(case_url(case))
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "case": case,
            "clock": clock,
            "form": form,
            "title": f"{case.number}: extend the {clock.get_name_display().lower()} clock",
        }
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/complaints/case/extend_form.html", context, status=status)


class LateFilingForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label="Is the reason for filing late accepted?",
        choices=[("yes", "Yes: the case may go to IMR if it otherwise qualifies"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def late_filing_view(request, case: Case, model_admin):
    form = LateFilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            late_filing_decide(
                case=case,
                accepted=form.cleaned_data["accepted"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except CaseError as error:
            for name, message in error.field_errors.items():
                form.add_error(name if name in form.fields else None, message)
            if not error.field_errors:
                form.add_error(None, error.message)
        else:
            messages.success(request, "The late filing decision is recorded in the timeline.")
            return redirect(case_url(case))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "case": case,
        "form": form,
        "title": f"{case.number}: decide on the late filing",
    }
    return TemplateResponse(
        request, "admin/complaints/case/late_filing_form.html", context, status=400 if form.errors else 200
    )
