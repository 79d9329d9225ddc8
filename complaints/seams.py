"""Seams through which an app below complaints hands in what complaints needs to know about it.

Complaints never imports the apps built on it (CONVENTIONS.md, "New rooms this round"). The
independent review organization's app (``review``) registers here at start-up, from its
``AppConfig.ready``:

- ``reviewer_case_ids``: a selector giving, for a reviewer account, a query of the ids of the
  cases whose health information they may read now (assigned to them, not declined, conflict of
  interest attested), or None for none. ``cases_visible_to`` and ``actor_roles`` ask it; with
  nothing registered a reviewer reaches no case at all.
- ``clock_recipients``: for a clock the case's own parties do not own (the IMR organization's
  determination clock), the addresses its reminders go to, for many cases at once.
- ``move_hooks``: extra inputs a move asks for (the organization chosen at ``send_to_imr``),
  checked before the move and written in the move's own transaction.

The case packet app (``packets``) registers:

- ``packet_documents``: for a case and the moment of its determination, the documents listed in
  the last case packet built for its reviewers before then (the exact list the reviewers
  received as one PDF), or None when there was none. The IMR decision letters list them.

Each seam is a plain function or object; the default answers "nothing", so complaints works alone.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.db.models import QuerySet


def _no_cases(user) -> QuerySet | None:
    return None


def _no_recipients(case_ids: Iterable[int]) -> dict[int, list[str]]:
    return {}


@dataclass(frozen=True)
class PacketDocument:
    """One document as a case packet listed it."""

    document_id: int
    name: str
    source: str  # a Document.Source value: ENROLLEE, PLAN or STAFF
    dated: date


def _no_packet(case, up_to: datetime | None) -> list[PacketDocument] | None:
    return None


@dataclass(frozen=True)
class MoveHook:
    """What a higher app adds to one move of the workflow table.

    ``fields(case)``: extra form fields (name -> field) the staff form shows for the move.
    ``check(case, extra)``: a dict of field errors, empty when ``extra`` is acceptable.
    ``apply(case, extra, actor, now)``: writes done inside the move's transaction, after the status
    was saved; raising rolls the whole move back.
    """

    fields: Callable[[object], dict[str, forms.Field]]
    check: Callable[[object, dict], dict[str, str]]
    apply: Callable[[object, dict, object, datetime], None]


@dataclass
class _Seams:
    reviewer_case_ids: Callable[[object], QuerySet | None] = _no_cases
    clock_recipients: dict[str, Callable[[Iterable[int]], dict[int, list[str]]]] = field(default_factory=dict)
    move_hooks: dict[str, MoveHook] = field(default_factory=dict)
    packet_documents: Callable[[object, datetime | None], list[PacketDocument] | None] = _no_packet


SEAMS = _Seams()


def reviewer_case_ids_register(selector: Callable[[object], QuerySet | None]) -> None:
    SEAMS.reviewer_case_ids = selector


def clock_recipients_register(clock_name: str, finder: Callable[[Iterable[int]], dict[int, list[str]]]) -> None:
    SEAMS.clock_recipients[clock_name] = finder


def move_hook_register(move_name: str, hook: MoveHook) -> None:
    SEAMS.move_hooks[move_name] = hook


def packet_documents_register(finder: Callable[[object, datetime | None], list[PacketDocument] | None]) -> None:
    SEAMS.packet_documents = finder


def move_hook(move_name: str) -> MoveHook | None:
    return SEAMS.move_hooks.get(move_name)
