"""The case and everything that belongs to it, one module per topic: the choices, the case, its
parties, its documents, its clocks and its timeline (events, letters, notices). Import them from
here."""

from complaints.models.case import Case, CaseNumberSequence
from complaints.models.choices import (
    ENROLLEE_WINS,
    IMR_ELIGIBLE_REASONS,
    TERMINAL_STATUSES,
    Channel,
    DenialReason,
    FilerRelationship,
    Outcome,
    ProblemCategory,
    ReviewUnit,
    Status,
    Track,
)
from complaints.models.clocks import Clock, ClockExtension
from complaints.models.documents import Document, PlanResponse, _document_path
from complaints.models.parties import Patient, Representative
from complaints.models.timeline import CaseEvent, Letter, Notice

__all__ = [
    "ENROLLEE_WINS",
    "IMR_ELIGIBLE_REASONS",
    "TERMINAL_STATUSES",
    "Case",
    "CaseEvent",
    "CaseNumberSequence",
    "Channel",
    "Clock",
    "ClockExtension",
    "DenialReason",
    "Document",
    "FilerRelationship",
    "Letter",
    "Notice",
    "Outcome",
    "Patient",
    "PlanResponse",
    "ProblemCategory",
    "Representative",
    "ReviewUnit",
    "Status",
    "Track",
    "_document_path",  # named by migration 0001 as complaints.models._document_path
]
