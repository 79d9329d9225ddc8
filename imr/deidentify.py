"""Taking what identifies a person out of an IMR's findings before a supervisor reviews them
for publication.

The code removes, in this order: e-mail addresses, case numbers, the case's own member, Medi-Cal
and Medicare IDs and anything shaped like such an ID, phone numbers, dates finer than a year,
street addresses, names (the patient's, the filer's: parent, guardian or assistant, and whoever
signed; the providers named on the case: the treating provider and the medical group; and any
other name written after a title such as "Dr." or before "M.D."), and last the patient's city
and ZIP code. Each is replaced by a word in brackets ("[patient]", "[date]") so the
supervisor sees what was taken out. Names match whatever their accents and letter case.

This is a first pass, not a guarantee: ``imr.publication.findings_approve`` publishes only
text a supervisor approved, and ``imr.services.decision_publish`` refuses it again if it still
carries a known identifier or anything shaped like a date, phone number, e-mail or long number.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Anything that looks like a calendar date (finer than a year) in free text.
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
# What published text may never contain (identifying_problems); deidentify replaces the same.
IDENTIFYING_PATTERNS = {
    "a date": re.compile(
        r"\b\d{1,2}([/-])\d{1,2}\1\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{4}\b"
        rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+)?(?:{_MONTHS})\b"
        rf"|\b(?:{_MONTHS})\.?\s+(?:de\s+)?\d{{4}}\b",
        re.IGNORECASE,
    ),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "a phone number": re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b"),
    "a long number (an ID?)": re.compile(r"\d{7,}"),
}

PATIENT, NAME, PROVIDER = "[patient]", "[name]", "[provider]"
ID, CASE_NUMBER, PHONE, EMAIL = "[ID number]", "[case number]", "[phone number]", "[e-mail address]"
DATE, ADDRESS, PLACE = "[date]", "[address]", "[place]"

_EMAIL = IDENTIFYING_PATTERNS["an e-mail address"]
_CASE_NUMBER = re.compile(r"\bHC-\d{4}-\d{4,8}\b", re.IGNORECASE)
# An ID written after its label: "member ID: ABC-123", "Medi-Cal # 91234567A", "Medicare number 1EG4...".
_LABELLED_ID = re.compile(
    r"(?P<label>\b(?:(?:member|subscriber|medi-?cal|medicare|policy|mrn|cin|mbi)"
    r"(?:\s+(?:id|identification|number|no\.?|#))?"
    r"|(?:patient|plan|insurance|record|account|claim)\s+(?:id|identification|number|no\.?|#))"
    r"\s*(?:is|:|#)?\s*)"
    r"(?P<value>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b)",
    re.IGNORECASE,
)
# Medicare's Beneficiary Identifier (11 characters, optionally in groups of 4-3-4) and Medi-Cal's
# Client Index Number (9, 7 digits and a letter).
_MBI = re.compile(r"\b[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2}\b")
_CIN = re.compile(r"\b9\d{7}[A-Z]\b")
# Seven digits or more, a social security number, or digits in three or more hyphenated groups (a
# year range such as 2020-2021 stays).
_LONG_NUMBER = re.compile(r"\d{7,}|\b\d{3}-\d{2}-\d{4}\b|\b\d{2,}(?:-\d{2,}){2,}\b")
_PHONE = re.compile(
    r"(?:\+?1[-. ]?)?(?:\(\d{3}\)\s*|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b(?:\s*(?:x|ext\.?)\s*\d{1,5})?", re.IGNORECASE
)
_DATE = IDENTIFYING_PATTERNS["a date"]
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Circle|Cir|Terrace|"
    r"Highway|Hwy|Parkway|Pkwy|Calle|Avenida|Camino"
)
_STREET = re.compile(
    rf"\b\d{{1,6}}\s+(?:[A-Z0-9][\w.'-]*\s+){{0,4}}(?:{_STREET_TYPES})\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*[\w-]+)?"
    r"|\bP\.?\s?O\.?\s+Box\s+\d+\b",
    re.IGNORECASE,
)
_STATE_ZIP = re.compile(r"\b(?:CA|California)\s+\d{5}(?:-\d{4})?\b")
_TITLED_NAME = re.compile(
    r"\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Nurse)\.?\s+(?:[A-Z][\w'-]+\.?\s+){0,2}[A-Z][\w'-]+"
    r"|\b[A-Z][\w'-]+(?:\s+[A-Z]\.)?\s+[A-Z][\w'-]+,?\s+(?:M\.?D|D\.?O|R\.?N|N\.?P|P\.?A-?C|D\.?P\.?M)\b\.?"
)
_TITLES = re.compile(r"^(?:dr|doctor|mr|mrs|ms|miss|nurse)\.?\s+", re.IGNORECASE)
_DEGREES = re.compile(r",?\s+(?:m\.?d|d\.?o|r\.?n|n\.?p|pa-?c|dpm)\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class CaseIdentifiers:
    """What the case itself says about the people in it, each a list of strings to remove."""

    patient_names: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    provider_names: tuple[str, ...] = ()
    id_numbers: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    case_number: str = ""

    def must_not_appear(self) -> list[str]:
        """What published text may never contain (``decision_publish``'s final check): the
        patient's and the providers' names, the filer's full name (not each of its words, which
        can be ordinary words), the IDs, the street and the case number."""
        filers = [name for name in self.other_names if " " in name.strip()]
        return [
            value
            for value in (
                *self.patient_names, *filers, *self.provider_names, *self.id_numbers, *self.places[:1],
                self.case_number,
            )
            if value.strip()
        ]  # fmt: skip


def _person_names(full_name: str) -> list[str]:
    """A name as written, without a title or degree, and each of its words of 2 letters or more."""
    name = _DEGREES.sub("", _TITLES.sub("", full_name.strip()))
    words = [word.strip(".,") for word in name.split()]
    return [name, *[word for word in words if len(word) >= 2]]


def case_identifiers(case) -> CaseIdentifiers:
    """The identifiers a complaints.Case carries: its patient, filer, providers, IDs and places."""
    patient = getattr(case, "patient", None)
    representative = getattr(case, "representative", None)
    patient_names, places = [], []
    if patient is not None:
        patient_names += [patient.full_name, f"{patient.first_name} {patient.last_name}"]
        patient_names += _person_names(f"{patient.first_name} {patient.last_name}")
        places += [patient.street, patient.city, patient.zip_code]
    other_names = _person_names(case.signed_name) if case.signed_name else []
    if representative is not None:
        other_names += _person_names(representative.full_name)
        other_names += [representative.patient_signed_name, representative.assistant_signed_name]
        places += [representative.street, representative.zip_code]
    providers = []
    for named in (case.treating_provider, case.medical_group):
        for part in re.split(r"[,;/]| and ", named or ""):
            if part.strip():
                providers += _person_names(part) if _TITLES.match(part.strip()) else [part.strip()]
    # A word the patient's name shares with the filer's (a family name) is the patient's.
    patient_words = {_fold(name) for name in patient_names}
    return CaseIdentifiers(
        patient_names=tuple(dict.fromkeys(name for name in patient_names if name.strip())),
        other_names=tuple(
            dict.fromkeys(name for name in other_names if name.strip() and _fold(name) not in patient_words)
        ),
        provider_names=tuple(dict.fromkeys(providers)),
        id_numbers=tuple(value for value in (case.member_id, case.medi_cal_id, case.medicare_id) if value.strip()),
        places=tuple(value for value in places if value and value.strip()),
        case_number=case.number,
    )


def _fold(text: str) -> str:
    """Lower case without accents, one character for one, so positions in the folded text are
    positions in the original."""
    return "".join((unicodedata.normalize("NFKD", char)[:1] or char).lower()[:1] or char for char in text)


def _replace_known(text: str, values: Iterable[str], placeholder: str) -> str:
    # Longest first, so a full name is replaced whole before its words are.
    for value in sorted({value.strip() for value in values if len(value.strip()) >= 2}, key=len, reverse=True):
        words = _fold(value).split()
        pattern = re.compile(r"(?<!\w)" + r"[\s.,]+".join(re.escape(word.strip(".,")) for word in words) + r"(?!\w)")
        folded = _fold(text)
        pieces, last = [], 0
        for match in pattern.finditer(folded):
            pieces += [text[last : match.start()], placeholder]
            last = match.end()
        text = "".join(pieces) + text[last:]
    return text


def identifying_problems(text: str, identifiers: Sequence[str]) -> list[str]:
    """What in ``text`` could still identify someone: anything shaped like a date, e-mail address,
    phone number or long number, or one of ``identifiers`` as whole words (whatever the accents
    and letter case). ``imr.services.decision_publish`` refuses text with any."""
    problems = [f"contains {what}" for what, pattern in IDENTIFYING_PATTERNS.items() if pattern.search(text)]
    folded = _fold(text)
    for identifier in identifiers:
        words = _fold(identifier).split()
        pattern = r"\s+".join(re.escape(word) for word in words)
        if len("".join(words)) >= 2 and re.search(rf"(?<!\w){pattern}(?!\w)", folded):
            problems.append("contains a name or identifier of the patient")
            break
    return problems


def deidentify(text: str, identifiers: CaseIdentifiers) -> str:
    """``text`` with every identifier the code can find replaced by a bracketed word."""
    text = _EMAIL.sub(EMAIL, text)
    text = _CASE_NUMBER.sub(CASE_NUMBER, text)
    text = _replace_known(text, [identifiers.case_number], CASE_NUMBER)
    text = _replace_known(text, identifiers.id_numbers, ID)
    text = _LABELLED_ID.sub(lambda match: match.group("label") + ID, text)
    text = _MBI.sub(ID, text)
    text = _CIN.sub(ID, text)
    text = _PHONE.sub(PHONE, text)
    text = _DATE.sub(DATE, text)
    text = _LONG_NUMBER.sub(ID, text)
    text = _STREET.sub(ADDRESS, text)
    text = _STATE_ZIP.sub(PLACE, text)
    # Names before places: "Sacramento Orthopedics" is a provider, "Sacramento" alone a place.
    text = _replace_known(text, identifiers.patient_names, PATIENT)
    text = _replace_known(text, identifiers.other_names, NAME)
    text = _replace_known(text, identifiers.provider_names, PROVIDER)
    text = _TITLED_NAME.sub(PROVIDER, text)
    text = _replace_known(text, identifiers.places, PLACE)
    return text
