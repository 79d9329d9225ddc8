"""'Cases like yours': how past IMRs about the same treatment (and diagnosis) ended.

An enrollee describes the problem in their own words; this maps those words to the published
data's categories, and says nothing when the mapping is unsure. The reason the plan gave gives
the type of review for certain (a coverage dispute never goes to IMR: nothing is shown). The
treatment must name exactly one treatment subcategory, or exactly one category, that the
published decisions have (as whole words, plurals allowed); otherwise nothing is shown. A
diagnosis is added only when the words name exactly one diagnosis subcategory or category;
otherwise the figures are for the treatment alone, and say so.

The figures come from imr.selectors.decision_stats, the statistics page's and the API's reader,
so they are the same numbers /decisions/stats/ and /api/v1/statistics/ give for those filters.
Public and de-identified: it never sees the case, only words and a reason.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from imr.models import DECISION_TYPE_FOR_REASON, DecisionType
from imr.selectors import DecisionFilters, decision_facets, decision_stats, decisions_matching

# Category names that say nothing about the care.
VAGUE = {"other", "not applicable", "general", "miscellaneous", "special procedure"}
FINDINGS_SHOWN = 3
FINDINGS_LENGTH = 280


@dataclass(frozen=True)
class SimilarCases:
    decision_type: str
    treatment: str
    diagnosis: str
    decisions: int
    overturned: int
    findings: list[str] = field(default_factory=list)
    query: str = ""  # the filters, for links to the statistics and the search

    @property
    def type_label(self) -> str:
        return str(DecisionType(self.decision_type).label)


def _words(text: str) -> str:
    """Lower case, without accents (the person may write "cáncer"; DMHC writes "Cancer"), and
    with one space around every word."""
    folded = "".join(char for char in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(char))
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split()) + " "


def _plural_too(word: str) -> str:
    if word.endswith("y") and len(word) > 3:
        return re.escape(word[:-1]) + r"(?:y|ies)"
    return re.escape(word) + r"(?:s|es)?"


def _named(names, text: str) -> set[str]:
    """The names that appear in ``text`` as whole words (each word may be in the plural)."""
    found = set()
    for name in names:
        words = _words(name).split()
        if not words or name.strip().lower() in VAGUE or len("".join(words)) < 3:
            continue
        pattern = r" " + r" ".join(_plural_too(word) for word in words) + r" "
        if re.search(pattern, text):
            found.add(name)
    return found


def _one_of(groups: dict[str, list[str]], text: str) -> tuple[str, str] | None:
    """(category, subcategory) or (category, "") or ("", subcategory) if the words name exactly
    one; None if they name none or several."""
    subcategories = _named({name for subs in groups.values() for name in subs}, text)
    if len(subcategories) == 1:
        return "", subcategories.pop()
    if subcategories:
        return None
    categories = _named(groups, text)
    if len(categories) == 1:
        return categories.pop(), ""
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= FINDINGS_LENGTH:
        return text
    return text[:FINDINGS_LENGTH].rsplit(" ", 1)[0] + " …"


def similar_cases(*, denial_reason: str, treatment_text: str, diagnosis_text: str = "") -> SimilarCases | None:
    """How past IMRs like this one ended, or None when the words cannot be mapped for certain."""
    decision_type = DECISION_TYPE_FOR_REASON.get(denial_reason)
    if decision_type is None or not treatment_text.strip():
        return None
    facets = decision_facets()
    treatment = _one_of(facets.treatments, _words(treatment_text))
    if treatment is None:
        return None
    diagnosis = _one_of(facets.diagnoses, _words(f"{treatment_text} {diagnosis_text}")) or ("", "")
    filters = DecisionFilters(
        decision_type=decision_type,
        treatment_category=treatment[0],
        treatment_subcategory=treatment[1],
        diagnosis_category=diagnosis[0],
        diagnosis_subcategory=diagnosis[1],
    )
    overall = decision_stats(filters).overall
    findings = []
    if overall.decisions and facets.has_findings:
        findings = [
            _short(text)
            for text in decisions_matching(filters)
            .exclude(findings="")
            .values_list("findings", flat=True)[:FINDINGS_SHOWN]
        ]
    query = {
        name: value
        for name, value in (
            ("decision_type", decision_type.value),
            ("treatment_category", treatment[0]),
            ("treatment_subcategory", treatment[1]),
            ("diagnosis_category", diagnosis[0]),
            ("diagnosis_subcategory", diagnosis[1]),
        )
        if value
    }
    return SimilarCases(
        decision_type=decision_type.value,
        treatment=treatment[1] or treatment[0],
        diagnosis=diagnosis[1] or diagnosis[0],
        decisions=overall.decisions,
        overturned=overall.overturned,
        findings=findings,
        query=urlencode(query),
    )
