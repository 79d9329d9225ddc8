"""What a letter says about one case: a frozen value the case code builds and the engine renders.

The engine never reads the database. ``LetterContext`` carries everything a template shows;
``context_problems`` lists what is missing or wrong for a given kind, so a bad letter is refused
before any PDF exists. Text fields come from people and are always escaped by the templates.
"""

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from letters.kinds import (
    LETTER_RECIPIENTS,
    OUTCOMES_BY_KIND,
    TRACKS,
    ClosureReason,
    ConversionReason,
    LetterKind,
    Recipient,
    languages_for,
)

PACIFIC = ZoneInfo("America/Los_Angeles")

# Bounded input keeps every render short: the largest letter these limits allow is about seven
# pages and takes about a second (docs/letters.md, "Time limit").
MAX_LENGTHS = {
    "case_number": 40,
    "patient_name": 200,
    "plan_name": 200,
    "member_id": 60,
    "treatment_in_dispute": 1_000,
    "reasons": 20_000,
    "referral_to": 1_000,
    "staff_name": 120,
}
# Line breaks count too: 20,000 characters of empty lines would make hundreds of pages.
MAX_LINES = {"reasons": 300, "referral_to": 20}
# WeasyPrint splits a run of characters with no space in it at a cost that grows with the square
# of its length (20,000 characters take seconds); real words and addresses are far shorter.
MAX_UNBROKEN = 300
_UNBROKEN = re.compile(rf"\S{{{MAX_UNBROKEN + 1},}}")
# The address block must fit the envelope window: a name and at most four lines, each short enough
# to stay on one line of the window (see letters.css).
MAX_ADDRESS_LINES = 4
MAX_ADDRESS_LINE_LENGTH = 46


@dataclass(frozen=True)
class Address:
    """The block that shows through the envelope window."""

    name: str
    lines: tuple[str, ...]  # street, then city, state and ZIP


# The documents an IMR decision letter lists as received by the reviewers (shared/FINDINGS.md,
# item 6: each one by name, sender and date, so the parties can tell what reached the reviewers).
REVIEWED_SOURCES = frozenset({"ENROLLEE", "PLAN", "STAFF"})
MAX_REVIEWED_DOCUMENTS = 200
MAX_DOCUMENT_NAME = 255


@dataclass(frozen=True)
class ReviewedDocument:
    """One document the reviewers received: its name, who sent it and the day it arrived."""

    name: str
    source: str  # ENROLLEE, PLAN or STAFF (the Help Center)
    dated: date


@dataclass(frozen=True)
class LetterContext:
    case_number: str  # e.g. "HC-2026-000123"
    letter_date: date
    recipient: Recipient
    language: str  # "en" or "es"
    address: Address
    patient_name: str
    plan_name: str
    member_id: str
    received_date: date
    treatment_in_dispute: str  # what the plan denied, changed or delayed, or the bill in dispute
    urgent: bool = False
    track: str = ""  # "IMR" or "COMPLAINT" once triaged
    response_due_at: datetime | None = None  # when the plan's response is due (aware)
    decision_due_date: date | None = None  # when the Help Center expects to decide
    outcome: str = ""  # decision letters: see letters.kinds.OUTCOMES_BY_KIND
    reasons: str = ""  # reviewers' findings or staff's reasons, as a person wrote them
    implementation_due_date: date | None = None  # when the plan must have carried out a win
    conversion_reason: str = ""  # COMPLAINT_CONVERSION: a letters.kinds.ConversionReason
    closure_reason: str = ""  # CLOSURE: a letters.kinds.ClosureReason
    referral_to: str = ""  # CLOSURE: who to contact instead, if anyone
    staff_name: str = ""  # who signs; "Help Center staff" when empty
    reviewed_documents: tuple[ReviewedDocument, ...] = ()  # IMR decisions: what the reviewers received


def _is_plain_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _text_problems(context: LetterContext) -> list[str]:
    problems = []
    for field in fields(context):
        value = getattr(context, field.name)
        if field.type is str and not isinstance(value, str):
            problems.append(f"{field.name} must be text")
        elif field.name in MAX_LENGTHS and len(value) > MAX_LENGTHS[field.name]:
            problems.append(f"{field.name} is longer than {MAX_LENGTHS[field.name]} characters")
        elif field.name in MAX_LINES and value.count("\n") >= MAX_LINES[field.name]:
            problems.append(f"{field.name} has more than {MAX_LINES[field.name]} lines")
        elif isinstance(value, str) and _UNBROKEN.search(value):
            problems.append(f"{field.name} has a word longer than {MAX_UNBROKEN} characters; add spaces")
    for name in ("case_number", "patient_name", "plan_name", "treatment_in_dispute"):
        if isinstance(getattr(context, name), str) and not getattr(context, name).strip():
            problems.append(f"{name} is empty")
    if "\n" in str(context.case_number):
        problems.append("case_number must be one line")
    return problems


def _address_problems(address: object) -> list[str]:
    if not isinstance(address, Address):
        return ["address must be an Address"]
    lines = (address.name, *address.lines)
    problems = []
    if not address.name.strip():
        problems.append("address has no name")
    if not 1 <= len(address.lines) <= MAX_ADDRESS_LINES:
        problems.append(f"address needs 1 to {MAX_ADDRESS_LINES} lines after the name")
    if any(not isinstance(line, str) or len(line) > MAX_ADDRESS_LINE_LENGTH or "\n" in line for line in lines):
        problems.append(f"address lines must be single lines of at most {MAX_ADDRESS_LINE_LENGTH} characters")
    return problems


def _date_problems(context: LetterContext) -> list[str]:
    problems = [
        f"{name} must be a date"
        for name in ("letter_date", "received_date")
        if not _is_plain_date(getattr(context, name))
    ]
    problems += [
        f"{name} must be a date or None"
        for name in ("decision_due_date", "implementation_due_date")
        if getattr(context, name) is not None and not _is_plain_date(getattr(context, name))
    ]
    due = context.response_due_at
    if due is not None and (not isinstance(due, datetime) or due.utcoffset() is None):
        problems.append("response_due_at must be a timezone-aware datetime")
    return problems


def _documents_problems(documents: object) -> list[str]:
    if not isinstance(documents, tuple) or not all(isinstance(item, ReviewedDocument) for item in documents):
        return ["reviewed_documents must be a tuple of ReviewedDocument"]
    if len(documents) > MAX_REVIEWED_DOCUMENTS:
        return [f"reviewed_documents lists more than {MAX_REVIEWED_DOCUMENTS} documents"]
    problems = []
    for item in documents:
        if not isinstance(item.name, str) or not item.name.strip() or len(item.name) > MAX_DOCUMENT_NAME:
            problems.append(f"a reviewed document needs a name of 1 to {MAX_DOCUMENT_NAME} characters")
        elif "\n" in item.name or _UNBROKEN.search(item.name):
            problems.append("a reviewed document's name must be one line of words")
        if item.source not in REVIEWED_SOURCES:
            problems.append(f"a reviewed document's source must be one of {', '.join(sorted(REVIEWED_SOURCES))}")
        if not _is_plain_date(item.dated):
            problems.append("a reviewed document's date must be a date")
    return sorted(set(problems))


def _kind_problems(kind: LetterKind, context: LetterContext) -> list[str]:
    problems = []
    if kind == LetterKind.RESPONSE_REQUEST and context.response_due_at is None:
        problems.append("a request for written response needs response_due_at")
    if kind in OUTCOMES_BY_KIND:
        allowed = OUTCOMES_BY_KIND[kind]
        if context.outcome not in allowed:
            problems.append(f"{kind.value} needs outcome {' or '.join(allowed)}, not {context.outcome!r}")
        if not context.reasons.strip():
            problems.append("a decision letter needs the reasons or findings")
        if context.outcome == "IN_FAVOUR" and context.implementation_due_date is None:
            problems.append("a complaint decided in the enrollee's favour needs implementation_due_date")
    if kind == LetterKind.COMPLAINT_CONVERSION and context.conversion_reason not in ConversionReason.values:
        problems.append(f"conversion_reason must be one of {', '.join(ConversionReason.values)}")
    if kind == LetterKind.CLOSURE:
        if context.closure_reason not in ClosureReason.values:
            problems.append(f"closure_reason must be one of {', '.join(ClosureReason.values)}")
        elif context.closure_reason == ClosureReason.OTHER and not context.reasons.strip():
            problems.append("a closure for another reason needs the reasons")
    if context.track not in TRACKS:
        problems.append("track must be '', 'IMR' or 'COMPLAINT'")
    return problems


def context_problems(kind: LetterKind | str, context: LetterContext) -> list[str]:
    """Everything that stops this context from making a correct letter of this kind (empty if none)."""
    try:
        kind = LetterKind(kind)
        recipient = Recipient(context.recipient)
    except ValueError as error:
        return [str(error)]
    if recipient not in LETTER_RECIPIENTS[kind]:
        return [f"{kind.value} letters do not go to {recipient.value}"]
    if context.language not in languages_for(recipient):
        return [f"{recipient.value} letters are not written in {context.language!r}"]
    problems = _text_problems(context) + _address_problems(context.address) + _date_problems(context)
    problems += _documents_problems(context.reviewed_documents)
    return problems or _kind_problems(kind, context)


# --- Dates as the letter prints them ------------------------------------------------------------

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}


def format_date(value: date, language: str) -> str:
    """ "May 4, 2026" or "4 de mayo de 2026"."""
    month = MONTHS[language][value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{month} {value.day}, {value.year}"


def format_datetime(value: datetime, language: str) -> str:
    """A due time in California time, e.g. "May 7, 2026, 11:59 p.m. Pacific time"."""
    local = value.astimezone(PACIFIC)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d}"
    if language == "es":
        suffix = "a. m." if local.hour < 12 else "p. m."
        return f"{format_date(local.date(), 'es')}, {clock} {suffix}, hora del Pacífico"
    suffix = "a.m." if local.hour < 12 else "p.m."
    return f"{format_date(local.date(), 'en')}, {clock} {suffix} Pacific time"
