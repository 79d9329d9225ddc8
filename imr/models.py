"""Models of the IMR track.

The first section holds the public, de-identified IMR decisions (DMHC's published file and the
portal's own issued decisions) and their tallies for the statistics page. The IMR review models
(qualification, determination recording, carrying out) follow in their own section.
"""

import hashlib

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import DenialReason

# ================================================================================================
# Public IMR decisions (de-identified; searchable at /decisions/)
# ================================================================================================

MAX_CATEGORY_LENGTH = 200
FIRST_REPORT_YEAR = 2001  # DMHC's published data starts with the IMRs of January 2001.


class Determination(models.TextChoices):
    OVERTURNED = "OVERTURNED", _("Overturned")
    UPHELD = "UPHELD", _("Upheld")


class DecisionType(models.TextChoices):
    MEDICAL_NECESSITY = "MEDICAL_NECESSITY", _("Medical necessity")
    EXPERIMENTAL_INVESTIGATIONAL = "EXPERIMENTAL_INVESTIGATIONAL", _("Experimental or investigational")
    URGENT_CARE = "URGENT_CARE", _("Urgent care")


# The type of review an IMR is published under, for each reason the plan gave that can go to IMR
# (complaints.models.IMR_ELIGIBLE_REASONS); a coverage dispute never goes to IMR, so has none.
DECISION_TYPE_FOR_REASON = {
    DenialReason.MEDICAL_NECESSITY: DecisionType.MEDICAL_NECESSITY,
    DenialReason.EXPERIMENTAL: DecisionType.EXPERIMENTAL_INVESTIGATIONAL,
    DenialReason.EMERGENCY_PAYMENT: DecisionType.URGENT_CARE,
}


class ImrType(models.TextChoices):
    STANDARD = "STANDARD", _("Standard")
    EXPEDITED = "EXPEDITED", _("Expedited")


class AgeRange(models.TextChoices):
    AGE_0_10 = "AGE_0_10", _("0 to 10")
    AGE_11_20 = "AGE_11_20", _("11 to 20")
    AGE_21_30 = "AGE_21_30", _("21 to 30")
    AGE_31_40 = "AGE_31_40", _("31 to 40")
    AGE_41_50 = "AGE_41_50", _("41 to 50")
    AGE_51_64 = "AGE_51_64", _("51 to 64")
    AGE_65_PLUS = "AGE_65_PLUS", _("65 or older")


class Gender(models.TextChoices):
    FEMALE = "FEMALE", _("Female")
    MALE = "MALE", _("Male")
    OTHER = "OTHER", _("Other")


class DecisionSource(models.TextChoices):
    IMPORTED = "IMPORTED", _("Imported from DMHC's published file")
    PORTAL = "PORTAL", _("Issued through this portal")


# The facts a published decision is classified by besides its year: what the search and the API
# filter on and what the statistics count by.
CLASSIFICATION_FIELDS = (
    "diagnosis_category",
    "diagnosis_subcategory",
    "treatment_category",
    "treatment_subcategory",
    "determination",
    "decision_type",
    "age_range",
    "gender",
    "imr_type",
)

# The fields the statistics group by; a tally row counts the decisions that share all of them.
TALLY_FIELDS = ("report_year", *CLASSIFICATION_FIELDS)

# The fields that describe a decision, in the order of DMHC's newer file. The importer compares
# exactly these to tell an unchanged row from an updated one.
DECISION_FIELDS = (*TALLY_FIELDS, "days_to_review", "days_to_adopt", "findings")


def tally_key(values) -> int:
    """A 64-bit number that names one combination of TALLY_FIELDS (``values``: a mapping or a model).

    DecisionTally.key and DecisionSearchEntry.tally_key hold it, so that the statistics of a text
    search count the matching entries per key and then read the facts from the few thousand
    tallies. Stored keys depend on this exact formula: never change it without recounting
    (decision_tallies_rebuild). Two combinations with the same key (odds about 1 in 10^11 for
    the shipped file) would break DecisionTally's unique key loudly rather than mix counts.
    """
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    identity = "\x1f".join(str(get(name)) for name in TALLY_FIELDS)
    return int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)


def _in_choices(field: str, choices: type[models.TextChoices], *, blank: bool = False) -> Q:
    allowed = Q(**{f"{field}__in": choices.values})
    return allowed | Q(**{field: ""}) if blank else allowed


def _classification_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(report_year__gte=FIRST_REPORT_YEAR) & Q(report_year__lte=2100), name=f"{prefix}_year_range"
        ),
        models.CheckConstraint(condition=_in_choices("determination", Determination), name=f"{prefix}_determination"),
        models.CheckConstraint(condition=_in_choices("decision_type", DecisionType), name=f"{prefix}_type"),
        models.CheckConstraint(condition=_in_choices("imr_type", ImrType, blank=True), name=f"{prefix}_imr_type"),
        models.CheckConstraint(condition=_in_choices("age_range", AgeRange, blank=True), name=f"{prefix}_age_range"),
        models.CheckConstraint(condition=_in_choices("gender", Gender, blank=True), name=f"{prefix}_gender"),
    ]


class DecisionClassification(models.Model):
    """The de-identified facts of a decision that the public may filter on."""

    report_year = models.PositiveSmallIntegerField(_("report year"))
    diagnosis_category = models.CharField(_("diagnosis category"), max_length=MAX_CATEGORY_LENGTH, blank=True)
    diagnosis_subcategory = models.CharField(_("diagnosis subcategory"), max_length=MAX_CATEGORY_LENGTH, blank=True)
    treatment_category = models.CharField(_("treatment category"), max_length=MAX_CATEGORY_LENGTH, blank=True)
    treatment_subcategory = models.CharField(_("treatment subcategory"), max_length=MAX_CATEGORY_LENGTH, blank=True)
    determination = models.CharField(_("determination"), max_length=16, choices=Determination.choices)
    decision_type = models.CharField(_("type"), max_length=32, choices=DecisionType.choices)
    age_range = models.CharField(_("age range"), max_length=16, choices=AgeRange.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    imr_type = models.CharField(_("IMR type"), max_length=16, choices=ImrType.choices, blank=True)

    class Meta:
        abstract = True


class PublishedDecision(DecisionClassification):
    """One published IMR decision, with nothing that could identify the patient.

    Rows come from DMHC's public file (import_imr_decisions) or from a decision issued through
    the portal (imr.services.decision_publish). Writes go through those services only, because
    they keep DecisionTally in step.
    """

    reference_id = models.CharField(_("reference ID"), max_length=32, unique=True)
    days_to_review = models.PositiveIntegerField(_("days to review"), null=True, blank=True)
    days_to_adopt = models.PositiveIntegerField(_("days to adopt"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=DecisionSource.choices)
    # Internal only (never shown publicly or exported): when this row last changed here.
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("published IMR decision")
        verbose_name_plural = _("published IMR decisions")
        ordering = ["-report_year", "reference_id"]
        indexes = [
            # The list's sort; with it, a filter that matches many rows stops after one page.
            models.Index(fields=["-report_year", "reference_id"], name="imr_decision_sort"),
            # A filter that matches few rows walks one of these, already in the list's order.
            # (Determination, gender and IMR type match a third or more of all rows each: the sort
            # index finds a page of them quickly without an index of their own.)
            *(
                models.Index(fields=[name, "-report_year", "reference_id"], name=f"imr_decision_{short}")
                for name, short in (
                    ("decision_type", "type"),
                    ("age_range", "age"),
                    ("diagnosis_category", "diag"),
                    ("diagnosis_subcategory", "diag_sub"),
                    ("treatment_category", "treat"),
                    ("treatment_subcategory", "treat_sub"),
                )
            ),
            # The full-text index on findings exists on PostgreSQL only: migration 0002.
        ]
        constraints = [
            *_classification_constraints("imr_decision"),
            models.CheckConstraint(condition=~Q(reference_id=""), name="imr_decision_reference_id_present"),
            models.CheckConstraint(condition=_in_choices("source", DecisionSource), name="imr_decision_source"),
        ]

    def __str__(self) -> str:
        return self.reference_id


class DecisionTally(DecisionClassification):
    """How many published decisions share one combination of the filterable facts.

    The statistics and the result counts read these few thousand rows instead of counting a
    million decisions on every page. Kept in step by imr.services (imr/services/tallies.py).
    """

    key = models.BigIntegerField(_("key"), unique=True)  # tally_key() of the combination
    decisions = models.PositiveIntegerField(_("decisions"))
    with_findings = models.PositiveIntegerField(_("decisions with findings"))

    class Meta:
        verbose_name = _("decision tally")
        verbose_name_plural = _("decision tallies")
        constraints = [
            *_classification_constraints("imr_tally"),
            models.UniqueConstraint(fields=list(TALLY_FIELDS), name="imr_tally_one_row_per_combination"),
            models.CheckConstraint(condition=Q(decisions__gt=0), name="imr_tally_not_empty"),
            models.CheckConstraint(condition=Q(with_findings__lte=models.F("decisions")), name="imr_tally_findings"),
        ]

    def __str__(self) -> str:
        return f"{self.report_year} {self.decision_type} {self.determination}: {self.decisions}"


class DecisionSearchEntry(models.Model):
    """The findings' full-text vector of one decision, beside the key of its tally.

    The statistics of a text search read these narrow rows instead of the decisions: the GIN
    index on ``vector`` (migration 0004, PostgreSQL only) finds the matching entries, they are
    counted per ``tally_key``, and the year, type and categories come from DecisionTally. A vector
    too long for the row (long findings) is stored out of line (TOAST), so the table stays narrow
    however long the findings are. On SQLite ``vector`` stays empty (its text search reads
    the decisions). Written only by imr.services, together with the decision.
    """

    decision = models.OneToOneField(
        PublishedDecision, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    tally_key = models.BigIntegerField(_("tally key"))
    vector = SearchVectorField(_("findings vector"), null=True)

    class Meta:
        verbose_name = _("decision search entry")
        verbose_name_plural = _("decision search entries")
        # The full-text index on vector exists on PostgreSQL only: migration 0004.

    def __str__(self) -> str:
        return f"Search entry of decision {self.decision_id}"


class CommonTerm(models.Model):
    """A word form (lexeme) that many findings contain: the statistics of a search for it are kept
    counted in DecisionTermTally, so its first search is as quick as a repeated one.

    Which lexemes are common is decided when the tallies are recounted (an import, the repair
    path); publications between recounts keep the counts of these lexemes exact. PostgreSQL only.
    """

    lexeme = models.CharField(_("lexeme"), max_length=2046, unique=True)

    class Meta:
        verbose_name = _("common search term")
        verbose_name_plural = _("common search terms")

    def __str__(self) -> str:
        return self.lexeme


class DecisionTermTally(models.Model):
    """How many decisions of one tally (DecisionTally.key) contain one common lexeme: exact."""

    term = models.ForeignKey(CommonTerm, on_delete=models.CASCADE, related_name="tallies")
    tally_key = models.BigIntegerField(_("tally key"))
    decisions = models.PositiveIntegerField(_("decisions"))

    class Meta:
        verbose_name = _("decision term tally")
        verbose_name_plural = _("decision term tallies")
        constraints = [
            models.UniqueConstraint(fields=["term", "tally_key"], name="imr_term_tally_one_row_per_key"),
            models.CheckConstraint(condition=Q(decisions__gt=0), name="imr_term_tally_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id} in {self.tally_key}: {self.decisions}"


class DaysMeasure(models.TextChoices):
    REVIEW = "REVIEW", _("days to review")
    ADOPT = "ADOPT", _("days to adopt")


class DecisionDaysTally(models.Model):
    """How many decisions of one tally (DecisionTally.key) took a given number of days to review
    (or to adopt): the medians of the statistics page, exact, without reading the decisions.

    Kept in step by imr.services with the tallies (recounted on import, one row changed per
    publication). Decisions that do not record the days are not counted.
    """

    tally_key = models.BigIntegerField(_("tally key"))
    measure = models.CharField(_("measure"), max_length=8, choices=DaysMeasure.choices)
    days = models.PositiveIntegerField(_("days"))
    decisions = models.PositiveIntegerField(_("decisions"))

    class Meta:
        verbose_name = _("decision days tally")
        verbose_name_plural = _("decision days tallies")
        constraints = [
            models.UniqueConstraint(fields=["tally_key", "measure", "days"], name="imr_days_tally_one_row"),
            models.CheckConstraint(condition=Q(decisions__gt=0), name="imr_days_tally_not_empty"),
            models.CheckConstraint(condition=_in_choices("measure", DaysMeasure), name="imr_days_tally_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.tally_key} {self.measure} {self.days}: {self.decisions}"


class DecisionFilterOptions(models.Model):
    """The filter options of the search form (the values the data has), kept in one row.

    Recomputed from DecisionTally whenever the tallies change (imr.services), so that a page
    reads one row instead of scanning the tallies for distinct values on every request.
    """

    options = models.JSONField(_("options"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("decision filter options")
        verbose_name_plural = _("decision filter options")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="imr_filter_options_single_row")]

    def __str__(self) -> str:
        return f"Filter options as of {self.changed_at:%Y-%m-%d %H:%M}"


# ================================================================================================
# IMR review (qualification, determination recording, carrying out)
# ================================================================================================


# ------------------------------------------------------------------------------------------------
# Portal decisions published: which issued IMR cases already have their public, de-identified row
# ------------------------------------------------------------------------------------------------
class PortalPublication(models.Model):
    """Marks an IMR case decided in the portal as published (the public row holds no case link)."""

    case = models.OneToOneField("complaints.Case", on_delete=models.PROTECT, related_name="+")
    reference_id = models.CharField(max_length=32, unique=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["published_at"]

    def __str__(self) -> str:
        return self.reference_id


class FindingsReview(models.Model):
    """The findings of an IMR decided in the portal, on their way to the public database.

    ``original`` is the reviewers' text as the case holds it; ``proposed`` is what the code left
    after taking identifiers out (imr.deidentify). A supervisor compares the two, may edit, and
    approves ``approved_text``; only then is the decision published, findings included.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", _("Waiting for a supervisor")
        APPROVED = "APPROVED", _("Approved and published")

    case = models.OneToOneField("complaints.Case", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    original = models.TextField(help_text="The findings as the reviewers wrote them (never published).")
    proposed = models.TextField(blank=True, help_text="The findings with identifiers taken out by the code.")
    approved_text = models.TextField(blank=True, help_text="The findings as the supervisor approved them.")
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["state", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="PENDING") | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="findings_review_approval_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Findings of {self.case.number} ({self.get_state_display().lower()})"
