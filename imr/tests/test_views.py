"""The public pages: search with every filter, text search, one decision, CSV, Spanish, accessibility."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection

from imr.models import AgeRange, DecisionType, Determination, Gender, ImrType, PublishedDecision
from imr.services import decisions_import_file
from imr.tests.factories import NEW_HEADER, PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db

SAMPLE = {
    "MN10-1001": {
        "report_year": 2010,
        "diagnosis_category": "Orthopedic",
        "diagnosis_subcategory": "Knee",
        "treatment_category": "Rehabilitation",
        "treatment_subcategory": "Physical Therapy",
        "determination": Determination.OVERTURNED,
        "decision_type": DecisionType.MEDICAL_NECESSITY,
        "age_range": AgeRange.AGE_41_50,
        "gender": Gender.FEMALE,
        "imr_type": ImrType.STANDARD,
        "findings": "Physical therapy after knee surgery is medically necessary for this patient.",
    },
    "EI12-1002": {
        "report_year": 2012,
        "diagnosis_category": "Cancer",
        "diagnosis_subcategory": "Breast",
        "treatment_category": "Pharmacy",
        "treatment_subcategory": "Cancer Medications",
        "determination": Determination.UPHELD,
        "decision_type": DecisionType.EXPERIMENTAL_INVESTIGATIONAL,
        "age_range": AgeRange.AGE_51_64,
        "gender": Gender.FEMALE,
        "imr_type": ImrType.EXPEDITED,
        "findings": "The requested chemotherapy regimen remains investigational.",
    },
    "UR14-1003": {
        "report_year": 2014,
        "diagnosis_category": "Mental",
        "diagnosis_subcategory": "Depression",
        "treatment_category": "Mental Health Treatment",
        "treatment_subcategory": "Inpatient",
        "determination": Determination.OVERTURNED,
        "decision_type": DecisionType.URGENT_CARE,
        "age_range": AgeRange.AGE_21_30,
        "gender": Gender.MALE,
        "imr_type": ImrType.EXPEDITED,
        "findings": "Inpatient admission was needed for severe depression.",
    },
    "MN16-1004": {
        "report_year": 2016,
        "diagnosis_category": "Cancer",
        "diagnosis_subcategory": "Lung",
        "treatment_category": "Pharmacy",
        "treatment_subcategory": "Cancer Medications",
        "determination": Determination.OVERTURNED,
        "decision_type": DecisionType.MEDICAL_NECESSITY,
        "age_range": AgeRange.AGE_65_PLUS,
        "gender": Gender.OTHER,
        "imr_type": ImrType.STANDARD,
        "findings": '=HYPERLINK("http://example.test")',
    },
    "MN16-1005": {
        "report_year": 2016,
        "diagnosis_category": "Orthopedic",
        "diagnosis_subcategory": "Back",
        "treatment_category": "Rehabilitation",
        "treatment_subcategory": "Chiropractic",
        "determination": Determination.UPHELD,
        "decision_type": DecisionType.MEDICAL_NECESSITY,
        "age_range": "",
        "gender": "",
        "imr_type": "",
        "findings": "",
    },
}
EVERYTHING = set(SAMPLE)


@pytest.fixture
def sample():
    for reference_id, values in SAMPLE.items():
        PublishedDecisionFactory(reference_id=reference_id, **values)
    tallies_rebuild()


def listed(page) -> set[str]:
    return set(re.findall(r'<th scope="row"><a href="/(?:es/)?decisions/([^/]+)/">', page.text))


FILTERS = [
    ({"year_from": "2014"}, {"UR14-1003", "MN16-1004", "MN16-1005"}),
    ({"year_to": "2012"}, {"MN10-1001", "EI12-1002"}),
    ({"year_from": "2012", "year_to": "2014"}, {"EI12-1002", "UR14-1003"}),
    ({"diagnosis_category": "Cancer"}, {"EI12-1002", "MN16-1004"}),
    ({"diagnosis_subcategory": "Knee"}, {"MN10-1001"}),
    ({"treatment_category": "Rehabilitation"}, {"MN10-1001", "MN16-1005"}),
    ({"treatment_subcategory": "Cancer Medications"}, {"EI12-1002", "MN16-1004"}),
    ({"determination": "UPHELD"}, {"EI12-1002", "MN16-1005"}),
    ({"decision_type": "URGENT_CARE"}, {"UR14-1003"}),
    ({"age_range": "AGE_51_64"}, {"EI12-1002"}),
    ({"gender": "MALE"}, {"UR14-1003"}),
    ({"imr_type": "EXPEDITED"}, {"EI12-1002", "UR14-1003"}),
    ({"q": "knee"}, {"MN10-1001"}),
    ({"q": "depression"}, {"UR14-1003"}),
    ({"diagnosis_category": "Cancer", "determination": "OVERTURNED"}, {"MN16-1004"}),
]


@pytest.mark.usefixtures("sample")
def test_with_no_filter_every_decision_is_listed_newest_first(client):
    page = client.get("/decisions/")
    assert page.status_code == 200
    assert listed(page) == EVERYTHING
    assert "5 decisions match." in page.text
    order = re.findall(r'<th scope="row"><a href="/decisions/([^/]+)/">', page.text)
    assert order[:2] == ["MN16-1004", "MN16-1005"]
    assert order[-1] == "MN10-1001"


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(params) for params, _ in FILTERS])
def test_every_filter_narrows_the_list_the_statistics_and_the_download(client, params, expected):
    page = client.get("/decisions/", params)
    assert page.status_code == 200
    assert listed(page) == expected
    assert f"{len(expected)} decision{'s match' if len(expected) > 1 else ' matches'}." in page.text

    stats = client.get("/decisions/stats/", params).text
    overturned = sum(1 for reference_id in expected if SAMPLE[reference_id]["determination"] == "OVERTURNED")
    assert f"{overturned} of {len(expected)} decisions." in stats

    download = client.get("/decisions/download/", params)
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == expected


@pytest.mark.usefixtures("sample")
def test_the_filter_options_are_the_values_in_the_data(client):
    page = client.get("/decisions/").text
    assert '<option value="Orthopedic">Orthopedic</option>' in page
    assert '<optgroup label="Cancer"><option value="Breast">Breast</option><option value="Lung">Lung</option>' in page
    assert '<option value="2010">2010</option>' in page
    assert '<option value="2009">' not in page
    assert 'value="AGE_0_10"' not in page  # no decision in that range


@pytest.mark.usefixtures("sample")
def test_with_a_category_chosen_only_its_subcategories_are_offered(client):
    page = client.get("/decisions/", {"diagnosis_category": "Cancer"}).text
    select = re.search(r'<select[^>]* name="diagnosis_subcategory".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "Breast", "Lung"]


@pytest.mark.usefixtures("sample")
def test_a_subcategory_from_another_category_is_explained_not_ignored(client):
    page = client.get("/decisions/", {"diagnosis_category": "Cancer", "diagnosis_subcategory": "Knee"})
    assert "“Knee” is not listed under “Cancer”." in page.text
    assert listed(page) == set()


@pytest.mark.usefixtures("sample")
def test_a_backwards_year_range_is_an_error_and_the_download_refuses_it(client):
    page = client.get("/decisions/", {"year_from": "2016", "year_to": "2010"})
    assert "The end year must be the same as or after the start year." in page.text
    assert 'role="alert"' in page.text
    assert client.get("/decisions/download/", {"year_from": "2016", "year_to": "2010"}).status_code == 400


@pytest.mark.usefixtures("sample")
def test_text_search_needs_every_word(client):
    assert listed(client.get("/decisions/", {"q": "KNEE surgery"})) == {"MN10-1001"}
    assert listed(client.get("/decisions/", {"q": "knee depression"})) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="word stems and the GIN index exist on PostgreSQL only")
@pytest.mark.usefixtures("sample")
def test_on_postgresql_the_search_understands_word_forms_and_uses_the_index(client):
    from imr.selectors import DecisionFilters, decisions_matching

    assert listed(client.get("/decisions/", {"q": "surgeries"})) == {"MN10-1001"}
    assert listed(client.get("/decisions/", {"q": '"severe depression" -knee'})) == {"UR14-1003"}
    query = decisions_matching(DecisionFilters(text="surgery"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "imr_decision_findings_fts" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the substring fallback is SQLite's")
@pytest.mark.usefixtures("sample")
def test_on_sqlite_the_search_matches_parts_of_words(client):
    assert listed(client.get("/decisions/", {"q": "therap"})) == {"MN10-1001", "EI12-1002"}


def test_without_findings_in_the_data_there_is_no_text_search_box(client):
    PublishedDecisionFactory(findings="")
    tallies_rebuild()
    assert 'name="q"' not in client.get("/decisions/").text


@pytest.mark.usefixtures("sample")
def test_the_download_has_dmhcs_newer_columns_and_reimports_unchanged(client, tmp_path):
    response = client.get("/decisions/download/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="imr-decisions.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert rows[0] == NEW_HEADER
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["UR14-1003"] == [
        "UR14-1003", "2014", "Mental", "Depression", "Mental Health Treatment", "Inpatient",
        "Overturned Decision of Health Plan", "Urgent Care", "21-30", "Male", "Expedited", "", "",
        "Inpatient admission was needed for severe depression.",
    ]  # fmt: skip
    assert by_id["MN16-1004"][13] == '\'=HYPERLINK("http://example.test")'  # never a live formula

    path = tmp_path / "download.csv"
    path.write_text(content, encoding="utf-8")
    summary = decisions_import_file(path=path)
    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (0, 0, 5, [])


@pytest.mark.usefixtures("sample")
def test_each_decision_has_its_own_page(client):
    page = client.get("/decisions/UR14-1003/")
    assert page.status_code == 200
    assert "IMR decision UR14-1003" in page.text
    assert "Overturned: the reviewers decided for the patient" in page.text
    assert "Inpatient admission was needed for severe depression." in page.text
    assert "21 to 30" in page.text


def test_an_unknown_reference_id_is_not_found(client):
    assert client.get("/decisions/MN99-0000/").status_code == 404


def test_the_list_pages_through_many_decisions(client):
    for number in range(45):
        PublishedDecisionFactory(reference_id=f"MN15-{number:04d}", report_year=2015)
    tallies_rebuild()
    third = client.get("/decisions/", {"page": "3"}).text
    assert "Decisions 41 to 45 of 45" in third
    assert len(re.findall(r'<th scope="row">', third)) == 5
    assert 'aria-current="page">Page 3<' in third
    assert "Decisions 41 to 45 of 45" in client.get("/decisions/", {"page": "99"}).text
    assert "Decisions 1 to 20 of 45" in client.get("/decisions/", {"page": "x"}).text


@pytest.mark.usefixtures("sample")
def test_the_spanish_pages_are_in_spanish(client):
    search = client.get("/es/decisions/")
    assert '<html lang="es">' in search.text
    assert "Buscar en las decisiones" in search.text
    assert "Revocada" in search.text
    stats = client.get("/es/decisions/stats/").text
    assert "60,00 %" in stats  # 3 of 5 overturned, written the Spanish way
    assert "Por año del informe" in stats
    assert "Decisión IMR UR14-1003" in client.get("/es/decisions/UR14-1003/").text


class _PageStructure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.labels, self.fields, self.ids = [], set(), [], set()
        self.svgs, self.tables, self.captions, self.described_by = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.fields.append(attrs.get("id"))
            self.described_by += (attrs.get("aria-describedby") or "").split()
        elif tag == "svg":
            self.svgs.append(attrs)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("path", ["/decisions/", "/decisions/stats/", "/decisions/UR14-1003/", "/es/decisions/stats/"])
def test_pages_are_built_for_assistive_technology(client, path):
    page = _PageStructure()
    page.feed(client.get(path).text)
    assert page.headings[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(page.headings, page.headings[1:], strict=False))
    assert all(field_id and field_id in page.labels for field_id in page.fields), "every field has a label"
    assert page.tables == page.captions
    assert set(page.described_by) <= page.ids
    for svg in page.svgs:
        assert svg["role"] == "img"
        assert all(part in page.ids for part in svg["aria-labelledby"].split())
    if "stats" in path:
        assert len(page.svgs) == 5  # year, type, IMR type, diagnosis, treatment
        assert page.tables == 5


def test_the_navigation_link_still_resolves(client):
    assert 'href="/decisions/"' in client.get("/").text
    assert PublishedDecision.objects.count() == 0


@pytest.mark.usefixtures("sample")
def test_a_text_search_stops_counting_at_its_limit(client, monkeypatch):
    monkeypatch.setattr("imr.selectors.search.TEXT_COUNT_LIMIT", 1)
    # Words that two decisions' findings match (SQLite's fallback matches parts of words).
    words = "patient OR depression" if connection.vendor == "postgresql" else "for"
    page = client.get("/decisions/", {"q": words}).text
    assert "More than 1 decisions match." in page
    assert "Decisions 1 to 1 of more than 1" in page


@pytest.mark.usefixtures("sample")
def test_the_statistics_of_a_text_search_count_the_matching_decisions(client):
    stats = client.get("/decisions/stats/", {"q": "depression"}).text
    assert "1 of 1 decisions." in stats
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>1</td><td>1</td><td>100.00%</td>', stats)
    assert {"2014", "Urgent care", "Expedited", "Mental", "Mental Health Treatment"} <= set(rows)


@pytest.mark.usefixtures("sample")
def test_a_field_with_an_error_points_to_its_message(client):
    page = _PageStructure()
    page.feed(client.get("/decisions/", {"year_from": "2016", "year_to": "2010"}).text)
    assert "id_year_to_error" in page.described_by
    assert "id_diagnosis_subcategory_helptext" in page.described_by
    assert set(page.described_by) <= page.ids


@pytest.mark.parametrize(
    ("prefix", "words"), [("", "Searching for words is not available"), ("/es", "no está disponible")]
)
@pytest.mark.parametrize("path", ["/decisions/", "/decisions/stats/"])
def test_words_in_the_address_without_findings_to_search_are_explained_not_dropped(client, prefix, words, path):
    PublishedDecisionFactory(findings="")
    PublishedDecisionFactory(findings="")
    tallies_rebuild()
    page = client.get(f"{prefix}{path}", {"q": "zzzxq"})
    assert page.status_code == 200
    assert words in page.text
    assert "2 decisions" not in page.text  # no list or figures shown as if the words had matched
    assert 'name="q"' not in page.text
    assert client.get(f"{prefix}/decisions/download/", {"q": "zzzxq"}).status_code == 400
