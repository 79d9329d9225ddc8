"""Reading DMHC's published IMR decisions file, in both of the shapes it has been released in.

- The 2016-era file: spaced headers ("Reference ID", "Report Year", ..., "Patient Gender"), ten
  columns; the copy shipped in data/imr/ was re-saved with ';' as separator.
- Newer releases: unspaced headers ("ReferenceID", "ReportYear", ..., "PatientGender") and four
  more columns ("IMRType", "DaysToReview", "DaysToAdopt", "Findings"), comma-separated, with
  quoted multi-line findings.

Headers are matched without regard to case, spaces or punctuation, so either spelling of each
name is accepted; the separator is the one the header line uses. Every row is checked in full
here; a row with any problem becomes a RowProblem with a reason, never a half-read decision.
Nothing in this module writes to the database (imr.services does).
"""

import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from imr.models import (
    FIRST_REPORT_YEAR,
    MAX_CATEGORY_LENGTH,
    AgeRange,
    DecisionType,
    Determination,
    Gender,
    ImrType,
)

# Findings can run to many thousands of characters; the csv module's default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Normalised header name -> our field name.
COLUMNS = {
    "referenceid": "reference_id",
    "reportyear": "report_year",
    "diagnosiscategory": "diagnosis_category",
    "diagnosissubcategory": "diagnosis_subcategory",
    "treatmentcategory": "treatment_category",
    "treatmentsubcategory": "treatment_subcategory",
    "determination": "determination",
    "type": "decision_type",
    "agerange": "age_range",
    "patientgender": "gender",
    "gender": "gender",
    "imrtype": "imr_type",
    "daystoreview": "days_to_review",
    "daystoadopt": "days_to_adopt",
    "findings": "findings",
}
REQUIRED_COLUMNS = {
    "reference_id": "Reference ID",
    "report_year": "Report Year",
    "determination": "Determination",
    "decision_type": "Type",
}
NEWER_ONLY_COLUMNS = ("imr_type", "days_to_review", "days_to_adopt", "findings")

# DMHC's wording of each value, as written in its files (and in our CSV download).
DMHC_DETERMINATION = {
    Determination.OVERTURNED: "Overturned Decision of Health Plan",
    Determination.UPHELD: "Upheld Decision of Health Plan",
}
DMHC_TYPE = {
    DecisionType.MEDICAL_NECESSITY: "Medical Necessity",
    DecisionType.EXPERIMENTAL_INVESTIGATIONAL: "Experimental/Investigational",
    DecisionType.URGENT_CARE: "Urgent Care",
}
DMHC_AGE_RANGE = {
    AgeRange.AGE_0_10: "0-10",
    AgeRange.AGE_11_20: "11-20",
    AgeRange.AGE_21_30: "21-30",
    AgeRange.AGE_31_40: "31-40",
    AgeRange.AGE_41_50: "41-50",
    AgeRange.AGE_51_64: "51-64",
    AgeRange.AGE_65_PLUS: "65+",
}
DMHC_GENDER = {Gender.FEMALE: "Female", Gender.MALE: "Male", Gender.OTHER: "Other"}
DMHC_IMR_TYPE = {ImrType.STANDARD: "Standard", ImrType.EXPEDITED: "Expedited"}

# The headers of DMHC's newer file, in its order: the columns of our CSV download.
NEWER_HEADER = (
    "ReferenceID",
    "ReportYear",
    "DiagnosisCategory",
    "DiagnosisSubCategory",
    "TreatmentCategory",
    "TreatmentSubCategory",
    "Determination",
    "Type",
    "AgeRange",
    "PatientGender",
    "IMRType",
    "DaysToReview",
    "DaysToAdopt",
    "Findings",
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", text.lower())


def _reverse(mapping: dict, *extra: tuple[str, str]) -> dict[str, str]:
    lookup = {_key(label): str(value) for value, label in mapping.items()}
    lookup.update({_key(label): str(value) for label, value in extra})
    return lookup


DETERMINATION_LOOKUP = _reverse(
    DMHC_DETERMINATION, ("Overturned", Determination.OVERTURNED), ("Upheld", Determination.UPHELD)
)
TYPE_LOOKUP = _reverse(DMHC_TYPE)
AGE_LOOKUP = _reverse(DMHC_AGE_RANGE, ("11_20", AgeRange.AGE_11_20))
GENDER_LOOKUP = _reverse(DMHC_GENDER)
IMR_TYPE_LOOKUP = _reverse(DMHC_IMR_TYPE)

REFERENCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")
WHOLE_NUMBER = re.compile(r"\d{1,6}(\.0+)?")
# A spreadsheet program runs a cell that starts with one of these as a formula; our CSV download
# puts an apostrophe in front of such a cell, and reading it back takes the apostrophe off.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class NotADecisionsFile(ValueError):
    """The file cannot be read as a DMHC IMR decisions file at all (no row was imported)."""


@dataclass(frozen=True)
class ParsedDecision:
    """One row that passed every check: the values are ready to store."""

    row_number: int
    reference_id: str
    values: dict


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"


@dataclass
class DecisionsFile:
    """A decoded file, its shape and how its columns map to our fields."""

    name: str
    text: str
    delimiter: str
    header: list[str]
    columns: dict[int, str]  # position -> field name
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def shape(self) -> str:
        newer = any(name in self.columns.values() for name in NEWER_ONLY_COLUMNS) or all(
            " " not in name.strip() for name in self.header
        )
        return "newer" if newer else "2016-era"

    def describe(self) -> str:
        separator = {";": "semicolon", ",": "comma", "\t": "tab"}.get(self.delimiter, repr(self.delimiter))
        return f"{self.shape} shape, {separator}-separated, {self.encoding}"


def _cell(value: str) -> str:
    value = value.replace("\r\n", "\n").strip()
    if value == "NA":  # how R writes an empty value; an earlier copy of the file came from R
        return ""
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def decisions_file_open(path: str | Path) -> DecisionsFile:
    """Decode the file and work out its separator and columns. Raises NotADecisionsFile."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise NotADecisionsFile(f"cannot read {path}: {error.strerror}") from error
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Older exports were saved by spreadsheet programs in Windows-1252.
        text, encoding = raw.decode("cp1252", errors="replace"), "windows-1252"
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise NotADecisionsFile(f"{path.name} is empty or has no header line")
    delimiter = max((";", ",", "\t"), key=first_line.count)
    header = next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter))
    columns, ignored, seen = {}, [], set()
    for position, name in enumerate(header):
        field_name = COLUMNS.get(_key(name))
        if field_name is None or field_name in seen:
            ignored.append(name or f"(column {position + 1} has no name)")
            continue
        columns[position] = field_name
        seen.add(field_name)
    missing = [label for name, label in REQUIRED_COLUMNS.items() if name not in seen]
    if missing:
        raise NotADecisionsFile(
            f"{path.name} is not a DMHC IMR decisions file: no column for {', '.join(missing)} "
            f"(its header is: {first_line.strip()[:200]})"
        )
    return DecisionsFile(path.name, text, delimiter, header, columns, ignored, encoding)


def decisions_file_rows(decisions_file: DecisionsFile) -> Iterator[ParsedDecision | RowProblem]:
    """Every data row, checked. Rows are numbered as a spreadsheet shows them: the header is row 1."""
    reader = csv.reader(io.StringIO(decisions_file.text, newline=""), delimiter=decisions_file.delimiter)
    width = len(decisions_file.header)
    row_number = 1
    next(reader, None)  # the header
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RowProblem(row_number + 1, f"cannot be read as CSV ({error}); the rest of the file was not read")
            return
        if not cells or all(not cell.strip() for cell in cells):
            continue  # a blank line is not a row
        row_number += 1
        if len(cells) != width:
            yield RowProblem(row_number, f"has {len(cells)} fields, the header has {width}")
            continue
        yield row_check(row_number, {name: _cell(cells[position]) for position, name in decisions_file.columns.items()})


def decisions_file_row_count(decisions_file: DecisionsFile) -> int:
    """How many data rows the file has (a quick first pass, for the progress bar)."""
    reader = csv.reader(io.StringIO(decisions_file.text, newline=""), delimiter=decisions_file.delimiter)
    try:
        return max(0, sum(1 for cells in reader if cells and any(cell.strip() for cell in cells)) - 1)
    except csv.Error:
        return 0


def _choice(raw: dict, name: str, lookup: dict[str, str], label: str, problems: list[str], *, required=False) -> str:
    text = raw.get(name, "")
    if not text:
        if required:
            problems.append(f"missing {label}")
        return ""
    value = lookup.get(_key(text))
    if value is None:
        problems.append(f"unknown {label} '{text[:60]}'")
        return ""
    return value


def _days(raw: dict, name: str, label: str, problems: list[str]) -> int | None:
    text = raw.get(name, "")
    if not text:
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        problems.append(f"{label} '{text[:20]}' is not a whole number of days")
        return None
    return int(float(text))


def row_check(row_number: int, raw: dict[str, str]) -> ParsedDecision | RowProblem:
    """Check every value of one row; return it ready to store, or every problem it has."""
    problems: list[str] = []
    if any("\x00" in value for value in raw.values()):
        return RowProblem(row_number, "contains a NUL character")
    reference_id = raw.get("reference_id", "")
    if not reference_id:
        problems.append("missing Reference ID")
    elif not REFERENCE_ID.fullmatch(reference_id):
        problems.append(f"Reference ID '{reference_id[:40]}' is not letters, digits and hyphens (at most 32)")

    year_text = raw.get("report_year", "")
    report_year = None
    this_year = timezone.localdate().year
    if not year_text:
        problems.append("missing Report Year")
    elif not re.fullmatch(r"\d{4}", year_text) or not FIRST_REPORT_YEAR <= int(year_text) <= this_year:
        problems.append(f"Report Year '{year_text[:20]}' is not a year from {FIRST_REPORT_YEAR} to {this_year}")
    else:
        report_year = int(year_text)

    values = {
        "report_year": report_year,
        "determination": _choice(raw, "determination", DETERMINATION_LOOKUP, "Determination", problems, required=True),
        "decision_type": _choice(raw, "decision_type", TYPE_LOOKUP, "Type", problems, required=True),
        "age_range": _choice(raw, "age_range", AGE_LOOKUP, "Age Range", problems),
        "gender": _choice(raw, "gender", GENDER_LOOKUP, "Patient Gender", problems),
        "imr_type": _choice(raw, "imr_type", IMR_TYPE_LOOKUP, "IMR Type", problems),
        "days_to_review": _days(raw, "days_to_review", "Days To Review", problems),
        "days_to_adopt": _days(raw, "days_to_adopt", "Days To Adopt", problems),
        "findings": raw.get("findings", ""),
    }
    for name, label in (
        ("diagnosis_category", "Diagnosis Category"),
        ("diagnosis_subcategory", "Diagnosis Sub Category"),
        ("treatment_category", "Treatment Category"),
        ("treatment_subcategory", "Treatment Sub Category"),
    ):
        text = " ".join(raw.get(name, "").split())
        if len(text) > MAX_CATEGORY_LENGTH:
            problems.append(f"{label} is longer than {MAX_CATEGORY_LENGTH} characters")
        values[name] = text
    if problems:
        return RowProblem(row_number, "; ".join(problems))
    return ParsedDecision(row_number, reference_id, values)
